// The time bank's rules: joining and onboarding, accounts, exchanges one to one and in groups,
// the pot, reversals, and the nightly reconciliation. The ledger itself is in ledger.ts.
import { addDays, formatISO, subDays } from 'date-fns';
import { z } from 'zod';
import { type AuditEntry, record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { conflict, DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import type { PersonDataSource } from '../../platform/person-data.ts';
import { type CommunityTransaction, inCommunity } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { recordMilestones } from '../journey/service.ts';
import { messagePerson } from '../people/consent.ts';
import { getPerson } from '../people/service.ts';
import { joinProgramme, type Joining } from '../programmes/service.ts';
import { getReferral } from '../referrals/service.ts';
import { postTransfer, unreconciled } from './ledger.ts';
import { requireCheck } from './checks.ts';
import { countDays } from './reports.ts';
import type { CameFrom } from './schema.ts';
import { forgetCertificateNumbers } from './checks-store.ts';
import {
  categoryCheck,
  claimForConfirming,
  disputeUnconfirmable,
  type Exchange,
  exchangeIdRows,
  exchangeListRows,
  type ExchangeListing,
  exchangeRow,
  exchangesDue,
  forgetDay,
  insertExchange,
  insertParties,
  markCancelled,
  markDisputed,
  markReversed,
  movementsOf,
  partiesOfExchange,
  partyRows,
  postExists,
  reversalOf,
  reversingTransfer,
  statementRows,
  transferOf,
  transferOfExchange,
  usableCategory,
  categoryName,
} from './exchanges-store.ts';
import {
  absorbMembership,
  type Account,
  allTimebanks,
  archiveStep,
  categoriesOf,
  categoryOf,
  checkLevels,
  choosableAccounts,
  closeAccount,
  coordinatorCounts,
  currentMember,
  displayNameOf,
  exchangeStatuses,
  exchangesTakenPartIn,
  followsOfRecord,
  forgetExchangeNotes,
  forgetMessages,
  forgetPosts,
  insertCategory,
  insertMember,
  insertMemberAccount,
  insertOrganisation,
  insertPot,
  insertReconciliation,
  insertStep,
  insertSteps,
  insertTick,
  insertTimebank,
  joiningMemberIds,
  lastStepPosition,
  latestReconciliation,
  markOnboarded,
  type Member,
  membersOf,
  membershipOf,
  mergeFollows,
  mergeResponses,
  moveAccount,
  moveMembership,
  movementsOfRecord,
  openAccountOf,
  openAccountOfRecord,
  openAccountsAmong,
  openStepsAmong,
  potAccount,
  rejoin,
  responsesOfRecord,
  stepsDoneBy,
  stepsLeft,
  stepsOf,
  ticksOf,
  type Timebank,
  timebankRow,
  timebanksOfCommunities,
  updateCategory,
  updateRules,
} from './store.ts';

export { checkLevels, exchangeStatuses };
export type { Account, Exchange, ExchangeListing, Member, Timebank };

/** The most time one exchange can record for one person: a day. */
export const maxExchangeMinutes = 24 * 60;
/** The most a coordinator can grant or a member donate at once: 100 hours. */
export const maxTransferMinutes = 100 * 60;

/** Who is acting, and whether they act as staff (a coordinator or admin may record for anyone). */
export interface Actor {
  id: string;
  staff: boolean;
}

/** The steps every new time bank starts with; its coordinators change them. */
const firstSteps = ['Welcome conversation', 'References taken up', 'ID seen', 'Induction'];

/** The community's time bank, set up the first time anyone needs it: its rules, its pot and first onboarding steps. */
export async function timebankOf(tx: CommunityTransaction, communityId: string): Promise<Timebank> {
  const found = await timebankRow(tx, communityId);
  if (found) return found;
  const created = await insertTimebank(tx, communityId);
  if (!created) {
    const raced = await timebankRow(tx, communityId);
    if (!raced) throw new Error('time bank vanished');
    return raced;
  }
  await insertPot(tx, communityId);
  await insertSteps(tx, communityId, firstSteps);
  return created;
}

export const timebankRules = z.object({
  minimumBalanceHours: z.coerce
    .number({ error: 'errors.timebank.minimumBalance' })
    .int('errors.timebank.minimumBalance')
    .min(-100, 'errors.timebank.minimumBalance')
    .max(0, 'errors.timebank.minimumBalance'),
  autoConfirmDays: z.coerce
    .number({ error: 'errors.timebank.days' })
    .int('errors.timebank.days')
    .min(1, 'errors.timebank.days')
    .max(60, 'errors.timebank.days'),
  postReminderDays: z.coerce
    .number({ error: 'errors.timebank.days' })
    .int('errors.timebank.days')
    .min(1, 'errors.timebank.days')
    .max(60, 'errors.timebank.days'),
  checkWarningDays: z.coerce
    .number({ error: 'errors.timebank.days' })
    .int('errors.timebank.days')
    .min(1, 'errors.timebank.days')
    .max(180, 'errors.timebank.days'),
});

export async function changeRules(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  rules: z.infer<typeof timebankRules>,
): Promise<Timebank> {
  await timebankOf(tx, communityId);
  const updated = await updateRules(tx, communityId, {
    minimumBalance: rules.minimumBalanceHours * 60,
    autoConfirmDays: rules.autoConfirmDays,
    postReminderDays: rules.postReminderDays,
    checkWarningDays: rules.checkWarningDays,
  });
  if (!updated) throw notFound();
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.rules_changed',
    subjectType: 'timebank',
    subjectId: communityId,
    detail: { ...rules },
  });
  return updated;
}

