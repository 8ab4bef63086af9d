// Transactions begun in one round trip with what scopes them (platform/tenancy.ts says what), and
// the statements of hot reads, built once per process and run in whichever transaction is open.
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import { type ExtractTablesWithRelations, type Query, sql } from 'drizzle-orm';
import { drizzle, NodePgSession, NodePgTransaction } from 'drizzle-orm/node-postgres';
import { PgDialect, type PreparedQueryConfig } from 'drizzle-orm/pg-core';
import type pg from 'pg';
import type { Database, Transaction } from './index.ts';
import * as schema from './schema.ts';

const dialect = new PgDialect();
/** The transaction open in this async context, while its work runs (`done` once it has finished). */
const open = new AsyncLocalStorage<{
  tx: Transaction;
  client: pg.PoolClient;
  done: boolean;
  afterCommit: (() => void)[];
}>();

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
  const { schema: tables, fullSchema, tableNamesMap } = db._;
  if (!tables) throw new Error('the database was opened without its schema');
  const relations = { schema: tables, fullSchema, tableNamesMap };
  const client = await db.$client.connect();
  const tx = new NodePgTransaction(
    dialect,
    new SessionPreparingByShape(client, relations),
    relations,
  ) as unknown as Transaction;
  // The pool listens for a checked-out connection's errors no more: a server that ends the
  // session while the work waits on something else must not take the process with it.
  let broken: Error | undefined;
  const onError = (error: Error) => {
    broken = error;
  };
  client.on('error', onError);
  const running = { tx, client, done: false, afterCommit: [] as (() => void)[] };
  let result: T;
  try {
    await tx.execute(sql.raw(begin));
    result = await open.run(running, () => work(tx));
    running.done = true;
    const committed = await tx.execute(sql`commit`);
    // A transaction that failed and was carried on past is rolled back by PostgreSQL at commit,
    // silently: say so, rather than answer as if the work were saved.
    if ((committed as { command?: string }).command === 'ROLLBACK')
      throw new Error('the transaction had failed, and PostgreSQL rolled it back at commit');
  } catch (error) {
    running.done = true;
    await tx.execute(sql`rollback`).catch((failed: unknown) => {
      broken = failed instanceof Error ? failed : new Error('rollback failed');
    });
    throw error;
  } finally {
    client.off('error', onError);
    client.release(broken ?? (stale.has(client) ? new Error('a prepared statement went stale') : undefined));
  }
  // Committed, and the connection given back: what waited for the commit runs now.
  for (const then of running.afterCommit) then();
  return result;
}

/**
 * Connections whose prepared statements no longer match the database: a migration changed what
 * a kept statement returns ("cached plan must not change result type", 0A000), or the server
 * lost a statement the driver thinks it has (26000). Such a connection would fail the same way
 * every time, so it is closed when its transaction ends, not given back to the pool.
 */
const stale = new WeakSet<object>();
const staleCodes = new Set(['0A000', '26000']);
function noteIfStale(client: object, error: unknown): void {
  const code =
    (error as { code?: unknown } | null)?.code ?? (error as { cause?: { code?: unknown } } | null)?.cause?.code;
  if (typeof code === 'string' && staleCodes.has(code)) stale.add(client);
}

/**
 * Runs `then` once the community transaction open in this async context has committed, or at
 * once when none is open. For what must follow the work only when others can see it: forgetting
 * a kept answer inside the transaction would let a request that asks meanwhile keep the old one.
 */
export function afterCommit(then: () => void): void {
  const running = open.getStore();
  if (running && !running.done) running.afterCommit.push(then);
  else then();
}

/** Sends each statement to the connection of the community transaction it is run in; nowhere else. */
const throughOpenTransaction = {
  query(...args: unknown[]) {
    const running = open.getStore();
    if (!running || running.done)
      throw new Error('a statement built once runs only inside an open community transaction');
    const answer = (running.client.query as (...given: unknown[]) => unknown)(...args);
    if (answer instanceof Promise) answer.catch((error: unknown) => noteIfStale(running.client, error));
    return answer;
  },
};
const builder = drizzle(throughOpenTransaction as unknown as pg.Pool, { schema });
export type StatementBuilder = typeof builder;

/**
 * A hot read's statement, built the first time it runs and sent by name afterwards: building a
 * large select costs more than running it. It is handed out only for the transaction open in this
 * async context (not a savepoint inside it), and it runs on that transaction's connection while
 * its work runs, never after: run it where it is handed out.
 */
export function builtOnce<Statement>(build: (db: StatementBuilder) => Statement): (tx: Transaction) => Statement {
  let statement: Statement | undefined;
  return (tx) => {
    const running = open.getStore();
    if (running?.tx !== tx || running.done)
      throw new Error('a statement built once runs only in the open community transaction');
    statement ??= build(builder);
    return statement;
  };
}

