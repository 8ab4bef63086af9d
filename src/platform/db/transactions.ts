// Transactions begun in one round trip with what scopes them (platform/tenancy.ts says what), and
// the statements of hot reads, built once per process and run in whichever transaction is open.
import { AsyncLocalStorage } from 'node:async_hooks';
import { sql } from 'drizzle-orm';
import { drizzle, NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { PgDialect } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Database, Transaction } from './index.ts';
import * as schema from './schema.ts';

const dialect = new PgDialect();
const open = new AsyncLocalStorage<{ tx: Transaction; client: pg.PoolClient }>();

/**
 * Runs `work` in a transaction on one of the pool's connections: `begin` (a simple query that
 * begins and sets what scopes the transaction, one round trip) then the work, then `commit` (or
 * `rollback`; a connection that cannot roll back is closed, never reused). The transaction is
 * drizzle's own, so savepoints work inside it.
 */
export async function inTransactionBegunWith<T>(
  db: Database,
  begin: string,
  work: (tx: Transaction) => Promise<T>,
): Promise<T> {
  const pool = db.$client;
  const client = await pool.connect();
  const { schema: tables, fullSchema, tableNamesMap } = db._;
  if (!tables) throw new Error('the database was opened without its schema');
  const relations = { schema: tables, fullSchema, tableNamesMap };
  const tx = new NodePgTransaction(
    dialect,
    new NodePgSession(client, dialect, relations),
    relations,
  ) as unknown as Transaction;
  let broken: Error | undefined;
  try {
    await tx.execute(sql.raw(begin));
    const result = await open.run({ tx, client }, () => work(tx));
    await tx.execute(sql`commit`);
    return result;
  } catch (error) {
    await tx.execute(sql`rollback`).catch((failed: unknown) => {
      broken = failed instanceof Error ? failed : new Error('rollback failed');
    });
    throw error;
  } finally {
    client.release(broken);
  }
}

/** Sends each statement to the connection of the community transaction it is run in; nowhere else. */
const throughOpenTransaction = {
  query(...args: unknown[]) {
    const running = open.getStore();
    if (!running) throw new Error('a statement built once runs only inside a community transaction');
    return (running.client.query as (...given: unknown[]) => unknown)(...args);
  },
};
const builder = drizzle(throughOpenTransaction as unknown as pg.Pool, { schema });
export type StatementBuilder = typeof builder;

/**
 * A hot read's statement, built the first time it runs and sent by name afterwards: building a
 * large select costs more than running it. It runs only in the transaction it is given, and only
 * when that is the transaction open on this request.
 */
export function builtOnce<Statement>(build: (db: StatementBuilder) => Statement): (tx: Transaction) => Statement {
  let statement: Statement | undefined;
  return (tx) => {
    if (open.getStore()?.tx !== tx)
      throw new Error('a statement built once runs only in the open community transaction');
    statement ??= build(builder);
    return statement;
  };
}
