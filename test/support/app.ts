import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { createTestDatabase, type TestDatabase } from './database.ts';

export interface TestApp {
  app: FastifyInstance;
  database: TestDatabase;
  close(): Promise<void>;
}

export const testEnvironment = {
  NODE_ENV: 'test',
  LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? 'silent',
  SESSION_SECRET: 'a-test-session-secret-of-at-least-32-characters',
  PUBLIC_URL: 'http://localhost:3000',
  JOBS: 'false',
};

/** The whole application on its own fresh database, without listening on a port. */
export async function startTestApp(environment: Record<string, string> = {}, database?: TestDatabase): Promise<TestApp> {
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