// ——— Categories and onboarding steps ———

export const categoryDetails = z.object({
  name: requiredText('errors.timebank.categoryName.missing', 'errors.timebank.categoryName.tooLong', 60),
  checkLevel: z.enum(checkLevels, { error: 'errors.timebank.checkLevel' }).default('none'),
  homeVisit: tickbox.default(false),
  archived: tickbox.default(false),
});

export async function listCategories(
  tx: CommunityTransaction,
  communityId: string,
  options: { includeArchived?: boolean } = {},
) {
  return categoriesOf(tx, communityId, options.includeArchived ?? false);
}

export async function getCategory(tx: CommunityTransaction, communityId: string, categoryId: string) {
  const found = await categoryOf(tx, communityId, categoryId);
  if (!found) throw notFound();
  return found;
}

const sameName = (error: unknown) =>
  (error as { code?: string }).code === '23505' || (error as { cause?: { code?: string } }).cause?.code === '23505';

export async function saveCategory(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: z.infer<typeof categoryDetails>,
  categoryId?: string,
) {
  try {
    const saved = categoryId
      ? await updateCategory(tx, communityId, categoryId, details)
      : await insertCategory(tx, communityId, details);
    if (!saved) throw notFound();
    await record(tx, {
      communityId,
      actorId,
      action: categoryId ? 'timebank.category_changed' : 'timebank.category_added',
      subjectType: 'timebank_category',
      subjectId: saved.id,
      detail: { checkLevel: saved.checkLevel, homeVisit: saved.homeVisit },
    });
    return saved;
  } catch (error) {
    if (sameName(error)) throw invalid([{ field: 'name', code: 'errors.timebank.categoryName.taken' }]);
    throw error;
  }
}

export const stepDetails = z.object({
  label: requiredText('errors.timebank.stepLabel.missing', 'errors.timebank.stepLabel.tooLong', 120),
});

export async function listSteps(tx: CommunityTransaction, communityId: string) {
  await timebankOf(tx, communityId);
  return stepsOf(tx, communityId);
}

export async function addStep(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: z.infer<typeof stepDetails>,
) {
  await timebankOf(tx, communityId);
  const last = await lastStepPosition(tx, communityId);
  const step = await insertStep(tx, communityId, details.label, (last?.position ?? -1) + 1);
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.step_added',
    subjectType: 'timebank_step',
    subjectId: step?.id,
  });
  return step;
}

