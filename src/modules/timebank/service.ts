// The time bank's rules: joining and onboarding, categories, accounts and statements, and the
// nightly work. Exchanges (one to one, in groups, the pot, reversals) are in exchanges.ts; the
// ledger itself is in ledger.ts.
import { formatISO, subDays } from 'date-fns';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import type { PersonDataSource } from '../../platform/person-data.ts';
import { type CommunityTransaction, inCommunity, type RequestAsker } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { getPerson } from '../people/service.ts';
import { joinProgramme, type Joining } from '../programmes/service.ts';
import { getReferral } from '../referrals/service.ts';
import { postTransfer, unreconciled } from './ledger.ts';
import { countDays } from './reports-store.ts';
import type { CameFrom } from './schema.ts';
import { forgetCertificateNumbers } from './checks-store.ts';
import { type Exchange, type ExchangeListing, statementRows } from './exchanges-store.ts';
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

/**
 * Whether the asker runs the time bank (its coordinators and admins): they record for members
 * who are not online, and see everyone's exchanges, posts, conversations and accounts.
 */
export function runsTimebank(asker: RequestAsker): boolean {
  return asker.runsProgrammes;
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

/** A whole number from a form field, from `min` to `max`; anything else is the one error. */
const wholeNumber = (min: number, max: number, error: string) =>
  z.coerce.number({ error }).int(error).min(min, error).max(max, error);

export const timebankRules = z.object({
  minimumBalanceHours: wholeNumber(-100, 0, 'errors.timebank.minimumBalance'),
  autoConfirmDays: wholeNumber(1, 60, 'errors.timebank.days'),
  postReminderDays: wholeNumber(1, 60, 'errors.timebank.days'),
  checkWarningDays: wholeNumber(1, 180, 'errors.timebank.days'),
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
 * A member's account, for the member themselves or those who run the time bank: anyone else, and
 * anyone not in the time bank, is told it does not exist.
 */
export async function memberAccountFor(
  tx: CommunityTransaction,
  communityId: string,
  asker: RequestAsker,
  personRecordId: string,
) {
  if (!runsTimebank(asker) && (await asker.recordIn(tx)) !== personRecordId) throw notFound();
  const person = await getPerson(tx, communityId, personRecordId);
  const account = await accountOfPerson(tx, communityId, person.id);
  const member = await memberOf(tx, communityId, person.id);
  if (!account || !member) throw notFound();
  return { person, account, member };
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

// ——— Scheduled work ———

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
// Exchanges are recorded, listed and confirmed by exchanges.ts; what other modules use of them.
export {
  confirmWaitingExchanges,
  movePotTime,
  openExchanges,
  recordExchange,
  recordGroupExchange,
  reverseExchange,
} from './exchanges.ts';
