import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson, ownRecord } from '../people/service.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const recordParams = communityParams.extend({ recordId: z.uuid() });

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
type Journey = Awaited<ReturnType<typeof service.journeyOf>>;
const toJourney = (person: { id: string; preferredName: string }, journey: Journey) => ({
  person: { id: person.id, preferredName: person.preferredName },
  ladder: journey.ladder,
  steps: journey.steps.map((step) => ({
    kind: step.kind,
    at: step.at,
    rung: service.rungOf[step.kind],
    programme: step.programmeId && step.programmeName ? { id: step.programmeId, name: step.programmeName } : null,
    detail: step.detail as Record<string, unknown>,
  })),
});

/** A person's journey through the community: a timeline and the ladder from supported to leading. */
export async function journeyRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    person: { id: string; preferredName: string },
    journey: Journey,
    own: boolean,
  ) =>
    render(request, reply, 'journey/views/journey.njk', {
      pageTitle: own ? request.t('journey.ownTitle') : request.t('journey.title', { name: person.preferredName }),
      own,
      subject: person,
      ...toJourney(person, journey),
      rungs: service.rungs,
      back: own ? `/c/${request.community?.slug}/me` : `/c/${request.community?.slug}/people/${person.id}`,
    });
  const own = (request: FastifyRequest) =>
    inRequestCommunity(dependencies, request, async (tx, community) => {
      if (!request.person) throw notFound();
      const record = await ownRecord(tx, community.id, request.person);
      return { person: record, journey: await service.journeyOf(tx, record.id) };
    });
  const someone = (request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>) =>
    inRequestCommunity(dependencies, request, async (tx, community) => {
      const record = await getPerson(tx, community.id, request.params.recordId);
      return { person: record, journey: await service.journeyOf(tx, record.id) };
    });

  app.get(
    '/c/:community/me/journey',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const { person, journey } = await own(request);
      return page(request, reply, person, journey, true);
    },
  );
  // Coordinators see anyone's journey; modules that give other roles a person (a peer supporter's) add theirs.
  app.get(
    '/c/:community/people/:recordId/journey',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => {
      const { person, journey } = await someone(request);
      return page(request, reply, person, journey, false);
    },
  );

  const tags = ['Journey'];
  app.get(
    '/api/v1/communities/:community/me/journey',
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
      const { person, journey } = await own(request);
      return toJourney(person, journey);
    },
  );
  app.get(
    '/api/v1/communities/:community/people/:recordId/journey',
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
      const { person, journey } = await someone(request);
      return toJourney(person, journey);
    },
  );
}