/** A step no longer asked of new members; those who did it keep the tick. Members it was the last step for are now onboarded. */
export async function removeStep(tx: CommunityTransaction, communityId: string, actorId: string, stepId: string) {
  const step = await archiveStep(tx, communityId, stepId);
  if (!step) throw notFound();
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.step_removed',
    subjectType: 'timebank_step',
    subjectId: stepId,
  });
  const joining = await joiningMemberIds(tx, communityId);
  for (const member of joining) await finishOnboardingIfDone(tx, communityId, member.id, actorId);
}

// ——— Members ———

export interface JoiningTimebank {
  communityId: string;
  personRecordId: string;
  cameFrom: CameFrom;
  programmeId?: string | null;
  referralId?: string | null;
  neighbourhood?: string;
  actorId: string | null;
  /** Imported members have done their onboarding elsewhere. */
  onboarded?: boolean;
}

/** The person joins the time bank (once) with an account of their own, and starts onboarding. */
export async function joinTimebank(tx: CommunityTransaction, joining: JoiningTimebank): Promise<Member> {
  await timebankOf(tx, joining.communityId);
  const existing = await membershipOf(tx, joining.personRecordId);
  if (existing) {
    if (existing.leftAt) {
      const back = await rejoin(tx, existing.id);
      return back ?? existing;
    }
    return existing;
  }
  const member = await insertMember(tx, {
    communityId: joining.communityId,
    personRecordId: joining.personRecordId,
    cameFrom: joining.cameFrom,
    programmeId: joining.programmeId ?? null,
    referralId: joining.referralId ?? null,
    neighbourhood: joining.neighbourhood ?? '',
    onboardedAt: joining.onboarded ? new Date() : null,
  });
  if (!member) throw new Error('member insert returned nothing');
  await insertMemberAccount(tx, {
    communityId: joining.communityId,
    personRecordId: joining.personRecordId,
    neighbourhood: joining.neighbourhood ?? '',
  });
  await record(tx, {
    communityId: joining.communityId,
    actorId: joining.actorId,
    action: 'timebank.member_joined',
    subjectType: 'person_record',
    subjectId: joining.personRecordId,
    detail: { cameFrom: joining.cameFrom },
  });
  if (!joining.onboarded) await finishOnboardingIfDone(tx, joining.communityId, member.id, joining.actorId);
  return member;
}

/** What a referral accepted into a time bank programme does: the person joins the programme and starts onboarding here. */
export async function acceptIntoTimebank(tx: CommunityTransaction, joining: Joining): Promise<void> {
  await joinProgramme(tx, joining);
  let came: CameFrom = 'coordinator';
  if (joining.referralId) {
    // A referral this community cannot see leaves the person as brought in by a coordinator.
    const referral = await getReferral(tx, joining.communityId, joining.referralId).catch((error: unknown) => {
      if (error instanceof DomainError && error.status === 404) return undefined;
      throw error;
    });
    if (referral) came = referral.source;
  }
  await joinTimebank(tx, {
    communityId: joining.communityId,
    personRecordId: joining.personRecordId,
    cameFrom: came,
    programmeId: joining.programme.id,
    referralId: joining.referralId,
    actorId: joining.actorId,
  });
}

export async function memberOf(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
): Promise<Member | undefined> {
  return currentMember(tx, communityId, personRecordId);
}

/** A member's onboarding: each step and whether (when, by whom) it was done. */
export async function onboardingOf(tx: CommunityTransaction, communityId: string, memberId: string) {
  const steps = await listSteps(tx, communityId);
  const ticks = await ticksOf(tx, memberId);
  const byStep = new Map(ticks.map((row) => [row.step_id, row]));
  return steps.map((step) => ({
    id: step.id,
    label: step.label,
    doneOn: byStep.get(step.id)?.done_on ?? null,
    tickedBy: byStep.get(step.id)?.ticked_by ?? null,
  }));
}

async function finishOnboardingIfDone(
  tx: CommunityTransaction,
  communityId: string,
  memberId: string,
  actorId: string | null,
) {
  const left = await stepsLeft(tx, communityId, memberId);
  if ((left?.count ?? 0) > 0) return false;
  const done = await markOnboarded(tx, memberId);
  if (done)
    await record(tx, {
      communityId,
      actorId,
      action: 'timebank.member_onboarded',
      subjectType: 'person_record',
      subjectId: done.personRecordId,
    });
  return true;
}

