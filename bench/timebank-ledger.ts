// `npm run bench:ledger`: confirmed exchanges per second through the service layer with 50
// concurrent writers (each records an exchange and confirms it in one transaction, as a
// coordinator does), next to pgbench's default TPC-B-like script (`pgbench -i -s 50`) with 50
// clients on the same PostgreSQL in the same run. The writers share the app's own pool of
// connections (16), as requests do; pgbench gives each client its own. Also: the statements one
// exchange sends, the locks it takes, one writer alone (ms per exchange), CPU per transaction and
// what the server waited on, for both. BENCH_SECONDS (20 unless set) each; BENCH_MEMBERS members
// (1,000 unless set); BENCH_PAST_EXCHANGES exchanges already in the ledger (50,000 unless set);
// BENCH_SCALE pgbench's scale (50 unless set); BENCH_POOL the app's pool; BENCH_LOCKS=1 lists the
// locks; STATEMENT_STATS=1 PostgreSQL's time by statement.
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { ensureDatabase, openDatabases } from '../src/platform/db/index.ts';
import { startBundledPostgres } from '../src/platform/db/bundled-postgres.ts';
import { communities } from '../src/platform/db/schema.ts';
import { recordExchange } from '../src/modules/timebank/service.ts';
import { inCommunity } from '../src/platform/tenancy.ts';
import { generateTimebank } from '../src/demo/generate-timebank.ts';
import { cpuWindow, idleShare, machine, postgresOf } from './cpu.ts';

const run = promisify(execFile);

/**
 * CPU used from now until `perTransaction` is called: the bundled PostgreSQL's processes (only
 * this benchmark's server, those that end in between counted too), the writers' (this process, or
 * pgbench and this process), and the machine's idle share.
 */
function transactionCpu() {
  const postgres = cpuWindow(postgresOf(path.join(directory, 'postgres')));
  const writers = cpuWindow(
    (one) => one.pid === String(process.pid) || (one.command === 'pgbench' && one.parent === String(process.pid)),
  );
  const machine0 = machine();
  return {
    perTransaction(transactions: number) {
      const ms = (value: number) => ((1000 * value) / Math.max(1, transactions)).toFixed(2);
      return {
        postgres: ms(postgres.stop()),
        client: ms(writers.stop()),
        idle: `${Math.round(100 * idleShare(machine0, machine()))}%`,
      };
    },
  };
}

