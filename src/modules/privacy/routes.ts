// The privacy pages: "download my data", and asking to be forgotten, which an admin approves.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { formatDay, formatDuration, formatInstant, formatMoney, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import type { PersonRecord } from '../people/service.ts';
import { dataAbout, ownRecordOf, recordOf, recordParams, requestParams } from './asker.ts';
import * as service from './service.ts';

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

/** The privacy pages, under /c/:community: /me for each member, /people for coordinators, /erasure-requests for admins. */
export async function privacyPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}`;
  const dataPage = async (request: FastifyRequest, reply: FastifyReply, person: PersonRecord, own_: boolean) => {
    const data = await dataAbout(dependencies, request, person);
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
    const data = await dataAbout(dependencies, request, person);
    return reply
      .header('content-disposition', `attachment; filename="coproduce-${person.number}.json"`)
      .type('application/json; charset=utf-8')
      .serializer((payload) => JSON.stringify(payload, null, 2))
      .send(data);
  };

  // ——— Download my data ———
  app.get(
    '/me/data',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => dataPage(request, reply, await ownRecordOf(dependencies, request), true),
  );
  app.get(
    '/me/data.json',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => dataFile(request, reply, await ownRecordOf(dependencies, request)),
  );
  // Coordinators answer a request for someone who is not online (by post, by phone).
  app.get(
    '/people/:recordId/data',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => dataPage(request, reply, await recordOf(dependencies, request), false),
  );
  app.get(
    '/people/:recordId/data.json',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => dataFile(request, reply, await recordOf(dependencies, request)),
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
    '/me/erase',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => erasePage(request, reply, await ownRecordOf(dependencies, request), true),
  );
  app.post(
    '/me/erase',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => ask(request, reply, await ownRecordOf(dependencies, request), true),
  );
  app.get(
    '/people/:recordId/erase',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => erasePage(request, reply, await recordOf(dependencies, request), false),
  );
  app.post(
    '/people/:recordId/erase',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => ask(request, reply, await recordOf(dependencies, request), false),
  );

  // ——— Admins decide ———
  app.get(
    '/erasure-requests',
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
    '/erasure-requests/:requestId',
    { config: { access: access.roles('admin') }, schema: { params: requestParams } },
    async (request, reply) => decisionPage(request, reply),
  );
  /** An admin's decision on a request from its page: approving forgets the person now. */
  const decide = (
    request: FastifyRequest<{ Params: z.infer<typeof requestParams> }>,
    reply: FastifyReply,
    decision: 'approve' | 'decline',
  ) => {
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
  };
  app.post(
    '/erasure-requests/:requestId/approve',
    { config: { access: access.roles('admin') }, schema: { params: requestParams } },
    async (request, reply) => decide(request, reply, 'approve'),
  );
  app.post(
    '/erasure-requests/:requestId/decline',
    { config: { access: access.roles('admin') }, schema: { params: requestParams } },
    async (request, reply) => decide(request, reply, 'decline'),
  );
}
