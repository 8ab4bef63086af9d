// Exchanges of time: one to one (either side records, the other confirms or disputes, or it
// confirms itself after the time bank's days), in groups, with the pot, and reversed. Only a
// confirmed exchange reaches the ledger. Recording and confirming an exchange are each one call
// to a PostgreSQL function that checks, writes and posts (migration 0037, the same rules as
// ledger.ts and checks.ts); pot transfers and reversals post through ledger.ts. The queries are
// in exchanges-store.ts.
import { formatISO, subDays } from 'date-fns';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText } from '../../platform/fields.ts';
import { conflict, DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import { type CommunityTransaction, inCommunity, type RequestAsker } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { messagePerson } from '../people/consent.ts';
import { belowLimit, postTransfer } from './ledger.ts';
import { requireCheck } from './checks.ts';
import {
  categoryName,
  confirmedExchange,
  disputeUnconfirmable,
  type Exchange,
  exchangeIdRows,
  exchangeListRows,
  type ExchangeIdQuery,
  type ExchangeListing,
  exchangeRow,
  exchangesDue,
  insertExchange,
  insertParties,
  LedgerRefusal,
  markCancelled,
  markDisputed,
  markReversed,
  movementsOf,
  partiesOfExchange,
  partyRows,
  recordedExchange,
  reversalOf,
  reversingTransfer,
  transferOf,
  transferOfExchange,
} from './exchanges-store.ts';
import { categoryOf, displayNameOf, openAccountsAmong } from './store.ts';
import { accountChoices, listCategories, memberOf, potOf, runsTimebank, timebankOf } from './service.ts';

/** The most time one exchange can record for one person: a day. */
export const maxExchangeMinutes = 24 * 60;
/** The most a coordinator can grant or a member donate at once: 100 hours. */
export const maxTransferMinutes = 100 * 60;

/** Who is acting, and whether they act as staff (a coordinator or admin may record for anyone). */
export interface Actor {
  id: string;
  staff: boolean;
}

/** The asker as the time bank's rules see them: staff when they run the time bank. */
export function actingAs(asker: RequestAsker, accountId: string): Actor {
  return { id: accountId, staff: runsTimebank(asker) };
}

// ——— Exchanges ———

/** Minutes from a form's hours and minutes boxes, or the API's minutes; a whole number from 1 to a day. */
export const exchangeMinutes = z
  .number({ error: 'errors.timebank.minutes.invalid' })
  .int('errors.timebank.minutes.whole')
  .min(1, 'errors.timebank.minutes.tooFew')
  .max(maxExchangeMinutes, 'errors.timebank.minutes.tooMany');

const exchangeDay = z.iso
  .date({ error: 'errors.timebank.occurredOn.invalid' })
  .refine((value) => value <= ukDay(new Date()), 'errors.timebank.occurredOn.future')
  .refine(
    (value) => value >= formatISO(subDays(new Date(), 366), { representation: 'date' }),
    'errors.timebank.occurredOn.tooOld',
  );

export const newExchange = z.object({
  giver: z.uuid({ error: 'errors.timebank.giver.missing' }),
  receiver: z.uuid({ error: 'errors.timebank.receiver.missing' }),
  minutes: exchangeMinutes,
  occurredOn: exchangeDay,
  categoryId: z.uuid({ error: 'errors.timebank.category.missing' }),
  postId: z.uuid().nullish(),
  note: optionalText('errors.timebank.note.tooLong', 500),
  /** Coordinators only: the exchange is confirmed as it is recorded (both sides told them). */
  confirmNow: z.boolean().default(false),
});
export type NewExchange = z.infer<typeof newExchange>;

interface Party {
  personRecordId: string;
  accountId: string;
  balance: number;
  name: string;
  accountHolder: string | null;
  email: string | null;
  phone: string | null;
  onboarded: boolean;
}

/** Time bank members able to exchange (in this community, with an account), with their balances: one query for both sides. */
async function partiesOf(
  tx: CommunityTransaction,
  communityId: string,
  personRecordIds: readonly string[],
): Promise<Map<string, Party>> {
  const rows = await partyRows(tx, communityId, personRecordIds);
  return new Map(
    rows.map((row) => [
      row.id,
      {
        personRecordId: row.id,
        accountId: row.account_id,
        balance: row.balance,
        name: row.name,
        accountHolder: row.account_holder,
        email: row.email,
        phone: row.phone,
        onboarded: row.onboarded,
      },
    ]),
  );
}

export interface ExchangeContext {
  communityId: string;
  actor: Actor;
  /** The actor's own record in this community, when they have one. */
  actorRecordId: string | null;
  notifyConfigured: boolean;
  publicUrl: string;
  communitySlug: string;
}

/**
 * Either side records an exchange; the other confirms or disputes it. A coordinator may record
 * for either side (marked as done on their behalf) and may confirm it there and then. Checked,
 * written and (confirmed at once) posted in one statement: `timebank_record_exchange`.
 */
export async function recordExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  input: NewExchange,
): Promise<Exchange> {
  const { communityId, actor } = context;
  if (input.giver === input.receiver) throw invalid([{ field: 'receiver', code: 'errors.timebank.receiver.same' }]);
  const isGiver = context.actorRecordId === input.giver;
  const isReceiver = context.actorRecordId === input.receiver;
  if (!actor.staff && !isGiver && !isReceiver)
    throw invalid([{ field: 'giver', code: 'errors.timebank.giver.notYou' }]);
  if (input.confirmNow && !actor.staff)
    throw invalid([{ field: 'confirmNow', code: 'errors.timebank.confirmNow.staffOnly' }]);
  const values = {
    communityId,
    actorId: actor.id,
    giver: input.giver,
    receiver: input.receiver,
    minutes: input.minutes,
    occurredOn: input.occurredOn,
    categoryId: input.categoryId,
    postId: input.postId ?? null,
    note: input.note,
    // A coordinator recording for neither side records it on their behalf: either side confirms.
    recordedBySide:
      actor.staff && !isGiver && !isReceiver ? null : isGiver ? ('giver' as const) : ('receiver' as const),
    confirmNow: input.confirmNow,
    today: ukDay(new Date()),
  };
  const exchange = await asDomainErrors(async () => {
    const recorded = await recordedExchange(tx, values);
    if (recorded) return recorded;
    // The community's first exchange: its time bank is set up, then it is recorded.
    await timebankOf(tx, communityId);
    return recordedExchange(tx, values);
  });
  if (!exchange) throw new Error('exchange insert returned nothing');
  if (input.confirmNow) return exchange;
  // The other side is asked to confirm, by email when they agreed to that.
  const otherId = isGiver ? input.receiver : isReceiver ? input.giver : null;
  const other = otherId ? (await partiesOf(tx, communityId, [otherId])).get(otherId) : undefined;
  if (other) await askToConfirm(tx, context, other, exchange.id);
  return exchange;
}