/** Samples what the database's active backends wait on, every 10 ms, until `stop`. */
function sampleWaits(serverUrl: string, database: string) {
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  const client = new pg.Client({ connectionString: url.toString() });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const sampling = (async () => {
    await client.connect();
    while (running) {
      const { rows } = await client.query<{ wait: string }>(
        `select coalesce(wait_event_type || ':' || wait_event, 'on CPU') as wait from pg_stat_activity
          where datname = $1 and state = 'active' and pid <> pg_backend_pid()`,
        [database],
      );
      for (const row of rows) counts.set(row.wait, (counts.get(row.wait) ?? 0) + 1);
      samples += rows.length;
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await client.end();
  })();
  return {
    async stop() {
      running = false;
      await sampling;
      return [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([wait, count]) => `${wait} ${Math.round((100 * count) / Math.max(1, samples))}%`)
        .join(', ');
    },
  };
}

/**
 * What the server wrote to its write-ahead log from now until `perTransaction` (the whole
 * server: run one workload at a time): records, full-page images and bytes per transaction, and
 * the checkpoints in between (after one, each page's first change is logged whole).
 */
async function walWindow(serverUrl: string) {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  const read = async () =>
    (
      await client.query<{ records: string; images: string; bytes: string; checkpoints: string }>(
        `select w.wal_records as records, w.wal_fpi as images, w.wal_bytes as bytes,
           b.checkpoints_timed + b.checkpoints_req as checkpoints from pg_stat_wal w, pg_stat_bgwriter b`,
      )
    ).rows[0];
  const before = await read();
  return {
    async perTransaction(transactions: number) {
      const after = await read();
      await client.end();
      const per = (key: 'records' | 'images' | 'bytes') =>
        (Number(after?.[key] ?? 0) - Number(before?.[key] ?? 0)) / Math.max(1, transactions);
      return {
        records: per('records').toFixed(1),
        images: per('images').toFixed(2),
        bytes: per('bytes').toFixed(0),
        checkpoints: Number(after?.checkpoints ?? 0) - Number(before?.checkpoints ?? 0),
      };
    },
  };
}

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const memberCount = Number(process.env.BENCH_MEMBERS ?? 1000);
const writers = Number(process.env.BENCH_WRITERS ?? 50);
// Exchanges already in the ledger before the run, so that the planner plans for a ledger in use.
const pastExchanges = Number(process.env.BENCH_PAST_EXCHANGES ?? 50_000);
const scale = Number(process.env.BENCH_SCALE ?? 50);

const directory = mkdtempSync(path.join(os.tmpdir(), 'coproduce-ledger-bench-'));
// STATEMENT_STATS=1: PostgreSQL times every statement, those inside the ledger's functions too,
// planning apart from execution (pg_stat_statements), for the 50-writer window.
const statementStats = Boolean(process.env.STATEMENT_STATS);
const bundled = await startBundledPostgres({
  directory: path.join(directory, 'postgres'),
  settings: statementStats
    ? [
        'shared_preload_libraries=pg_stat_statements',
        'pg_stat_statements.track=all',
        'pg_stat_statements.track_planning=on',
      ]
    : [],
});
try {
  const url = await ensureDatabase(bundled.url, 'coproduce_ledger_bench');
  const databases = await openDatabases(url, {
    secret: 'a-ledger-benchmark-secret-of-32-characters',
    ...(process.env.BENCH_POOL ? { appPoolSize: Number(process.env.BENCH_POOL) } : {}),
  });
  // Every statement sent to PostgreSQL is counted: the round trips one exchange costs.
  const pgModule = await import('pg');
  let statements = 0;
  const send = pgModule.default.Client.prototype.query;
  pgModule.default.Client.prototype.query = function counted(this: unknown, ...args: unknown[]) {
    statements += 1;
    return (send as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof send;
  if (process.env.BENCH_SLOW_QUERIES) {
    // Reports each statement slower than BENCH_SLOW_QUERIES ms: for finding what to make faster.
    const pg = await import('pg');
    const original = pg.default.Client.prototype.query;
    pg.default.Client.prototype.query = function timed(this: unknown, ...args: unknown[]) {
      const begin = performance.now();
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (result instanceof Promise)
        void result.then(
          () => {
            const took = performance.now() - begin;
            if (took > Number(process.env.BENCH_SLOW_QUERIES))
              process.stdout.write(
                `${took.toFixed(1)} ms: ${String((args[0] as { text?: string }).text ?? args[0])
                  .slice(0, 160)
                  .replace(/\s+/g, ' ')}\n`,
              );
          },
          () => undefined,
        );
      return result;
    } as typeof original;
  }
  const [community] = await databases.owner
    .insert(communities)
    .values({ slug: 'ledger', name: 'Ledger Bench', description: 'A benchmark.', contactEmail: 'ledger@example.org' })
    .returning({ id: communities.id });
  if (!community) throw new Error('no community');
  const { memberIds } = await generateTimebank(
    databases.owner,
    { communityId: community.id, members: memberCount, exchanges: pastExchanges, coordinatorId: null, days: 30 },
    5,
  );
  const [category] = (
    await databases.owner.execute<{ id: string }>(
      sql`select id from timebank_categories where community_id = ${community.id} and check_level = 'none' limit 1`,
    )
  ).rows;
  // A generous limit, so that what is measured is recording and posting, not refusals.
  await databases.owner.execute(
    sql`update timebanks set minimum_balance = -600000 where community_id = ${community.id}`,
  );
  await databases.owner.execute(sql`analyze`);
  const context = {
    communityId: community.id,
    actor: { id: '00000000-0000-4000-8000-000000000000', staff: true },
    actorRecordId: null,
    notifyConfigured: false,
    publicUrl: 'http://localhost',
    communitySlug: 'ledger',
  };
  // The actor must exist: the coordinator is an account.
  const [actor] = (
    await databases.owner.execute<{ id: string }>(
      sql`insert into people (email, display_name) values ('coordinator@ledger.example.org', 'Ledger Coordinator') returning id`,
    )
  ).rows;
  context.actor.id = actor?.id ?? '';
  const today = new Date().toISOString().slice(0, 10);
  const pick = () => memberIds[Math.floor(Math.random() * memberIds.length)] as string;
  /** One exchange recorded and confirmed by a coordinator, in its own transaction, as the API does it. */
  const exchange = async () => {
    const giver = pick();
    let receiver = pick();
    while (receiver === giver) receiver = pick();
    await inCommunity(databases.app, { communityId: community.id, personId: context.actor.id }, (tx) =>
      recordExchange(tx, context, {
        giver,
        receiver,
        minutes: 30,
        occurredOn: today,
        categoryId: category?.id ?? '',
        note: '',
        confirmNow: true,
      }),
    );
  };
  // Warmed up, then one exchange alone: how many statements it sends (begin and commit included).
  for (let warm = 0; warm < 20; warm += 1) await exchange();
  const statementsBefore = statements;
  await exchange();
  const perExchange = statements - statementsBefore;
  // One writer alone, for a few seconds: milliseconds per exchange with nothing else waiting.
  let alone = 0;
  const aloneUntil = Date.now() + Math.min(seconds, 5) * 1000;
  const aloneStarted = performance.now();
  while (Date.now() < aloneUntil) {
    await exchange();
    alone += 1;
  }
  const aloneMs = (performance.now() - aloneStarted) / alone;
  // The locks one exchange holds before it commits: past 16 relations a backend's locks leave the
  // fast path for the shared lock table, whose partitions 50 writers then queue on.
  const [locks] = await inCommunity(
    databases.app,
    { communityId: community.id, personId: context.actor.id },
    async (tx) => {
      await recordExchange(tx, context, {
        giver: memberIds[0] as string,
        receiver: memberIds[1] as string,
        minutes: 30,
        occurredOn: today,
        categoryId: category?.id ?? '',
        note: '',
        confirmNow: true,
      });
      return (
        await tx.execute<{ relations: number; fast: number; names: string }>(
          sql`select count(*)::int as relations, count(*) filter (where fastpath)::int as fast,
            string_agg(relation::regclass::text || case when fastpath then '' else ' (shared)' end, ', ' order by relation::regclass::text) as names
            from pg_locks where pid = pg_backend_pid() and locktype = 'relation'`,
        )
      ).rows;
    },
  );
  process.stdout.write(
    `one exchange locks ${locks?.relations} relations, ${locks?.fast} of them on the fast path${process.env.BENCH_LOCKS ? `: ${locks?.names}` : ''}\n`,
  );
  process.stdout.write(`one writer: ${perExchange} statements, ${aloneMs.toFixed(2)} ms per exchange\n`);

  let confirmed = 0;
  let failed = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
  if (statementStats) {
    await databases.owner.execute(sql`create extension if not exists pg_stat_statements`);
    await databases.owner.execute(sql`select pg_stat_statements_reset()`);
  }
  const cpu = transactionCpu();
  const wal = await walWindow(bundled.url);
  const waits = sampleWaits(bundled.url, 'coproduce_ledger_bench');
  await Promise.all(
    Array.from({ length: writers }, async () => {
      while (Date.now() < until) {
        try {
          await exchange();
          confirmed += 1;
        } catch {
          failed += 1;
        }
      }
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const ours = confirmed / elapsed;
  const ourCpu = cpu.perTransaction(confirmed);
  const ourWaits = await waits.stop();
  const ourWal = await wal.perTransaction(confirmed);
  const statementLines: string[] = [];
  if (statementStats) {
    const top = await databases.owner.execute<{
      query: string;
      calls: number;
      plans: number;
      plan: number;
      exec: number;
    }>(
      sql`select left(regexp_replace(query, '[[:space:]]+', ' ', 'g'), 100) as query, calls::float8 as calls, plans::float8 as plans,
            total_plan_time as plan, total_exec_time as exec
          from pg_stat_statements where query not like '%pg_stat%'
          order by total_plan_time + total_exec_time desc limit 25`,
    );
    statementLines.push(
      '',
      `PostgreSQL's time by statement for ${confirmed} exchanges (pg_stat_statements, nested statements included, so a function's time also counts the statements inside it):`,
      '',
      '| statement | calls per exchange | plans per exchange | planning ms per exchange | execution ms per exchange |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...top.rows.map(
        (row) =>
          `| \`${row.query.replace(/\|/g, '\\|')}\` | ${(row.calls / confirmed).toFixed(2)} | ${(row.plans / confirmed).toFixed(2)} | ${(row.plan / confirmed).toFixed(3)} | ${(row.exec / confirmed).toFixed(3)} |`,
      ),
    );
  }
  const drift = await databases.owner.execute(
    sql`select a.id from timebank_accounts a left join timebank_movements m on m.account_id = a.id group by a.id having a.balance <> coalesce(sum(m.minutes), 0)`,
  );
  process.stdout.write(
    `service layer: ${confirmed} confirmed exchanges in ${elapsed.toFixed(1)} s = ${ours.toFixed(0)}/s (${failed} failed), ledger differences: ${drift.rows.length}\n`,
  );
  await databases.close();

  // pgbench on the same server, its own database.
  const server = new URL(bundled.url);
  const environment = {
    ...process.env,
    PGHOST: server.hostname,
    PGPORT: server.port,
    PGUSER: decodeURIComponent(server.username),
    PGPASSWORD: decodeURIComponent(server.password),
  };
  await ensureDatabase(bundled.url, 'pgbench');
  // The default TPC-B-like script: five statements in a transaction (three updates, a select, an insert).
  execFileSync('pgbench', ['-i', '-q', '-s', String(scale), 'pgbench'], { env: environment, stdio: 'ignore' });
  const pgbenchCpu = transactionCpu();
  const pgbenchWal = await walWindow(bundled.url);
  const pgbenchWaits = sampleWaits(bundled.url, 'pgbench');
  const { stdout: output } = await run(
    'pgbench',
    ['-c', String(writers), '-j', '2', '-T', String(seconds), '-n', 'pgbench'],
    { env: environment },
  );
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0);
  const processed = Number(/number of transactions actually processed: (\d+)/.exec(output)?.[1] ?? 0);
  const theirCpu = pgbenchCpu.perTransaction(processed);
  const theirWaits = await pgbenchWaits.stop();
  const theirWal = await pgbenchWal.perTransaction(processed);
  process.stdout.write(`pgbench TPC-B-like, scale ${scale}: ${tps.toFixed(0)} tps\n`);
  const lines = [
    `${memberCount.toLocaleString('en-GB')} members, ${writers} concurrent writers, ${seconds} s each, same PostgreSQL server (bundled 15), same run.`,
    '',
    '| measure | per second |',
    '| --- | ---: |',
    `| confirmed exchanges through the service layer (record + confirm + post to the ledger, one transaction) | ${ours.toFixed(0)} |`,
    `| \`pgbench -c ${writers}\` (default TPC-B-like script, \`-i -s ${scale}\`) | ${tps.toFixed(0)} |`,
    `| ratio | ${Math.round((100 * ours) / tps)}% |`,
    '',
    `One exchange sends ${perExchange} statements to PostgreSQL (begin and commit included); one writer alone takes ${aloneMs.toFixed(2)} ms per exchange.`,
    `One exchange locks ${locks?.relations} tables and indexes, ${locks?.fast} of them on the backend's fast path (16 slots in PostgreSQL 15).`,
    `Failed: ${failed}. Balances differing from their movements afterwards: ${drift.rows.length}.`,
    '',
    'CPU per transaction in ms (the machine has 2 cores), and what the server processes were waiting on, sampled every 10 ms:',
    '',
    '| | PostgreSQL | the writers (this process, or pgbench) | machine idle | waits (share of samples of active backends) |',
    '| --- | ---: | ---: | ---: | --- |',
    `| exchanges | ${ourCpu.postgres} | ${ourCpu.client} | ${ourCpu.idle} | ${ourWaits} |`,
    `| pgbench | ${theirCpu.postgres} | ${theirCpu.client} | ${theirCpu.idle} | ${theirWaits} |`,
    '',
    'Write-ahead log per transaction (the whole server, during each window):',
    '',
    '| | records | full-page images | bytes | checkpoints in the window |',
    '| --- | ---: | ---: | ---: | ---: |',
    `| exchanges | ${ourWal.records} | ${ourWal.images} | ${ourWal.bytes} | ${ourWal.checkpoints} |`,
    `| pgbench | ${theirWal.records} | ${theirWal.images} | ${theirWal.bytes} | ${theirWal.checkpoints} |`,
    '',
    'Target (issue 14): at least 50% of pgbench’s TPS.',
    ...statementLines,
  ];
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ledger.md', `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
} finally {
  await bundled.stop();
  rmSync(directory, { recursive: true, force: true });
}
process.exit(0);
