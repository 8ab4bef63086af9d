// Every response says where its time went: a Server-Timing header (database time, statements
// sent, render time, total), the same figures in the request's log line, and, when a token is
// configured, Prometheus metrics at /metrics (request duration per route, database time and
// statements per route, the pools' connections in use and waiting). Never public: without
// METRICS_TOKEN there is no /metrics, and with it only a scraper holding the token reads it.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { access } from '../auth/access.ts';
import { sameSecret } from '../auth/secrets.ts';
import { newTiming, type RequestTiming, withTiming } from '../request-timing.ts';
import { notFound, unauthenticated } from './problems.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** Where this request's time went, so far. */
    timing: RequestTiming;
  }
  interface FastifyContextConfig {
    /**
     * The most statements a request to this route may send (`begin`, `commit` and the
     * session's included): the query-budget test holds the route to it, so a page that
     * starts asking once per row fails a test rather than a benchmark.
     */
    queryBudget?: number;
  }
}

const round = (ms: number) => ms.toFixed(1);

/**
 * The Server-Timing header's value: `db;dur=…;desc="N queries", queries;desc="N", render;dur=…,
 * total;dur=…`, or only the total where the breakdown could tell a stranger something.
 */
export function serverTimingHeader(timing: RequestTiming, detailed: boolean, now = performance.now()): string {
  const total = `total;dur=${round(now - timing.started)}`;
  if (!detailed) return total;
  return [
    `db;dur=${round(timing.databaseMs)};desc="${timing.queries} queries"`,
    `queries;desc="${timing.queries}"`,
    `render;dur=${round(timing.renderMs)}`,
    total,
  ].join(', ');
}

/**
 * The breakdown goes to someone signed in (or with a token) and only with an answer that is not
 * an error. How many statements a sign-in, a reset or a 404 sent would otherwise say what the
 * pages take care not to: whether an account, a record or a community exists.
 */
const mayShowBreakdown = (request: FastifyRequest, reply: FastifyReply) =>
  reply.statusCode < 400 && request.person !== null && request.person !== undefined;

function metricsFor(pools: Record<string, pg.Pool>) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'coproduce_' });
  const labelNames = ['method', 'route', 'status'] as const;
  const duration = new Histogram({
    name: 'coproduce_http_request_duration_seconds',
    help: 'Time from a request arriving to its response being sent, per route',
    labelNames,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const database = new Histogram({
    name: 'coproduce_http_request_database_seconds',
    help: 'Time a request spent waiting for PostgreSQL, per route',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  const queries = new Counter({
    name: 'coproduce_http_request_queries_total',
    help: 'Statements sent to PostgreSQL, per route',
    labelNames,
    registers: [registry],
  });
  const connections = new Gauge({
    name: 'coproduce_db_pool_connections',
    help: 'Connections of each database pool: open, idle, and requests waiting for one',
    labelNames: ['pool', 'state'] as const,
    registers: [registry],
    collect() {
      for (const [name, pool] of Object.entries(pools)) {
        this.set({ pool: name, state: 'total' }, pool.totalCount);
        this.set({ pool: name, state: 'idle' }, pool.idleCount);
        this.set({ pool: name, state: 'waiting' }, pool.waitingCount);
      }
    },
  });
  void connections;
  return {
    registry,
    observe(request: FastifyRequest, reply: FastifyReply) {
      const labels = {
        method: request.method,
        route: request.routeOptions.url ?? '(no route)',
        status: String(reply.statusCode),
      };
      duration.observe(labels, reply.elapsedTime / 1000);
      database.observe(labels, request.timing.databaseMs / 1000);
      queries.inc(labels, request.timing.queries);
    },
  };
}

async function serverTiming(
  app: FastifyInstance,
  options: { metricsToken?: string; pools: Record<string, pg.Pool> },
): Promise<void> {
  app.decorateRequest('timing', null as unknown as RequestTiming);
  // The request's async context carries its timing to every query it sends. Set again before the
  // handler: a body parser's stream events run outside the context the request arrived in.
  app.addHook('onRequest', (request, _reply, done) => {
    request.timing = newTiming();
    withTiming(request.timing, done);
  });
  app.addHook('preHandler', (request, _reply, done) => withTiming(request.timing, done));
  app.addHook('onSend', async (request, reply) => {
    if (request.timing)
      reply.header('server-timing', serverTimingHeader(request.timing, mayShowBreakdown(request, reply)));
  });

  const metrics = options.metricsToken ? metricsFor(options.pools) : undefined;
  if (metrics) app.addHook('onResponse', async (request, reply) => metrics.observe(request, reply));
  app.get(
    '/metrics',
    {
      config: { access: access.byToken('a scraper holding METRICS_TOKEN; 404 when none is configured') },
      schema: { hide: true },
      logLevel: 'warn',
    },
    async (request, reply) => {
      if (!metrics || !options.metricsToken) throw notFound();
      const given = request.headers.authorization?.replace(/^Bearer /, '') ?? '';
      if (!sameSecret(given, options.metricsToken)) throw unauthenticated();
      return reply.type(metrics.registry.contentType).send(await metrics.registry.metrics());
    },
  );
}

export const serverTimingPlugin = fp(serverTiming, { name: 'server-timing' });
