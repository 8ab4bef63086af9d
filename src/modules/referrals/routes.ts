import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { hash, randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { actorOf, communityToVisit, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { cursorFields, decodeCursor, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { type FieldError, forbidden, notFound, unauthenticated } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import {
  type Community,
  type CommunityTransaction,
  inCommunity,
  type Role,
  staffRoles,
} from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { communicationNeeds } from '../people/service.ts';
import { listProgrammes, programmeChoices } from '../programmes/service.ts';
import * as service from './service.ts';
import { needItems, needWords, offeredNeeds } from './support-needs.ts';

const communityParams = z.object({ community: z.string().max(60) });
const referralParams = communityParams.extend({ referralId: z.uuid() });

/** Who works the triage queue. */
const triage = access.roles('coordinator', 'admin');
/** Who may refer someone: referrers, and coordinators taking a referral by phone. */
const referrers: Role[] = ['referrer', 'coordinator', 'admin'];

// ——— What the API says ———

const referralCreated = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(service.referralStatuses),
  source: z.enum(service.referralSources),
  createdAt: z.date(),
});
const queueItem = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(service.referralStatuses),
  source: z.enum(service.referralSources),
  urgency: z.enum(service.urgencies),
  referrerOrganisation: z.string(),
  person: z.object({ id: z.uuid(), preferredName: z.string() }),
  programmes: z.array(z.string()),
  createdAt: z.date(),
  contactDueOn: z.string(),
  firstContactedAt: z.date().nullable(),
  overdue: z.boolean(),
  daysWaiting: z.number().int(),
});
const referrerItem = z.object({
  id: z.uuid(),
  reference: z.string(),
  preferredName: z.string(),
  createdAt: z.date(),
  urgency: z.enum(service.urgencies),
  requestedProgrammes: z.array(z.string()),
  shared: z
    .boolean()
    .describe('false: the person chose not to have updates shared with you, so the status stays "received"'),
  status: z.enum([...service.referralStatuses, 'received']),
  acceptedProgrammes: z.array(z.string()),
  declineReason: z.enum(service.declineReasons).nullable(),
  updatedAt: z.date().nullable(),
});
const referralFull = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(service.referralStatuses),
  source: z.enum(service.referralSources),
  urgency: z.enum(service.urgencies),
  onBehalf: z.boolean(),
  referrerOrganisation: z.string(),
  referrer: z.object({ displayName: z.string(), email: z.string() }).nullable(),
  person: z.object({
    id: z.uuid(),
    number: z.number().int(),
    preferredName: z.string(),
    fullName: z.string(),
    dateOfBirth: z.string().nullable(),
    phone: z.string().nullable(),
    email: z.string().nullable(),
  }),
  needs: z.array(z.string()),
  reason: z.string(),
  risks: z.string(),
  programmes: z.array(
    z.object({ id: z.uuid(), name: z.string(), requested: z.boolean(), acceptedAt: z.date().nullable() }),
  ),
  contactDueOn: z.string(),
  firstContactedAt: z.date().nullable(),
  overdue: z.boolean(),
  daysWaiting: z.number().int(),
  declineReason: z.enum(service.declineReasons).nullable(),
  outcomeNote: z.string(),
  createdAt: z.date(),
  statusChangedAt: z.date(),
  contactAttempts: z.array(
    z.object({
      id: z.uuid(),
      at: z.date(),
      method: z.enum(service.contactMethods),
      outcome: z.enum(service.contactOutcomes),
      note: z.string(),
    }),
  ),
  history: z.array(
    z.object({
      kind: z.string(),
      fromStatus: z.string().nullable(),
      toStatus: z.string().nullable(),
      at: z.date(),
      by: z.string().nullable(),
      note: z.string(),
    }),
  ),
});
type Full = Awaited<ReturnType<typeof service.referralInFull>>;
const toFull = (full: Full) => ({
  ...full.referral,
  referrer: full.referrer ?? null,
  person: full.referred,
  programmes: full.programmes,
  overdue: full.overdue,
  daysWaiting: full.waiting.days,
  contactAttempts: full.attempts,
  history: full.events.map((event) => ({ ...event, by: event.actorName })),
});
type QueueRow = Awaited<ReturnType<typeof service.listQueue>>[number];
const toQueueItem = (row: QueueRow) => ({
  ...row,
  person: { id: row.personRecordId, preferredName: row.preferredName },
});

