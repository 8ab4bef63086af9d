// Running it for real: the first platform admin of an empty install, a backup and its restore,
// and an external PostgreSQL whose owner is not a superuser (as managed services give).
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { sql } from 'drizzle-orm';
import pg from 'pg';
import { inject } from 'vitest';
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import { generateDemo } from '../../src/demo/generate.ts';
import { demoSignIns } from '../../src/demo/sign-ins.ts';
import { makePlatformAdmin } from '../../src/modules/accounts/service.ts';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { connect, type Database, openDatabases } from '../../src/platform/db/index.ts';
import { backupDatabase, restoreDatabase } from '../../src/platform/db/install.ts';
import { testEnvironment, startTestApp } from '../support/app.ts';
import { Visitor } from '../support/browser-like.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { fixturePassword, seedFixture } from '../support/fixtures.ts';
import { testSecret } from '../support/secret.ts';

const run = promisify(execFile);

/** A new, empty database on the test server (no template: what a new install's PostgreSQL gives). */
async function emptyDatabase(owner?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const serverUrl = inject('databaseServerUrl');
  const name = `coproduce_ops_${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name}${owner ? ` owner ${owner}` : ''}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}

/** Every table's rows, as a fingerprint per table. */
async function fingerprints(owner: Database): Promise<Record<string, string>> {
  const tables = (
    await owner.execute<{ schema: string; name: string }>(
      sql`select schemaname as schema, tablename as name from pg_tables where schemaname not in ('pg_catalog', 'information_schema') order by 1, 2`,
    )
  ).rows;
  const result: Record<string, string> = {};
  for (const table of tables) {
    const [row] = (
      await owner.execute<{ rows: number; digest: string | null }>(
        sql`select count(*)::int as rows, md5(string_agg(t::text, E'\\n' order by t::text)) as digest from ${sql.identifier(table.schema)}.${sql.identifier(table.name)} t`,
      )
    ).rows;
    result[`${table.schema}.${table.name}`] = `${row?.rows}:${row?.digest}`;
  }
  return result;
}

describe('the first platform admin of an empty install', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(() => database.drop());

  it('is made from the command line, with a link to choose a password; then signs in and is asked for two-step sign-in; all audited', async () => {
    const cli = await run(
      process.execPath,
      ['--import', 'tsx', 'scripts/platform-admin.ts', 'first.admin@example.org', 'Fola Adeyemi'],
      {
        env: {
          ...process.env,
          ...testEnvironment,
          NODE_ENV: 'production',
          DATABASE_URL: database.url,
          SESSION_SECRET: testSecret,
        },
      },
    );
    expect(cli.stdout).toContain('Made an account for first.admin@example.org, a platform admin');
    const link = /http:\/\/localhost:3000(\/reset-password\/\S+)/.exec(cli.stdout)?.[1];
    if (!link) throw new Error(`no link in: ${cli.stdout}`);
    const [audit] = (
      await database.owner.execute<{ action: string; detail: { created: boolean } }>(
        sql`select action, detail from audit_events where action = 'platform.admin-granted'`,
      )
    ).rows;
    expect(audit).toMatchObject({ action: 'platform.admin-granted', detail: { created: true } });

    const test = await startTestApp({}, database);
    try {
      const visitor = new Visitor(test.app);
      const chosen = await visitor.submit(link, link, { password: 'a-first-admin-password' });
      expect(chosen.statusCode).toBe(303);
      const fresh = new Visitor(test.app);
      const signedIn = await fresh.submit('/sign-in', '/sign-in', {
        email: 'first.admin@example.org',
        password: 'a-first-admin-password',
      });
      expect(signedIn.headers.location).toBe('/platform/communities');
      expect((await fresh.get('/platform/communities')).headers.location).toBe('/account/two-factor?required=platform');
    } finally {
      await test.app.close();
    }

    // An existing account is promoted; no arguments is a plain sentence and exit code 1.
    const again = await makePlatformAdmin(
      database.owner,
      { email: 'FIRST.admin@example.org' },
      'http://localhost:3000',
      false,
    );
    expect(again).toMatchObject({ created: false });
    const missing = await run(process.execPath, ['--import', 'tsx', 'scripts/platform-admin.ts'], {
      env: { ...process.env, ...testEnvironment, DATABASE_URL: database.url },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: 1 });
    expect((missing as { stderr: string }).stderr).toContain('Say whose account');
  });
});

describe('backup and restore', () => {
  it('a backup of the demo, restored into an empty database, has every table’s rows as they were; a database that is not empty is refused', async () => {
    const source = await emptyDatabase();
    const target = await emptyDatabase();
    const folder = mkdtempSync(path.join(os.tmpdir(), 'coproduce-backup-'));
    onTestFinished(() => rmSync(folder, { recursive: true, force: true }));
    const file = path.join(folder, 'demo.dump');
    const from = await openDatabases(source.url, { secret: testSecret });
    try {
      await generateDemo(from.owner);
      // Every sign-in the server prints and the README shows is an account of the demo.
      const accounts = await from.owner.execute<{ email: string }>(sql`select email from people`);
      const emails = new Set(accounts.rows.map((row) => row.email));
      expect(demoSignIns.filter((signIn) => !emails.has(signIn.email))).toEqual([]);
      await backupDatabase(source.url, file);
      await restoreDatabase(target.url, file);
      const to = connect(target.url, { appUrl: target.url });
      try {
        const before = await fingerprints(from.owner);
        const after = await fingerprints(to.owner);
        expect(Object.keys(before).length).toBeGreaterThan(60);
        expect(after).toEqual(before);
      } finally {
        await to.close();
      }
      await expect(restoreDatabase(target.url, file)).rejects.toThrow(/is not empty/);
    } finally {
      await from.close();
      await source.drop();
      await target.drop();
    }
  }, 120_000);
});

describe('an external PostgreSQL whose owner is not a superuser', () => {
  it('migrates, lets the application role log in, and serves pages, all as an owner that may only create roles and databases', async () => {
    const serverUrl = inject('databaseServerUrl');
    const ownerName = `managed_owner_${randomBytes(4).toString('hex')}`;
    const admin = new pg.Client({ connectionString: serverUrl });
    await admin.connect();
    await admin.query(`create role ${ownerName} login createrole createdb password 'managed-owner-password'`);
    await admin.end();
    const database = await emptyDatabase(ownerName);
    const url = new URL(database.url);
    url.username = ownerName;
    url.password = 'managed-owner-password';
    const databases = await openDatabases(url.toString(), { secret: testSecret });
    try {
      const [who] = (
        await databases.owner.execute<{ name: string; super: boolean }>(
          sql`select current_user as name, rolsuper as super from pg_roles where rolname = current_user`,
        )
      ).rows;
      expect(who).toEqual({ name: ownerName, super: false });
      await seedFixture(databases.owner);
      const app = await buildApp({ config: readConfig({ ...testEnvironment }), databases });
      await app.ready();
      try {
        const member = new Visitor(app);
        await member.signIn('member@alpha.test', fixturePassword);
        const home = await member.get('/c/alpha');
        expect(home.statusCode).toBe(200);
        expect(home.body).toContain('Alpha Time Bank');
        const beta = await member.get('/c/beta');
        expect(beta.statusCode).toBe(404);
      } finally {
        await app.close();
      }
    } finally {
      await databases.close();
      await database.drop();
    }
  }, 60_000);
});
