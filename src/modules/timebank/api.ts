// The time bank's JSON API, under /api/v1/communities/{community}/timebank/.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, encodeCursor, pageOf, pageQuery } from '../../platform/http/pagination.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import { exchangeContexts, exchangeParams, recordParams, sideOrStaff, staff, timebankWork } from './asker.ts';
import * as exchanges from './exchanges.ts';
import * as service from './service.ts';

const partySchema = z.object({
  accountId: z.uuid(),
  side: z.enum(['giver', 'receiver']),
  minutes: z.number().int(),
  name: z.string(),
  personRecordId: z.uuid().nullable(),
});
const exchangeSchema = z.object({
  id: z.uuid(),
  group: z.boolean(),
  status: z.enum(service.exchangeStatuses),
  occurredOn: z.string(),
  categoryId: z.uuid().nullable(),
  category: z.string().nullable(),
  postId: z.uuid().nullable(),
  note: z.string(),
  potPaysReceivers: z.boolean(),
  onBehalf: z.boolean(),
  confirmsOn: z.string().nullable().describe('The day it confirms itself if nobody disputes it'),
  disputeReason: z.string(),
  createdAt: z.date(),
  parties: z.array(partySchema),
  transferId: z.uuid().nullable().describe('The ledger transfer, once confirmed'),
  reversedBy: z.uuid().nullable(),
});
const toExchange = (full: exchanges.ExchangeInFull): z.infer<typeof exchangeSchema> => ({
  id: full.exchange.id,
  group: full.exchange.group,
  status: full.exchange.status,
  occurredOn: full.exchange.occurredOn,
  categoryId: full.exchange.categoryId,
  category: full.category,
  postId: full.exchange.postId,
  note: full.exchange.note,
  potPaysReceivers: full.exchange.potPaysReceivers,
  onBehalf: full.exchange.onBehalf,
  confirmsOn: full.exchange.status === 'pending' ? full.exchange.confirmsOn : null,
  disputeReason: full.exchange.disputeReason,
  createdAt: full.exchange.createdAt,
  parties: full.parties.map(({ accountId, side, minutes, name, personRecordId }) => ({
    accountId,
    side,
    minutes,
    name,
    personRecordId,
  })),
  transferId: full.transferId,
  reversedBy: full.reversal?.id ?? null,
});
const movementSchema = z.object({
  id: z.number().int(),
  occurredOn: z.string(),
  minutes: z.number().int().describe('Positive: time received into the account; negative: time paid'),
  balanceAfter: z.number().int(),
  kind: z.string(),
  category: z.string().nullable(),
  note: z.string(),
  with: z.string().describe('The other people or organisations in the transfer'),
  transferId: z.uuid(),
  exchangeId: z.uuid().nullable(),
  reversesId: z.uuid().nullable(),
  reversed: z.boolean(),
});
const accountSchema = z.object({
  accountId: z.uuid(),
  personRecordId: z.uuid(),
  name: z.string(),
  balance: z.number().int().describe('Minutes'),
  minimumBalance: z.number().int().describe('The lowest the balance may go, in minutes'),
  onboarded: z.boolean(),
  movements: z.array(movementSchema),
  nextCursor: z.string().nullable(),
});
const categorySchema = z.object({
  id: z.uuid(),
  name: z.string(),
  checkLevel: z.enum(service.checkLevels),
  homeVisit: z.boolean(),
  archived: z.boolean(),
});
const transferSchema = z.object({
  id: z.uuid(),
  movements: z.array(z.object({ accountId: z.uuid(), minutes: z.number().int(), balanceAfter: z.number().int() })),
});

