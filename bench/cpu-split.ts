// `npm run bench:cpu`: where a request's CPU goes on this machine. The floor, the register page
// of a 70-member group and the same register through the API, each at 50 connections for
// BENCH_SECONDS (10 unless set): requests a second, and CPU per request of the app, of
// PostgreSQL (every server process, read from /proc in clock ticks) and of the load generator,
// with the machine's idle share. PROFILE=1 also writes the app's `node --cpu-prof` profile;
// STATEMENT_STATS=1 also lists the statements PostgreSQL spent its time on (pg_stat_statements);
// BENCH_TRIAGE=1 adds the triage queue page; BENCH_TIMEBANK=1 a member's statement page and the
// offers search page, in a time bank of 2,000 members and 50,000 exchanges.
import autocannon from 'autocannon';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { cpuSeconds, idleShare, machine, postgresCpuSeconds } from './cpu.ts';
import pg from 'pg';
import { apiTokenFor, latestMeetingOfGeneratedGroup, startDemoServer } from './demo-process.ts';
import { signInOverHttp } from './sign-in.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
// BENCH_TRIAGE=1: also the triage queue page, in a community of 100,000 people with 20,000 open
// referrals (as `bench:triage`), signed in as its coordinator.
const triage = Boolean(process.env.BENCH_TRIAGE);
const timebank = Boolean(process.env.BENCH_TIMEBANK);
const { child, base } = await startDemoServer({
  GENERATED_PEOPLE: triage ? '100000' : '100',
  ...(triage ? { GENERATED_OPEN_REFERRALS: '20000' } : {}),
  GENERATED_NETWORK_MEMBERS: '70',
  ...(timebank ? { GENERATED_TIMEBANK_MEMBERS: '2000', GENERATED_TIMEBANK_EXCHANGES: '50000' } : {}),
  ...(process.env.PROFILE ? { NODE_OPTIONS: '--cpu-prof --cpu-prof-dir=test-results/cpu-profiles' } : {}),
});
const statementStats = process.env.STATEMENT_STATS
  ? new pg.Client({ connectionString: readFileSync('test-results/e2e-database-url', 'utf8').trim() })
  : undefined;
await statementStats?.connect();
await statementStats?.query('create extension if not exists pg_stat_statements');
const statementLines: string[] = [];
const appPid = String(child.pid);
const email = 'facilitator@generated.example.org';
const lines: string[] = [];
try {
  const cookie = await signInOverHttp(base, email, demoPassword);
  const token = await apiTokenFor(base, email, demoPassword);
  const { id: meeting } = await latestMeetingOfGeneratedGroup(base, token);
  const targets: { name: string; options: autocannon.Options }[] = [
    { name: 'layout only (`GET /signed-out`, the floor)', options: { url: `${base}/signed-out` } },
    {
      name: 'register page, 70 members',
      options: { url: `${base}/c/generated/network/meetings/${meeting}/register`, headers: { cookie } },
    },
    {
      name: 'register API, 70 members',
      options: {
        url: `${base}/api/v1/communities/generated/meetings/${meeting}/attendance`,
        headers: { authorization: `Bearer ${token}` },
      },
    },
  ];
  if (triage) {
    const coordinator = await signInOverHttp(base, 'coordinator@generated.example.org', demoPassword);
    targets.push({
      name: 'triage queue page, 20,000 open referrals',
      options: { url: `${base}/c/generated/referrals`, headers: { cookie: coordinator } },
    });
  }
  if (timebank) {
    const member = await signInOverHttp(base, 'member@generated.example.org', demoPassword);
    targets.push(
      {
        name: 'member’s statement page, 50,000 exchanges',
        options: { url: `${base}/c/generated/timebank/statement`, headers: { cookie: member } },
      },
      {
        name: 'offers search page, `?q=cafe`',
        options: { url: `${base}/c/generated/timebank/posts?q=cafe`, headers: { cookie: member } },
      },
    );
  }
  lines.push(
    `50 connections, ${seconds} s each; CPU per request in ms (the app's one process, every PostgreSQL process, the load generator); the machine has 2 cores.`,
    '',
    '| route | req/s | app | PostgreSQL | load generator | machine idle |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
  );
  for (const { name, options } of targets) {
    await autocannon({ ...options, connections: 10, duration: 2 });
    const app0 = cpuSeconds((pid) => pid === appPid);
    const postgres0 = postgresCpuSeconds();
    const machine0 = machine();
    await statementStats?.query('select pg_stat_statements_reset()');
    const generator0 = process.cpuUsage();
    const result = await autocannon({ ...options, connections: 50, duration: seconds });
    const generator = process.cpuUsage(generator0);
    const machine1 = machine();
    const requests = result.requests.total;
    const perRequest = (cpu: number) => ((1000 * Math.max(0, cpu)) / requests).toFixed(2);
    const idle = idleShare(machine0, machine1);
    const line = `| ${name} | ${Math.round(result.requests.average)} | ${perRequest(cpuSeconds((pid) => pid === appPid) - app0)} | ${perRequest(postgresCpuSeconds() - postgres0)} | ${perRequest((generator.user + generator.system) / 1e6)} | ${Math.round(100 * idle)}% |`;
    process.stdout.write(`${line}\n`);
    lines.push(line);
    if (statementStats) {
      const top = await statementStats.query<{ query: string; calls: string; mean: number; share: number }>(
        `select left(regexp_replace(query, '\\s+', ' ', 'g'), 90) as query, calls::text, mean_exec_time as mean,
           total_exec_time / sum(total_exec_time) over () as share
         from pg_stat_statements where query not like '%pg_stat_statements%' order by total_exec_time desc limit 6`,
      );
      statementLines.push(
        '',
        `${name}, ${requests} requests: PostgreSQL's time by statement (pg_stat_statements, execution only)`,
        '',
        '| statement | calls per request | mean ms | share |',
        '| --- | ---: | ---: | ---: |',
        ...top.rows.map(
          (row) =>
            `| \`${row.query.replace(/\|/g, '\\|')}\` | ${(Number(row.calls) / requests).toFixed(2)} | ${row.mean.toFixed(3)} | ${Math.round(100 * row.share)}% |`,
        ),
      );
    }
  }
} finally {
  await statementStats?.end();
  // Let the last answers go out before the server stops.
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.kill('SIGTERM');
}
lines.push(...statementLines);
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/cpu-split.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
