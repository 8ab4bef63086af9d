// A server on a fresh database holding the demo data (and, if asked, a generated community of
// any size): the browser journeys and the benchmarks run against it.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../src/app.ts';
import { readConfig } from '../src/platform/config.ts';
import { ensureDatabase, openDatabases } from '../src/platform/db/index.ts';
import { startBundledPostgres } from '../src/platform/db/bundled-postgres.ts';
import { hashPassword } from '../src/platform/auth/secrets.ts';
import { demoPassword, generateCommunity, generateDemo, generateReferrals } from '../src/demo/generate.ts';
import { programmes } from '../src/modules/programmes/schema.ts';

const port = Number(process.env.PORT ?? 3100);
const generatedPeople = Number(process.env.GENERATED_PEOPLE ?? 0);
const generatedOpenReferrals = Number(process.env.GENERATED_OPEN_REFERRALS ?? 0);
const generatedTimebankMembers = Number(process.env.GENERATED_TIMEBANK_MEMBERS ?? 0);
const generatedTimebankExchanges = Number(process.env.GENERATED_TIMEBANK_EXCHANGES ?? 0);
const generatedNetworkMembers = Number(process.env.GENERATED_NETWORK_MEMBERS ?? 0);
const generatedHubCaseload = Number(process.env.GENERATED_HUB_CASELOAD ?? 0);
// DEMO_KEEP_DIR keeps the database in that folder: the first start generates it, later starts
// (a benchmark run again after a change) reuse it with any new migrations applied.
const keepDirectory = process.env.DEMO_KEEP_DIR;
const generatedMark = keepDirectory ? path.join(keepDirectory, 'generated') : undefined;
const reused = generatedMark !== undefined && existsSync(generatedMark);
let serverUrl = process.env.TEST_DATABASE_URL;
let stop: (() => Promise<void>) | undefined;
if (!serverUrl) {
  const directory = keepDirectory ?? mkdtempSync(path.join(os.tmpdir(), 'coproduce-demo-'));
  mkdirSync(directory, { recursive: true });
  chmodSync(directory, 0o755);
  // STATEMENT_STATS=1: PostgreSQL counts each statement's time (pg_stat_statements), for bench:cpu.
  const bundled = await startBundledPostgres({
    directory: path.join(directory, 'postgres'),
    settings: process.env.STATEMENT_STATS ? ['shared_preload_libraries=pg_stat_statements'] : [],
  });
  serverUrl = bundled.url;
  stop = async () => {
    await bundled.stop();
    // A database made for this run only goes with it (a kept one stays).
    if (!keepDirectory) rmSync(directory, { recursive: true, force: true });
  };
}
const databaseUrl = await ensureDatabase(
  serverUrl,
  keepDirectory ? 'coproduce_demo_kept' : `coproduce_demo_${randomBytes(4).toString('hex')}`,
);
const sessionSecret = 'a-demo-server-session-secret-of-32-characters';
// BENCH_UNIX_SOCKET=1: the app reaches PostgreSQL through its Unix socket in /tmp, not TCP on localhost.
const appDatabaseUrl = process.env.BENCH_UNIX_SOCKET ? `${databaseUrl}?host=/tmp` : databaseUrl;
// DATABASE_POOL_SIZE sets the app pool's size (1 to 200, 16 unless set), as it does for `npm start`.
const poolSize = Number(process.env.DATABASE_POOL_SIZE || 16);
if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > 200)
  throw new Error('DATABASE_POOL_SIZE must be a whole number from 1 to 200');
