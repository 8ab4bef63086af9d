// Every response says where its time went (Server-Timing and the log line), and the metrics are
// there for a scraper holding the token, and for no one else.
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { readConfig } from '../../src/platform/config.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { seedFixture, type Fixture } from '../support/fixtures.ts';
import { testEnvironment } from '../support/app.ts';
import { callers } from '../support/callers.ts';
import { Visitor } from '../support/browser-like.ts';
import type { FastifyInstance } from 'fastify';

const metricsToken = 'a-scraper-token-of-at-least-32-characters';
let database: TestDatabase;
let fixture: Fixture;
let app: FastifyInstance;
const lines: string[] = [];
const as = callers(() => app);

/** The Server-Timing header as name → { dur, desc }. */
function timingOf(header: string | string[] | number | undefined) {
  const figures = new Map<string, { dur?: number; desc?: string }>();
  for (const metric of String(header ?? '').split(',')) {
    const [name, ...parameters] = metric.trim().split(';');
    if (!name) continue;
    const figure: { dur?: number; desc?: string } = {};
    for (const parameter of parameters) {
      const [key, value = ''] = parameter.split('=');
      if (key === 'dur') figure.dur = Number(value);
      if (key === 'desc') figure.desc = value.replace(/^"|"$/g, '');
    }
    figures.set(name, figure);
  }
  return figures;
}

beforeAll(async () => {
  database = await createTestDatabase();
  fixture = await seedFixture(database.owner);
  const logStream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  app = await buildApp({
    config: readConfig({ ...testEnvironment, LOG_LEVEL: 'info', METRICS_TOKEN: metricsToken }),
    databases: database,
    logStream,
  });
  await app.ready();
});
afterAll(async () => {
  await app.close();
  await database.drop();
});

describe('Server-Timing', () => {
  it('a signed-in page says how many statements it sent, how long they and its template took, and the total', async () => {
    const member = await as.signedIn(`member@alpha.test`);
    const page = await member.get(`/c/${fixture.alpha.slug}`);
    expect(page.statusCode).toBe(200);
    const timing = timingOf(page.headers['server-timing']);
    const queries = Number(timing.get('queries')?.desc);
    expect(queries).toBeGreaterThan(0);
    expect(timing.get('db')?.desc).toBe(`${queries} queries`);
    expect(timing.get('db')?.dur).toBeGreaterThan(0);
    expect(timing.get('render')?.dur).toBeGreaterThan(0);
    const total = timing.get('total')?.dur ?? 0;
    expect(total).toBeGreaterThanOrEqual((timing.get('db')?.dur ?? 0) + (timing.get('render')?.dur ?? 0) - 0.2);
  });

  it('an API answer too, its JSON counted as its render', async () => {
    const token = await as.tokenFor('coordinator@alpha.test');
    const answer = await as.call(token, 'GET', `/api/v1/communities/${fixture.alpha.slug}/timebank/offers`);
    expect(answer.statusCode).toBe(200);
    const timing = timingOf(answer.headers['server-timing']);
    expect(Number(timing.get('queries')?.desc)).toBeGreaterThan(0);
    expect(timing.get('render')?.dur).toBeGreaterThanOrEqual(0);
    expect(timing.get('total')?.dur).toBeGreaterThan(0);
  });

  it('someone not signed in, and any error, get the total alone: no count that could tell whether an account or a record exists', async () => {
    const signIn = async (email: string) => {
      const visitor = new Visitor(app);
      return visitor.submit('/sign-in', '/sign-in', { email, password: 'not-the-password' });
    };
    for (const answer of [
      await app.inject({ method: 'GET', url: '/sign-in' }),
      await signIn('member@alpha.test'),
      await signIn('nobody-at-all@alpha.test'),
    ]) {
      expect([...timingOf(answer.headers['server-timing']).keys()]).toEqual(['total']);
    }
    const member = await as.signedIn('member@alpha.test');
    const missing = await member.get(`/c/${fixture.beta.slug}/timebank/posts`);
    expect(missing.statusCode).toBe(404);
    expect([...timingOf(missing.headers['server-timing']).keys()]).toEqual(['total']);
    expect(timingOf(missing.headers['server-timing']).get('total')?.dur).toBeGreaterThan(0);
  });

  it('the request’s log line carries the same figures, and still no values', async () => {
    const member = await as.signedIn(`member@alpha.test`);
    await member.get(`/c/${fixture.alpha.slug}/timebank/posts?q=secret-search-words`);
    const completed = lines
      .map(
        (line) =>
          JSON.parse(line) as {
            msg?: string;
            res?: { statusCode: number; queries?: number; dbMs?: number; renderMs?: number };
          },
      )
      .filter((line) => line.msg === 'request completed' && line.res?.statusCode === 200);
    expect(completed.length).toBeGreaterThan(2);
    expect(completed.some((line) => (line.res?.queries ?? 0) > 0 && (line.res?.dbMs ?? 0) > 0)).toBe(true);
    for (const line of completed) expect(line.res).toHaveProperty('renderMs');
    expect(lines.join('\n')).not.toContain('secret-search-words');
  });
});

describe('/metrics', () => {
  it('answers a scraper with the token: durations per route, database time, pool use', async () => {
    await app.inject({ method: 'GET', url: '/sign-in' });
    const metrics = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${metricsToken}` },
    });
    expect(metrics.statusCode).toBe(200);
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toMatch(
      /coproduce_http_request_duration_seconds_count\{method="GET",route="\/sign-in",status="200"\} \d+/,
    );
    expect(metrics.body).toContain('coproduce_http_request_database_seconds_bucket');
    expect(metrics.body).toContain('coproduce_http_request_queries_total');
    expect(metrics.body).toMatch(/coproduce_db_pool_connections\{pool="app",state="total"\} \d+/);
  });

  it('refuses anyone without the token, and a wrong one', async () => {
    expect((await app.inject({ method: 'GET', url: '/metrics' })).statusCode).toBe(401);
    const wrong = await app.inject({
      method: 'GET',
      url: '/metrics',
      headers: { authorization: `Bearer ${metricsToken.slice(1)}x` },
    });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).not.toContain('coproduce_http');
    const member = await as.signedIn(`member@alpha.test`);
    expect((await member.get('/metrics')).statusCode).toBe(401);
  });

  it('does not exist where no token is configured (the default)', async () => {
    const plain = await buildApp({ config: readConfig(testEnvironment), databases: database });
    await plain.ready();
    const answer = await plain.inject({ method: 'GET', url: '/metrics' });
    await plain.close();
    expect(answer.statusCode).toBe(404);
  });
});
