// The referral pages: referring someone, a referrer's own referrals, the triage queue and each
// referral's page with the coordinator's decisions. Someone referring themselves: self-referral-routes.ts.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { decodeCursor, paginate } from '../../platform/http/pagination.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { communicationNeeds } from '../people/service.ts';
import { listProgrammes, programmeChoices } from '../programmes/service.ts';
import {
  queueCursor,
  queueCursorOf,
  readers,
  referralHttp,
  referralParams,
  referrerCursor,
  referrerCursorOf,
  referrers,
  triage,
} from './asker.ts';
import * as service from './service.ts';
import { needItems, needWords, offeredNeeds } from './support-needs.ts';

/** The referral pages, under /c/:community/referrals. */
export async function referralPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { contextFor, communityFor, openProgrammes, supportFor } = referralHttp(dependencies);

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
        takingCall: service.takingCall(request.asker),
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
  app.get('/new', { config: { access: referrers }, schema: { params: communityParams } }, async (request, reply) => {
    const organisation = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.organisationOf(tx, community.id, actorOf(request)),
    );
    return professionalPage(request, reply, { referrerOrganisation: organisation });
  });
  app.post('/new', { config: { access: referrers }, schema: { params: communityParams } }, async (request, reply) => {
    const body = withDateFromParts(request.body, 'dateOfBirth');
    const source = service.sourceFor(request.asker, body.source);
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
            referrerId: service.referrerIdFor(request.asker),
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
  });

  // The referrer's own referrals and what became of them.
  app.get(
    '/mine',
    {
      config: { access: access.roles('referrer') },
      schema: { params: communityParams, querystring: z.object({ cursor: z.string().max(500).optional() }) },
    },
    async (request, reply) => {
      const before = decodeCursor(request.query.cursor, referrerCursor);
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.referrerList(tx, community.id, actorOf(request), { before, limit: 50 }),
      );
      const page = paginate(rows, 50, (row) => row, referrerCursorOf);
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
  /** Referrals a page of the queue shows: the longest waiting 25, then the next. */
  const queuePage = 25;
  app.get(
    '',
    {
      // The platform's three (the session with its person, begin with the scope, commit), then one
      // statement for the queue's page and its kept counts.
      config: { access: triage, queryBudget: 4 },
      schema: { params: communityParams, querystring: queueQuery },
    },
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
    '/:referralId',
    { config: { access: readers }, schema: { params: referralParams } },
    async (request, reply) => {
      const view = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const shown = await service.referralShownTo(tx, community.id, request.params.referralId, request.asker);
        return shown.full ? { full: shown.full, list: await offeredNeeds(tx, community.id) } : { seen: shown.seen };
      });
      if (view.full)
        return render(request, reply, 'referrals/views/referral.njk', {
          pageTitle: request.t('referral.title', { reference: view.full.referral.reference }),
          ...view.full,
          needWords: needWords(view.list, request.language, request.t),
          flash: takeFlash(request),
        });
      return render(request, reply, 'referrals/views/referrer-view.njk', {
        pageTitle: request.t('referral.title', { reference: view.seen.reference }),
        seen: view.seen,
        flash: takeFlash(request),
      });
    },
  );

  // The coordinator's four actions, each on its own page.
  const actionSchemas = {
    contact: service.contactAttempt,
    accept: service.acceptance,
    decline: service.declining,
    withdraw: service.withdrawal,
  } as const;
  type Action = keyof typeof actionSchemas;
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
  app.get(
    '/:referralId/contact',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) => actionPage(request, reply, 'contact', {}),
  );
  app.get(
    '/:referralId/accept',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) => actionPage(request, reply, 'accept', {}),
  );
  app.get(
    '/:referralId/decline',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) => actionPage(request, reply, 'decline', {}),
  );
  app.get(
    '/:referralId/withdraw',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) => actionPage(request, reply, 'withdraw', {}),
  );
  app.post(
    '/:referralId/contact',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'contact', (tx, context, data) =>
        service.recordContactAttempt(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/:referralId/accept',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'accept', (tx, context, data) =>
        service.acceptReferral(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/:referralId/decline',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'decline', (tx, context, data) =>
        service.declineReferral(tx, context, request.params.referralId, data),
      ),
  );
  app.post(
    '/:referralId/withdraw',
    { config: { access: triage }, schema: { params: referralParams } },
    async (request, reply) =>
      decide(request, reply, 'withdraw', (tx, context, data) =>
        service.withdrawReferral(tx, context, request.params.referralId, data),
      ),
  );
}
