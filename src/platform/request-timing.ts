// Where a request's time goes: how many statements it sent to PostgreSQL and how long they took,
// and how long its page (or JSON) took to render. Every query on either pool counts towards the
// request it was sent for, found through the request's async context, so no module has to pass
// anything along. The figures go out in the Server-Timing header, the request's log line and the
// metrics (src/platform/http/server-timing.ts).
import { AsyncLocalStorage } from 'node:async_hooks';
import { performance } from 'node:perf_hooks';
import type pg from 'pg';

export interface RequestTiming {
  /** `performance.now()` when the request arrived. */
  readonly started: number;
  /** Statements sent to PostgreSQL (each a round trip: `begin` and `commit` count too). */
  queries: number;
  /** Milliseconds from sending each statement to its answer, added up. */
  databaseMs: number;
  /** Milliseconds spent turning the page's template (or the API's JSON) into text. */
  renderMs: number;
}

const current = new AsyncLocalStorage<RequestTiming>();

export function newTiming(): RequestTiming {
  return { started: performance.now(), queries: 0, databaseMs: 0, renderMs: 0 };
}

/** Runs `work` (and everything it starts) as part of this request's timing. */
export function withTiming<T>(timing: RequestTiming, work: () => T): T {
  return current.run(timing, work);
}

/** The timing of the request being served here, if any. */
export function currentTiming(): RequestTiming | undefined {
  return current.getStore();
}

/** Times synchronous rendering work (a template, a JSON serialiser) into the current request. */
export function timeRender<T>(work: () => T): T {
  const timing = current.getStore();
  if (!timing) return work();
  const begun = performance.now();
  try {
    return work();
  } finally {
    timing.renderMs += performance.now() - begun;
  }
}

/** As `timeRender`, for rendering that answers later. */
export async function timeRenderAsync<T>(work: () => Promise<T>): Promise<T> {
  const timing = current.getStore();
  if (!timing) return work();
  const begun = performance.now();
  try {
    return await work();
  } finally {
    timing.renderMs += performance.now() - begun;
  }
}

/** The figures of a finished request, as its log line carries them. */
export function loggedTiming(timing: RequestTiming | undefined) {
  if (!timing) return {};
  const tenths = (ms: number) => Math.round(ms * 10) / 10;
  return { queries: timing.queries, dbMs: tenths(timing.databaseMs), renderMs: tenths(timing.renderMs) };
}

type Query = (...args: unknown[]) => unknown;
const instrumented = new WeakSet<object>();

/**
 * Counts every statement a pool's connections send, into the timing of the request that sent it.
 * `pg` answers a query by callback (the pool's own `query`) or by promise (a checked-out client),
 * so both are followed.
 */
export function countQueries(pool: pg.Pool): void {
  pool.on('connect', (client) => {
    if (instrumented.has(client)) return;
    instrumented.add(client);
    const query = client.query as unknown as Query;
    const counted: Query = function (this: unknown, ...args: unknown[]) {
      const timing = current.getStore();
      if (!timing) return query.apply(this, args);
      const begun = performance.now();
      const done = () => {
        timing.queries += 1;
        timing.databaseMs += performance.now() - begun;
      };
      const last = args.length - 1;
      const callback = args[last];
      if (typeof callback === 'function') {
        args[last] = (...answer: unknown[]) => {
          done();
          return (callback as Query)(...answer);
        };
        return query.apply(this, args);
      }
      const answer = query.apply(this, args);
      if (answer instanceof Promise) answer.then(done, done);
      return answer;
    };
    (client as unknown as { query: Query }).query = counted;
  });
}