/**
 * The ledger functions' refusals as the service's errors, the same as when the service checked
 * them itself: the codes, fields and extensions of the problem documents do not change.
 */
async function asDomainErrors<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof LedgerRefusal)) throw error;
    const { refusal, detail } = error;
    if (refusal === 'not-found') throw notFound();
    if (refusal === 'validation-failed') throw invalid(detail.errors ?? []);
    if (refusal === 'timebank-check-needed')
      throw new DomainError(
        'timebank-check-needed',
        400,
        [{ field: detail.field ?? 'giver', code: `errors.timebank.checkNeeded.${detail.checkLevel}` }],
        { checkLevel: detail.checkLevel },
      );
    if (refusal === 'timebank-below-limit')
      throw detail.accountId === undefined
        ? new DomainError('timebank-below-limit', 400, [{ field: 'minutes', code: 'errors.timebank.belowLimit' }], {
            minimumBalance: detail.minimumBalance,
          })
        : belowLimit(detail.accountId, detail.wouldBe ?? 0, detail.minimumBalance ?? 0);
    if (
      refusal === 'timebank-exchange-cancelled' ||
      refusal === 'timebank-exchange-disputed' ||
      refusal === 'timebank-confirm-other-side'
    )
      throw conflict(refusal);
    throw error;
  }
}

async function askToConfirm(tx: CommunityTransaction, context: ExchangeContext, other: Party, exchangeId: string) {
  await messagePerson(
    tx,
    context.notifyConfigured,
    { id: other.personRecordId, communityId: context.communityId, email: other.email, phone: other.phone },
    'email',
    {
      template: 'timebank-confirm',
      subject: 'Please confirm some time given',
      body: `Someone recorded time given between you. Please confirm it or say what is wrong: ${context.publicUrl}/c/${context.communitySlug}/timebank/exchanges/${exchangeId}`,
    },
  );
}

