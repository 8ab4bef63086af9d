import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { afterAll, beforeAll } from 'vitest';
import { createTestDatabase, type TestDatabase } from './database.ts';
import { testSecret } from './secret.ts';
import { type Fixture, seedFixture } from './fixtures.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  close(): Promise<void>;
}

export const testEnvironment = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  SESSION_SECRET: testSecret,
  PUBLIC_URL: 'http://localhost:3000',
  JOBS: 'false',
  SELF_REFERRAL_RATE_LIMIT: '1000',
};

/** The whole application on its own fresh database, without listening on a port. */
export async function startTestApp(
  environment: Record<string, string> = {},
  database?: TestDatabase,
): Promise<TestApp> {
  const owned = database ?? (await createTestDatabase());
  const config = readConfig({ ...testEnvironment, ...environment });
  const app = await buildApp({ config, databases: owned });
  await app.ready();
  return {
    app,
    database: owned,
    close: async () => {
      await app.close();
      if (!database) await owned.drop();
    },
  };
}

/**
 * The usual start of an integration test file: the app on its own database with the fixture
 * (two communities, a person for each role), closed after the file.
 */
export function useFixtureApp(environment: Record<string, string> = {}) {
  const context = {} as { test: TestApp; fixture: Fixture };
  beforeAll(async () => {
    context.test = await startTestApp(environment);
    context.fixture = await seedFixture(context.test.database.owner);
  });
  afterAll(() => context.test.close());
  return context;
}
