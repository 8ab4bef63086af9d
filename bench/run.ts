// `npm run bench`: requests per second and p99 latency of the layout alone (the floor), the
// member home and GET /api/v1/me, on the demo data and on a generated community of
// BENCH_PEOPLE people (100,000 unless set). 50 connections, 10 seconds each (BENCH_SECONDS).
import { mkdirSync, writeFileSync } from 'node:fs';
import autocannon from 'autocannon';
import { startDemoServer } from './demo-process.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';
import { signInOverHttp } from './sign-in.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const connections = 50;
const sizes = [
  { label: 'demo data (2 communities, ~90 people)', people: 0, member: 'member@example.org', community: 'lambeth' },
  {
    label: `generated community of ${Number(process.env.BENCH_PEOPLE ?? 100_000).toLocaleString('en-GB')} people`,
    people: Number(process.env.BENCH_PEOPLE ?? 100_000),
    member: 'member@generated.example.org',
    community: 'generated',
  },
];

async function token(base: string, email: string): Promise<string> {
  const response = await fetch(`${base}/api/v1/tokens`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: demoPassword, name: 'bench' }),
  });
  return ((await response.json()) as { token: string }).token;
}

interface Row {
  size: string;
  target: string;
  requestsPerSecond: number;
  p99: number;
  errors: number;
}

async function measure(
  url: string,
  headers: Record<string, string>,
): Promise<{ requestsPerSecond: number; p99: number; errors: number }> {
  // A short warm-up so that the first compiled templates and cold caches do not count.
  await autocannon({ url, connections: 10, duration: 2, headers });
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p99: result.latency.p99,
    errors: result.non2xx + result.errors + result.timeouts,
  };
}

const rows: Row[] = [];
for (const size of sizes.filter((one, index) => index === 0 || one.people > 0)) {
  process.stdout.write(`\n${size.label}\n`);
  const { child, base } = await startDemoServer({ GENERATED_PEOPLE: String(size.people) });
  try {
    const cookie = await signInOverHttp(base, size.member, demoPassword);
    const bearer = await token(base, size.member);
    const targets: { target: string; url: string; headers: Record<string, string> }[] = [
      { target: 'layout only (`GET /signed-out`, the floor)', url: `${base}/signed-out`, headers: {} },
      { target: `member home (\`GET /c/${size.community}\`)`, url: `${base}/c/${size.community}`, headers: { cookie } },
      {
        target: '`GET /api/v1/me` (bearer token)',
        url: `${base}/api/v1/me`,
        headers: { authorization: `Bearer ${bearer}` },
      },
    ];
    for (const target of targets) {
      const measured = await measure(target.url, target.headers);
      rows.push({ size: size.label, target: target.target, ...measured });
      process.stdout.write(
        `  ${target.target}: ${measured.requestsPerSecond} req/s, p99 ${measured.p99} ms, ${measured.errors} errors\n`,
      );
    }
  } finally {
    child.kill('SIGTERM');
  }
}

const lines = ['| data | route | req/s | p99 (ms) | non-2xx |', '| --- | --- | ---: | ---: | ---: |'];
for (const row of rows)
  lines.push(`| ${row.size} | ${row.target} | ${row.requestsPerSecond} | ${row.p99} | ${row.errors} |`);
for (const size of sizes) {
  const floor = rows.find((row) => row.size === size.label && row.target.startsWith('layout'));
  const home = rows.find((row) => row.size === size.label && row.target.startsWith('member home'));
  if (floor && home)
    lines.push(
      '',
      `${size.label}: member home at ${Math.round((100 * home.requestsPerSecond) / floor.requestsPerSecond)}% of the floor (target ≥ 25%), p99 ${home.p99} ms (target ≤ 100 ms).`,
    );
}
const table = lines.join('\n');
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/latest.md', `${table}\n`);
process.stdout.write(`\n${table}\n`);
process.exit(0);