/** One step or several ticked at once (checkboxes on the page; one id or a list in the API), done on one day. */
export const stepTick = z.object({
  stepId: z
    .preprocess(
      (value) => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]),
      z
        .array(z.uuid({ error: 'errors.timebank.step.missing' }))
        .min(1, 'errors.timebank.step.missing')
        .max(50, 'errors.timebank.step.missing'),
    )
    .transform((list) => [...new Set(list)])
    .describe('The step done, or a list of steps done on the same day'),
  doneOn: z.iso
    .date({ error: 'errors.timebank.doneOn.invalid' })
    .refine((value) => value <= ukDay(new Date()), 'errors.timebank.doneOn.future'),
});

/** A coordinator ticks steps as done (on a day, by them), all or none; the last one makes the person a full member. */
export async function tickStep(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  personRecordId: string,
  tick: z.infer<typeof stepTick>,
) {
  const member = await memberOf(tx, communityId, personRecordId);
  if (!member) throw notFound();
  const steps = await openStepsAmong(tx, communityId, tick.stepId);
  if (steps.length !== tick.stepId.length) throw invalid([{ field: 'stepId', code: 'errors.timebank.step.missing' }]);
  for (const step of steps) {
    await insertTick(tx, { communityId, memberId: member.id, stepId: step.id, doneOn: tick.doneOn, tickedBy: actorId });
    await record(tx, {
      communityId,
      actorId,
      action: 'timebank.step_done',
      subjectType: 'person_record',
      subjectId: personRecordId,
      detail: { step: step.label, doneOn: tick.doneOn },
    });
  }
  return finishOnboardingIfDone(tx, communityId, member.id, actorId);
}

/** The people in the time bank, joining first, then by name. */
export async function listMembers(tx: CommunityTransaction, communityId: string) {
  return membersOf(tx, communityId);
}

// ——— Accounts ———

export async function potOf(tx: CommunityTransaction, communityId: string): Promise<Account> {
  await timebankOf(tx, communityId);
  const pot = await potAccount(tx, communityId);
  if (!pot) throw new Error('a time bank without a pot');
  return pot;
}

export async function accountOfPerson(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
): Promise<Account | undefined> {
  return openAccountOf(tx, communityId, personRecordId);
}

/** The accounts a coordinator can record for: members who finished onboarding, and organisations. */
export async function accountChoices(tx: CommunityTransaction, communityId: string) {
  const rows = await choosableAccounts(tx, communityId);
  // Two people with the same name are told apart by their member numbers.
  const named = new Map<string, number>();
  for (const row of rows) named.set(row.name.toLowerCase(), (named.get(row.name.toLowerCase()) ?? 0) + 1);
  return rows.map((row) => ({
    id: row.id,
    kind: row.kind,
    name:
      (named.get(row.name.toLowerCase()) ?? 0) > 1 && row.number !== null ? `${row.name} (${row.number})` : row.name,
    personRecordId: row.person_record_id,
    assistedDigital: row.assisted_digital ?? false,
  }));
}

export const organisationDetails = z.object({
  name: requiredText('errors.timebank.organisation.missing', 'errors.timebank.organisation.tooLong', 120),
  neighbourhood: optionalText('errors.timebank.neighbourhood.tooLong', 80),
});

export async function addOrganisation(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: z.infer<typeof organisationDetails>,
) {
  await timebankOf(tx, communityId);
  const account = await insertOrganisation(tx, communityId, details);
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.organisation_added',
    subjectType: 'timebank_account',
    subjectId: account?.id,
  });
  return account;
}

/** An account's movements, newest first, with what each was and who else took part. */
export async function statement(
  tx: CommunityTransaction,
  communityId: string,
  accountId: string,
  page: { before?: number; limit: number; from?: string; to?: string },
) {
  const rows = await statementRows(tx, communityId, accountId, page);
  const items = rows.slice(0, page.limit).map((row) => ({
    id: Number(row.id),
    minutes: row.minutes,
    balanceAfter: row.balance_after,
    occurredOn: row.occurred_on,
    kind: row.kind,
    note: row.note,
    category: row.category,
    transferId: row.transfer_id,
    exchangeId: row.exchange_id,
    reversesId: row.reverses_id,
    others: row.others ?? '',
    reversed: row.reversed,
  }));
  return { items, more: rows.length > page.limit };
}

