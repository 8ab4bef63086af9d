// `npm run bench:timebank`: offers search and a member's statement page at 50 connections, and
// the funder report over a year, on a platform of BENCH_PEOPLE people (1,000,000 unless set) with
// a time bank of BENCH_MEMBERS members (100,000) and BENCH_EXCHANGES exchanges (5,000,000).
import { mkdirSync, writeFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import {
  apiTokenFor,
  type Measured,
  measure as measureUnderLoad,
  resultTable,
  startDemoServer,
} from './demo-process.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';
import { signInOverHttp } from './sign-in.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const people = Number(process.env.BENCH_PEOPLE ?? 1_000_000);
const members = Number(process.env.BENCH_MEMBERS ?? 100_000);
const exchanges = Number(process.env.BENCH_EXCHANGES ?? 5_000_000);
const connections = 50;

const measure = (target: string, options: autocannon.Options) =>
  measureUnderLoad(target, options, { connections, seconds });

const started = Date.now();
const { child, base } = await startDemoServer({
  GENERATED_PEOPLE: String(people),
  GENERATED_TIMEBANK_MEMBERS: String(members),
  GENERATED_TIMEBANK_EXCHANGES: String(exchanges),
});
const generatedIn = Math.round((Date.now() - started) / 1000);
const rows: Measured[] = [];
const reportTimes: number[] = [];
try {
  const memberCookie = await signInOverHttp(base, 'member@generated.example.org', demoPassword);
  const token = await apiTokenFor(base, 'coordinator@generated.example.org', demoPassword);
  rows.push(await measure('layout only (`GET /signed-out`, the floor)', { url: `${base}/signed-out` }));
  rows.push(
    await measure('offers search page (`GET /c/generated/timebank/posts?q=cafe`)', {
      url: `${base}/c/generated/timebank/posts?q=cafe`,
      headers: { cookie: memberCookie },
    }),
  );
  rows.push(
    await measure('offers search API (`GET …/timebank/offers?q=cafe&limit=20`)', {
      url: `${base}/api/v1/communities/generated/timebank/offers?q=cafe&limit=20`,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  rows.push(
    await measure('member’s statement page (`GET /c/generated/timebank/statement`, 50 lines)', {
      url: `${base}/c/generated/timebank/statement`,
      headers: { cookie: memberCookie },
    }),
  );
  const to = new Date().toISOString().slice(0, 10);
  const from = new Date(Date.now() - 365 * 86_400_000).toISOString().slice(0, 10);
  for (let run = 0; run < 3; run += 1) {
    const begin = performance.now();
    const response = await fetch(
      `${base}/api/v1/communities/generated/timebank/reports/summary?from=${from}&to=${to}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    await response.json();
    if (!response.ok) throw new Error(`report answered ${response.status}`);
    reportTimes.push(Math.round(performance.now() - begin));
  }
  process.stdout.write(`  funder report over a year: ${reportTimes.join(', ')} ms\n`);
} finally {
  child.kill('SIGTERM');
}

const lines = [
  `A platform of ${people.toLocaleString('en-GB')} people; a time bank of ${members.toLocaleString('en-GB')} members with ${exchanges.toLocaleString('en-GB')} exchanges (generated in ${generatedIn} s); ${connections} connections, ${seconds} s each.`,
  '',
  ...resultTable(rows),
  '',
  `Funder report over a year (\`GET …/timebank/reports/summary\`), three runs one after another: ${reportTimes.join(' ms, ')} ms.`,
  '',
  'Targets (issue 4): search and statement p99 ≤ 100 ms at 50 connections; the funder report over a year in ≤ 1 s.',
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/timebank.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(0);
