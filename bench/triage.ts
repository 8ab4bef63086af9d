// `npm run bench:triage`: the triage queue of a community of BENCH_PEOPLE people (100,000 unless
// set) with BENCH_OPEN_REFERRALS open referrals (20,000 unless set), and the self-referral POST,
// at 50 connections for BENCH_SECONDS seconds each (10 unless set), against the layout floor.
import { mkdirSync, writeFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import { type Measured, measure as measureUnderLoad, startDemoServer } from './demo-process.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';
import { signInOverHttp } from './sign-in.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const people = Number(process.env.BENCH_PEOPLE ?? 100_000);
const openReferrals = Number(process.env.BENCH_OPEN_REFERRALS ?? 20_000);
const connections = 50;

const measure = (target: string, options: autocannon.Options) =>
  measureUnderLoad(target, options, { connections, seconds });

const { child, base } = await startDemoServer({
  GENERATED_PEOPLE: String(people),
  GENERATED_OPEN_REFERRALS: String(openReferrals),
});
const rows: Measured[] = [];
try {
  const cookie = await signInOverHttp(base, 'coordinator@generated.example.org', demoPassword);
  const token = (
    (await (
      await fetch(`${base}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'coordinator@generated.example.org', password: demoPassword, name: 'bench' }),
      })
    ).json()) as { token: string }
  ).token;
  rows.push(await measure('layout only (`GET /signed-out`, the floor)', { url: `${base}/signed-out` }));
  rows.push(
    await measure(
      'triage queue page (`GET /c/generated/referrals`: open referrals, longest waiting first, 25 a page, with counts)',
      { url: `${base}/c/generated/referrals`, headers: { cookie } },
    ),
  );
  rows.push(
    await measure('triage queue, overdue only (`GET /c/generated/referrals?status=open&overdue=yes`)', {
      url: `${base}/c/generated/referrals?status=open&overdue=yes`,
      headers: { cookie },
    }),
  );
  rows.push(
    await measure('triage queue API (`GET /api/v1/communities/generated/referrals?status=open&limit=25`)', {
      url: `${base}/api/v1/communities/generated/referrals?status=open&limit=25`,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
  rows.push(
    await measure(
      'self-referral (`POST /api/v1/communities/generated/referrals`, no account, a new person each time)',
      {
        url: `${base}/api/v1/communities/generated/referrals`,
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        // Without an Idempotency-Key, each request is a new referral of a new person.
        body: JSON.stringify({
          source: 'self',
          preferredName: 'Bench Person',
          contactBy: ['phone'],
          phone: '07700 900123',
          evaluation: true,
          needs: ['loneliness'],
          reason: 'Measured.',
        }),
      },
    ),
  );
} finally {
  child.kill('SIGTERM');
}

const floor = rows[0];
const lines = [
  `Community of ${people.toLocaleString('en-GB')} people with ${openReferrals.toLocaleString('en-GB')} open referrals; ${connections} connections, ${seconds} s each.`,
  '',
  '| route | req/s | % of floor | p99 (ms) | non-2xx |',
  '| --- | ---: | ---: | ---: | ---: |',
];
for (const row of rows)
  lines.push(
    `| ${row.target} | ${row.requestsPerSecond} | ${floor ? Math.round((100 * row.requestsPerSecond) / floor.requestsPerSecond) : 0}% | ${row.p99} | ${row.errors} |`,
  );
lines.push(
  '',
  'Target (issue 3): the triage queue at p99 ≤ 100 ms and at least 25% of the floor’s requests per second.',
);
const table = lines.join('\n');
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/triage.md', `${table}\n`);
process.stdout.write(`\n${table}\n`);
process.exit(0);
