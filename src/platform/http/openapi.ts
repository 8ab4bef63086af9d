import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';
import { access } from '../auth/access.ts';

/** The OpenAPI 3.1 document at /api/v1/openapi.json, made from the routes' zod schemas, and its reader. */
export async function setUpApiDocumentation(app: FastifyInstance): Promise<void> {
  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Coproduce API',
        version: '1.0.0',
        description:
          'Every action in Coproduce is also here. Authenticate with `Authorization: Bearer <token>` (create one with `POST /api/v1/tokens`) or a browser session. Errors are `application/problem+json` (RFC 9457). Lists use cursor pagination (`?cursor=&limit=`). A POST that creates something accepts an `Idempotency-Key` header; a repeat returns the first result.',
      },
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
