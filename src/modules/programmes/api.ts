// The programmes' JSON API, under /api/v1/communities/{community}/programmes.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { programmeParams } from './asker.ts';
import * as service from './service.ts';

const programmeSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(service.programmeKinds),
  whoFor: z.string(),
  howToJoin: z.string(),
  whereAndWhen: z.string(),
  contact: z.string(),
  status: z.enum(['open', 'closed']),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const toProgramme = ({ communityId: _community, ...programme }: service.Programme) => programme;

/** A community's programmes in the API: any member reads them; admins create and change them. */
export async function programmeApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  const tags = ['Programmes'];
  app.get(
    '',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'A community’s programmes, by name',
        params: communityParams,
        querystring: z.object({ status: z.enum(['open', 'closed', 'all']).default('open') }),
        response: { 200: z.object({ items: z.array(programmeSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listProgrammes(tx, community.id, { openOnly: request.query.status === 'open' }),
      );
      return {
        items: rows.filter((row) => request.query.status !== 'closed' || row.status === 'closed').map(toProgramme),
      };
    },
  );
  app.get(
    '/:programmeId',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'One programme',
        params: programmeParams,
        response: { 200: programmeSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      toProgramme(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.getProgramme(tx, community.id, request.params.programmeId),
        ),
      ),
  );
  app.post(
    '',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Create a programme (admins)',
        params: communityParams,
        body: service.programmeDetails,
        response: { 201: programmeSchema, ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      return once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: toProgramme(
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.createProgramme(tx, community.id, actorId, request.body),
          ),
        ),
      }));
    },
  );
  app.put(
    '/:programmeId',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Replace a programme’s description (admins)',
        params: programmeParams,
        body: service.programmeDetails,
        response: { 200: programmeSchema, ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toProgramme(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.updateProgramme(tx, community.id, actorId, request.params.programmeId, request.body),
        ),
      );
    },
  );
}
