// The privacy API: a person's data, and requests to be forgotten, which an admin approves.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { dataAbout, ownRecordOf, recordOf, recordParams, requestParams } from './asker.ts';
import * as service from './service.ts';

const dataSchema = z.object({
  person: z.object({ id: z.uuid(), number: z.number().int(), preferredName: z.string() }),
  madeAt: z.date(),
  sections: z.array(
    z.object({ table: z.string(), column: z.string(), rows: z.array(z.record(z.string(), z.unknown())) }),
  ),
});
const erasureSchema = z.object({
  id: z.uuid(),
  personRecordId: z.uuid(),
  status: z.enum(service.erasureStatuses),
  onBehalf: z.boolean(),
  reason: z.string(),
  createdAt: z.date(),
  decidedAt: z.date().nullable(),
  decisionNote: z.string(),
});

/** The privacy API, under /api/v1/communities/:community. */
export async function privacyApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['Privacy'];
  app.get(
    '/me/data',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Everything this community holds about you',
        params: communityParams,
        response: { 200: dataSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => dataAbout(dependencies, request, await ownRecordOf(dependencies, request)),
  );
  app.get(
    '/people/:recordId/data',
    {
      config: { access: access.roles('coordinator', 'admin') },
      schema: {
        tags,
        summary: 'Everything held about a person (to answer their request)',
        params: recordParams,
        response: { 200: dataSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => dataAbout(dependencies, request, await recordOf(dependencies, request)),
  );
  app.post(
    '/me/erasure-request',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Ask to be forgotten (an admin approves); asking again finds the waiting request',
        params: communityParams,
        body: service.erasureAsk,
        response: { 201: erasureSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const person = await ownRecordOf(dependencies, request);
      return reply
        .code(201)
        .send(
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.requestErasure(tx, community.id, person.id, { id: actorId, onBehalf: false }, request.body.reason),
          ),
        );
    },
  );
  app.post(
    '/people/:recordId/erasure-request',
    {
      config: { access: access.roles('coordinator', 'admin') },
      schema: {
        tags,
        summary: 'Record a request to be forgotten made by the person',
        params: recordParams,
        body: service.erasureAsk,
        response: { 201: erasureSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      return reply
        .code(201)
        .send(
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.requestErasure(
              tx,
              community.id,
              request.params.recordId,
              { id: actorId, onBehalf: true },
              request.body.reason,
            ),
          ),
        );
    },
  );
  app.get(
    '/erasure-requests',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Requests to be forgotten, waiting ones first (admins)',
        params: communityParams,
        response: { 200: z.object({ items: z.array(erasureSchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => ({
      items: (
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.listErasureRequests(tx, community.id),
        )
      ).map((row) => row.request),
    }),
  );
  /** An admin's decision on a request; approving forgets the person now. */
  const decide =
    (approve: boolean) =>
    async (
      request: FastifyRequest<{ Params: z.infer<typeof requestParams>; Body: z.infer<typeof service.erasureDecision> }>,
    ) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, (tx, community) =>
        service.decideErasure(
          tx,
          community.id,
          request.params.requestId,
          actorId,
          approve,
          request.body.note,
          dependencies.personData,
        ),
      );
    };
  const decision = (summary: string) => ({
    config: { access: access.roles('admin') },
    schema: {
      tags,
      summary,
      params: requestParams,
      body: service.erasureDecision,
      response: { 200: erasureSchema, ...problemResponses(400, 401, 403, 404, 409) },
    },
  });
  app.post(
    '/erasure-requests/:requestId/approve',
    decision('Approve: the person is forgotten now (admins)'),
    decide(true),
  );
  app.post('/erasure-requests/:requestId/decline', decision('Decline, saying why (admins)'), decide(false));
}