export async function getExchange(tx: CommunityTransaction, communityId: string, exchangeId: string) {
  const exchange = await exchangeRow(tx, communityId, exchangeId);
  if (!exchange) throw notFound();
  const parties = await partiesOfExchange(tx, exchangeId);
  const recorder = exchange.recordedBy ? await displayNameOf(tx, exchange.recordedBy) : undefined;
  const transfer = await transferOfExchange(tx, exchangeId);
  const reversal = transfer ? await reversalOf(tx, transfer.id) : undefined;
  const category = exchange.categoryId ? await categoryName(tx, exchange.categoryId) : undefined;
  return {
    exchange,
    category: category?.name ?? null,
    /** `online`: the person has an account and can confirm for themselves; otherwise a coordinator does it for them. */
    parties: parties.map((row) => ({
      accountId: row.account_id,
      side: row.side,
      minutes: row.minutes,
      name: row.name,
      personRecordId: row.person_record_id,
      kind: row.kind,
      online: row.online,
    })),
    recordedByName: recorder?.name ?? null,
    transferId: transfer?.id ?? null,
    reversal: reversal ?? null,
  };
}

export type ExchangeInFull = Awaited<ReturnType<typeof getExchange>>;

/** Whether the person may see an exchange: a side of it, or staff. */
export function mayView(full: ExchangeInFull, actor: Actor, actorRecordId: string | null): boolean {
  return (
    actor.staff || full.parties.some((party) => party.personRecordId !== null && party.personRecordId === actorRecordId)
  );
}

/** An exchange the acting person may see (a side of it, or staff); anyone else is told it does not exist. */
export async function visibleExchange(tx: CommunityTransaction, context: ExchangeContext, exchangeId: string) {
  const full = await getExchange(tx, context.communityId, exchangeId);
  if (!mayView(full, context.actor, context.actorRecordId)) throw notFound();
  return full;
}

/**
 * An exchange as the acting person sees it: said from where they stand (the time they gave, or
 * received, or an exchange between others), whom it waits for, and whether they may answer it
 * (the side asked, or staff) or cancel it (whoever recorded it, or staff).
 */
export async function exchangeSeenBy(tx: CommunityTransaction, context: ExchangeContext, exchangeId: string) {
  const { actor, actorRecordId: ownId } = context;
  const full = await visibleExchange(tx, context, exchangeId);
  const awaited = awaitedSide(full);
  const own = full.parties.find((party) => party.personRecordId !== null && party.personRecordId === ownId);
  const title = full.exchange.group
    ? 'titleGroup'
    : own?.side === 'giver'
      ? 'titleGave'
      : own?.side === 'receiver'
        ? 'titleReceived'
        : 'title';
  return {
    ...full,
    title,
    waitingFor:
      full.exchange.status === 'pending'
        ? full.parties.filter((party) => party.personRecordId && awaited.includes(party.personRecordId))
        : [],
    mayAnswer: full.exchange.status === 'pending' && (actor.staff || (ownId !== null && awaited.includes(ownId))),
    mayCancel:
      ['pending', 'disputed'].includes(full.exchange.status) && (actor.staff || full.exchange.recordedBy === actor.id),
    staffView: actor.staff,
  };
}

/** Whose exchanges the acting person lists: everyone's for staff, their own for a member, none for someone with no record here. */
export function exchangesListedFor(context: ExchangeContext): { personRecordId: string | null } | undefined {
  if (context.actor.staff) return { personRecordId: null };
  return context.actorRecordId ? { personRecordId: context.actorRecordId } : undefined;
}

/**
 * What the form for recording an exchange offers: staff record between any two members who
 * finished joining; a member who finished joining records their own, with anyone else.
 */
export async function exchangeFormFor(tx: CommunityTransaction, context: ExchangeContext) {
  const { communityId, actor, actorRecordId: ownId } = context;
  const member = ownId ? await memberOf(tx, communityId, ownId) : undefined;
  const accounts = (await accountChoices(tx, communityId)).filter((choice) => choice.kind === 'member');
  const categories = await listCategories(tx, communityId);
  return {
    staffView: actor.staff,
    member,
    mayRecord: actor.staff || Boolean(member?.onboardedAt),
    people: accounts.filter((choice) => actor.staff || choice.personRecordId !== ownId),
    categories,
  };
}

/** Who is asked to confirm: the side that did not record it (either side, when a coordinator recorded it for nobody in particular). */
export function awaitedSide(full: ExchangeInFull): string[] {
  return full.parties
    .filter((party) => party.personRecordId && party.accountId !== full.exchange.recordedFor)
    .map((party) => party.personRecordId as string);
}

