// Starts one PostgreSQL for the whole run (the bundled one unless TEST_DATABASE_URL is set) and
// builds a migrated template database; each test file clones its own database from it.
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { openDatabases } from '../../src/platform/db/index.ts';
import { testSecret } from './secret.ts';
import { startBundledPostgres } from '../../src/platform/db/bundled-postgres.ts';

export const templateName = 'coproduce_test_template';

declare module 'vitest' {
  export interface ProvidedContext {
    databaseServerUrl: string;
  }
}

export default async function setup(project: TestProject) {
  let serverUrl = process.env.TEST_DATABASE_URL;
  let stop: (() => Promise<void>) | undefined;
  let directory: string | undefined;
  if (!serverUrl) {
    directory = mkdtempSync(path.join(os.tmpdir(), 'coproduce-test-'));
    // PostgreSQL runs as its own user when the tests run as root: it must be able to enter the folder.
    chmodSync(directory, 0o755);
    const bundled = await startBundledPostgres({ directory: path.join(directory, 'postgres') });
    serverUrl = bundled.url;
    stop = bundled.stop;
  }
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`drop database if exists ${templateName} with (force)`);
  await admin.query(`create database ${templateName}`);
  await admin.end();
  const templateUrl = new URL(serverUrl);
  templateUrl.pathname = `/${templateName}`;
  const databases = await openDatabases(templateUrl.toString(), { secret: testSecret });
  await databases.close();
  project.provide('databaseServerUrl', serverUrl);
  return async () => {
    await stop?.();
    if (directory) rmSync(directory, { recursive: true, force: true });
  };
}
