// The journey API: a person's own journey, and anyone's for coordinators.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { ownJourney, recordParams, someonesJourney, toJourney } from './asker.ts';
import * as service from './service.ts';

const journeySchema = z.object({
  person: z.object({ id: z.uuid(), preferredName: z.string() }),
  ladder: z.object({
    highest: z.enum(service.rungs).nullable(),
    steps: z.array(z.object({ rung: z.enum(service.rungs), reachedAt: z.date().nullable() })),
  }),
  steps: z.array(
    z.object({
      kind: z.enum(service.milestoneKinds),
      at: z.date(),
      rung: z.enum(service.rungs),
      programme: z.object({ id: z.uuid(), name: z.string() }).nullable(),
      detail: z.record(z.string(), z.unknown()),
    }),
  ),
});

/** The journey API, under /api/v1/communities/:community. */
export async function journeyApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['Journey'];
  app.get(
    '/me/journey',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Your journey: each step, and where you are on the ladder',
        params: communityParams,
        response: { 200: journeySchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const { person, journey } = await ownJourney(dependencies, request);
      return toJourney(person, journey);
    },
  );
  app.get(
    '/people/:recordId/journey',
    {
      config: { access: access.roles('coordinator', 'admin') },
      schema: {
        tags,
        summary: 'A person’s journey (coordinators)',
        params: recordParams,
        response: { 200: journeySchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { person, journey } = await someonesJourney(dependencies, request);
      return toJourney(person, journey);
    },
  );
}