/**
 * Confirms an exchange and posts it to the ledger, in one step: if the ledger refuses (a
 * balance would go below the limit), it stays as it was. Confirming twice posts once. The side
 * asked confirms (not one that was disputed), or staff; anyone else is told it does not exist.
 * One statement: `timebank_confirm_exchange`.
 */
export async function confirmExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  exchangeId: string,
): Promise<Exchange> {
  return confirmed(tx, context.communityId, exchangeId, {
    actorId: context.actor.id,
    actorRecordId: context.actorRecordId,
    staff: context.actor.staff,
    asAsked: true,
  });
}

/** Confirms an exchange still pending or disputed and posts it (a group, the nightly confirmation); otherwise it is as it was. */
async function settle(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string | null,
  exchangeId: string,
): Promise<Exchange> {
  return confirmed(tx, communityId, exchangeId, { actorId, actorRecordId: null, staff: true, asAsked: false });
}

async function confirmed(
  tx: CommunityTransaction,
  communityId: string,
  exchangeId: string,
  asker: { actorId: string | null; actorRecordId: string | null; staff: boolean; asAsked: boolean },
): Promise<Exchange> {
  const values = { communityId, exchangeId, ...asker, today: ukDay(new Date()) };
  const exchange = await asDomainErrors(async () => {
    const found = await confirmedExchange(tx, values);
    if (found) return found;
    await timebankOf(tx, communityId);
    return confirmedExchange(tx, values);
  });
  if (!exchange) throw notFound();
  return exchange;
}

export const disputeDetails = z.object({
  reason: requiredText('errors.timebank.disputeReason.missing', 'errors.timebank.disputeReason.tooLong', 500),
});

/** The other side says it is not right; a coordinator sorts it out. */
export async function disputeExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  exchangeId: string,
  details: z.infer<typeof disputeDetails>,
): Promise<Exchange> {
  const { communityId, actor } = context;
  const full = await visibleExchange(tx, context, exchangeId);
  if (!actor.staff && (!context.actorRecordId || !awaitedSide(full).includes(context.actorRecordId)))
    throw conflict('timebank-confirm-other-side');
  const disputed = await markDisputed(tx, exchangeId, details.reason, actor.id);
  if (!disputed) throw conflict('timebank-exchange-not-pending');
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'timebank.exchange_disputed',
    subjectType: 'timebank_exchange',
    subjectId: exchangeId,
  });
  return disputed;
}

/** Whoever recorded it, or a coordinator, withdraws an exchange that is not yet in the ledger. */
export async function cancelExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  exchangeId: string,
): Promise<Exchange> {
  const { communityId, actor } = context;
  const full = await visibleExchange(tx, context, exchangeId);
  if (!actor.staff && full.exchange.recordedBy !== actor.id) throw conflict('timebank-cancel-own');
  const cancelled = await markCancelled(tx, exchangeId, actor.id);
  if (!cancelled) throw conflict('timebank-exchange-not-open');
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'timebank.exchange_cancelled',
    subjectType: 'timebank_exchange',
    subjectId: exchangeId,
  });
  return cancelled;
}

/** Exchanges waiting for someone: a member's own, or (for coordinators) everyone's, oldest first. */
export async function openExchanges(
  tx: CommunityTransaction,
  communityId: string,
  options: { personRecordId?: string; status?: ExchangeListing; limit: number },
) {
  const waiting = !options.status || options.status === 'pending' || options.status === 'disputed';
  const rows = await exchangeListRows(tx, communityId, options, waiting);
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    occurredOn: row.occurred_on,
    minutes: Number(row.minutes),
    giver: row.giver,
    receiver: row.receiver,
    giverRecord: row.giver_record,
    receiverRecord: row.receiver_record,
    recordedFor: row.recorded_for,
    onBehalf: row.on_behalf,
    confirmsOn: row.confirms_on,
  }));
}

/** Exchanges newest first: a member's own (any status), or for coordinators everyone's; ids only, read in full with getExchange. */
export async function exchangeIds(tx: CommunityTransaction, communityId: string, options: ExchangeIdQuery) {
  const rows = await exchangeIdRows(tx, communityId, options);
  return rows.map((row) => ({ id: row.id, createdAt: row.created_at }));
}

// ——— Groups, the pot and reversals (coordinators) ———

