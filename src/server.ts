import path from 'node:path';
import pino from 'pino';
import { buildApp } from './app.ts';
import { loggerOptions, withoutValues } from './platform/logging.ts';
import { ConfigurationError, readConfig } from './platform/config.ts';
import { applyMigrations, connect, ensureDatabase } from './platform/db/index.ts';
import { startBundledPostgres, type BundledPostgres } from './platform/db/bundled-postgres.ts';
import { startJobs, type Jobs } from './platform/jobs.ts';
import { postgresSessionStore } from './platform/auth/session-store.ts';
import { generateDemo, isEmpty, demoPassword, demoTwoStepKey } from '../bench/generate.ts';
import { scheduledJobs } from './scheduled-jobs.ts';

const demoSignIns = [
  'admin@example.org (community admin)',
  'coordinator@example.org (coordinator, in both communities)',
  'member@example.org (member)',
  'peer@example.org (peer supporter)',
  'facilitator@example.org (facilitator)',
  'referrer@example.org (GP practice staff)',
  'referrer2@example.org (another GP practice)',
  'safeguarding@example.org (safeguarding lead)',
  `platform@example.org (platform admin, with two-step sign-in: key ${demoTwoStepKey}, or \`npm run demo-code\` for the current code)`,
];

/** Start: configuration → database → app → listen; stop cleanly on SIGTERM or SIGINT. */
async function main(): Promise<void> {
  let config;
  try {
    config = readConfig();
  } catch (error) {
    if (error instanceof ConfigurationError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  const log = pino(loggerOptions(config.logLevel));

  let bundled: BundledPostgres | undefined;
  let databaseUrl = config.databaseUrl;
  if (!databaseUrl) {
    const directory = path.resolve(config.dataDir, 'postgres');
    log.info({ directory }, 'starting the bundled PostgreSQL');
    bundled = await startBundledPostgres({ directory, log: (line) => log.debug({ postgres: withoutValues(line) }) });
    databaseUrl = await ensureDatabase(bundled.url, 'coproduce');
  }
  const databases = connect(databaseUrl, { onIdleError: (error) => log.warn({ err: error }, 'an idle database connection closed') });
  await applyMigrations(databases.ownerPool);
  if (config.loadDemoData && (await isEmpty(databases.owner))) {
    log.info('loading demo data (first start only)');
    await generateDemo(databases.owner);
  }

  const app = await buildApp({ config, databases });
  await app.listen({ port: config.port, host: config.host });
  let jobs: Jobs | undefined;
  if (config.jobs) {
    const sessionStore = postgresSessionStore(databases.owner, config.sessionIdleMinutes);
    jobs = await startJobs({ databaseUrl, owner: databases.owner, config, log: app.log, clearSessions: () => sessionStore.clearExpired(), scheduled: scheduledJobs(config) });
  }

  const address = `http://localhost:${config.port}`;
  process.stdout.write(`\nCoproduce is running at ${address}\n`);
  if (config.loadDemoData) {
    process.stdout.write(`\nDemo sign-ins (password: ${demoPassword}):\n${demoSignIns.map((line) => `  ${line}`).join('\n')}\n\n`);
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    app.log.info({ signal }, 'stopping');
    // Whatever happens, the process is gone within 10 seconds.
    setTimeout(() => process.exit(1), 10_000).unref();
    const started = Date.now();
    // Stops taking requests and finishes those under way. A keep-alive connection whose
    // request finishes after this point would hold the close open: close each as it goes idle.
    const sweep = setInterval(() => app.server.closeIdleConnections(), 100);
    await app.close();
    clearInterval(sweep);
    const requestsDone = Date.now();
    await jobs?.stop();
    const jobsDone = Date.now();
    await databases.close();
    await bundled?.stop();
    log.info({ requestsMs: requestsDone - started, jobsMs: jobsDone - requestsDone, databaseMs: Date.now() - jobsDone }, 'stopped');
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

await main();
