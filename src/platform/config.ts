import { z } from 'zod';

const booleanish = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const environment = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    HOST: z.string().min(1).default('127.0.0.1'),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z.url().optional(),
    DATABASE_APP_URL: z.url().optional(),
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(16),
    DATA_DIR: z.string().min(1).default('./data'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    SESSION_IDLE_MINUTES: z.coerce
      .number()
      .int()
      .min(5)
      .max(24 * 60)
      .default(60),
    NOTIFY_API_KEY: z.string().min(1).optional(),
    NOTIFY_EMAIL_TEMPLATE_ID: z.string().min(1).optional(),
    NOTIFY_SMS_TEMPLATE_ID: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    LOAD_DEMO_DATA: booleanish.optional(),
    JOBS: booleanish.default(true),
    CLEAR_EXPIRED_SCHEDULE: z
      .string()
      .regex(/^\S+( \S+){4}$/, 'must be a cron expression with 5 fields')
      .default('*/15 * * * *'),
    JOB_SCHEDULE_CHECK_SECONDS: z.coerce.number().int().min(1).max(45).default(30),
    TRUST_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
    SIGN_IN_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(30),
    SELF_REFERRAL_RATE_LIMIT: z.coerce.number().int().min(1).max(100_000).default(10),
    METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
  })
  .superRefine((env, ctx) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      ctx.addIssue({ code: 'custom', path: ['SESSION_SECRET'], message: 'is required when NODE_ENV=production' });
    }
  });

export type Config = ReturnType<typeof readConfig>;

export class ConfigurationError extends Error {}

/** Reads and checks the environment; a wrong value stops the start with a message naming the variable. */
export function readConfig(env: Record<string, string | undefined> = process.env) {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environment.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigurationError(`The configuration is not valid:\n${lines.join('\n')}\nSee .env.example.`);
  }
  const value = parsed.data;
  const production = value.NODE_ENV === 'production';
  return {
    production,
    test: value.NODE_ENV === 'test',
    port: value.PORT,
    host: value.HOST,
    publicUrl: value.PUBLIC_URL ?? `http://localhost:${value.PORT}`,
    databaseUrl: value.DATABASE_URL,
    /** The application role's own address, where the operator manages the role; otherwise its password comes from the session secret. */
    databaseAppUrl: value.DATABASE_APP_URL,
    /** Connections this process keeps for requests (the application role); see docs/scaling.md. */
    databasePoolSize: value.DATABASE_POOL_SIZE,
    dataDir: value.DATA_DIR,
    // Outside production a fixed development secret keeps sessions across restarts.
    sessionSecret: value.SESSION_SECRET ?? 'development-only-secret-not-for-production-use',
    sessionIdleMinutes: value.SESSION_IDLE_MINUTES,
    notify: value.NOTIFY_API_KEY
      ? {
          apiKey: value.NOTIFY_API_KEY,
          emailTemplateId: value.NOTIFY_EMAIL_TEMPLATE_ID,
          smsTemplateId: value.NOTIFY_SMS_TEMPLATE_ID,
        }
      : undefined,
    logLevel: value.LOG_LEVEL,
    loadDemoData: value.LOAD_DEMO_DATA ?? !production,
    jobs: value.JOBS,
    clearExpiredSchedule: value.CLEAR_EXPIRED_SCHEDULE,
    jobScheduleCheckSeconds: value.JOB_SCHEDULE_CHECK_SECONDS,
    /** How many reverse proxies stand in front: their X-Forwarded-For entries are believed, no others. */
    trustProxyHops: value.TRUST_PROXY_HOPS,
    /** Sign-in, registration and reset forms a network address may post in a minute. */
    signInRateLimit: value.SIGN_IN_RATE_LIMIT,
    /** Self-referrals a network address may send in an hour, without an account. */
    selfReferralRateLimit: value.SELF_REFERRAL_RATE_LIMIT,
    /** The token a Prometheus scraper gives to read `/metrics`; without it there are no metrics. */
    metricsToken: value.METRICS_TOKEN,
  };
}
