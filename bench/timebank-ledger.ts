// `npm run bench:ledger`: confirmed exchanges per second through the service layer with 50
// concurrent writers (each records an exchange and confirms it in one transaction, as a
// coordinator does), next to pgbench's default TPC-B-like script (`pgbench -i -s 50`) with 50
// clients on the same PostgreSQL in the same run. Also: the statements one exchange sends, and
// one writer alone (ms per exchange). BENCH_SECONDS (20 unless set) each; BENCH_MEMBERS members
// (1,000 unless set); BENCH_SCALE pgbench's scale (50 unless set).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { ensureDatabase, openDatabases } from '../src/platform/db/index.ts';
import { startBundledPostgres } from '../src/platform/db/bundled-postgres.ts';
import { communities } from '../src/platform/db/schema.ts';
import { recordExchange } from '../src/modules/timebank/service.ts';
import { inCommunity } from '../src/platform/tenancy.ts';
import { generateTimebank } from '../src/demo/generate-timebank.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 20);
const memberCount = Number(process.env.BENCH_MEMBERS ?? 1000);
const writers = Number(process.env.BENCH_WRITERS ?? 50);
const scale = Number(process.env.BENCH_SCALE ?? 50);

const directory = mkdtempSync(path.join(os.tmpdir(), 'coproduce-ledger-bench-'));
const bundled = await startBundledPostgres({ directory: path.join(directory, 'postgres') });
try {
  const url = await ensureDatabase(bundled.url, 'coproduce_ledger_bench');
  const databases = await openDatabases(url, {
    secret: 'a-ledger-benchmark-secret-of-32-characters',
    appPoolSize: writers,
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
    { communityId: community.id, members: memberCount, exchanges: 0, coordinatorId: null, days: 30 },
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
  process.stdout.write(`one writer: ${perExchange} statements, ${aloneMs.toFixed(2)} ms per exchange\n`);

  let confirmed = 0;
  let failed = 0;
  const until = Date.now() + seconds * 1000;
  const started = Date.now();
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
  const output = execFileSync('pgbench', ['-c', String(writers), '-j', '2', '-T', String(seconds), '-n', 'pgbench'], {
    env: environment,
  }).toString();
  const tps = Number(/tps = ([\d.]+)/.exec(output)?.[1] ?? 0);
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
    `Failed: ${failed}. Balances differing from their movements afterwards: ${drift.rows.length}.`,
    'Target (issue 14): at least 50% of pgbench’s TPS.',
  ];
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/ledger.md', `${lines.join('\n')}\n`);
  process.stdout.write(`\n${lines.join('\n')}\n`);
} finally {
  await bundled.stop();
}
process.exit(0);
