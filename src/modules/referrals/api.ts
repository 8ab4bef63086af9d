// The referrals API: making a referral, the triage queue and its decisions, a referrer's own
// referrals, a person's own referrals, and the support a community lists.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { hash } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { decodeCursor, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { forbidden, notFound, unauthenticated } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import {
  queueCursor,
  queueCursorOf,
  readers,
  referralContext,
  referralHttp,
  referralParams,
  referrerCursor,
  referrerCursorOf,
  selfReferralLimit,
  triage,
} from './asker.ts';
import * as service from './service.ts';
import { needs } from './store.ts';
import { needWords, offeredNeeds, saveSupportNeeds, type SupportNeed, supportNeedList } from './support-needs.ts';

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

const ownReferralSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(service.referralStatuses),
  source: z.enum(service.referralSources),
  createdAt: z.date(),
  statusChangedAt: z.date(),
  open: z.boolean().describe('Still waiting or being contacted: it can be withdrawn'),
  acceptedProgrammes: z.array(z.string()),
});
const toOwn = ({
  referrerOrganisation: _organisation,
  ...row
}: Awaited<ReturnType<typeof service.ownReferrals>>[number]) => row;

const supportNeedSchema = z.object({
  need: z.enum(needs),
  words: z.string().describe('The words shown in the language asked for'),
  wording: z.partialRecord(z.enum(languages), z.string()),
});
const toList = (request: FastifyRequest, list: readonly SupportNeed[]) => {
  const words = needWords(list, request.language, request.t);
  return { items: list.map((one) => ({ need: one.need, words: words[one.need] ?? '', wording: one.wording })) };
};

/** The referrals API, under /api/v1/communities/:community. */
export async function referralApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { contextFor, communityFor, inCommunityOf } = referralHttp(dependencies);
  const selfLimit = selfReferralLimit(dependencies);
  const tags = ['Referrals'];

  // ——— Referrals in, and the triage queue ———

  const apiSelf = service.selfReferral.extend({ source: z.literal('self') });
  const apiProfessional = service.professionalReferral.extend({
    source: z.literal('professional'),
    agreedToReferral: z.literal(true, { error: 'errors.referral.agreedToReferral.missing' }),
    agreedToUpdates: z.boolean().default(false),
  });
  app.post(
    '/referrals',
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
      const outcome = await inCommunityOf(community, request, (tx) => {
        if (body.source === 'self') {
          const { source: _source, ...answers } = body;
          return service.createSelfReferral(tx, contextFor(community, person?.id ?? null), answers, {
            onBehalf: service.typingInForSomeone(request.asker),
            submissionKey,
          });
        }
        if (!person) throw unauthenticated();
        if (!request.community) throw notFound();
        if (!service.mayRefer(request.asker)) throw forbidden();
        const { source: _source, ...answers } = body;
        return service.createProfessionalReferral(tx, contextFor(community, person.id), answers, {
          referrerId: service.referrerIdFor(request.asker),
          recordedBy: person.id,
          submissionKey,
        });
      });
      if (outcome.repeated) reply.header('idempotent-replayed', 'true');
      return reply.code(201).send(outcome.referral);
    },
  );
  app.get(
    '/referrals',
    {
      // The platform's three (the token with its person, begin with the scope, commit), then the queue's page.
      config: { access: readers, queryBudget: 4 },
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
      if (service.worksTheQueue(request.asker)) {
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
      return paginate(rows, limit, ({ createdAtExact: _exact, ...row }) => row, referrerCursorOf);
    },
  );
  app.get(
    '/referrals/:referralId',
    {
      config: { access: readers },
      schema: {
        tags,
        summary: 'One referral: in full for coordinators; for its referrer, what the person agreed they may know',
        params: referralParams,
        response: { 200: z.union([referralFull, referrerItem]), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      inRequestCommunity(dependencies, request, async (tx, community) => {
        const shown = await service.referralShownTo(tx, community.id, request.params.referralId, request.asker);
        if (shown.full) return toFull(shown.full);
        const { createdAtExact: _exact, ...seen } = shown.seen;
        return seen;
      }),
  );

  // ——— The coordinator's decisions ———

  /** One decision on a referral; the answer is the referral in full, as it is now. */
  const decide =
    <Input>(
      work: (tx: CommunityTransaction, context: service.Context, referralId: string, input: Input) => Promise<unknown>,
    ) =>
    async (request: FastifyRequest<{ Params: z.infer<typeof referralParams> }>) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        // The route's schema checked the body: it is what this decision takes.
        await work(tx, contextFor(community, actorId), request.params.referralId, request.body as Input);
        return toFull(await service.referralInFull(tx, community.id, request.params.referralId));
      });
    };
  const decision = (summary: string, body: z.ZodType) => ({
    config: { access: triage },
    schema: {
      tags,
      summary,
      params: referralParams,
      body,
      response: { 200: referralFull, ...problemResponses(400, 401, 403, 404, 409) },
    },
  });
  app.post(
    '/referrals/:referralId/contact-attempts',
    decision(
      'Record a try at reaching the person (the first moves a new referral to "contacting")',
      service.contactAttempt,
    ),
    decide(service.recordContactAttempt),
  );
  app.post(
    '/referrals/:referralId/accept',
    decision('Accept into one or more programmes', service.acceptance),
    decide(service.acceptReferral),
  );
  app.post(
    '/referrals/:referralId/decline',
    decision('Decline, with a reason', service.declining),
    decide(service.declineReferral),
  );
  app.post(
    '/referrals/:referralId/withdraw',
    decision('The person withdrew', service.withdrawal),
    decide(service.withdrawReferral),
  );

  // ——— A person's own referrals ———

  app.get(
    '/me/referrals',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Your own referrals, newest first: where each has got to',
        params: communityParams,
        response: { 200: z.object({ items: z.array(ownReferralSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const accountId = actorOf(request);
      return {
        items: (
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.ownReferrals(tx, community.id, accountId),
          )
        ).map(toOwn),
      };
    },
  );
  app.post(
    '/me/referrals/:referralId/withdraw',
    {
      config: { access: access.ownOr() },
      schema: {
        tags,
        summary: 'Withdraw your own referral while it is still open',
        params: referralParams,
        body: service.withdrawal,
        response: { 200: ownReferralSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        await service.withdrawOwnReferral(
          tx,
          referralContext(dependencies, community, actorId),
          request.params.referralId,
          request.body,
        );
        const own = (await service.ownReferrals(tx, community.id, actorId)).find(
          (one) => one.id === request.params.referralId,
        );
        if (!own) throw notFound();
        return toOwn(own);
      });
    },
  );

  // ——— The support a community lists on its referral forms ———

  app.get(
    '/support-needs',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'The support a community lists on its referral forms, in order, in its own words',
        description:
          '`words` is in the language asked for (`?lang=`); `wording` holds the community’s own words in each language it gave them.',
        params: communityParams,
        response: { 200: z.object({ items: z.array(supportNeedSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      toList(
        request,
        await inRequestCommunity(dependencies, request, (tx, community) => offeredNeeds(tx, community.id)),
      ),
  );
  app.put(
    '/support-needs',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Replace the support a community lists (admins)',
        description: 'The whole list in the order to offer it; a referral may then ask only for what it lists.',
        params: communityParams,
        body: supportNeedList,
        response: { 200: z.object({ items: z.array(supportNeedSchema) }), ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toList(
        request,
        await inRequestCommunity(dependencies, request, (tx, community) =>
          saveSupportNeeds(tx, community, actorId, request.body),
        ),
      );
    },
  );
}
