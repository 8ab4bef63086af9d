import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as schema from './schema.ts';
import { countQueries } from '../request-timing.ts';

export { schema };
/** A pool's database: `$client` is the pool (a community transaction takes its connection from it). */
export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };
export type Transaction = Parameters<Parameters<Database['transaction']>[0]>[0];

const migrationsFolder = fileURLToPath(new URL('../../../migrations', import.meta.url));

export interface Databases {
  /** Works as `coproduce_app`: row-level security applies. Every request uses this one. */
  app: Database;
  /** Works as the owner: migrations and platform-wide work (jobs, platform admin). */
  owner: Database;
  ownerPool: pg.Pool;
  appPool: pg.Pool;
  close(): Promise<void>;
}

/** The role every request works as: it logs in by itself, owns nothing, and row-level security applies to it. */
export const appRole = 'coproduce_app';

/**
 * The application role's password, made from the session secret (every process of one
 * install shares it), so that an install needs no second secret. `DATABASE_APP_URL` replaces
 * it where the operator manages the role themselves.
 */
export function appRolePassword(secret: string): string {
  return createHmac('sha256', secret).update('coproduce_app database login').digest('base64url');
}

/** The owner's address with the application role's name and password instead. */
export function appRoleUrl(ownerUrl: string, password: string): string {
  const url = new URL(ownerUrl);
  url.username = appRole;
  url.password = password;
  return url.toString();
}

/**
 * Connects two pools to one database: the owner's (migrations, jobs, platform-wide work) and
 * the application's, which logs in as coproduce_app itself. It never logs in as the owner and
 * switches role, so not even an injected `RESET ROLE` could reach the owner's rights.
 */
export function connect(
  url: string,
  options: { appUrl: string; appPoolSize?: number; ownerPoolSize?: number; onIdleError?: (error: Error) => void },
): Databases {
  const ownerPool = new pg.Pool({ connectionString: url, max: options.ownerPoolSize ?? 4 });
  const appPool = new pg.Pool({ connectionString: options.appUrl, max: options.appPoolSize ?? 16 });
  // An idle connection the server closes (a restart, a failover) is replaced on next use;
  // without a listener the pool's error would end the process.
  for (const pool of [ownerPool, appPool]) pool.on('error', (error) => options.onIdleError?.(error));
  // Each request's statements are counted and timed, for its Server-Timing header and log line.
  for (const pool of [ownerPool, appPool]) countQueries(pool);
  return {
    app: drizzle(appPool, { schema }),
    owner: drizzle(ownerPool, { schema }),
    ownerPool,
    appPool,
    close: async () => {
      await Promise.all([appPool.end(), ownerPool.end()]);
    },
  };
}

/**
 * Applies the migrations and, given its password, lets the application role log in with it
 * (each start, so a new session secret takes effect). The owner must be a superuser or hold
 * CREATEROLE, as managed PostgreSQL services give; otherwise pass DATABASE_APP_URL and omit it.
 */
/** What every start does: connects both pools, applies the migrations and lets the application role log in. */
export async function openDatabases(
  ownerUrl: string,
  options: {
    secret: string;
    appUrl?: string;
    appPoolSize?: number;
    ownerPoolSize?: number;
    onIdleError?: (error: Error) => void;
  },
): Promise<Databases> {
  const appPassword = options.appUrl ? undefined : appRolePassword(options.secret);
  const databases = connect(ownerUrl, {
    ...options,
    appUrl: options.appUrl ?? appRoleUrl(ownerUrl, appPassword ?? ''),
  });
  await applyMigrations(databases.ownerPool, appPassword);
  return databases;
}

export async function applyMigrations(ownerPool: pg.Pool, appPassword?: string): Promise<void> {
  // One process at a time: several app instances may start together on one database.
  const client = await ownerPool.connect();
  try {
    await client.query('select pg_advisory_lock(7226536)');
    await migrate(drizzle(client, { schema }), { migrationsFolder });
    if (appPassword !== undefined) {
      await client.query(`alter role ${appRole} with login password ${client.escapeLiteral(appPassword)}`);
    }
  } finally {
    await client.query('select pg_advisory_unlock(7226536)').catch(() => undefined);
    client.release();
  }
}

/** True when every migration shipped with this code has been applied. */
export async function migrationsApplied(owner: Database): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder });
  const result = await owner.execute<{ count: string }>(
    sql`select count(*)::text as count from drizzle.__drizzle_migrations`,
  );
  return Number(result.rows[0]?.count ?? 0) >= expected.length;
}

/** Creates a database on the server if it is missing (bundled PostgreSQL only). */
export async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name.replace(/"/g, '')}"`);
  } finally {
    await client.end();
  }
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
