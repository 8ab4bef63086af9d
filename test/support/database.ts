import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { appRolePassword, appRoleUrl, connect, type Databases } from '../../src/platform/db/index.ts';
import { testSecret } from './secret.ts';
import { templateName } from './global-setup.ts';

export interface TestDatabase extends Databases {
  url: string;
  drop(): Promise<void>;
}

/** A fresh database for one test file, cloned from the migrated template (fast: a file copy). */
export async function createTestDatabase(): Promise<TestDatabase> {
  const serverUrl = inject('databaseServerUrl');
  const name = `coproduce_test_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database ${name} template ${templateName}`);
  await admin.end();
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const databases = connect(url.toString(), { appUrl: appRoleUrl(url.toString(), appRolePassword(testSecret)) });
  return {
    ...databases,
    url: url.toString(),
    drop: async () => {
      await databases.close();
      const client = new pg.Client({ connectionString: serverUrl });
      await client.connect();
      await client.query(`drop database if exists ${name} with (force)`);
      await client.end();
    },
  };
}
