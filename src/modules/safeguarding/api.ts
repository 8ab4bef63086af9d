// Safeguarding's JSON API, under /api/v1/communities/{community}/concerns.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { concernParams, readers } from './asker.ts';
import * as service from './service.ts';

const concernSchema = z.object({
  id: z.uuid(),
  about: z.string(),
  personRecordId: z.uuid().nullable(),
  whatHappened: z.string(),
  whenHappened: z.string(),
  dangerNow: z.boolean(),
  status: z.enum(service.concernStatuses),
  createdAt: z.date(),
  updatedAt: z.date(),
  raisedBy: z.string().nullable(),
  actions: z.array(
    z.object({
      at: z.date(),
      note: z.string(),
      statusTo: z.enum(service.concernStatuses).nullable(),
      by: z.string().nullable(),
    }),
  ),
});
const raisedSchema = z.object({
  id: z.uuid(),
  dangerNow: z.boolean(),
  status: z.enum(service.concernStatuses),
  createdAt: z.date(),
});
type Read = Awaited<ReturnType<typeof service.readConcern>>;
const toConcern = (read: Read) => ({
  ...read.concern,
  raisedBy: read.raisedByName,
  actions: read.actions.map((action) => ({ ...action, by: action.actorName })),
});

/** Concerns in the API: any member raises one and sees what became of theirs; the leads read and act on them. */
export async function concernApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  const tags = ['Safeguarding'];
  app.get(
    '/mine',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary:
          'The concerns you raised: when, and whether they were received, acted on or closed (never what was written or done)',
        params: communityParams,
        response: {
          200: z.object({ items: z.array(z.object({ raisedAt: z.date(), state: z.enum(service.raiserStates) })) }),
          ...problemResponses(401, 404),
        },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return {
        items: await inRequestCommunity(dependencies, request, (tx, community) =>
          service.concernsRaisedBy(tx, community.id, actorId),
        ),
      };
    },
  );
  app.post(
    '',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Raise a safeguarding concern (any member); the leads are told',
        params: communityParams,
        body: service.newConcern,
        response: { 201: raisedSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      return reply
        .code(201)
        .send(
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.raiseConcern(tx, community, actorId, request.body, dependencies),
          ),
        );
    },
  );
  app.get(
    '',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: 'Concerns, open first (safeguarding leads and admins; 404 to anyone else)',
        params: communityParams,
        response: {
          200: z.object({ items: z.array(raisedSchema.extend({ about: z.string(), updatedAt: z.date() })) }),
          ...problemResponses(401, 404),
        },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return {
        items: await inRequestCommunity(dependencies, request, (tx, community) =>
          service.listConcerns(tx, community.id, actorId),
        ),
      };
    },
  );
  app.get(
    '/:concernId',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: 'One concern and its action log (every read is recorded)',
        params: concernParams,
        response: { 200: concernSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toConcern(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.readConcern(tx, community.id, request.params.concernId, actorId),
        ),
      );
    },
  );
  app.put(
    '/:concernId/person',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: 'Link a concern to the record of the person it is about (the action log says so)',
        params: concernParams,
        body: service.personLink,
        response: { 200: concernSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toConcern(
        await inRequestCommunity(dependencies, request, async (tx, community) => {
          await service.linkPerson(
            tx,
            community.id,
            request.params.concernId,
            actorId,
            request.body.personRecordId,
            (linked) => request.t('concerns.link.logNote', { number: linked.number }),
          );
          return service.readConcern(tx, community.id, request.params.concernId, actorId);
        }),
      );
    },
  );
  app.post(
    '/:concernId/actions',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: 'Add to the action log, and change the status if it changed',
        params: concernParams,
        body: service.concernAction,
        response: { 200: concernSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toConcern(
        await inRequestCommunity(dependencies, request, async (tx, community) => {
          await service.addAction(tx, community.id, request.params.concernId, actorId, request.body);
          return service.readConcern(tx, community.id, request.params.concernId, actorId);
        }),
      );
    },
  );
}