const accountMinutes = z.object({
  account: z.uuid({ error: 'errors.timebank.account.missing' }),
  minutes: exchangeMinutes,
});

export const newGroupExchange = z.object({
  givers: z
    .array(accountMinutes, { error: 'errors.timebank.givers.missing' })
    .min(1, 'errors.timebank.givers.missing')
    .max(200, 'errors.timebank.parties.tooMany'),
  receivers: z
    .array(accountMinutes, { error: 'errors.timebank.receivers.missing' })
    .min(1, 'errors.timebank.receivers.missing')
    .max(200, 'errors.timebank.parties.tooMany'),
  potPaysReceivers: z.boolean().default(false),
  occurredOn: exchangeDay,
  categoryId: z.uuid({ error: 'errors.timebank.category.missing' }),
  note: optionalText('errors.timebank.note.tooLong', 500),
});
export type NewGroupExchange = z.infer<typeof newGroupExchange>;

/**
 * A talk for many, a garden day by many: a coordinator records it and it is confirmed at once.
 * Givers earn their time; receivers pay theirs unless the pot pays for them; the pot takes or
 * gives the difference.
 */
export async function recordGroupExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  input: NewGroupExchange,
): Promise<Exchange> {
  const { communityId, actor } = context;
  await timebankOf(tx, communityId);
  const ids = [...input.givers, ...input.receivers].map((party) => party.account);
  if (new Set(ids).size !== ids.length) throw invalid([{ field: 'receivers', code: 'errors.timebank.parties.twice' }]);
  const accounts = await openAccountsAmong(tx, communityId, ids);
  const holders = new Map((await accountChoices(tx, communityId)).map((choice) => [choice.id, choice.personRecordId]));
  if (accounts.length !== ids.length) throw notFound();
  const unusable = ids.filter((id) => !holders.has(id));
  if (unusable.length > 0) throw invalid([{ field: 'receivers', code: 'errors.timebank.notOnboarded' }]);
  const category = await categoryOf(tx, communityId, input.categoryId);
  if (!category) throw invalid([{ field: 'categoryId', code: 'errors.timebank.category.missing' }]);
  for (const giver of input.givers) {
    const holder = holders.get(giver.account);
    if (holder) await requireCheck(tx, holder, category.checkLevel, 'givers');
  }
  const exchange = await insertExchange(tx, {
    communityId,
    group: true,
    occurredOn: input.occurredOn,
    categoryId: input.categoryId,
    note: input.note,
    potPaysReceivers: input.potPaysReceivers,
    recordedBy: actor.id,
    onBehalf: true,
  });
  if (!exchange) throw new Error('exchange insert returned nothing');
  await insertParties(tx, [
    ...input.givers.map((party) => ({
      communityId,
      exchangeId: exchange.id,
      accountId: party.account,
      side: 'giver' as const,
      minutes: party.minutes,
    })),
    ...input.receivers.map((party) => ({
      communityId,
      exchangeId: exchange.id,
      accountId: party.account,
      side: 'receiver' as const,
      minutes: party.minutes,
    })),
  ]);
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'timebank.group_recorded',
    subjectType: 'timebank_exchange',
    subjectId: exchange.id,
    detail: { givers: input.givers.length, receivers: input.receivers.length },
  });
  return settle(tx, communityId, actor.id, exchange.id);
}

export const potTransfer = z.object({
  account: z.uuid({ error: 'errors.timebank.account.missing' }),
  minutes: z
    .number({ error: 'errors.timebank.minutes.invalid' })
    .int('errors.timebank.minutes.whole')
    .min(1, 'errors.timebank.minutes.tooFew')
    .max(maxTransferMinutes, 'errors.timebank.minutes.tooManyTransfer'),
  note: requiredText('errors.timebank.potNote.missing', 'errors.timebank.note.tooLong', 500),
});

