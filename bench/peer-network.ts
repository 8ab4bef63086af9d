// `npm run bench:network`: the register page of a group of BENCH_GROUP_MEMBERS members (70 unless
// set) at 50 connections, on a phone's signed-in facilitator session, against the layout floor.
import { mkdirSync, writeFileSync } from 'node:fs';
import type autocannon from 'autocannon';
import {
  apiTokenFor,
  latestMeetingOfGeneratedGroup,
  type Measured,
  measure as measureUnderLoad,
  resultTable,
  startDemoServer,
} from './demo-process.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';
import { signInOverHttp } from './sign-in.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const groupMembers = Number(process.env.BENCH_GROUP_MEMBERS ?? 70);
const connections = 50;
const measure = (target: string, options: autocannon.Options) =>
  measureUnderLoad(target, options, { connections, seconds });

const { child, base } = await startDemoServer({
  GENERATED_PEOPLE: '100',
  GENERATED_NETWORK_MEMBERS: String(groupMembers),
});
const rows: Measured[] = [];
let marked: number;
try {
  const cookie = await signInOverHttp(base, 'facilitator@generated.example.org', demoPassword);
  const token = await apiTokenFor(base, 'facilitator@generated.example.org', demoPassword);
  const meeting = await latestMeetingOfGeneratedGroup(base, token);
  marked = meeting.came;
  rows.push(await measure('layout only (`GET /signed-out`, the floor)', { url: `${base}/signed-out` }));
  rows.push(
    await measure(
      `register page of a ${groupMembers}-member group (\`GET /c/generated/network/meetings/{id}/register\`)`,
      { url: `${base}/c/generated/network/meetings/${meeting.id}/register`, headers: { cookie } },
    ),
  );
  rows.push(
    await measure('the same register through the API (`GET …/meetings/{id}/attendance`)', {
      url: `${base}/api/v1/communities/generated/meetings/${meeting.id}/attendance`,
      headers: { authorization: `Bearer ${token}` },
    }),
  );
} finally {
  child.kill('SIGTERM');
}

const lines = [
  `A peer group of ${groupMembers} members who all usually come, with a year of weekly registers (${marked} marked at the meeting measured); ${connections} connections, ${seconds} s each.`,
  '',
  ...resultTable(rows),
  '',
  'Target (issue 5): p99 ≤ 100 ms and at least 25% of the floor’s requests per second.',
];
mkdirSync('bench/results', { recursive: true });
writeFileSync('bench/results/peer-network.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
process.exit(0);