/**
 * Whose statement and its lines: `personId` a coordinator asked for (404 when they have no
 * account), or else the reader's own (undefined when they are not in the time bank).
 */
export async function statementOf(
  tx: CommunityTransaction,
  communityId: string,
  personId: string | null,
  ownId: string | null,
  page: { limit: number; before?: number },
) {
  const who = personId ?? ownId;
  const account = who ? await accountOfPerson(tx, communityId, who) : undefined;
  if (!who || !account) {
    if (personId) throw notFound();
    return undefined;
  }
  const person = await getPerson(tx, communityId, who);
  const lines = await statement(tx, communityId, account.id, page);
  return { person, account, lines: lines.items, more: lines.more };
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
 * for either side (marked as done on their behalf) and may confirm it there and then.
 */
export async function recordExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  input: NewExchange,
): Promise<Exchange> {
  const { communityId, actor } = context;
  const timebank = await timebankOf(tx, communityId);
  if (input.giver === input.receiver) throw invalid([{ field: 'receiver', code: 'errors.timebank.receiver.same' }]);
  const isGiver = context.actorRecordId === input.giver;
  const isReceiver = context.actorRecordId === input.receiver;
  if (!actor.staff && !isGiver && !isReceiver)
    throw invalid([{ field: 'giver', code: 'errors.timebank.giver.notYou' }]);
  if (input.confirmNow && !actor.staff)
    throw invalid([{ field: 'confirmNow', code: 'errors.timebank.confirmNow.staffOnly' }]);
  const parties = await partiesOf(tx, communityId, [input.giver, input.receiver]);
  const [giver, receiver] = [parties.get(input.giver), parties.get(input.receiver)];
  if (!giver || !receiver) throw notFound();
  const errors = [];
  if (!giver.onboarded) errors.push({ field: 'giver', code: 'errors.timebank.notOnboarded' });
  if (!receiver.onboarded) errors.push({ field: 'receiver', code: 'errors.timebank.notOnboarded' });
  const category = await usableCategory(tx, communityId, input.categoryId);
  if (!category) errors.push({ field: 'categoryId', code: 'errors.timebank.category.missing' });
  if (input.postId) {
    if (!(await postExists(tx, communityId, input.postId)))
      errors.push({ field: 'postId', code: 'errors.timebank.post.missing' });
  }
  if (errors.length > 0) throw invalid(errors);
  // Whoever gives help that needs a background check must have a current one.
  if (category) await requireCheck(tx, giver.personRecordId, category.checkLevel, 'giver');
  // Said early, so nobody waits on a confirmation the ledger would refuse.
  if (receiver.balance - input.minutes < timebank.minimumBalance)
    throw new DomainError('timebank-below-limit', 400, [{ field: 'minutes', code: 'errors.timebank.belowLimit' }], {
      minimumBalance: timebank.minimumBalance,
    });

  const recordedFor = actor.staff && !isGiver && !isReceiver ? null : isGiver ? giver.accountId : receiver.accountId;
  const today = ukDay(new Date());
  const exchange = await insertExchange(tx, {
    communityId,
    occurredOn: input.occurredOn,
    categoryId: input.categoryId,
    postId: input.postId ?? null,
    note: input.note,
    recordedBy: actor.id,
    recordedFor,
    onBehalf: actor.staff && !isGiver && !isReceiver,
    confirmsOn: formatISO(addDays(new Date(`${today}T12:00:00Z`), timebank.autoConfirmDays), {
      representation: 'date',
    }),
    // Confirmed as it is recorded: nobody else can see it before this transaction ends.
    ...(input.confirmNow ? { status: 'confirmed' as const, decidedBy: actor.id, decidedAt: new Date() } : {}),
  });
  if (!exchange) throw new Error('exchange insert returned nothing');
  const sides = [
    {
      accountId: giver.accountId,
      side: 'giver' as const,
      minutes: input.minutes,
      name: giver.name,
      personRecordId: giver.personRecordId,
      kind: 'member',
      online: giver.accountHolder !== null,
    },
    {
      accountId: receiver.accountId,
      side: 'receiver' as const,
      minutes: input.minutes,
      name: receiver.name,
      personRecordId: receiver.personRecordId,
      kind: 'member',
      online: receiver.accountHolder !== null,
    },
  ];
  await insertParties(
    tx,
    sides.map(({ accountId, side, minutes }) => ({ communityId, exchangeId: exchange.id, accountId, side, minutes })),
  );
  const recorded = {
    communityId,
    actorId: actor.id,
    action: 'timebank.exchange_recorded',
    subjectType: 'timebank_exchange',
    subjectId: exchange.id,
    detail: { minutes: input.minutes, onBehalf: exchange.onBehalf },
  };
  if (input.confirmNow) {
    await post(
      tx,
      communityId,
      actor.id,
      timebank,
      { exchange, category: null, parties: sides, transferId: null, reversal: null, recordedByName: null },
      [recorded],
    );
    return exchange;
  }
  await record(tx, recorded);
  // The other side is asked to confirm, by email when they agreed to that.
  const other = isGiver ? receiver : isReceiver ? giver : null;
  if (other) await askToConfirm(tx, context, other, exchange.id);
  return exchange;
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

/** Who is asked to confirm: the side that did not record it (either side, when a coordinator recorded it for nobody in particular). */
export function awaitedSide(full: ExchangeInFull): string[] {
  return full.parties
    .filter((party) => party.personRecordId && party.accountId !== full.exchange.recordedFor)
    .map((party) => party.personRecordId as string);
}

/**
 * Confirms an exchange and posts it to the ledger, in one step: if the ledger refuses (a
 * balance would go below the limit), it stays as it was. Confirming twice posts once.
 */
export async function confirmExchange(
  tx: CommunityTransaction,
  context: ExchangeContext,
  exchangeId: string,
): Promise<Exchange> {
  const { communityId, actor } = context;
  const full = await getExchange(tx, communityId, exchangeId);
  if (!mayView(full, actor, context.actorRecordId)) throw notFound();
  if (full.exchange.status === 'confirmed') return full.exchange;
  if (full.exchange.status === 'cancelled') throw conflict('timebank-exchange-cancelled');
  if (!actor.staff) {
    if (full.exchange.status === 'disputed') throw conflict('timebank-exchange-disputed');
    if (!context.actorRecordId || !awaitedSide(full).includes(context.actorRecordId))
      throw conflict('timebank-confirm-other-side');
  }
  return settle(tx, communityId, actor.id, full);
}

async function settle(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string | null,
  full: ExchangeInFull,
): Promise<Exchange> {
  const timebank = await timebankOf(tx, communityId);
  const claimed = await claimForConfirming(tx, full.exchange.id, actorId);
  if (!claimed) return (await getExchange(tx, communityId, full.exchange.id)).exchange;
  await post(tx, communityId, actorId, timebank, full, []);
  return claimed;
}

/** Posts a confirmed exchange to the ledger, with its audit entries and the sides' journey steps. */
async function post(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string | null,
  timebank: Timebank,
  full: ExchangeInFull,
  audit: AuditEntry[],
): Promise<void> {
  const pot = full.exchange.group ? await potOf(tx, communityId) : null;
  const movements = full.parties.map((party) => ({
    accountId: party.accountId,
    minutes: party.side === 'giver' ? party.minutes : full.exchange.potPaysReceivers ? 0 : -party.minutes,
  }));
  if (pot)
    movements.push({ accountId: pot.id, minutes: -movements.reduce((sum, movement) => sum + movement.minutes, 0) });
  await postTransfer(tx, {
    communityId,
    kind: full.exchange.group ? 'group' : 'exchange',
    occurredOn: full.exchange.occurredOn,
    movements,
    minimumBalance: timebank.minimumBalance,
    exchangeId: full.exchange.id,
    categoryId: full.exchange.categoryId,
    note: full.exchange.note,
    recordedBy: actorId,
  });
  await forgetDayTotals(tx, communityId, full.exchange.occurredOn);
  await record(tx, [
    ...audit,
    {
      communityId,
      actorId,
      action: 'timebank.exchange_confirmed',
      subjectType: 'timebank_exchange',
      subjectId: full.exchange.id,
    },
  ]);
  await recordMilestones(
    tx,
    full.parties.flatMap((party) =>
      party.personRecordId
        ? [
            {
              communityId,
              personRecordId: party.personRecordId,
              kind: party.side === 'giver' ? ('hours_given' as const) : ('hours_received' as const),
              source: { type: 'timebank_exchange', id: full.exchange.id },
              detail: { minutes: party.minutes },
              once: `timebank:first_${party.side}`,
              recordedBy: actorId,
            },
          ]
        : [],
    ),
  );
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
  const full = await getExchange(tx, communityId, exchangeId);
  if (!mayView(full, actor, context.actorRecordId)) throw notFound();
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
  const full = await getExchange(tx, communityId, exchangeId);
  if (!mayView(full, actor, context.actorRecordId)) throw notFound();
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
export async function exchangeIds(
  tx: CommunityTransaction,
  communityId: string,
  options: {
    personRecordId: string | null;
    status?: Exchange['status'];
    before?: { createdAt: string; id: string };
    limit: number;
  },
) {
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
  const category = await categoryCheck(tx, communityId, input.categoryId);
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
  return settle(tx, communityId, actor.id, await getExchange(tx, communityId, exchange.id));
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
  if (original.exchangeId) {
    await markReversed(tx, original.exchangeId);
    await forgetDayTotals(tx, communityId, original.occurredOn);
  }
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

/** A finished day whose exchanges changed is added up again the next time a report needs it. */
export async function forgetDayTotals(tx: CommunityTransaction, communityId: string, day: string): Promise<void> {
  if (day >= ukDay(new Date())) return;
  await forgetDay(tx, communityId, day);
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
      await inCommunity(owner, { communityId, personId: null }, async (tx) =>
        settle(tx, communityId, null, await getExchange(tx, communityId, id)),
      );
      confirmed += 1;
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      refused += 1;
      await inCommunity(owner, { communityId, personId: null }, (tx) => disputeUnconfirmable(tx, id));
    }
  }
  return { confirmed, refused };
}

/** Every night: each time bank adds up its finished days of the last year that are not added up yet, so reports read totals. */
export async function countFinishedDays(owner: Database): Promise<{ days: number }> {
  const banks = await allTimebanks(owner);
  const today = ukDay(new Date());
  const yesterday = formatISO(subDays(new Date(`${today}T12:00:00Z`), 1), { representation: 'date' });
  const yearAgo = formatISO(subDays(new Date(`${today}T12:00:00Z`), 366), { representation: 'date' });
  let days = 0;
  for (const { communityId } of banks)
    days += await inCommunity(owner, { communityId, personId: null }, (tx) =>
      countDays(tx, communityId, yearAgo, yesterday),
    );
  return { days };
}

/** Every night: each time bank's balances against their movements; any difference is recorded and logged. */
export async function reconcileLedgers(
  owner: Database,
  log: (message: string, detail: Record<string, unknown>) => void = () => {},
): Promise<number> {
  const banks = await timebanksOfCommunities(owner);
  let differences = 0;
  for (const { communityId } of banks) {
    await inCommunity(owner, { communityId, personId: null }, async (tx) => {
      const result = await unreconciled(tx, communityId);
      await insertReconciliation(tx, { communityId, accountsChecked: result.checked, differences: result.differences });
      if (result.differences.length > 0) {
        differences += result.differences.length;
        log('time bank balances differ from their movements', { communityId, differences: result.differences });
        await record(tx, {
          communityId,
          actorId: null,
          action: 'timebank.reconciliation_failed',
          subjectType: 'timebank',
          subjectId: communityId,
          detail: { differences: result.differences },
        });
      }
    });
  }
  return differences;
}

export async function lastReconciliation(tx: CommunityTransaction, communityId: string) {
  return latestReconciliation(tx, communityId);
}

/** The coordinator's view of what needs doing. */
export async function coordinatorSummary(tx: CommunityTransaction, communityId: string) {
  const timebank = await timebankOf(tx, communityId);
  const counts = await coordinatorCounts(tx, communityId);
  const pot = await potOf(tx, communityId);
  const reconciliation = await lastReconciliation(tx, communityId);
  return { timebank, counts: counts ?? { joining: 0, members: 0, pending: 0, disputed: 0 }, pot, reconciliation };
}

export const personData: PersonDataSource[] = [
  { table: 'timebank_members', column: 'person_record_id', points: 'record', download: 'rows', merge: mergeMembership },
  // After the membership's merge the other record's account is closed (or was the only one): it moves with its history.
  { table: 'timebank_accounts', column: 'person_record_id', points: 'record', download: 'rows', merge: 'move' },
  // Reached through the person's accounts: what they gave and received, and their statement.
  {
    table: 'timebank_exchange_parties',
    column: 'account_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the accounts, which move' },
    // Erased: the notes on exchanges they took part in go, on the exchange and on its ledger transfer; the minutes stay.
    erase: forgetExchangeNotes,
    rows: exchangesTakenPartIn,
  },
  {
    table: 'timebank_movements',
    column: 'account_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the accounts, which move' },
    rows: movementsOfRecord,
  },
  { table: 'timebank_onboarding_ticks', column: 'ticked_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'timebank_onboarding_ticks',
    column: 'member_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the membership, whose merge moves them' },
    rows: stepsDoneBy,
  },
  { table: 'timebank_transfers', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'timebank_exchanges', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'timebank_exchanges', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'timebank_posts',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: 'move',
    // Erased: their posts close and lose what they said.
    erase: forgetPosts,
  },
  { table: 'timebank_posts', column: 'posted_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'timebank_responses',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    rows: responsesOfRecord,
    // One response per post and person: where both records answered the same post, the kept record's stands with both conversations' messages.
    merge: mergeResponses,
  },
  {
    table: 'timebank_messages',
    column: 'from_record_id',
    points: 'record',
    download: 'rows',
    merge: 'move',
    // Erased: every message of a conversation they were a side of goes (what others wrote to them is about them too).
    erase: forgetMessages,
  },
  { table: 'timebank_messages', column: 'sent_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'timebank_follows',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    rows: followsOfRecord,
    merge: mergeFollows,
  },
  {
    table: 'timebank_checks',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: 'move',
    // The level and dates stay (who could do what, when); the certificate's number identifies them.
    erase: forgetCertificateNumbers,
  },
  { table: 'timebank_checks', column: 'seen_by', points: 'account', download: { excluded: 'actor' } },
];

