import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, communityToVisit, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { once } from '../../platform/http/idempotency.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { inCommunity } from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const programmeParams = communityParams.extend({ programmeId: z.uuid() });

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

/** Programmes: what a community runs, described for the people it is for, and managed by admins. */
export async function programmeRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  const kindItems = (request: FastifyRequest, chosen: unknown) =>
    service.programmeKinds.map((kind) => ({
      value: kind,
      text: request.t(`programmes.kinds.${kind}.name`),
      hint: { text: request.t(`programmes.kinds.${kind}.hint`) },
      checked: chosen === kind,
    }));
  const statusItems = (request: FastifyRequest, chosen: unknown) =>
    (['open', 'closed'] as const).map((status) => ({
      value: status,
      text: request.t(`programmes.status.${status}`),
      checked: (chosen ?? 'open') === status,
    }));
  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    programmeId?: string,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'programmes/views/form.njk',
      {
        pageTitle: request.t(programmeId ? 'programmes.edit.title' : 'programmes.new.title'),
        values,
        programmeId,
        kindItems: kindItems(request, values.kind),
        statusItems: statusItems(request, values.status),
        errors,
      },
      { status: errors ? 400 : 200 },
    );

  // The public page: anyone can see what a community offers and how to join.
  app.get(
    '/communities/:slug/programmes',
    { config: { access: access.public }, schema: { params: z.object({ slug: z.string().max(60) }) } },
    async (request, reply) => {
      const community = await communityToVisit(dependencies.db, request, request.params.slug);
      const open = await inCommunity(
        dependencies.db,
        { communityId: community.id, personId: request.person?.id ?? null },
        (tx) => service.listProgrammes(tx, community.id, { openOnly: true }),
      );
      return render(
        request,
        reply,
        'programmes/views/public.njk',
        {
          pageTitle: request.t('programmes.public.title', { community: community.name }),
          target: community,
          programmes: open,
        },
        { brandedAs: community },
      );
    },
  );

  // Admins and coordinators see every programme; admins create and change them.
  app.get(
    '/c/:community/programmes',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: communityParams } },
    async (request, reply) => {
      const all = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listProgrammes(tx, community.id, { openOnly: false }),
      );
      return render(request, reply, 'programmes/views/list.njk', {
        pageTitle: request.t('programmes.list.title'),
        programmes: all,
        flash: takeFlash(request),
      });
    },
  );
  app.get(
    '/c/:community/programmes/new',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => formPage(request, reply, { status: 'open' }),
  );
  app.post(
    '/c/:community/programmes/new',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.programmeDetails,
        page: (values, errors) => formPage(request, reply, values, undefined, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.createProgramme(tx, community.id, actorId, data),
          ),
        flash: (created) => request.t('programmes.new.done', { name: created.name }),
        next: `/c/${request.params.community}/programmes`,
      });
    },
  );
  app.get(
    '/c/:community/programmes/:programmeId/edit',
    { config: { access: access.roles('admin') }, schema: { params: programmeParams } },
    async (request, reply) => {
      const programme = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.getProgramme(tx, community.id, request.params.programmeId),
      );
      return formPage(request, reply, { ...programme }, programme.id);
    },
  );
  app.post(
    '/c/:community/programmes/:programmeId/edit',
    { config: { access: access.roles('admin') }, schema: { params: programmeParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.programmeDetails,
        page: (values, errors) => formPage(request, reply, values, request.params.programmeId, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.updateProgramme(tx, community.id, actorId, request.params.programmeId, data),
          ),
        flash: (updated) => request.t('programmes.edit.done', { name: updated.name }),
        next: `/c/${request.params.community}/programmes`,
      });
    },
  );

  // The API
  const tags = ['Programmes'];
  app.get(
    '/api/v1/communities/:community/programmes',
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
    '/api/v1/communities/:community/programmes/:programmeId',
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
    '/api/v1/communities/:community/programmes',
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
    '/api/v1/communities/:community/programmes/:programmeId',
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
