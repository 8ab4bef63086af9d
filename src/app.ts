import Fastify, { type FastifyInstance, type FastifySchema } from 'fastify';
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { DestinationStream } from 'pino';
import { loggerOptions } from './platform/logging.ts';
import type { Config } from './platform/config.ts';
import type { Access } from './platform/auth/access.ts';
import type { Databases } from './platform/db/index.ts';
import { setUpWebSecurity } from './platform/http/security.ts';
import { setUpStaticFiles } from './platform/http/static-files.ts';
import { setUpCompression } from './platform/http/compression.ts';
import { setUpApiDocumentation } from './platform/http/openapi.ts';
import { registerViews } from './platform/views/index.ts';
import { requestContext } from './platform/http/request-context.ts';
import { registerErrorHandling } from './platform/http/errors.ts';
import { inputChecks } from './platform/http/input.ts';
import { healthRoutes } from './platform/http/health.ts';
import { createDependencies } from './dependencies.ts';
import { defaultBrandColour, stylesheetFor, warmStylesheets } from './platform/stylesheet.ts';
import { information } from './modules/information/module.ts';
import { accounts } from './modules/accounts/module.ts';
import { communities } from './modules/communities/module.ts';
import { programmes } from './modules/programmes/module.ts';
import { people } from './modules/people/module.ts';
import { referrals } from './modules/referrals/module.ts';
import { journey } from './modules/journey/module.ts';
import { privacy } from './modules/privacy/module.ts';
import { safeguarding } from './modules/safeguarding/module.ts';
import { timebank } from './modules/timebank/module.ts';
import { peerNetwork } from './modules/peer-network/module.ts';
import { peerSupport } from './modules/peer-support/module.ts';
import { caseload } from './modules/caseload/module.ts';
import {
  acceptanceOf,
  askerRecordOf,
  type CoproduceModule,
  headerFactsOf,
  navigationOf,
  personDataOf,
} from './platform/module.ts';
import { platformPersonData } from './platform/person-data.ts';
import { postgresSessionStore } from './platform/auth/session-store.ts';
import { serverTimingPlugin } from './platform/http/server-timing.ts';
import { timeRender } from './platform/request-timing.ts';

/** The modules, each declared in its own module.ts: their pages and API, person data, jobs, header links. */
export const modules: readonly CoproduceModule[] = [
  information,
  accounts,
  communities,
  programmes,
  people,
  referrals,
  journey,
  privacy,
  safeguarding,
  timebank,
  peerNetwork,
  peerSupport,
  caseload,
];

/** Every column that points at a person, across the platform and every module: what a download shows, what a merge moves, what erasure clears. */
export const personDataSources = personDataOf(platformPersonData, modules);

export interface RouteEntry {
  method: string;
  url: string;
  readonly access: Access | undefined;
  /** Its request and response schemas: a test encodes a response of every operation. */
  readonly schema: FastifySchema | undefined;
  /** The most statements a request may send, where the route declares it (the query-budget test). */
  readonly queryBudget: number | undefined;
}

declare module 'fastify' {
  interface FastifyInstance {
    routeCatalogue: RouteEntry[];
  }
}

export interface AppDependencies {
  config: Config;
  databases: Databases;
  /** Where log lines go instead of standard output (tests read them). */
  logStream?: DestinationStream;
}

/** The application, in the order a request meets it. */
export async function buildApp({ config, databases, logStream }: AppDependencies): Promise<FastifyInstance> {
  const app = Fastify({
    logger:
      config.logLevel === 'silent' && !logStream
        ? false
        : { ...loggerOptions(config.logLevel), ...(logStream ? { stream: logStream } : {}) },
    // A caller's own request id is kept only when it looks like one.
    genReqId: (request) => {
      const given = request.headers['x-request-id'];
      return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,64}$/.test(given) ? given : randomUUID();
    },
    // Believe X-Forwarded-For only as far as the proxies we run (TRUST_PROXY_HOPS).
    trustProxy: (_address: string, hop: number) => hop < config.trustProxyHops,
    routerOptions: { ignoreTrailingSlash: true },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  // Turning an API answer into JSON counts as its render time (Server-Timing).
  app.setSerializerCompiler((route) => {
    const serialize = serializerCompiler(route as Parameters<typeof serializerCompiler>[0]);
    return (data) => timeRender(() => serialize(data));
  });

  // Every route, as registered: the access-matrix test walks this list.
  const routeCatalogue: RouteEntry[] = [];
  app.decorate('routeCatalogue', routeCatalogue);
  app.addHook('onRoute', (route) => {
    for (const method of [route.method].flat()) {
      // Read later: a plugin's own onRoute hook may declare access after this one runs.
      if (method !== 'HEAD') {
        routeCatalogue.push({
          method,
          url: route.url,
          get access() {
            return route.config?.access;
          },
          get queryBudget() {
            return route.config?.queryBudget;
          },
          schema: route.schema,
        });
      }
    }
  });

  const dependencies = createDependencies({
    config,
    databases,
    personData: personDataSources,
    acceptance: acceptanceOf(modules),
  });
  const sessionStore = postgresSessionStore(databases.owner, config.sessionIdleMinutes);

  await app.register(serverTimingPlugin, {
    metricsToken: config.metricsToken,
    pools: { app: databases.appPool, owner: databases.ownerPool },
  });
  await setUpWebSecurity(app, config, sessionStore);
  await setUpCompression(app);
  await setUpStaticFiles(app, databases.app);
  await setUpApiDocumentation(app);
  await registerViews(app, navigationOf(modules));
  await app.register(requestContext, {
    owner: databases.owner,
    sessionStore,
    headerFacts: headerFactsOf(modules),
    askerRecord: askerRecordOf(modules),
  });
  await app.register(inputChecks);
  registerErrorHandling(app);

  await app.register(healthRoutes, { databases });
  for (const module of modules) {
    for (const { plugin, prefix } of module.plugins) await app.register(plugin, { dependencies, prefix });
  }

  // The first visitor to a community should not wait for its stylesheet to compile.
  app.addHook('onReady', async () => {
    await stylesheetFor(defaultBrandColour);
    void warmStylesheets(databases.app, app.log);
  });

  return app;
}