/**
 * Merging two records: the kept record's membership and account stay; the other's balance
 * moves into it by a transfer (the ledger is never edited) and its account closes.
 */
async function mergeMembership(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const from = await openAccountOfRecord(tx, fromId);
  const into = await openAccountOfRecord(tx, intoId);
  if (from && !into) {
    await moveAccount(tx, from.id, intoId);
  } else if (from && into) {
    if (from.balance !== 0) {
      await postTransfer(tx, {
        communityId: from.communityId,
        kind: 'merge',
        occurredOn: ukDay(new Date()),
        movements: [
          { accountId: from.id, minutes: -from.balance },
          { accountId: into.id, minutes: from.balance },
        ],
        minimumBalance: Number.MIN_SAFE_INTEGER,
        note: 'Two records of the same person were merged',
        recordedBy: null,
      });
    }
    await closeAccount(tx, from.id);
  }
  const fromMember = await membershipOf(tx, fromId);
  const intoMember = await membershipOf(tx, intoId);
  if (fromMember && !intoMember) await moveMembership(tx, fromMember.id, intoId);
  // Joining steps done under either record are done; the other membership goes, its history in the kept one.
  else if (fromMember && intoMember) await absorbMembership(tx, fromMember, intoMember.id);
}

// What other modules may use of the time bank's tables.
export { openCategoryCount, openOnboardingStepCount } from './store.ts';
