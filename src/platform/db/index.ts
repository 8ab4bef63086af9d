import { sql } from 'drizzle-orm';
import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as schema from './schema.ts';

export { schema };
export type Database = NodePgDatabase<typeof schema>;
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

/** Connects two pools to one database: the owner's, and the application's that owns nothing. */
export function connect(url: string, options: { appPoolSize?: number; ownerPoolSize?: number; onIdleError?: (error: Error) => void } = {}): Databases {
  const ownerPool = new pg.Pool({ connectionString: url, max: options.ownerPoolSize ?? 4 });
  // Each connection of the application's pool starts as coproduce_app (a startup parameter,
  // so no query can run before it takes effect).
  const appPool = new pg.Pool({ connectionString: url, max: options.appPoolSize ?? 16, options: '-c role=coproduce_app' });
  // An idle connection the server closes (a restart, a failover) is replaced on next use;
  // without a listener the pool's error would end the process.
  for (const pool of [ownerPool, appPool]) pool.on('error', (error) => options.onIdleError?.(error));
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

export async function applyMigrations(ownerPool: pg.Pool): Promise<void> {
  // One process at a time: several app instances may start together on one database.
  const client = await ownerPool.connect();
  try {
    await client.query('select pg_advisory_lock(7226536)');
    await migrate(drizzle(client, { schema }), { migrationsFolder });
  } finally {
    await client.query('select pg_advisory_unlock(7226536)').catch(() => undefined);
    client.release();
  }
}

/** True when every migration shipped with this code has been applied. */
export async function migrationsApplied(owner: Database): Promise<boolean> {
  const { readMigrationFiles } = await import('drizzle-orm/migrator');
  const expected = readMigrationFiles({ migrationsFolder });
  const result = await owner.execute<{ count: string }>(sql`select count(*)::text as count from drizzle.__drizzle_migrations`);
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
