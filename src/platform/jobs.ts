import { lt, or, isNotNull } from 'drizzle-orm';
import { PgBoss } from 'pg-boss';
import type { FastifyBaseLogger } from 'fastify';
import type { Config } from './config.ts';
import type { Database } from './db/index.ts';
import { passwordResets, signInFailures } from './db/schema.ts';
import { record } from './audit.ts';
import { clearOldIdempotencyRecords } from './http/idempotency.ts';
import { sendQueued } from './notify/outbox.ts';

export interface Jobs {
  stop(): Promise<void>;
}

/** A module's scheduled work: run once each time the cron expression is due, whatever the number of processes. */
export interface ScheduledJob {
  name: string;
  cron: string;
  run(owner: Database): Promise<Record<string, number>>;
}

/** Removes what has expired: sessions, reset links, lock counters, idempotency keys. */
export async function clearExpired(
  owner: Database,
  clearSessions: () => Promise<number>,
): Promise<Record<string, number>> {
  const now = new Date();
  const sessions = await clearSessions();
  const resets = await owner
    .delete(passwordResets)
    .where(or(lt(passwordResets.expiresAt, now), isNotNull(passwordResets.usedAt)))
    .returning({ id: passwordResets.id });
  const failures = await owner
    .delete(signInFailures)
    .where(lt(signInFailures.windowStartedAt, new Date(now.getTime() - 24 * 3600_000)))
    .returning({ key: signInFailures.key });
  const keys = await clearOldIdempotencyRecords(owner);
  const removed = { sessions, resets: resets.length, lockCounters: failures.length, idempotencyKeys: keys };
  await record(owner, {
    actorId: null,
    action: 'job.clear-expired',
    subjectType: 'job',
    subjectId: 'clear-expired',
    detail: removed,
  });
  return removed;
}

/**
 * Scheduled work, kept in PostgreSQL by pg-boss: every app process runs it, and a scheduled
 * job runs once however many processes there are.
 */
export async function startJobs(options: {
  databaseUrl: string;
  owner: Database;
  config: Config;
  log: FastifyBaseLogger;
  clearSessions: () => Promise<number>;
  scheduled?: readonly ScheduledJob[];
}): Promise<Jobs> {
  const checkSeconds = options.config.jobScheduleCheckSeconds;
  const boss = new PgBoss({
    connectionString: options.databaseUrl,
    schema: 'pgboss',
    max: 3,
    application_name: 'coproduce-jobs',
    cronMonitorIntervalSeconds: checkSeconds,
    cronWorkerIntervalSeconds: checkSeconds,
  });
  boss.on('error', (error) => options.log.error({ err: error }, 'job runner error'));
  await boss.start();

  await boss.createQueue('clear-expired');
  await boss.schedule('clear-expired', options.config.clearExpiredSchedule);
  await boss.work('clear-expired', async () => {
    const removed = await clearExpired(options.owner, options.clearSessions);
    options.log.info({ removed }, 'cleared expired records');
  });

  for (const job of options.scheduled ?? []) {
    await boss.createQueue(job.name);
    await boss.schedule(job.name, job.cron, undefined, { tz: 'Europe/London' });
    await boss.work(job.name, async () => {
      const done = await job.run(options.owner);
      options.log.info({ job: job.name, done }, 'scheduled job finished');
    });
  }

  const notify = options.config.notify;
  if (notify) {
    await boss.createQueue('send-outbox');
    await boss.schedule('send-outbox', '* * * * *');
    await boss.work('send-outbox', async () => {
      await sendQueued(options.owner, notify);
    });
  }
  // A job still running after 4 seconds is left to be retried: the process must stop within 10.
  return { stop: () => boss.stop({ graceful: true, timeout: 4_000 }) };
}
