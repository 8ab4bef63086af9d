import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const concernParams = communityParams.extend({ concernId: z.uuid() });

/** Only the leads and admins: anyone else is told there is nothing here. */
const readers = access.restricted(...service.concernReaders);

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

/** Safeguarding: raising a concern, and the leads' restricted list, records and action log. */
export async function safeguardingRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}`;

  const raisePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    // Raised from a person's record, the concern names them.
    const personId =
      typeof values.personRecordId === 'string' && values.personRecordId ? values.personRecordId : undefined;
    const person =
      personId &&
      (request.roles.includes('coordinator') || request.roles.includes('admin') || service.mayRead(request.roles))
        ? await inRequestCommunity(dependencies, request, (tx, community) =>
            getPerson(tx, community.id, personId),
          ).catch(() => undefined)
        : undefined;
    return render(
      request,
      reply,
      'safeguarding/views/raise.njk',
      {
        pageTitle: request.t('concerns.raise.title'),
        values: { ...values, about: values.about ?? person?.preferredName },
        aboutRecord: person,
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/concerns/new',
    {
      config: { access: access.anyMember },
      schema: { params: communityParams, querystring: z.object({ person: z.uuid().optional().catch(undefined) }) },
    },
    async (request, reply) => raisePage(request, reply, { personRecordId: request.query.person }),
  );
  app.post(
    '/c/:community/concerns/new',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.newConcern,
        page: (values, errors) => raisePage(request, reply, values, errors),
        // Sent twice, one concern (and one message to the leads).
        once: { db: dependencies.db, accountId: actorId },
        save: async (data) => {
          const raised = await inRequestCommunity(dependencies, request, (tx, community) =>
            service.raiseConcern(tx, community, actorId, data, dependencies),
          );
          request.session.concernRaised = { dangerNow: raised.dangerNow };
        },
        next: `${base(request)}/concerns/sent`,
      });
    },
  );
  app.get(
    '/c/:community/concerns/sent',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const raised = request.session.concernRaised;
      request.session.concernRaised = undefined;
      return render(request, reply, 'safeguarding/views/sent.njk', {
        pageTitle: request.t('concerns.sent.title'),
        dangerNow: raised?.dangerNow ?? false,
      });
    },
  );

  app.get(
    '/c/:community/concerns/mine',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const raised = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.concernsRaisedBy(tx, community.id, actorId),
      );
      return render(request, reply, 'safeguarding/views/mine.njk', {
        pageTitle: request.t('concerns.mine.title'),
        raised,
      });
    },
  );
  app.get(
    '/api/v1/communities/:community/concerns/mine',
    {
      config: { access: access.anyMember },
      schema: {
        tags: ['Safeguarding'],
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
  app.get(
    '/c/:community/concerns',
    { config: { access: readers }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const concerns = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listConcerns(tx, community.id, actorId),
      );
      return render(request, reply, 'safeguarding/views/list.njk', {
        pageTitle: request.t('concerns.list.title'),
        concerns,
        flash: takeFlash(request),
      });
    },
  );
  const concernPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof concernParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const actorId = actorOf(request);
    const read = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.readConcern(tx, community.id, request.params.concernId, actorId),
    );
    return render(
      request,
      reply,
      'safeguarding/views/concern.njk',
      {
        pageTitle: request.t('concerns.concern.title', { about: read.concern.about }),
        ...read,
        values,
        errors,
        statusItems: choices(
          request,
          'concerns.statuses',
          service.concernStatuses,
          values.statusTo ?? read.concern.status,
        ),
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/concerns/:concernId',
    { config: { access: readers }, schema: { params: concernParams } },
    async (request, reply) => concernPage(request, reply),
  );
  app.post(
    '/c/:community/concerns/:concernId/actions',
    { config: { access: readers }, schema: { params: concernParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.concernAction,
        page: (values, errors) => concernPage(request, reply, values, errors),
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.addAction(tx, community.id, request.params.concernId, actorId, data),
          ),
        flash: request.t('concerns.concern.saved'),
        next: `${base(request)}/concerns/${request.params.concernId}`,
      });
    },
  );

  // Linking a concern to the person's record, found by search (a concern may be raised before anyone knows which record).
  const linkPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof concernParams> }>,
    reply: FastifyReply,
    q: string,
    errors?: FieldError[],
  ) => {
    const actorId = actorOf(request);
    const page = await inRequestCommunity(dependencies, request, async (tx, community) => ({
      read: await service.readConcern(tx, community.id, request.params.concernId, actorId),
      records: q ? await service.recordsToLink(tx, community.id, q) : [],
    }));
    return render(
      request,
      reply,
      'safeguarding/views/link.njk',
      {
        pageTitle: request.t('concerns.link.title', { about: page.read.concern.about }),
        concern: page.read.concern,
        records: page.records,
        q,
        searched: q !== '',
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/concerns/:concernId/person',
    {
      config: { access: readers },
      schema: { params: concernParams, querystring: z.object({ q: z.string().max(100).optional().catch(undefined) }) },
    },
    async (request, reply) => linkPage(request, reply, request.query.q?.trim() ?? ''),
  );
  app.post(
    '/c/:community/concerns/:concernId/person',
    { config: { access: readers }, schema: { params: concernParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.personLink,
        page: (_values, errors) => linkPage(request, reply, String(body.q ?? ''), errors),
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.linkPerson(tx, community.id, request.params.concernId, actorId, data.personRecordId, (linked) =>
              request.t('concerns.link.logNote', { number: linked.number }),
            ),
          ),
        flash: request.t('concerns.link.linkedFlash'),
        next: `${base(request)}/concerns/${request.params.concernId}`,
      });
    },
  );

  // ——— The API ———
  const tags = ['Safeguarding'];
  app.post(
    '/api/v1/communities/:community/concerns',
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
    '/api/v1/communities/:community/concerns',
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
    '/api/v1/communities/:community/concerns/:concernId',
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
    '/api/v1/communities/:community/concerns/:concernId/person',
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
    '/api/v1/communities/:community/concerns/:concernId/actions',
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

declare module 'fastify' {
  interface Session {
    /** The concern just raised, for the page after it. */
    concernRaised?: { dangerNow: boolean };
  }
}