/** What the referral rules need from the running service, for one community and whoever acts. */
export const referralContext = <Actor extends string | null>(
  dependencies: Dependencies,
  community: Community,
  actorId: Actor,
): service.Context & { actorId: Actor } => ({
  community,
  actorId,
  notifyConfigured: dependencies.notifyConfigured,
  publicUrl: dependencies.publicUrl,
  acceptance: dependencies.acceptance,
});

/** What the referral pages share: the rules' context, the community in the path and what it offers. */
export function referralPages(dependencies: Dependencies) {
  const contextFor = (community: Community, actorId: string | null) =>
    referralContext(dependencies, community, actorId);
  /** The community in the path: a member's own, or looked up for someone not (yet) in it. */
  const communityFor = (request: FastifyRequest, slug: string): Promise<Community> =>
    communityToVisit(dependencies.db, request, slug);
  const inCommunityOf = <T>(
    community: Community,
    request: FastifyRequest,
    work: Parameters<typeof inCommunity<T>>[2],
  ) => inCommunity(dependencies.db, { communityId: community.id, personId: request.person?.id ?? null }, work);
  const openProgrammes = (community: Community, request: FastifyRequest) =>
    inCommunityOf(community, request, (tx) => listProgrammes(tx, community.id, { openOnly: true }));
  /** The support the community lists, and its words for each in the reader's language. */
  const supportFor = async (community: Community, request: FastifyRequest) => {
    const list = await inCommunityOf(community, request, (tx) => offeredNeeds(tx, community.id));
    return { list, words: needWords(list, request.language, request.t) };
  };
  return { contextFor, communityFor, inCommunityOf, openProgrammes, supportFor };
}

/** How many self-referrals one address may send in an hour, through the pages or the API. */
export const selfReferralLimit = (dependencies: Dependencies) => ({
  rateLimit: { max: dependencies.config.selfReferralRateLimit, timeWindow: 3_600_000, hook: 'preHandler' as const },
});

/**
 * Referrals: referring someone, the triage queue and closing the loop with referrers. Someone
 * referring themselves: self-referral-routes.ts.
 */
