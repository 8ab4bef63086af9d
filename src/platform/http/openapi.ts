import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { access } from '../auth/access.ts';

/**
 * A stable operationId from the method and path, for clients that generate code:
 * `POST /api/v1/communities/:community/timebank/exchanges/:exchangeId/confirm` is
 * `postTimebankExchangesByExchangeIdConfirm`. The community every such path starts with is left out.
 */
export function operationIdOf(method: string, url: string): string {
  const words = url
    .replace(/^\/(api\/v1|fhir\/r4)\//, '')
    .replace(/^communities\/:community\/(?=.)/, '')
    .split('/')
    .filter(Boolean)
    .map((segment) => (segment.startsWith(':') ? `By${segment.slice(1)}` : segment))
    .flatMap((segment) => segment.split(/[-_.]/))
    .map((word) => word.charAt(0).toUpperCase() + word.slice(1));
  return `${method.toLowerCase()}${words.join('')}`;
}

/** The OpenAPI 3.1 document at /api/v1/openapi.json, made from the routes' zod schemas, and its reader. */
export async function setUpApiDocumentation(app: FastifyInstance): Promise<void> {
  // Every documented operation gets an operationId, now and in every module still to come.
  app.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    const method = [route.method].flat()[0] ?? 'GET';
    route.schema = {
      ...route.schema,
      operationId: (route.schema as { operationId?: string }).operationId ?? operationIdOf(method, route.url),
    };
  });
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coproduce API',
        version: '1.0.0',
        license: { name: 'AGPL-3.0-or-later', identifier: 'AGPL-3.0-or-later' },
        description:
          'Every action in Coproduce is also here. Authenticate with `Authorization: Bearer <token>` (create one with `POST /api/v1/tokens`) or a browser session. Errors are `application/problem+json` (RFC 9457). Lists use cursor pagination (`?cursor=&limit=`). A POST that creates something accepts an `Idempotency-Key` header; a repeat returns the first result.',
      },
      servers: [{ url: '/', description: 'This Coproduce' }],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'A personal access token' },
          session: { type: 'apiKey', in: 'cookie', name: 'coproduce_session' },
        },
      },
      security: [{ bearer: [] }, { session: [] }],
    },
    transform: jsonSchemaTransform,
    // Only the API goes in the document; pages are for people.
    hideUntagged: true,
  });
  await app.register(async (docs) => {
    docs.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: access.public };
    });
    docs.get('/api/v1/openapi.json', { schema: { hide: true } }, () => app.swagger());
    await docs.register(fastifySwaggerUi, { routePrefix: '/api/docs', staticCSP: true });
  });
}