const databases = await openDatabases(appDatabaseUrl, { secret: sessionSecret, appPoolSize: poolSize });
if (reused) process.stdout.write(`reusing the database kept in ${keepDirectory}\n`);
else await generateDemo(databases.owner);
if (generatedPeople > 0 && !reused) {
  const started = Date.now();
  const generated = await generateCommunity(
    databases.owner,
    {
      slug: 'generated',
      name: 'Generated Community',
      description: 'A generated community for benchmarks.',
      contactEmail: 'hello.generated@example.org',
      people: generatedPeople,
      waiting: Math.min(100, Math.floor(generatedPeople / 100)),
      accounts: [
        { email: 'member@generated.example.org', displayName: 'Generated Member', roles: ['member'] },
        {
          email: 'coordinator@generated.example.org',
          displayName: 'Generated Coordinator',
          roles: ['coordinator', 'member'],
        },
        { email: 'referrer@generated.example.org', displayName: 'Generated Referrer', roles: ['referrer'] },
        {
          email: 'facilitator@generated.example.org',
          displayName: 'Generated Facilitator',
          roles: ['facilitator', 'member'],
        },
      ],
    },
    7,
    await hashPassword(demoPassword),
  );
  if (generatedOpenReferrals > 0) {
    // A person record for everyone, and referrals: the open ones asked for, and half as many again closed.
    const made = await databases.owner
      .insert(programmes)
      .values(
        ['Time bank', 'Peer network', 'Walking group'].map((name, index) => ({
          communityId: generated.id,
          name,
          kind: (['timebank', 'peer_network', 'peer_network'] as const)[index] ?? 'timebank',
          whoFor: 'Everyone',
          howToJoin: 'Refer yourself',
        })),
      )
      .returning({ id: programmes.id });
    const [referrer] = await databases.owner
      .execute<{ id: string }>(`select id from people where email = 'referrer@generated.example.org'`)
      .then((result) => result.rows);
    await generateReferrals(
      databases.owner,
      {
        communityId: generated.id,
        people: generatedPeople,
        referrals: Math.round(generatedOpenReferrals * 1.5),
        open: generatedOpenReferrals,
        programmeIds: made.map((one) => one.id),
        referrers: referrer ? [{ id: referrer.id, organisation: 'Generated Practice' }] : [],
      },
      8,
    );
  }
  if (generatedTimebankMembers > 0) {
    const { generateTimebankAtScale } = await import('../src/demo/generate-timebank.ts');
    const [member] = await databases.owner
      .execute<{ id: string }>(`select id from people where email = 'member@generated.example.org'`)
      .then((result) => result.rows);
    await generateTimebankAtScale(databases.owner, {
      communityId: generated.id,
      members: generatedTimebankMembers,
      exchanges: generatedTimebankExchanges,
      firstAccountId: member?.id ?? null,
    });
    process.stdout.write(
      `generated a time bank of ${generatedTimebankMembers} members and ${generatedTimebankExchanges} exchanges in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }
  if (generatedNetworkMembers > 0) {
    // One weekly group everyone in the network usually goes to, with a year of registers.
    const { generateNetwork } = await import('../src/demo/generate-network.ts');
    const [network] = await databases.owner
      .insert(programmes)
      .values({
        communityId: generated.id,
        name: 'Generated peer network',
        kind: 'peer_network',
        whoFor: 'Everyone',
        howToJoin: 'Join yourself',
      })
      .returning({ id: programmes.id });
    const [facilitator] = await databases.owner
      .execute<{ id: string }>(
        `insert into person_records (community_id, account_id, preferred_name) select '${generated.id}', id, display_name from people where email = 'facilitator@generated.example.org' returning id`,
      )
      .then((result) => result.rows);
    await generateNetwork(
      databases.owner,
      {
        communityId: generated.id,
        programmeId: network?.id ?? '',
        members: generatedNetworkMembers,
        facilitators: facilitator ? [facilitator.id] : [],
        groups: [{ name: 'Generated weekly group', weekday: 3, startsAt: '18:00', durationMinutes: 120 }],
        everyoneEverywhere: true,
      },
      71,
    );
  }
  if (generatedHubCaseload > 0) {
    // A hub whose team (the generated coordinator among them) shares a caseload of this many people.
    const { generateHub } = await import('../src/demo/generate-hub.ts');
    const [hub] = await databases.owner
      .insert(programmes)
      .values({
        communityId: generated.id,
        name: 'Generated hub',
        kind: 'hub',
        whoFor: 'Everyone',
        howToJoin: 'Referral',
      })
      .returning({ id: programmes.id });
    const [coordinator] = await databases.owner
      .execute<{ id: string; record: string }>(
        `insert into person_records (community_id, account_id, preferred_name) select '${generated.id}', id, display_name from people where email = 'coordinator@generated.example.org' returning id, account_id as record`,
      )
      .then((result) => result.rows);
    const others = await databases.owner
      .execute<{ id: string }>(
        `insert into person_records (community_id, preferred_name) select '${generated.id}', 'Team member ' || n from generate_series(1, 7) n returning id`,
      )
      .then((result) => result.rows);
    const roles = [
      'clinician',
      'clinician',
      'support_worker',
      'support_worker',
      'peer_supporter',
      'peer_supporter',
      'peer_supporter',
    ] as const;
    await generateHub(
      databases.owner,
      {
        communityId: generated.id,
        programmeId: hub?.id ?? '',
        people: generatedHubCaseload,
        team: [
          { personRecordId: coordinator?.id ?? '', teamRole: 'coordinator' },
          ...others.map((one, index) => ({ personRecordId: one.id, teamRole: roles[index] ?? 'support_worker' })),
        ],
        actorId: coordinator?.record ?? null,
        pastMeetings: 3,
      },
      93,
    );
    process.stdout.write(
      `generated a hub caseload of ${generatedHubCaseload} in ${Math.round((Date.now() - started) / 1000)} s\n`,
    );
  }
  await databases.owner.execute('analyze');
  process.stdout.write(`generated ${generatedPeople} people in ${Math.round((Date.now() - started) / 1000)} s\n`);
}
if (generatedMark && !reused) writeFileSync(generatedMark, new Date().toISOString());
if (reused) await databases.owner.execute('analyze');
mkdirSync('test-results', { recursive: true });
writeFileSync('test-results/e2e-database-url', databaseUrl);

const config = readConfig({
  NODE_ENV: 'test',
  PORT: String(port),
  PUBLIC_URL: `http://localhost:${port}`,
  LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  SESSION_SECRET: sessionSecret,
  JOBS: 'false',
  SIGN_IN_RATE_LIMIT: '10000',
  SELF_REFERRAL_RATE_LIMIT: '10000',
});
const app = await buildApp({ config, databases });
await app.listen({ port, host: '127.0.0.1' });
process.stdout.write(`ready on ${port}\n`);

const shutdown = async () => {
  await app.close();
  await databases.close();
  await stop?.();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
