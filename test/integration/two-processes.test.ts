// How a community that outgrows one machine runs: several stateless app processes on one
// PostgreSQL behind a load balancer. Real processes, started as `npm start` starts them.
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, chmodSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { freePort } from '../../src/platform/db/bundled-postgres.ts';
import { connect } from '../../src/platform/db/index.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { fixturePassword, seedFixture } from '../support/fixtures.ts';
import { testEnvironment } from '../support/app.ts';
import { signInOverHttp } from '../../bench/sign-in.ts';

interface Running {
  process: ChildProcess;
  base: string;
  output: () => string;
}

async function waitFor(check: () => Promise<boolean>, seconds: number, what: string): Promise<void> {
  const until = Date.now() + seconds * 1000;
  while (Date.now() < until) {
    if (await check().catch(() => false)) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`gave up waiting for ${what}`);
}

async function startServer(environment: Record<string, string>): Promise<Running> {
  const port = await freePort();
  let output = '';
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      ...testEnvironment,
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'info',
      PORT: String(port),
      ...environment,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const base = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${base}/readyz`)).status === 200, 60, `the server on ${port}: ${output}`);
  return { process: child, base, output: () => output };
}

function stopped(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    else child.once('exit', (code) => resolve(code));
  });
}

const signIn = (base: string, email: string) => signInOverHttp(base, email, fixturePassword);

let database: TestDatabase;
let first: Running;
let second: Running;

beforeAll(async () => {
  database = await createTestDatabase();
  await seedFixture(database.owner);
  const shared = {
    DATABASE_URL: database.url,
    LOAD_DEMO_DATA: 'false',
    JOBS: 'true',
    CLEAR_EXPIRED_SCHEDULE: '* * * * *',
    JOB_SCHEDULE_CHECK_SECONDS: '2',
  };
  [first, second] = await Promise.all([startServer(shared), startServer(shared)]);
}, 90_000);

afterAll(async () => {
  if (process.env.TEST_LOG_LEVEL) process.stderr.write(`FIRST:\n${first?.output()}\nSECOND:\n${second?.output()}\n`);
  for (const running of [first, second]) running?.process.kill('SIGKILL');
  await database.drop();
});

describe('two app processes on one PostgreSQL', () => {
  it('a session made on one process works on the other', async () => {
    const cookie = await signIn(first.base, 'member@alpha.test');
    const onSecond = await fetch(`${second.base}/account`, { headers: { cookie }, redirect: 'manual' });
    expect(onSecond.status).toBe(200);
    expect(await onSecond.text()).toContain('member@alpha.test');
    const signedOut = await fetch(`${second.base}/account`, { redirect: 'manual' });
    expect(signedOut.status).toBe(302);
  });

  it('a scheduled job runs once each time it is due, not once per process', async () => {
    const runs = async () =>
      (
        await database.owner.execute<{ minute: number; count: number }>(sql`
        select extract(epoch from date_trunc('minute', at))::int as minute, count(*)::int as count
        from audit_events where action = 'job.clear-expired' group by 1 order by 1`)
      ).rows;
    // Every minute is due; wait until a minute has passed since the first run, so both
    // processes have had their chance at the same occurrence.
    await waitFor(
      async () => (await runs()).length >= 1,
      100,
      `the first scheduled run: ${first.output()} ${second.output()}`,
    );
    const firstMinute = (await runs())[0]?.minute ?? 0;
    // Both processes check every 2 seconds: 10 seconds past the end of that minute, each has
    // had several chances at the same occurrence.
    await waitFor(async () => Date.now() / 1000 > firstMinute + 70, 100, 'the end of that minute');
    // Each due minute is one job (pg-boss keeps one per occurrence); the runs are never more than
    // the jobs taken. Counted by job, not by the minute a run happened: on a slow machine one
    // minute's run can fall in the next minute, beside that minute's own.
    const [counted] = (
      await database.owner.execute<{ runs: number; jobs: number }>(sql`
        select (select count(*)::int from audit_events where action = 'job.clear-expired') as runs,
          (select count(*)::int from pgboss.job where name = 'clear-expired' and state in ('active', 'completed')) as jobs`)
    ).rows;
    expect(counted?.runs).toBeGreaterThanOrEqual(1);
    expect(counted?.runs ?? 0).toBeLessThanOrEqual(counted?.jobs ?? 0);
  }, 200_000);

  it('on SIGTERM a process finishes what it is doing and stops within 10 seconds, and the other carries on', async () => {
    const started = Date.now();
    const pending = fetch(`${first.base}/communities`);
    first.process.kill('SIGTERM');
    const [response, code] = await Promise.all([pending.catch(() => undefined), stopped(first.process)]);
    // On failure the process's own account of its stop (each step's duration) is in the message.
    expect(code, first.output()).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    if (response) expect(response.status).toBe(200);
    expect((await fetch(`${second.base}/readyz`)).status).toBe(200);
  }, 20_000);
});

describe('the bundled PostgreSQL', () => {
  it('starts with the app when there is no DATABASE_URL, loads the demo once, and stops with it on SIGTERM', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coproduce-bundled-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    chmodSync(dataDir, 0o755);
    const environment = { DATABASE_URL: '', DATA_DIR: dataDir, JOBS: 'false' };
    const running = await startServer(environment);
    const directory = await (await fetch(`${running.base}/communities`)).text();
    expect(directory).toContain('Lambeth Together');
    expect(directory).toContain('Croydon Connect');
    expect(running.output()).toContain('admin@example.org');
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    expect(existsSync(pidFile)).toBe(true);
    const postgresPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    const started = Date.now();
    running.process.kill('SIGTERM');
    expect(await stopped(running.process)).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(existsSync(pidFile)).toBe(false);
    expect(() => process.kill(postgresPid, 0)).toThrow();

    // A second start keeps the data and does not load the demo again.
    const again = await startServer(environment);
    const twice = await (await fetch(`${again.base}/communities`)).text();
    expect(twice.match(/Lambeth Together/g)?.length).toBe(directory.match(/Lambeth Together/g)?.length);
    again.process.kill('SIGTERM');
    expect(await stopped(again.process)).toBe(0);
  }, 120_000);

  it('after the app is killed (kill -9) while writing, the next start just works, every acknowledged write is there and the ledger reconciles', async () => {
    const dataDir = mkdtempSync(path.join(os.tmpdir(), 'coproduce-crash-'));
    onTestFinished(() => rmSync(dataDir, { recursive: true, force: true }));
    chmodSync(dataDir, 0o755);
    const environment = { DATABASE_URL: '', DATA_DIR: dataDir, JOBS: 'false', LOAD_DEMO_DATA: 'false' };
    const running = await startServer(environment);
    // A time bank to write to, in the bundled server's own database.
    const pidFile = path.join(dataDir, 'postgres', 'postmaster.pid');
    const bundledPort = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
    const owner = connect(`postgres://postgres:bundled-postgres@127.0.0.1:${bundledPort}/coproduce`, {
      appUrl: `postgres://postgres:bundled-postgres@127.0.0.1:${bundledPort}/coproduce`,
    });
    const fixture = await seedFixture(owner.owner);
    await owner.close();
    const token = (await (
      await fetch(`${running.base}/api/v1/tokens`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'coordinator@alpha.test', password: fixturePassword }),
      })
    ).json()) as { token: string };
    const acknowledged: string[] = [];
    let stop = false;
    const writer = async (index: number) => {
      for (let turn = 0; !stop; turn += 1) {
        // Back and forth, so that no balance reaches its limit.
        const [giver, receiver] =
          (index + turn) % 2
            ? [fixture.alphaTimebankMemberId, fixture.alphaPersonId]
            : [fixture.alphaPersonId, fixture.alphaTimebankMemberId];
        const response = await fetch(`${running.base}/api/v1/communities/alpha/timebank/exchanges`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token.token}` },
          body: JSON.stringify({
            giver,
            receiver,
            minutes: 15,
            occurredOn: new Date().toISOString().slice(0, 10),
            categoryId: fixture.alphaCategoryId,
            confirmNow: true,
          }),
        }).catch(() => undefined);
        if (response?.status === 201)
          acknowledged.push(((await response.json().catch(() => ({}))) as { id?: string }).id ?? 'unreadable');
        else if (!response) return;
      }
    };
    const writers = Array.from({ length: 8 }, (_, index) => writer(index));
    await waitFor(async () => acknowledged.length >= 40, 60, 'forty acknowledged exchanges');
    const postgresPid = Number(readFileSync(pidFile, 'utf8').split('\n')[0]);
    running.process.kill('SIGKILL');
    await stopped(running.process);
    stop = true;
    await Promise.all(writers);
    // The app is gone; its PostgreSQL is not (that is what a kill -9 leaves).
    expect(() => process.kill(postgresPid, 0)).not.toThrow();

    const again = await startServer(environment);
    expect(() => process.kill(postgresPid, 0)).toThrow();
    const port = Number(readFileSync(pidFile, 'utf8').split('\n')[3]);
    const check = connect(`postgres://postgres:bundled-postgres@127.0.0.1:${port}/coproduce`, {
      appUrl: `postgres://postgres:bundled-postgres@127.0.0.1:${port}/coproduce`,
    });
    try {
      const ids = acknowledged.filter((id) => id !== 'unreadable');
      expect(ids.length).toBeGreaterThanOrEqual(40);
      const found = await check.owner.execute<{ count: number }>(
        sql`select count(*)::int as count from timebank_exchanges where status = 'confirmed' and id::text in ${ids}`,
      );
      expect(found.rows[0]?.count).toBe(ids.length);
      // Every transfer sums to zero; every balance is the sum of its movements.
      const unbalanced = await check.owner.execute(
        sql`select transfer_id from timebank_movements group by transfer_id having sum(minutes) <> 0`,
      );
      expect(unbalanced.rows).toEqual([]);
      const drifted = await check.owner.execute(
        sql`select a.id from timebank_accounts a left join timebank_movements m on m.account_id = a.id group by a.id, a.balance having a.balance <> coalesce(sum(m.minutes), 0)`,
      );
      expect(drifted.rows).toEqual([]);
    } finally {
      await check.close();
    }

    // While it runs, a second start on the same data says so plainly and leaves it alone.
    const port2 = await freePort();
    const second = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, ...testEnvironment, NODE_ENV: 'development', ...environment, PORT: String(port2) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let said = '';
    second.stderr?.on('data', (chunk: Buffer) => (said += chunk.toString()));
    expect(await stopped(second)).toBe(1);
    expect(said).toContain('already in use by another running program');
    expect((await fetch(`${again.base}/readyz`)).status).toBe(200);
    again.process.kill('SIGTERM');
    expect(await stopped(again.process)).toBe(0);
  }, 180_000);
});
