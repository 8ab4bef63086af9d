// One-off commands an operator runs against an install (a backup, a restore, making the first
// platform admin): they find its database as the app does, and say plainly what is wrong.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { ConfigurationError, readConfig, type Config } from '../config.ts';
import { bundledPostgresFor } from './bundled-postgres.ts';
import { appRole, ensureDatabase } from './index.ts';

const run = promisify(execFile);

/** The install's database: `DATABASE_URL`, or the bundled one under `DATA_DIR` (the running one if the app runs). */
export async function installDatabase(config: Config): Promise<{ url: string; close(): Promise<void> }> {
  if (config.databaseUrl) return { url: config.databaseUrl, close: async () => undefined };
  const bundled = await bundledPostgresFor(path.resolve(config.dataDir, 'postgres'));
  return { url: await ensureDatabase(bundled.url, 'coproduce'), close: () => bundled.stop() };
}

/** Runs a command with the install's configuration; a problem is one plain sentence and exit code 1. */
export async function asCommand(work: (config: Config) => Promise<string>): Promise<void> {
  try {
    const said = await work(readConfig());
    process.stdout.write(`${said}\n`);
    process.exit(0);
  } catch (error) {
    process.stderr.write(
      `${error instanceof ConfigurationError || error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  }
}

/** PostgreSQL's own tools (Debian's postgresql-client, the same major as the server), or where PG_BIN says. */
function tool(name: 'pg_dump' | 'pg_restore'): string {
  return process.env.PG_BIN ? path.join(process.env.PG_BIN, name) : name;
}

/** Runs a tool on a database: the password goes by the environment, never on a command line others can read. */
async function runTool(name: 'pg_dump' | 'pg_restore', url: string, args: string[]): Promise<void> {
  const address = new URL(url);
  const password = decodeURIComponent(address.password);
  address.password = '';
  try {
    await run(tool(name), ['--dbname', address.toString(), ...args], {
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, PGPASSWORD: password },
    });
  } catch (error) {
    const failure = error as NodeJS.ErrnoException & { stderr?: string };
    if (failure.code === 'ENOENT')
      throw new Error(
        `${name} is not installed. On Debian or Ubuntu: sudo apt-get install postgresql-client-15 (or set PG_BIN to the folder that has it).`,
        { cause: error },
      );
    throw new Error(`${name} failed: ${failure.stderr?.trim() || failure.message}`, { cause: error });
  }
}

/** A consistent copy of the whole database (pg_dump's custom format: one snapshot, compressed). */
export async function backupDatabase(url: string, file: string): Promise<void> {
  await runTool('pg_dump', url, ['--format=custom', '--file', file]);
}

/**
 * Brings a backup back into an empty database, in one transaction: all of it or none. The
 * application's role is made first if the server has none (its grants and policies name it);
 * the next start lets it log in.
 */
export async function restoreDatabase(url: string, file: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ count: number }>(
      `select count(*)::int as count from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    );
    if ((rows[0]?.count ?? 0) > 0) {
      throw new Error(
        `The database ${new URL(url).pathname.slice(1)} is not empty: restore into an empty one. For the bundled PostgreSQL, stop Coproduce and move ./data away (or set DATA_DIR to a new folder) first.`,
      );
    }
    await client.query(
      `do $$ begin if not exists (select 1 from pg_roles where rolname = '${appRole}') then create role ${appRole} nologin; end if; end $$`,
    );
  } finally {
    await client.end();
  }
  await runTool('pg_restore', url, ['--no-owner', '--exit-on-error', '--single-transaction', file]);
}
