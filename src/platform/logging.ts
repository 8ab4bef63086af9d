// Logs: JSON, a request id on every line, and nothing a person typed or is. A line says which
// route was asked, never its address (paths hold ids and tokens; query strings hold searches),
// never a body or a header, and an error keeps its kind, code and SQL but not the values
// (a failed query's parameters, PostgreSQL's "Key (email)=(…)" detail, a quoted bad value).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoggerOptions } from 'pino';
import { loggedTiming } from './request-timing.ts';

const quotedValue = /: "(?:[^"]|"")*"/g;
// PostgreSQL's "Key (lower(email))=(a@b.c) already exists": everything between )=( and the last ).
const keyDetail = /\)=\(.*\)/g;

/** A message with the values it quotes taken out. */
export function withoutValues(message: string): string {
  return message.split('\nparams:')[0]?.replace(quotedValue, ': "…"').replace(keyDetail, ')=(…)').slice(0, 2000) ?? '';
}

type Logged = Record<string, unknown>;

/** The parts of an error worth logging: its kind, codes, where it came from; no values. */
export function loggedError(error: unknown, depth = 0): Logged {
  if (!(error instanceof Error)) return { type: typeof error };
  const own = error as Error & Record<string, unknown>;
  const message = withoutValues(error.message);
  const frames = (error.stack ?? '').split('\n').filter((line) => line.trimStart().startsWith('at '));
  const logged: Logged = {
    type: error.constructor.name,
    message,
    stack: [`${error.name}: ${message}`, ...frames].join('\n'),
  };
  // PostgreSQL's own fields that hold no values; `detail`, `where`, `hint` and the parameters may.
  for (const field of [
    'code',
    'statusCode',
    'severity',
    'constraint',
    'table',
    'column',
    'schema',
    'routine',
    'dataType',
  ]) {
    const value = own[field];
    if (typeof value === 'string' || typeof value === 'number') logged[field] = value;
  }
  if (typeof own.query === 'string') logged.query = own.query.slice(0, 2000);
  if (error.cause !== undefined && depth < 3) logged.cause = loggedError(error.cause, depth + 1);
  return logged;
}

/** A request as a log line shows it: the method and the route, not the address. */
export function loggedRequest(request: FastifyRequest): Logged {
  return { method: request.method, route: request.routeOptions?.url ?? '(no route)' };
}

/** Fastify's and the server's logger: the same rules for every line. */
export function loggerOptions(level: string): LoggerOptions {
  return {
    level,
    serializers: {
      req: loggedRequest,
      // The finished request's figures: statements sent, database and render time (never values).
      res: (reply: FastifyReply) => ({ statusCode: reply.statusCode, ...loggedTiming(reply.request?.timing) }),
      err: loggedError,
      error: loggedError,
    },
  };
}
