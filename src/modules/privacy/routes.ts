import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, notFound } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { formatDay, formatDuration, formatInstant, formatMoney, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson, ownRecord, type PersonRecord } from '../people/service.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const recordParams = communityParams.extend({ recordId: z.uuid() });
const requestParams = communityParams.extend({ requestId: z.uuid() });

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

/** Columns the file keeps but the page leaves out: keys and machinery, not information about the person. */
const machinery = new Set([
  'search',
  'phone_key',
  'list_name',
  'once_key',
  'submission_key',
  'totp_last_step',
  'subject_type',
  'claim_expires_at',
  'reminder_sent_at',
  'detail',
  'version',
]);
const shownOnPage = (column: string) =>
  column !== 'id' &&
  !column.endsWith('_id') &&
  !column.endsWith('_by') &&
  !column.endsWith('_hash') &&
  column !== 'token' &&
  !machinery.has(column);
const timeColumns = new Set(['minutes', 'total_minutes', 'minutes_per_week', 'balance', 'balance_after']);
const isoInstant = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}/;
const isoDay = /^\d{4}-\d{2}-\d{2}$/;
const code = /^[a-z0-9]+([_.-][a-z0-9]+)*$/;

/**
 * A value from the database in words a person reads: dates and times as people write them
 * (London time), yes and no, hours and minutes, pounds, and codes ("in_person") as words.
 * Undefined when there is nothing to show.
 */
function readable(column: string, value: unknown, request: FastifyRequest): string | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  if (Array.isArray(value)) {
    const items = value.map((item) => readable(column, item, request)).filter((item) => item !== undefined);
    return items.length ? items.join(', ') : undefined;
  }
  if (value instanceof Date || (typeof value === 'string' && isoInstant.test(value))) {
    const date = value instanceof Date ? value : new Date(value.replace(' ', 'T').replace(/([+-]\d\d)$/, '$1:00'));
    return Number.isNaN(date.getTime()) ? undefined : formatInstant(date, request.language);
  }
  if (typeof value === 'string' && isoDay.test(value)) return formatDay(value, request.language);
  if (typeof value === 'boolean') return request.t(value ? 'common.yes' : 'common.no');
  if (column === 'preferred_language' && typeof value === 'string')
    return request.t(`languages.${value}`, { defaultValue: value });
  if (typeof value === 'number')
    return column.endsWith('_pence')
      ? formatMoney(value)
      : timeColumns.has(column)
        ? formatDuration(value, request.t)
        : String(value);
  if (typeof value === 'string')
    return code.test(value) && value.length <= 40
      ? value.charAt(0).toUpperCase() + value.slice(1).replace(/[_.-]/g, ' ')
      : value;
  return undefined;
}