/**
 * A small read that many pages make (a record, an account, a time bank's rules), built once per
 * process and sent by name in the request's open transaction, as `builtOnce`: building a select
 * of every column cost more than running it. In any other transaction (a savepoint, a community
 * being created, the owner's nightly work) it is built there, as any statement is.
 */
export function builtOnceWhereOpen<Statement>(
  build: (db: StatementBuilder) => Statement,
): (tx: Transaction) => Statement {
  let statement: Statement | undefined;
  return (tx) => {
    const running = open.getStore();
    if (running?.tx !== tx || running.done) return build(tx as unknown as StatementBuilder);
    statement ??= build(builder);
    return statement;
  };
}

/** Names already given, by text (bounded: the app's statements are a few hundred shapes). */
const namesOfShapes = new Map<string, string>();

/** The name of a statement prepared by its shape: a hash of its text. */
function nameOfShape(text: string): string {
  let name = namesOfShapes.get(text);
  if (name === undefined) {
    name = `shape_${createHash('sha256').update(text).digest('base64url').slice(0, 22)}`;
    if (namesOfShapes.size >= 2_000) namesOfShapes.clear();
    namesOfShapes.set(text, name);
  }
  return name;
}

/**
 * How many shapes one connection keeps prepared. PostgreSQL keeps each one's plan in the server
 * process for the life of the connection, so past this many a new shape is sent unnamed (planned
 * every time, as before). The app has a few hundred statements, and one connection meets the hot
 * ones many times over.
 */
export const shapesKeptPerConnection = 256;
/**
 * A statement with more values than this is sent unnamed: its text changes with how many there
 * are (a list of ids, rows inserted together), so each length would be a shape of its own.
 */
export const mostValuesOfAKeptShape = 64;
/** Shapes a connection has sent once: only a shape seen again is named, so one-offs take no place. */
const seenOncePerConnection = 1_024;
const shapesPrepared = new WeakMap<object, { named: Set<string>; seenOnce: Set<string> }>();

type Session = NodePgSession<typeof schema, ExtractTablesWithRelations<typeof schema>>;
type PrepareArguments = Parameters<Session['prepareQuery']>;

/**
 * A connection's session that sends each statement named after its text (its shape), so that
 * PostgreSQL parses and plans each shape once per connection and keeps the plan, instead of
 * planning it again on every request: planning was half of PostgreSQL's time on most pages (the
 * statement page's read planned in 0.5 ms and ran in 0.4). A statement's values stay parameters;
 * one written into the text (`sql.raw`), or a list whose length varies, makes a shape of its own.
 * So a shape is named only the second time a connection sends it, only with at most
 * `mostValuesOfAKeptShape` values, and only up to `shapesKeptPerConnection` shapes. A statement
 * without parameters (`begin`, `commit`, several statements in one text) is sent unnamed, as a
 * named statement must be a single one.
 */
class SessionPreparingByShape extends NodePgSession<typeof schema, ExtractTablesWithRelations<typeof schema>> {
  constructor(
    private readonly connection: pg.PoolClient,
    relations: ConstructorParameters<typeof NodePgSession<typeof schema, ExtractTablesWithRelations<typeof schema>>>[2],
  ) {
    super(connection, dialect, relations);
  }

  override prepareQuery<T extends PreparedQueryConfig = PreparedQueryConfig>(
    ...[query, fields, name, ...rest]: PrepareArguments
  ) {
    const prepared = super.prepareQuery<T>(query, fields, name ?? this.shapeName(query), ...rest);
    const execute = prepared.execute.bind(prepared);
    prepared.execute = async (...given: Parameters<typeof execute>) => {
      try {
        return await execute(...given);
      } catch (error) {
        noteIfStale(this.connection, error);
        throw error;
      }
    };
    return prepared;
  }

  private shapeName(query: Query): string | undefined {
    if (query.params.length === 0 || query.params.length > mostValuesOfAKeptShape) return undefined;
    const name = nameOfShape(query.sql);
    let prepared = shapesPrepared.get(this.connection);
    if (!prepared) shapesPrepared.set(this.connection, (prepared = { named: new Set(), seenOnce: new Set() }));
    if (prepared.named.has(name)) return name;
    if (!prepared.seenOnce.has(name)) {
      if (prepared.seenOnce.size >= seenOncePerConnection) prepared.seenOnce.clear();
      prepared.seenOnce.add(name);
      return undefined;
    }
    if (prepared.named.size >= shapesKeptPerConnection) return undefined;
    prepared.seenOnce.delete(name);
    prepared.named.add(name);
    return name;
  }
}
