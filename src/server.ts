import path from 'node:path';
import pino from 'pino';
import { buildApp, modules, personDataSources } from './app.ts';
import { loggerOptions, withoutValues } from './platform/logging.ts';
import { ConfigurationError, readConfig } from './platform/config.ts';
import { type Databases, ensureDatabase, openDatabases } from './platform/db/index.ts';
import { startBundledPostgres, type BundledPostgres } from './platform/db/bundled-postgres.ts';
import { startJobs, type Jobs } from './platform/jobs.ts';
import { postgresSessionStore } from './platform/auth/session-store.ts';
import { generateDemo, isEmpty } from './demo/generate.ts';
import { demoSignInText } from './demo/sign-ins.ts';
import { scheduledJobsOf } from './platform/module.ts';

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
  }
  // From here a failure stops the bundled PostgreSQL too: nothing is left running for the next start to meet.
  let databases: Databases | undefined;
  let app: Awaited<ReturnType<typeof buildApp>>;
  try {
    if (bundled) databaseUrl = await ensureDatabase(bundled.url, 'coproduce');
    if (!databaseUrl) throw new Error('no database');
    // The application logs in as its own role (its password set here, unless the operator gave its address).
    databases = await openDatabases(databaseUrl, {
      secret: config.sessionSecret,
      appUrl: config.databaseAppUrl,
      appPoolSize: config.databasePoolSize,
      onIdleError: (error) => log.warn({ err: error }, 'an idle database connection closed'),
    });
    if (config.loadDemoData && (await isEmpty(databases.owner))) {
      log.info('loading demo data (first start only)');
      await generateDemo(databases.owner);
    }
    app = await buildApp({ config, databases });
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await databases?.close().catch(() => undefined);
    await bundled?.stop().catch(() => undefined);
    throw error;
  }
  let jobs: Jobs | undefined;
  if (config.jobs) {
    const sessionStore = postgresSessionStore(databases.owner, config.sessionIdleMinutes);
    jobs = await startJobs({
      databaseUrl,
      owner: databases.owner,
      config,
      log: app.log,
      clearSessions: () => sessionStore.clearExpired(),
      scheduled: scheduledJobsOf(modules, { config, personData: personDataSources }),
    });
  }

  const address = `http://localhost:${config.port}`;
  process.stdout.write(`\nCoproduce is running at ${address}\n`);
  if (config.loadDemoData) {
    process.stdout.write(`\n${demoSignInText()}\n\n`);
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
    log.info(
      { requestsMs: requestsDone - started, jobsMs: jobsDone - requestsDone, databaseMs: Date.now() - jobsDone },
      'stopped',
    );
    process.exit(0);
  };
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

try {
  await main();
} catch (error) {
  // Said plainly, for whoever typed `npm start`: what went wrong, not a stack of internals.
  process.stderr.write(`\nCoproduce could not start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
