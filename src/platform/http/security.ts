import fastifyCookie from '@fastify/cookie';
import fastifyCsrf from '@fastify/csrf-protection';
import fastifyFormbody from '@fastify/formbody';
import fastifyHelmet from '@fastify/helmet';
import fastifyRateLimit from '@fastify/rate-limit';
import fastifySession, { type SessionStore } from '@fastify/session';
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import { isApiRequest } from '../auth/access.ts';
import { DomainError } from './problems.ts';

const unsafeMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Security headers, cookies, sessions, CSRF and rate limits. */
export async function setUpWebSecurity(
  app: FastifyInstance,
  config: Config,
  sessionStore: SessionStore,
): Promise<void> {
  await app.register(fastifyHelmet, {
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        fontSrc: ["'self'"],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
        ...(config.production ? { upgradeInsecureRequests: [] } : {}),
      },
    },
    strictTransportSecurity: config.production ? { maxAge: 31_536_000, includeSubDomains: true } : false,
    crossOriginEmbedderPolicy: false,
  });
  await app.register(fastifyCookie, { secret: config.sessionSecret });
  await app.register(fastifyFormbody);
  await app.register(fastifySession, {
    secret: config.sessionSecret,
    cookieName: 'coproduce_session',
    store: sessionStore,
    saveUninitialized: false,
    // The cookie lasts until the browser closes; the idle limit is kept on the server, which
    // moves a session's expiry on as it is used (see the session store).
    rolling: false,
    cookie: {
      httpOnly: true,
      sameSite: 'lax',
      secure: config.production,
      path: '/',
    },
  });
  await app.register(fastifyCsrf, {
    sessionPlugin: '@fastify/session',
    getToken: (request) => {
      const body = request.body as Record<string, unknown> | undefined;
      return typeof body?._csrf === 'string' ? body._csrf : (request.headers['x-csrf-token'] as string | undefined);
    },
  });
  await app.register(fastifyRateLimit, { global: false });

  // Pages and answers hold people's details and one-time tokens: no browser or proxy keeps a copy
  // (on a shared computer, going back after signing out shows nothing). Assets, and anything else
  // meant to be kept, say so themselves.
  app.addHook('onSend', async (_request, reply, payload) => {
    if (!reply.hasHeader('cache-control')) reply.header('cache-control', 'no-store');
    return payload;
  });

  app.addHook('preHandler', (request, reply, done) => {
    if (!unsafeMethods.has(request.method)) return done();
    if (isApiRequest(request)) {
      // Programs authenticate with a token; a browser session may change things through the
      // API only with a JSON request, which a page on another site cannot send.
      const bearer = request.headers.authorization?.startsWith('Bearer ');
      const json = (request.headers['content-type'] ?? '').startsWith('application/json');
      if (!bearer && !json) {
        return done(new DomainError('unsupported-media-type', 415));
      }
      return done();
    }
    app.csrfProtection(request, reply, done);
  });
}
