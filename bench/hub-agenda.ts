// `npm run bench:hub`: the review meeting's agenda for a hub with BENCH_CASELOAD people on its
// caseload (5,000 unless set) at 50 connections, page and API, against the layout floor.
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
const caseload = Number(process.env.BENCH_CASELOAD ?? 5_000);
const connections = 50;
const measure = (target: string, options: autocannon.Options) =>
  measureUnderLoad(target, options, { connections, seconds });

const { child, base } = await startDemoServer({ GENERATED_PEOPLE: '100', GENERATED_HUB_CASELOAD: String(caseload) });
const rows: Measured[] = [];
let agendaSize: number;
try {
  const cookie = await signInOverHttp(base, 'coordinator@generated.example.org', demoPassword);
  const token = await apiTokenFor(base, 'coordinator@generated.example.org', demoPassword);
  const opened = (await (
    await fetch(`${base}/api/v1/communities/generated/review-meetings`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    })
  ).json()) as { id: string; agenda: unknown[] };
  agendaSize = opened.agenda.length;
  rows.push(await measure('layout only (`GET /signed-out`, the floor)', { url: `${base}/signed-out` }));
  rows.push(
    await measure(
      `review meeting page, agenda built from ${caseload.toLocaleString('en-GB')} people (\`GET /c/generated/hub/review-meetings/{id}\`)`,
      { url: `${base}/c/generated/hub/review-meetings/${opened.id}`, headers: { cookie } },
    ),
  );
  rows.push(
    await measure('the same agenda through the API (`GET …/review-meetings/{id}`)', {
      url: `${base}/api/v1/communities/generated/review-meetings/${opened.id}`,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
} finally {
  child.kill('SIGTERM');
}

const lines = [
  `A hub of ${caseload.toLocaleString('en-GB')} people on its caseload (contact notes, risk flags, actions, key contacts, past meetings); today's agenda holds ${agendaSize} people; ${connections} connections, ${seconds} s each.`,
  '',
  ...resultTable(rows),
  '',
  'Target (issue 5): p99 ≤ 100 ms and at least 25% of the floor’s requests per second.',
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/hub-agenda.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(0);
