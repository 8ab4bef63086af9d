// The server the browser journeys talk to: a fresh database with the demo data, on its own port.
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { applyMigrations, connect, ensureDatabase } from '../../src/platform/db/index.ts';
import { startBundledPostgres } from '../../src/platform/db/bundled-postgres.ts';
import { generateDemo } from '../../bench/generate.ts';

const port = Number(process.env.E2E_PORT ?? 3100);
let serverUrl = process.env.TEST_DATABASE_URL;
let stop: (() => Promise<void>) | undefined;
if (!serverUrl) {
  const directory = mkdtempSync(path.join(os.tmpdir(), 'coproduce-e2e-'));
  chmodSync(directory, 0o755);
  const bundled = await startBundledPostgres({ directory: path.join(directory, 'postgres') });
  serverUrl = bundled.url;
  stop = bundled.stop;
}
const databaseUrl = await ensureDatabase(serverUrl, `coproduce_e2e_${randomBytes(4).toString('hex')}`);
const databases = connect(databaseUrl);
await applyMigrations(databases.ownerPool);
await generateDemo(databases.owner);
mkdirSync('test-results', { recursive: true });
writeFileSync('test-results/e2e-database-url', databaseUrl);

const config = readConfig({
  NODE_ENV: 'test',
  PORT: String(port),
  PUBLIC_URL: `http://localhost:${port}`,
  LOG_LEVEL: 'warn',
  SESSION_SECRET: 'an-e2e-session-secret-of-at-least-32-characters',
  JOBS: 'false',
  SIGN_IN_RATE_LIMIT: '10000',
});
const app = await buildApp({ config, databases });
await app.listen({ port, host: '127.0.0.1' });

const shutdown = async () => {
  await app.close();
  await databases.close();
  await stop?.();
  process.exit(0);
};
process.on('SIGTERM', () => void shutdown());
process.on('SIGINT', () => void shutdown());