export async function referralRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { contextFor, communityFor, inCommunityOf, openProgrammes, supportFor } = referralPages(dependencies);
  const selfLimit = selfReferralLimit(dependencies);

  // ——— A professional refers someone ———

  const professionalPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const community = await communityFor(request, (request.params as { community: string }).community);
    const offered = await openProgrammes(community, request);
    const support = await supportFor(community, request);
    // A community with one programme open: it is the one (nothing to choose on a fresh form).
    const chosen =
      values.programmeIds === undefined && !errors && offered.length === 1
        ? [offered[0]?.id]
        : ([] as unknown[]).concat(values.programmeIds ?? []);
    return render(
      request,
      reply,
      'referrals/views/professional.njk',
      {
        pageTitle: request.t('professional.title'),
        values,
        errors,
        takingCall: !request.roles.includes('referrer'),
        submissionKey: typeof values.submissionKey === 'string' ? values.submissionKey : randomUUID(),
        programmeItems: offered.map((programme) => ({
          value: programme.id,
          text: programme.name,
          checked: chosen.includes(programme.id),
        })),
        needItems: needItems(support.list, support.words, values.needs),
        urgencyItems: choices(request, 'referrals.urgency', service.urgencies, values.urgency, { hints: true }),
        sourceItems: choices(
          request,
          'professional.sources',
          ['professional', 'self'],
          values.source ?? 'professional',
        ),
        communicationItems: choices(request, 'people.needs', communicationNeeds, values.communicationNeeds),
        dateOfBirthParts: dateParts(values.dateOfBirth),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/referrals/new',
    { config: { access: access.roles(...referrers) }, schema: { params: communityParams } },
    async (request, reply) => {
      const organisation = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.organisationOf(tx, community.id, actorOf(request)),
      );
      return professionalPage(request, reply, { referrerOrganisation: organisation });
    },
  );
  app.post(
    '/c/:community/referrals/new',
    { config: { access: access.roles(...referrers) }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'dateOfBirth');
      const takingCall = !request.roles.includes('referrer');
      const source = takingCall && body.source === 'self' ? 'self' : 'professional';
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.professionalReferral,
        body: source === 'self' ? { ...body, agreedToUpdates: undefined } : body,
        page: (_values, errors) => professionalPage(request, reply, body, errors),
        // Sent twice, one referral: the form's submission key finds the first.
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.createProfessionalReferral(tx, contextFor(community, actorId), data, {
              source,
              referrerId: request.roles.includes('referrer') ? actorId : null,
              recordedBy: actorId,
              submissionKey:
                typeof body.submissionKey === 'string'
                  ? service.submissionKeyFor('page', actorId, body.submissionKey.slice(0, 100))
                  : null,
            }),
          ),
        flash: (created) => request.t('professional.sent', { reference: created.referral.reference }),
        next: (created) => `/c/${request.params.community}/referrals/${created.referral.id}`,
      });
    },
  );

  // The referrer's own referrals and what became of them.
  app.get(
    '/c/:community/referrals/mine',
    {
      config: { access: access.roles('referrer') },
      schema: { params: communityParams, querystring: z.object({ cursor: z.string().max(500).optional() }) },
    },
    async (request, reply) => {
      const before = decodeCursor(
        request.query.cursor,
        z.object({ createdAt: cursorFields.instant, id: cursorFields.id }),
      );
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.referrerList(tx, community.id, actorOf(request), { before, limit: 50 }),
      );
      const page = paginate(
        rows,
        50,
        (row) => row,
        (row) => ({ createdAt: row.createdAtExact, id: row.id }),
      );
      return render(request, reply, 'referrals/views/mine.njk', {
        pageTitle: request.t('mine.referralsTitle'),
        referrals: page.items,
        nextHref: page.nextCursor ? `?cursor=${page.nextCursor}` : null,
        flash: takeFlash(request),
      });
    },
  );

  // ——— The triage queue ———

  const queueQuery = z.object({
    status: z
      .enum([...service.referralStatuses, 'open'])
      .optional()
      .catch(undefined),
    programme: z.uuid().optional().catch(undefined),
    source: z.enum(service.referralSources).optional().catch(undefined),
    urgency: z.enum(service.urgencies).optional().catch(undefined),
    overdue: z.enum(['yes']).optional().catch(undefined),
    search: z.string().max(100).optional(),
    cursor: z.string().max(500).optional(),
  });
  const queueCursor = z.object({
    priority: cursorFields.integer.min(0).max(2),
    createdAt: cursorFields.instant,
    id: cursorFields.id,
  });
  const referrerCursor = z.object({ createdAt: cursorFields.instant, id: cursorFields.id });
  const queueCursorOf = (row: { priority: number; createdAtExact: string; id: string }) => ({
    priority: row.priority,
    createdAt: row.createdAtExact,
    id: row.id,
  });
  /** Referrals a page of the queue shows: the longest waiting 25, then the next. */
  const queuePage = 25;
  app.get(
    '/c/:community/referrals',
    { config: { access: triage }, schema: { params: communityParams, querystring: queueQuery } },
    async (request, reply) => {
      const { cursor, ...filterQuery } = request.query;
      const status = filterQuery.status ?? 'open';
      const filter: service.QueueFilter = {
        status,
        programmeId: filterQuery.programme,
        source: filterQuery.source,
        urgency: filterQuery.urgency,
        overdue: filterQuery.overdue === 'yes',
        search: filterQuery.search,
      };
      const after = decodeCursor(cursor, queueCursor);
      const view = await inRequestCommunity(dependencies, request, async (tx, community) => ({
        rows: await service.listQueue(tx, community.id, filter, { after, limit: queuePage }),
        counts: await service.queueCounts(tx, community.id),
        offered: await programmeChoices(tx, community.id),
      }));
      const page = paginate(view.rows, queuePage, (row) => row, queueCursorOf);
      const kept = Object.fromEntries(
        Object.entries({ ...filterQuery, status }).filter(([, value]) => value !== undefined && value !== ''),
      ) as Record<string, string>;
      return render(request, reply, 'referrals/views/queue.njk', {
        pageTitle: request.t('queue.title'),
        referrals: page.items,
        counts: view.counts,
        status,
        filter: filterQuery,
        tabs: ['open', ...service.referralStatuses],
        programmeOptions: view.offered,
        filtered: Boolean(
          filterQuery.programme ||
          filterQuery.source ||
          filterQuery.urgency ||
          filterQuery.overdue ||
          filterQuery.search,
        ),
        nextHref: page.nextCursor ? `?${new URLSearchParams({ ...kept, cursor: page.nextCursor })}` : null,
        flash: takeFlash(request),
      });
    },
  );

  // One referral: the whole story for coordinators; what they may know for the referrer who made it.
  app.get(
    '/c/:community/referrals/:referralId',
    { config: { access: access.roles('coordinator', 'admin', 'referrer') }, schema: { params: referralParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      if (request.roles.includes('coordinator') || request.roles.includes('admin')) {
        const { full, list } = await inRequestCommunity(dependencies, request, async (tx, community) => ({
          full: await service.referralInFull(tx, community.id, request.params.referralId),
          list: await offeredNeeds(tx, community.id),
        }));
        return render(request, reply, 'referrals/views/referral.njk', {
          pageTitle: request.t('referral.title', { reference: full.referral.reference }),
          ...full,
          needWords: needWords(list, request.language, request.t),
          flash: takeFlash(request),
        });
      }
      const { seen } = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.referralSeenBy(tx, community.id, request.params.referralId, { id: actorId, staff: false }),
      );
      return render(request, reply, 'referrals/views/referrer-view.njk', {
        pageTitle: request.t('referral.title', { reference: seen.reference }),
        seen,
        flash: takeFlash(request),
      });
    },
  );

  // The coordinator's four actions, each on its own page.
  const decisions = ['contact', 'accept', 'decline', 'withdraw'] as const;
  type Action = (typeof decisions)[number];
  const actionSchemas = {
    contact: service.contactAttempt,
    accept: service.acceptance,
    decline: service.declining,
    withdraw: service.withdrawal,
  } as const;
  const actionPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof referralParams> }>,
    reply: FastifyReply,
    action: Action,
    values: Record<string, unknown>,
    errors?: FieldError[],
    status?: number,
  ) => {
    const view = await inRequestCommunity(dependencies, request, async (tx, community) => ({
      full: await service.referralInFull(tx, community.id, request.params.referralId),
      offered: await listProgrammes(tx, community.id, { openOnly: true }),
      needWords: needWords(await offeredNeeds(tx, community.id), request.language, request.t),
    }));
    const requested = view.full.programmes.filter((programme) => programme.requested).map((programme) => programme.id);
    const chosen = values.programmeIds === undefined ? requested : ([] as unknown[]).concat(values.programmeIds);
    return render(
      request,
      reply,
      'referrals/views/action.njk',
      {
        pageTitle: request.t(`referralActions.${action}.title`),
        action,
        ...view.full,
        needWords: view.needWords,
        values,
        errors,
        formKey: randomUUID(),
        closed: !service.isOpen(view.full.referral.status),
        methodItems: choices(request, 'referrals.contactMethods', service.contactMethods, values.method),
        outcomeItems: choices(request, 'referrals.contactOutcomes', service.contactOutcomes, values.outcome),
        programmeItems: view.offered.map((programme) => ({
          value: programme.id,
          text: programme.name,
          hint: { text: request.t(`programmes.kinds.${programme.kind}.name`) },
          checked: chosen.includes(programme.id),
        })),
        reasonItems: choices(request, 'referrals.declineReasons', service.declineReasons, values.reason),
      },
      { status: status ?? (errors ? 400 : 200) },
    );
  };
  /** One decision on a referral from its page; a contact attempt saved twice would be two attempts, so each form does its work once. */
  const decide = <Chosen extends Action>(
    request: FastifyRequest<{ Params: z.infer<typeof referralParams> }>,
    reply: FastifyReply,
    action: Chosen,
    save: (
      tx: CommunityTransaction,
      context: ReturnType<typeof contextFor>,
      data: z.infer<(typeof actionSchemas)[Chosen]>,
    ) => Promise<{ reference: string }>,
  ) => {
    const body = { ...(request.body as Record<string, unknown>) };
    // The date and time of a contact come from two fields; empty means now.
    if (action === 'contact')
      body.at =
        typeof body.date === 'string' && body.date
          ? `${body.date}T${typeof body.time === 'string' && body.time ? body.time : '12:00'}:00`
          : undefined;
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: actionSchemas[action],
      body,
      page: (_values, errors) =>
        actionPage(
          request,
          reply,
          action,
          body,
          errors.map((error) => (error.field === 'at' ? { ...error, field: 'date' } : error)),
        ),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inRequestCommunity(dependencies, request, (tx, community) =>
          save(tx, contextFor(community, actorId), data as z.infer<(typeof actionSchemas)[Chosen]>),
        ),
      flash: (changed) => request.t(`referralActions.${String(action)}.done`, { reference: changed.reference }),
      next: `/c/${request.params.community}/referrals/${request.params.referralId}`,
      refused: (error) =>
        error.code === 'referral-closed'
          ? actionPage(request, reply, action, body, [{ field: 'form', code: 'errors.referral.closed' }], 409)
          : undefined,
    });
  };
  for (const action of decisions)
    app.get(
      `/c/:community/referrals/:referralId/${action}`,
      { config: { access: triage }, schema: { params: referralParams } },
      async (request, reply) => actionPage(request, reply, action, {}),
    );
  app.post(
    '/c/:community/referrals/:referralId/contact',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'contact', (tx, context, data) =>
        service.recordContactAttempt(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/c/:community/referrals/:referralId/accept',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'accept', (tx, context, data) =>
        service.acceptReferral(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/c/:community/referrals/:referralId/decline',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'decline', (tx, context, data) =>
        service.declineReferral(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/c/:community/referrals/:referralId/withdraw',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'withdraw', (tx, context, data) =>
        service.withdrawReferral(tx, context, request.params.referralId, data),
      ),
  );

  // ——— The API ———
  const tags = ['Referrals'];
  const apiSelf = service.selfReferral.extend({ source: z.literal('self') });
  const apiProfessional = service.professionalReferral.extend({
    source: z.literal('professional'),
    agreedToReferral: z.literal(true, { error: 'errors.referral.agreedToReferral.missing' }),
    agreedToUpdates: z.boolean().default(false),
  });
  app.post(
    '/api/v1/communities/:community/referrals',
    {
      config: {
        access: access.public,
        ...selfLimit,
        rateLimit: {
          ...selfLimit.rateLimit,
          max: (request: FastifyRequest) => (request.person ? 1000 : dependencies.config.selfReferralRateLimit),
        },
      },
      schema: {
        tags,
        summary: 'Make a referral',
        description:
          '`source: "self"` needs no account: someone asking for support for themselves. `source: "professional"` needs a referrer’s (or coordinator’s) token and two agreements from the person: to be referred (`agreedToReferral: true`), and whether the referrer may be told what happens (`agreedToUpdates`). Send `Idempotency-Key` so that a repeat finds the first referral.',
        params: communityParams,
        body: z.discriminatedUnion('source', [apiSelf, apiProfessional], { error: 'errors.referral.source.invalid' }),
        response: { 201: referralCreated, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request, reply) => {
      const community = await communityFor(request, request.params.community);
      const person = request.person;
      const key = request.headers['idempotency-key'];
      const body = request.body;
      // Callers without an account share one space of keys: theirs also carries what they sent,
      // so that the same key with another referral is another referral, never someone else's.
      const caller = person?.id ?? `anonymous:${hash('sha256', JSON.stringify(body), 'hex')}`;
      const submissionKey =
        typeof key === 'string' && key ? service.submissionKeyFor('api', caller, key.slice(0, 200)) : null;
      // Anyone holding a role that works with other people's records is typing it in for someone.
      const staff = request.roles.some((role) => staffRoles.includes(role));
      const outcome = await inCommunityOf(community, request, (tx) => {
        if (body.source === 'self') {
          const { source: _source, ...answers } = body;
          return service.createSelfReferral(tx, contextFor(community, person?.id ?? null), answers, {
            onBehalf: staff,
            submissionKey,
          });
        }
        if (!person) throw unauthenticated();
        if (!request.community) throw notFound();
        if (!request.roles.some((role) => referrers.includes(role))) throw forbidden();
        const { source: _source, ...answers } = body;
        return service.createProfessionalReferral(tx, contextFor(community, person.id), answers, {
          referrerId: request.roles.includes('referrer') ? person.id : null,
          recordedBy: person.id,
          submissionKey,
        });
      });
      if (outcome.repeated) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(outcome.referral);
    },
  );
  app.get(
    '/api/v1/communities/:community/referrals',
    {
      config: { access: access.roles('coordinator', 'admin', 'referrer') },
      schema: {
        tags,
        summary:
          'Referrals: coordinators see the whole queue (urgent, then overdue, then the rest; the longest waiting first within each; with filters and counts); referrers see their own, newest first',
        params: communityParams,
        querystring: pageQuery.extend({
          status: z.enum([...service.referralStatuses, 'open']).optional(),
          programme: z.uuid().optional(),
          source: z.enum(service.referralSources).optional(),
          urgency: z.enum(service.urgencies).optional(),
          overdue: z.coerce.boolean().optional(),
          search: z.string().max(100).optional(),
        }),
        response: {
          200: z.object({
            items: z.array(z.union([queueItem, referrerItem])),
            nextCursor: z.string().nullable(),
            counts: z.record(z.string(), z.number().int()).optional(),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const { cursor, limit, ...query } = request.query;
      const actorId = actorOf(request);
      if (request.roles.includes('coordinator') || request.roles.includes('admin')) {
        const after = decodeCursor(cursor, queueCursor);
        const { rows, counts } = await inRequestCommunity(dependencies, request, async (tx, community) => ({
          rows: await service.listQueue(
            tx,
            community.id,
            {
              status: query.status,
              programmeId: query.programme,
              source: query.source,
              urgency: query.urgency,
              overdue: query.overdue,
              search: query.search,
            },
            { after, limit },
          ),
          counts: await service.queueCounts(tx, community.id),
        }));
        return { ...paginate(rows, limit, toQueueItem, queueCursorOf), counts };
      }
      const before = decodeCursor(cursor, referrerCursor);
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.referrerList(tx, community.id, actorId, { before, limit }),
      );
      return paginate(
        rows,
        limit,
        ({ createdAtExact: _exact, ...row }) => row,
        (row) => ({ createdAt: row.createdAtExact, id: row.id }),
      );
    },
  );
  app.get(
    '/api/v1/communities/:community/referrals/:referralId',
    {
      config: { access: access.roles('coordinator', 'admin', 'referrer') },
      schema: {
        tags,
        summary: 'One referral: in full for coordinators; for its referrer, what the person agreed they may know',
        params: referralParams,
        response: { 200: z.union([referralFull, referrerItem]), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        if (request.roles.includes('coordinator') || request.roles.includes('admin'))
          return toFull(await service.referralInFull(tx, community.id, request.params.referralId));
        const { createdAtExact: _exact, ...seen } = (
          await service.referralSeenBy(tx, community.id, request.params.referralId, { id: actorId, staff: false })
        ).seen;
        return seen;
      });
    },
  );
  const apiAction = (
    path: string,
    summary: string,
    body: z.ZodType,
    work: (
      tx: Parameters<Parameters<typeof inRequestCommunity>[2]>[0],
      context: service.Context,
      referralId: string,
      input: never,
    ) => Promise<unknown>,
  ) =>
    app.post(
      `/api/v1/communities/:community/referrals/:referralId/${path}`,
      {
        config: { access: triage },
        schema: {
          tags,
          summary,
          params: referralParams,
          body,
          response: { 200: referralFull, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) => {
        const actorId = actorOf(request);
        return inRequestCommunity(dependencies, request, async (tx, community) => {
          await work(tx, contextFor(community, actorId), request.params.referralId, request.body as never);
          return toFull(await service.referralInFull(tx, community.id, request.params.referralId));
        });
      },
    );
  apiAction(
    'contact-attempts',
    'Record a try at reaching the person (the first moves a new referral to "contacting")',
    service.contactAttempt,
    (tx, context, id, input) => service.recordContactAttempt(tx, context, id, input),
  );
  apiAction('accept', 'Accept into one or more programmes', service.acceptance, (tx, context, id, input) =>
    service.acceptReferral(tx, context, id, input),
  );
  apiAction('decline', 'Decline, with a reason', service.declining, (tx, context, id, input) =>
    service.declineReferral(tx, context, id, input),
  );
  apiAction('withdraw', 'The person withdrew', service.withdrawal, (tx, context, id, input) =>
    service.withdrawReferral(tx, context, id, input),
  );
}