/** The time bank's JSON API, under /api/v1/communities/:community/timebank: exchanges, the pot, accounts, categories, members. */
export async function timebankApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const api = parent.withTypeProvider<ZodTypeProvider>();
  const tags = ['Time bank'];
  const inTimebank = timebankWork(dependencies);
  const contextOf = exchangeContexts(dependencies);
  /** An exchange the asker may see, as the API gives it. */
  const readExchange = async (
    tx: CommunityTransaction,
    communityId: string,
    exchangeId: string,
    request: FastifyRequest,
    ownId: string | null,
  ) => toExchange(await exchanges.visibleExchange(tx, contextOf(request, communityId, ownId), exchangeId));

  api.post(
    '/exchanges',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Record time given by one member to another',
        description:
          'Either side records it (`giver` and `receiver` are person record ids); the other side confirms or disputes it, and it confirms itself after the time bank’s days. Coordinators may record for anyone and send `confirmNow: true`. Only a confirmed exchange moves balances. Send an `Idempotency-Key`.',
        params: communityParams,
        body: exchanges.newExchange,
        response: { 201: exchangeSchema, ...problemResponses(400, 401, 403, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inTimebank(request, async (tx, communityId, ownId) => {
          const exchange = await exchanges.recordExchange(tx, contextOf(request, communityId, ownId), request.body);
          return readExchange(tx, communityId, exchange.id, request, ownId);
        }),
      })),
  );
  api.get(
    '/exchanges',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Exchanges newest first: your own, or everyone’s for coordinators',
        params: communityParams,
        querystring: pageQuery.extend({ status: z.enum(service.exchangeStatuses).optional() }),
        response: { 200: pageOf(exchangeSchema), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId, ownId) => {
        const whose = exchanges.exchangesListedFor(contextOf(request, communityId, ownId));
        if (!whose) return { items: [], nextCursor: null };
        const before = decodeCursor(
          request.query.cursor,
          z.object({ createdAt: cursorFields.instant, id: cursorFields.id }),
        );
        const ids = await exchanges.exchangeIds(tx, communityId, {
          personRecordId: whose.personRecordId,
          status: request.query.status,
          before,
          limit: request.query.limit,
        });
        const page = ids.slice(0, request.query.limit);
        const items = [];
        for (const { id } of page) items.push(toExchange(await exchanges.getExchange(tx, communityId, id)));
        const last = page[page.length - 1];
        return {
          items,
          nextCursor:
            ids.length > request.query.limit && last ? encodeCursor({ createdAt: last.createdAt, id: last.id }) : null,
        };
      }),
  );
  api.get(
    '/exchanges/:exchangeId',
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary: 'One exchange (its sides, or coordinators)',
        params: exchangeParams,
        response: { 200: exchangeSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inTimebank(request, (tx, communityId, ownId) =>
        readExchange(tx, communityId, request.params.exchangeId, request, ownId),
      ),
  );
  const action = <Name extends 'confirm' | 'dispute' | 'cancel' | 'reverse'>(
    path: `/exchanges/:exchangeId/${NoInfer<Name>}`,
    name: Name,
    summary: string,
    body: z.ZodType | undefined,
  ) =>
    api.post(
      path,
      {
        config: { access: name === 'reverse' ? staff : sideOrStaff },
        schema: {
          tags,
          summary,
          params: exchangeParams,
          ...(body ? { body } : {}),
          response: { 200: exchangeSchema, ...problemResponses(400, 401, 403, 404, 409) },
        },
      },
      async (request) =>
        inTimebank(request, async (tx, communityId, ownId) => {
          const context = contextOf(request, communityId, ownId);
          const id = request.params.exchangeId;
          if (name === 'confirm') await exchanges.confirmExchange(tx, context, id);
          else if (name === 'cancel') await exchanges.cancelExchange(tx, context, id);
          else if (name === 'dispute')
            await exchanges.disputeExchange(tx, context, id, request.body as z.infer<typeof exchanges.disputeDetails>);
          else
            await exchanges.reverseExchange(tx, context, id, request.body as z.infer<typeof exchanges.reversalDetails>);
          return readExchange(tx, communityId, id, request, ownId);
        }),
    );
  action(
    '/exchanges/:exchangeId/confirm',
    'confirm',
    'Confirm an exchange: the side that did not record it, or a coordinator. It moves both balances; confirming twice moves them once',
    undefined,
  );
  action(
    '/exchanges/:exchangeId/dispute',
    'dispute',
    'Say an exchange is not right, with the reason: a coordinator sorts it out',
    exchanges.disputeDetails,
  );
  action(
    '/exchanges/:exchangeId/cancel',
    'cancel',
    'Withdraw an exchange not yet confirmed (whoever recorded it, or a coordinator)',
    undefined,
  );
  action(
    '/exchanges/:exchangeId/reverse',
    'reverse',
    'Undo a confirmed exchange with a reversing transfer and a reason (coordinators)',
    exchanges.reversalDetails,
  );

  api.post(
    '/group-exchanges',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Record a group exchange (coordinators): confirmed at once',
        description:
          'One gives to many (a talk) or many give to one (a garden day). `givers` and `receivers` list account ids with minutes; the community pot takes or gives the difference. Send an `Idempotency-Key`.',
        params: communityParams,
        body: exchanges.newGroupExchange,
        response: { 201: exchangeSchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inTimebank(request, async (tx, communityId, ownId) => {
          const exchange = await exchanges.recordGroupExchange(
            tx,
            contextOf(request, communityId, ownId),
            request.body,
          );
          return readExchange(tx, communityId, exchange.id, request, ownId);
        }),
      })),
  );

  const potMove = (path: '/pot/grants' | '/pot/donations', direction: 'grant' | 'donation', summary: string) =>
    api.post(
      path,
      {
        config: { access: direction === 'grant' ? staff : access.anyMember },
        schema: {
          tags,
          summary,
          params: communityParams,
          body: exchanges.potTransfer,
          response: { 201: transferSchema, ...problemResponses(400, 401, 403, 404, 422) },
        },
      },
      async (request, reply) =>
        once(dependencies.db, request, reply, async () => ({
          status: 201,
          body: await inTimebank(request, (tx, communityId, ownId) =>
            exchanges.movePotTime(tx, contextOf(request, communityId, ownId), direction, request.body),
          ),
        })),
    );
  potMove('/pot/grants', 'grant', 'Grant time from the community pot to a member or organisation (coordinators)');
  potMove('/pot/donations', 'donation', 'Give time from your account to the community pot');

  api.get(
    '/accounts/:recordId',
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary: 'A member’s balance and movements, newest first (the member, or coordinators)',
        params: recordParams,
        querystring: pageQuery,
        response: { 200: accountSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId) => {
        const { person, account, member } = await service.memberAccountFor(
          tx,
          communityId,
          request.asker,
          request.params.recordId,
        );
        const before = decodeCursor(request.query.cursor, z.object({ before: cursorFields.integer }))?.before;
        const page = await service.statement(tx, communityId, account.id, { limit: request.query.limit, before });
        const timebank = await service.timebankOf(tx, communityId);
        const last = page.items[page.items.length - 1];
        return {
          accountId: account.id,
          personRecordId: person.id,
          name: person.preferredName,
          balance: account.balance,
          minimumBalance: timebank.minimumBalance,
          onboarded: member.onboardedAt !== null,
          movements: page.items.map(({ others, ...line }) => ({ ...line, with: others })),
          nextCursor: page.more && last ? encodeCursor({ before: last.id }) : null,
        };
      }),
  );

  api.get(
    '/categories',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'What members help each other with',
        params: communityParams,
        response: { 200: z.object({ items: z.array(categorySchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) => ({
      items: (await inTimebank(request, (tx, communityId) => service.listCategories(tx, communityId))).map(
        ({ communityId: _community, ...category }) => category,
      ),
    }),
  );
  api.post(
    '/categories',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Add a category (coordinators)',
        params: communityParams,
        body: service.categoryDetails,
        response: { 201: categorySchema, ...problemResponses(400, 401, 403, 404, 422) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      return once(dependencies.db, request, reply, async () => {
        const { communityId: _community, ...category } = await inTimebank(request, (tx, communityId) =>
          service.saveCategory(tx, communityId, actorId, request.body),
        );
        return { status: 201, body: category };
      });
    },
  );

  const memberSchema = z.object({
    personRecordId: z.uuid(),
    onboarded: z.boolean(),
    steps: z.array(z.object({ id: z.uuid(), label: z.string(), doneOn: z.string().nullable() })),
  });
  const memberOut = async (tx: CommunityTransaction, communityId: string, personRecordId: string) => {
    const member = await service.memberOf(tx, communityId, personRecordId);
    if (!member) throw notFound();
    const steps = await service.onboardingOf(tx, communityId, member.id);
    return {
      personRecordId,
      onboarded: member.onboardedAt !== null,
      steps: steps.map(({ id, label, doneOn }) => ({ id, label, doneOn })),
    };
  };
  api.post(
    '/members',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Add someone in the community to the time bank (coordinators): they start onboarding',
        params: communityParams,
        body: z.object({ personRecordId: z.uuid() }),
        response: { 200: memberSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inTimebank(request, async (tx, communityId) => {
        const person = await getPerson(tx, communityId, request.body.personRecordId);
        await service.joinTimebank(tx, { communityId, personRecordId: person.id, cameFrom: 'coordinator', actorId });
        return memberOut(tx, communityId, person.id);
      });
    },
  );
  api.post(
    '/members/:recordId/steps',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Tick an onboarding step as done (coordinators)',
        params: recordParams,
        body: service.stepTick,
        response: { 200: memberSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inTimebank(request, async (tx, communityId) => {
        await service.tickStep(tx, communityId, actorId, request.params.recordId, request.body);
        return memberOut(tx, communityId, request.params.recordId);
      });
    },
  );
}