/** Privacy: "download my data", and asking to be forgotten, which an admin approves. */
export async function privacyRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}`;
  const own = (request: FastifyRequest) =>
    inRequestCommunity(dependencies, request, (tx, community) => {
      if (!request.person) throw notFound();
      return ownRecord(tx, community.id, request.person);
    });
  const someone = (request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>) =>
    inRequestCommunity(dependencies, request, (tx, community) => getPerson(tx, community.id, request.params.recordId));
  const collect = (request: FastifyRequest, person: PersonRecord) =>
    inRequestCommunity(dependencies, request, async (tx: CommunityTransaction) => ({
      person: { id: person.id, number: person.number, preferredName: person.preferredName },
      madeAt: new Date(),
      sections: await service.everythingAbout(tx, dependencies.personData, person, {
        own: person.accountId !== null && person.accountId === request.person?.id,
      }),
    }));
  const dataPage = async (request: FastifyRequest, reply: FastifyReply, person: PersonRecord, own_: boolean) => {
    const data = await collect(request, person);
    return render(request, reply, 'privacy/views/data.njk', {
      pageTitle: own_
        ? request.t('privacy.data.ownTitle')
        : request.t('privacy.data.title', { name: person.preferredName }),
      own: own_,
      subject: person,
      json: own_ ? `${base(request)}/me/data.json` : `${base(request)}/people/${person.id}/data.json`,
      back: own_ ? `${base(request)}/me` : `${base(request)}/people/${person.id}`,
      // Each table under a heading, each value under a label, in words: the ids and the rest of the detail are in the file.
      sections: data.sections.map((section) => ({
        title: request.t(`privacy.tables.${section.table}`),
        rows: section.rows
          .map((row) =>
            Object.entries(row).flatMap(([column, value]) => {
              const text = shownOnPage(column) ? readable(column, value, request) : undefined;
              return text === undefined
                ? []
                : [{ key: { text: request.t(`privacy.columns.${column}`) }, value: { text } }];
            }),
          )
          .filter((rows) => rows.length > 0),
      })),
    });
  };
  const dataFile = async (request: FastifyRequest, reply: FastifyReply, person: PersonRecord) => {
    const data = await collect(request, person);
    return reply
      .header('content-disposition', `attachment; filename="coproduce-${person.number}.json"`)
      .type('application/json; charset=utf-8')
      .serializer((payload) => JSON.stringify(payload, null, 2))
      .send(data);
  };

  // ——— Download my data ———
  app.get(
    '/c/:community/me/data',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => dataPage(request, reply, await own(request), true),
  );
  app.get(
    '/c/:community/me/data.json',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => dataFile(request, reply, await own(request)),
  );
  // Coordinators answer a request for someone who is not online (by post, by phone).
  app.get(
    '/c/:community/people/:recordId/data',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => dataPage(request, reply, await someone(request), false),
  );
  app.get(
    '/c/:community/people/:recordId/data.json',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => dataFile(request, reply, await someone(request)),
  );

  // ——— Asking to be forgotten ———
  const erasePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    person: PersonRecord,
    own_: boolean,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const waiting = await inRequestCommunity(dependencies, request, (tx) => service.waitingRequest(tx, person.id));
    return render(
      request,
      reply,
      'privacy/views/erase.njk',
      {
        pageTitle: own_
          ? request.t('privacy.erase.ownTitle')
          : request.t('privacy.erase.title', { name: person.preferredName }),
        own: own_,
        subject: person,
        waiting,
        values,
        errors,
        action: own_ ? `${base(request)}/me/erase` : `${base(request)}/people/${person.id}/erase`,
        back: own_ ? `${base(request)}/me` : `${base(request)}/people/${person.id}`,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  const ask = async (request: FastifyRequest, reply: FastifyReply, person: PersonRecord, own_: boolean) => {
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: service.erasureAsk,
      page: (values, errors) => erasePage(request, reply, person, own_, values, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inRequestCommunity(dependencies, request, (tx, community) =>
          service.requestErasure(tx, community.id, person.id, { id: actorId, onBehalf: !own_ }, data.reason),
        ),
      flash: request.t('privacy.erase.asked'),
      next: own_ ? `${base(request)}/me/erase` : `${base(request)}/people/${person.id}/erase`,
    });
  };
  app.get(
    '/c/:community/me/erase',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => erasePage(request, reply, await own(request), true),
  );
  app.post(
    '/c/:community/me/erase',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => ask(request, reply, await own(request), true),
  );
  app.get(
    '/c/:community/people/:recordId/erase',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => erasePage(request, reply, await someone(request), false),
  );
  app.post(
    '/c/:community/people/:recordId/erase',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => ask(request, reply, await someone(request), false),
  );

  // ——— Admins decide ———
  app.get(
    '/c/:community/erasure-requests',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listErasureRequests(tx, community.id),
      );
      return render(request, reply, 'privacy/views/requests.njk', {
        pageTitle: request.t('privacy.requests.title'),
        requests: rows,
        flash: takeFlash(request),
      });
    },
  );
  const decisionPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof requestParams> }>,
    reply: FastifyReply,
    errors?: FieldError[],
    status?: number,
  ) => {
    const found = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.getErasureRequest(tx, community.id, request.params.requestId),
    );
    return render(
      request,
      reply,
      'privacy/views/decide.njk',
      { pageTitle: request.t('privacy.decide.title', { name: found.preferredName }), ...found, errors },
      { status: status ?? (errors ? 400 : 200) },
    );
  };
  app.get(
    '/c/:community/erasure-requests/:requestId',
    { config: { access: access.roles('admin') }, schema: { params: requestParams } },
    async (request, reply) => decisionPage(request, reply),
  );
  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/c/:community/erasure-requests/:requestId/${decision}`,
      { config: { access: access.roles('admin') }, schema: { params: requestParams } },
      async (request, reply) => {
        const actorId = actorOf(request);
        return submitForm(request, reply, {
          schema: service.erasureDecision,
          page: (_values, errors) => decisionPage(request, reply, errors),
          once: { db: dependencies.db, accountId: actorId },
          save: (data) =>
            inRequestCommunity(dependencies, request, (tx, community) =>
              service.decideErasure(
                tx,
                community.id,
                request.params.requestId,
                actorId,
                decision === 'approve',
                data.note,
                dependencies.personData,
              ),
            ),
          flash: request.t(`privacy.decide.${decision}d`),
          next: `${base(request)}/erasure-requests`,
          // Decided meanwhile: the page again, saying so (a 409).
          refused: (error) =>
            error.code === 'erasure-decided'
              ? decisionPage(request, reply, [{ field: 'note', code: 'errors.erasure.decided' }], 409)
              : undefined,
        });
      },
    );
  }

  // ——— The API ———
  const tags = ['Privacy'];
  app.get(
    '/api/v1/communities/:community/me/data',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Everything this community holds about you',
        params: communityParams,
        response: { 200: dataSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => collect(request, await own(request)),
  );
  app.get(
    '/api/v1/communities/:community/people/:recordId/data',
    {
      config: { access: access.roles('coordinator', 'admin') },
      schema: {
        tags,
        summary: 'Everything held about a person (to answer their request)',
        params: recordParams,
        response: { 200: dataSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => collect(request, await someone(request)),
  );
  app.post(
    '/api/v1/communities/:community/me/erasure-request',
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
      const person = await own(request);
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
    '/api/v1/communities/:community/people/:recordId/erasure-request',
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
    '/api/v1/communities/:community/erasure-requests',
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
  for (const decision of ['approve', 'decline'] as const) {
    app.post(
      `/api/v1/communities/:community/erasure-requests/:requestId/${decision}`,
      {
        config: { access: access.roles('admin') },
        schema: {
          tags,
          summary:
            decision === 'approve' ? 'Approve: the person is forgotten now (admins)' : 'Decline, saying why (admins)',
          params: requestParams,
          body: service.erasureDecision,
          response: { 200: erasureSchema, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actorId = actorOf(request);
        return inRequestCommunity(dependencies, request, (tx, community) =>
          service.decideErasure(
            tx,
            community.id,
            request.params.requestId,
            actorId,
            decision === 'approve',
            request.body.note,
            dependencies.personData,
          ),
        );
      },
    );
  }
}
