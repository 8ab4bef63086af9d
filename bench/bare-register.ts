// `npm run bench:bare`: how far the register API is from the least its database work can cost on
// this machine. Beside the app's floor and register API: Fastify alone, Fastify with the same
// four round trips and `select 1`, and Fastify sending the app's very register statement, all
// at 50 connections for BENCH_SECONDS (10 unless set).
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import pg from 'pg';
import {
  apiTokenFor,
  latestMeetingOfGeneratedGroup,
  type Measured,
  measure,
  resultTable,
  startDemoServer,
} from './demo-process.ts';
import { signInOverHttp } from './sign-in.ts';
import { demoPassword } from '../src/demo/sign-ins.ts';
import { freePort } from '../src/platform/db/bundled-postgres.ts';
import { appRolePassword, appRoleUrl, connect } from '../src/platform/db/index.ts';
import { inCommunity } from '../src/platform/tenancy.ts';
import { registerPage } from '../src/modules/peer-network/store.ts';

const seconds = Number(process.env.BENCH_SECONDS ?? 10);
const email = 'facilitator@generated.example.org';
const { child, base } = await startDemoServer({ GENERATED_PEOPLE: '100', GENERATED_NETWORK_MEMBERS: '70' });
const ownerUrl = readFileSync('test-results/e2e-database-url', 'utf8').trim();
// The demo server's application role password comes from its session secret.
const appUrl = appRoleUrl(ownerUrl, appRolePassword('a-demo-server-session-secret-of-32-characters'));
const rows: Measured[] = [];
let bare: ReturnType<typeof spawn> | undefined;
try {
  const token = await apiTokenFor(base, email, demoPassword);
  await signInOverHttp(base, email, demoPassword);
  const { id: meetingId } = await latestMeetingOfGeneratedGroup(base, token);

  // The register's statement as the app sends it, caught on its way to PostgreSQL.
  const owner = new pg.Client({ connectionString: ownerUrl });
  await owner.connect();
  const {
    rows: [found],
  } = await owner.query<{ community_id: string; account_id: string; session_id: string }>(
    `select m.community_id, p.id as account_id, (select id from sessions where person_id = p.id limit 1) as session_id
     from peer_meetings m, people p where m.id = $1 and p.email = $2`,
    [meetingId, email],
  );
  await owner.end();
  if (!found) throw new Error('no facilitator');
  const databases = connect(ownerUrl, { appUrl, appPoolSize: 1, ownerPoolSize: 1 });
  let statement: { text: string; values: unknown[] } | undefined;
  databases.appPool.on('connect', (client) => {
    const send = client.query.bind(client) as (...args: unknown[]) => unknown;
    (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
      const [config, values] = args as [{ name?: string; text?: string }, unknown[]];
      if (config?.name === 'peer_register') statement = { text: config.text ?? '', values };
      return send(...args);
    };
  });
  await inCommunity(databases.app, { communityId: found.community_id, personId: found.account_id }, (tx) =>
    registerPage(tx, found.community_id, meetingId, found.account_id, { withDropIns: false }),
  );
  await databases.close();
  if (!statement) throw new Error('the register statement was not seen');

  const port = await freePort();
  bare = spawn(process.execPath, ['--import', 'tsx', 'bench/bare-server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      OWNER_URL: ownerUrl,
      APP_URL: appUrl,
      SESSION_ID: found.session_id,
      COMMUNITY_ID: found.community_id,
      ACCOUNT_ID: found.account_id,
      REGISTER_STATEMENT: JSON.stringify(statement),
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise<void>((resolve) =>
    bare?.stdout?.on('data', (chunk: Buffer) => String(chunk).includes('ready') && resolve()),
  );
  const bareBase = `http://127.0.0.1:${port}`;
  const options = { connections: 50, seconds };
  rows.push(await measure('layout only (`GET /signed-out`, the floor)', { url: `${base}/signed-out` }, options));
  rows.push(
    await measure(
      'the app: register API, 70 members',
      {
        url: `${base}/api/v1/communities/generated/meetings/${meetingId}/attendance`,
        headers: { authorization: `Bearer ${token}` },
      },
      options,
    ),
  );
  rows.push(await measure('bare: Fastify alone, no database', { url: `${bareBase}/none` }, options));
  rows.push(
    await measure(
      'bare: session, begin with the scope, `select 1`, commit',
      { url: `${bareBase}/round-trips` },
      options,
    ),
  );
  rows.push(
    await measure('bare: the same with the app’s register statement', { url: `${bareBase}/register` }, options),
  );
} finally {
  bare?.kill('SIGTERM');
  await new Promise((resolve) => setTimeout(resolve, 500));
  child.kill('SIGTERM');
}
const lines = [
  `The register of a 70-member group; 50 connections, ${seconds} s each; the app and the bare server are separate processes on the same PostgreSQL.`,
  '',
  ...resultTable(rows),
];
writeFileSync('bench/results/bare-register.md', `${lines.join('\n')}\n`);
process.stdout.write(`\n${lines.join('\n')}\n`);