/** A coordinator grants time from the pot to a member or organisation, or a member donates to it. */
export async function movePotTime(
  tx: CommunityTransaction,
  context: ExchangeContext,
  direction: 'grant' | 'donation',
  input: z.infer<typeof potTransfer>,
) {
  const { communityId, actor } = context;
  const timebank = await timebankOf(tx, communityId);
  const pot = await potOf(tx, communityId);
  const choosable = (await accountChoices(tx, communityId)).find((choice) => choice.id === input.account);
  if (!choosable) throw notFound();
  if (direction === 'grant' && !actor.staff) throw new DomainError('forbidden', 403);
  if (direction === 'donation' && !actor.staff && choosable.personRecordId !== context.actorRecordId) throw notFound();
  const movements =
    direction === 'grant'
      ? [
          { accountId: pot.id, minutes: -input.minutes },
          { accountId: input.account, minutes: input.minutes },
        ]
      : [
          { accountId: input.account, minutes: -input.minutes },
          { accountId: pot.id, minutes: input.minutes },
        ];
  // A member gives only time they have: their gift never takes them below zero, even where the time bank lets balances go lower.
  const ownGift = direction === 'donation' && !actor.staff;
  const transfer = await postTransfer(tx, {
    communityId,
    kind: direction,
    occurredOn: ukDay(new Date()),
    movements,
    minimumBalance: ownGift ? Math.max(0, timebank.minimumBalance) : timebank.minimumBalance,
    note: input.note,
    recordedBy: actor.id,
  }).catch((error: unknown) => {
    if (ownGift && error instanceof DomainError && error.code === 'timebank-below-limit')
      throw invalid([{ field: 'minutes', code: 'errors.timebank.give.moreThanBalance' }]);
    throw error;
  });
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: `timebank.${direction}`,
    subjectType: 'timebank_transfer',
    subjectId: transfer.id,
    detail: { minutes: input.minutes },
  });
  return transfer;
}

export const reversalDetails = z.object({
  reason: requiredText('errors.timebank.reversalReason.missing', 'errors.timebank.reversalReason.tooLong', 500),
});

/** Undoes a transfer with its mirror image, linked to it and with the reason. A transfer is reversed once; a reversal is not reversed. */
export async function reverseTransfer(
  tx: CommunityTransaction,
  context: ExchangeContext,
  transferId: string,
  details: z.infer<typeof reversalDetails>,
) {
  const { communityId, actor } = context;
  const timebank = await timebankOf(tx, communityId);
  const original = await transferOf(tx, communityId, transferId);
  if (!original) throw notFound();
  if (original.kind === 'reversal') throw invalid([{ field: 'reason', code: 'errors.timebank.reverse.reversal' }]);
  const already = await reversingTransfer(tx, transferId);
  if (already) throw conflict('timebank-already-reversed');
  const movements = await movementsOf(tx, transferId);
  // Two reversals of the same transfer at once: the unique index on reverses_id lets one through.
  const reversal = await postTransfer(tx, {
    communityId,
    kind: 'reversal',
    occurredOn: ukDay(new Date()),
    movements: movements.map((movement) => ({ accountId: movement.accountId, minutes: -movement.minutes })),
    minimumBalance: timebank.minimumBalance,
    reversesId: transferId,
    exchangeId: original.exchangeId,
    categoryId: original.categoryId,
    note: details.reason,
    recordedBy: actor.id,
  });
  // The reversal's transfer takes the exchange off its day's kept totals (a trigger).
  if (original.exchangeId) await markReversed(tx, original.exchangeId);
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'timebank.transfer_reversed',
    subjectType: 'timebank_transfer',
    subjectId: transferId,
    reason: details.reason,
    detail: { reversal: reversal.id },
  });
  return reversal;
}

/** Reverses the ledger transfer of a confirmed exchange; one not yet confirmed is not in the ledger, and is cancelled instead. */
export async function reverseExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  exchangeId: string,
  details: z.infer<typeof reversalDetails>,
) {
  const full = await getExchange(tx, context.communityId, exchangeId);
  if (full.exchange.status !== 'confirmed' || !full.transferId)
    throw invalid([{ field: 'reason', code: 'errors.timebank.reverse.notConfirmed' }]);
  return reverseTransfer(tx, context, full.transferId, details);
}

// ——— Scheduled work ———

/** Exchanges nobody disputed in time are confirmed; one the ledger refuses is marked disputed for a coordinator. */
export async function confirmWaitingExchanges(
  owner: Database,
  today = ukDay(new Date()),
): Promise<{ confirmed: number; refused: number }> {
  const due = await exchangesDue(owner, today);
  let confirmed = 0;
  let refused = 0;
  for (const { id, communityId } of due) {
    try {
      await inCommunity(owner, { communityId, personId: null }, (tx) => settle(tx, communityId, null, id));
      confirmed += 1;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refused += 1;
      await inCommunity(owner, { communityId, personId: null }, (tx) => disputeUnconfirmable(tx, id));
    }
  }
  return { confirmed, refused };
}
