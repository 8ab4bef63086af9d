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
import { setUpApiDocumentation } from './platform/http/openapi.ts';
import { registerViews } from './platform/views/index.ts';
import { requestContext } from './platform/http/request-context.ts';
import { registerErrorHandling } from './platform/http/errors.ts';
import { inputChecks } from './platform/http/input.ts';
import { healthRoutes } from './platform/http/health.ts';
import { createDependencies } from './dependencies.ts';
import { defaultBrandColour, stylesheetFor, warmStylesheets } from './platform/stylesheet.ts';
import { informationPages } from './modules/information/routes.ts';
import { accountRoutes } from './modules/accounts/routes.ts';
import { communityRoutes } from './modules/communities/routes.ts';
import { programmeRoutes } from './modules/programmes/routes.ts';
import { peopleRoutes } from './modules/people/routes.ts';
import { referralRoutes } from './modules/referrals/routes.ts';
import { selfReferralRoutes } from './modules/referrals/self-referral-routes.ts';
import { supportNeedRoutes } from './modules/referrals/support-needs-routes.ts';
import { ownReferralRoutes } from './modules/referrals/own-routes.ts';
import { fhirRoutes } from './modules/referrals/fhir.ts';
import { journeyRoutes } from './modules/journey/routes.ts';
import { privacyRoutes } from './modules/privacy/routes.ts';
import { safeguardingRoutes } from './modules/safeguarding/routes.ts';
import { timebankRoutes } from './modules/timebank/routes.ts';
import { networkRoutes } from './modules/peer-network/routes.ts';
import { supportRoutes } from './modules/peer-support/routes.ts';
import { caseloadRoutes } from './modules/caseload/routes.ts';

export interface RouteEntry {
  method: string;
  url: string;
  readonly access: Access | undefined;
  /** Its request and response schemas: a test encodes a response of every operation. */
  readonly schema: FastifySchema | undefined;
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
  app.setSerializerCompiler(serializerCompiler);

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
          schema: route.schema,
        });
      }
    }
  });

  const dependencies = createDependencies({ config, databases });

  await setUpWebSecurity(app, config, dependencies.sessionStore);
  await setUpStaticFiles(app, databases.app);
  await setUpApiDocumentation(app);
  await registerViews(app);
  await app.register(requestContext, { owner: databases.owner, sessionStore: dependencies.sessionStore });
  await app.register(inputChecks);
  registerErrorHandling(app);

  await app.register(healthRoutes, { databases });
  await app.register(informationPages);
  await app.register(accountRoutes, { dependencies });
  await app.register(communityRoutes, { dependencies });
  await app.register(programmeRoutes, { dependencies });
  await app.register(peopleRoutes, { dependencies });
  await app.register(referralRoutes, { dependencies });
  await app.register(selfReferralRoutes, { dependencies });
  await app.register(supportNeedRoutes, { dependencies });
  await app.register(ownReferralRoutes, { dependencies });
  await app.register(fhirRoutes, { dependencies });
  await app.register(journeyRoutes, { dependencies });
  await app.register(privacyRoutes, { dependencies });
  await app.register(safeguardingRoutes, { dependencies });
  await app.register(timebankRoutes, { dependencies });
  await app.register(networkRoutes, { dependencies });
  await app.register(supportRoutes, { dependencies });
  await app.register(caseloadRoutes, { dependencies });

  // The first visitor to a community should not wait for its stylesheet to compile.
  app.addHook('onReady', async () => {
    await stylesheetFor(defaultBrandColour);
    void warmStylesheets(databases.app, app.log);
  });

  return app;
}
