// The time bank's queries: its rules, categories and onboarding steps, members and accounts,
// reconciliations, the coordinator's counts, an import's lookups, and what a person's download,
// erasure and merge reach. Exchanges are in exchanges-store.ts, posts in posts-store.ts, checks
// in checks-store.ts, the ledger in ledger-store.ts and the reports in reports-store.ts.
import { and, asc, desc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { communities, accounts } from '../../platform/db/schema.ts';
import type { Database } from '../../platform/db/index.ts';
import { keepingOnePer, rowsThrough } from '../../platform/person-data.ts';
import { builtOnceWhereOpen } from '../../platform/db/transactions.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { emailOf, recordsSeen, recordsSeenSql } from '../people/service.ts';
import {
  checkLevels,
  exchangeStatuses,
  onboardingSteps,
  onboardingTicks,
  reconciliations,
  timebankAccounts,
  timebankCategories,
  timebankMembers,
  timebanks,
} from './schema.ts';

export { checkLevels, exchangeStatuses };
export type Timebank = typeof timebanks.$inferSelect;
export type Member = typeof timebankMembers.$inferSelect;
export type Account = typeof timebankAccounts.$inferSelect;
export type Category = typeof timebankCategories.$inferSelect;

// ——— The time bank and its rules ———

const timebankStatement = builtOnceWhereOpen((db) =>
  db
    .select()
    .from(timebanks)
    .where(eq(timebanks.communityId, sql.placeholder('communityId')))
    .prepare('timebank_of_community'),
);

export async function timebankRow(tx: CommunityTransaction, communityId: string): Promise<Timebank | undefined> {
  const [found] = await timebankStatement(tx).execute({ communityId });
  return found;
}

/** The community's time bank with the default rules; nothing when another transaction made it first. */
export async function insertTimebank(tx: CommunityTransaction, communityId: string): Promise<Timebank | undefined> {
  const [created] = await tx.insert(timebanks).values({ communityId }).onConflictDoNothing().returning();
  return created;
}

export async function insertPot(tx: CommunityTransaction, communityId: string): Promise<void> {
  await tx.insert(timebankAccounts).values({ communityId, kind: 'pot' });
}

/** Onboarding steps in the order given. */
export async function insertSteps(tx: CommunityTransaction, communityId: string, labels: readonly string[]) {
  await tx.insert(onboardingSteps).values(labels.map((label, position) => ({ communityId, label, position })));
}

export async function updateRules(
  tx: CommunityTransaction,
  communityId: string,
  rules: Pick<Timebank, 'minimumBalance' | 'autoConfirmDays' | 'postReminderDays' | 'checkWarningDays'>,
) {
  const [updated] = await tx.update(timebanks).set(rules).where(eq(timebanks.communityId, communityId)).returning();
  return updated;
}

/** Every time bank (platform-wide, as the owner). */
export function allTimebanks(owner: Database) {
  return owner.select({ communityId: timebanks.communityId }).from(timebanks);
}

/** Every time bank whose community is there (platform-wide, as the owner). */
export function timebanksOfCommunities(owner: Database) {
  return owner
    .select({ communityId: timebanks.communityId })
    .from(timebanks)
    .innerJoin(communities, eq(communities.id, timebanks.communityId));
}

// ——— Categories and onboarding steps ———

/** The community's categories by name, without the archived ones unless asked for. */
export function categoriesOf(tx: CommunityTransaction, communityId: string, includeArchived: boolean) {
  const conditions = [eq(timebankCategories.communityId, communityId)];
  if (!includeArchived) conditions.push(eq(timebankCategories.archived, false));
  return tx
    .select()
    .from(timebankCategories)
    .where(and(...conditions))
    .orderBy(asc(sql`lower(${timebankCategories.name})`));
}

/** A category of the community, archived or not. */
export async function categoryOf(tx: CommunityTransaction, communityId: string, categoryId: string) {
  const [found] = await tx
    .select()
    .from(timebankCategories)
    .where(and(eq(timebankCategories.communityId, communityId), eq(timebankCategories.id, categoryId)));
  return found;
}

/** A category of the community that is not archived, for a new exchange or post: its id, name and the check it needs. */
export async function usableCategory(tx: CommunityTransaction, communityId: string, categoryId: string) {
  const [category] = await tx
    .select({ id: timebankCategories.id, name: timebankCategories.name, checkLevel: timebankCategories.checkLevel })
    .from(timebankCategories)
    .where(
      and(
        eq(timebankCategories.communityId, communityId),
        eq(timebankCategories.id, categoryId),
        eq(timebankCategories.archived, false),
      ),
    );
  return category;
}

type CategoryDetails = Pick<Category, 'name' | 'checkLevel' | 'homeVisit' | 'archived'>;

export async function updateCategory(
  tx: CommunityTransaction,
  communityId: string,
  categoryId: string,
  details: CategoryDetails,
) {
  const [saved] = await tx
    .update(timebankCategories)
    .set(details)
    .where(and(eq(timebankCategories.communityId, communityId), eq(timebankCategories.id, categoryId)))
    .returning();
  return saved;
}

export async function insertCategory(tx: CommunityTransaction, communityId: string, details: CategoryDetails) {
  const [saved] = await tx
    .insert(timebankCategories)
    .values({ ...details, communityId })
    .returning();
  return saved;
}

/** A category by that name, unless the community has one already. */
export async function insertNamedCategory(tx: CommunityTransaction, communityId: string, name: string) {
  const [created] = await tx
    .insert(timebankCategories)
    .values({ communityId, name })
    .onConflictDoNothing()
    .returning({ id: timebankCategories.id });
  return created;
}

/** The community's categories, archived or not: their ids and names (an import matches against the names). */
export function categoryIdsAndNames(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ id: timebankCategories.id, name: timebankCategories.name })
    .from(timebankCategories)
    .where(eq(timebankCategories.communityId, communityId));
}

/** The steps asked of new members, in order. */
export function stepsOf(tx: CommunityTransaction, communityId: string) {
  return tx
    .select()
    .from(onboardingSteps)
    .where(and(eq(onboardingSteps.communityId, communityId), eq(onboardingSteps.archived, false)))
    .orderBy(asc(onboardingSteps.position));
}

/** The highest step position used (archived steps too), or -1. */
export async function lastStepPosition(tx: CommunityTransaction, communityId: string) {
  const [last] = await tx
    .select({ position: sql<number>`coalesce(max(${onboardingSteps.position}), -1)::int` })
    .from(onboardingSteps)
    .where(eq(onboardingSteps.communityId, communityId));
  return last;
}

export async function insertStep(tx: CommunityTransaction, communityId: string, label: string, position: number) {
  const [step] = await tx.insert(onboardingSteps).values({ communityId, label, position }).returning();
  return step;
}

export async function archiveStep(tx: CommunityTransaction, communityId: string, stepId: string) {
  const [step] = await tx
    .update(onboardingSteps)
    .set({ archived: true })
    .where(and(eq(onboardingSteps.communityId, communityId), eq(onboardingSteps.id, stepId)))
    .returning();
  return step;
}

/** Of these ids, the community's steps still asked of new members. */
export function openStepsAmong(tx: CommunityTransaction, communityId: string, stepIds: string[]) {
  return tx
    .select()
    .from(onboardingSteps)
    .where(
      and(
        eq(onboardingSteps.communityId, communityId),
        inArray(onboardingSteps.id, stepIds),
        eq(onboardingSteps.archived, false),
      ),
    );
}

export async function insertTick(tx: CommunityTransaction, values: typeof onboardingTicks.$inferInsert) {
  await tx.insert(onboardingTicks).values(values).onConflictDoNothing();
}

/** A member's ticked steps: when each was done and by whom. */
export async function ticksOf(tx: CommunityTransaction, memberId: string) {
  const ticks = await tx.execute<{ step_id: string; done_on: string; ticked_by: string | null }>(sql`
    select t.step_id, t.done_on::text, p.display_name as ticked_by
    from timebank_onboarding_ticks t left join people p on p.id = t.ticked_by
    where t.member_id = ${memberId}`);
  return ticks.rows;
}

/** How many of the steps asked of new members the member has not done. */
export async function stepsLeft(tx: CommunityTransaction, communityId: string, memberId: string) {
  const [left] = await tx
    .execute<{ count: number }>(
      sql`
    select count(*)::int as count from timebank_onboarding_steps s
    where s.community_id = ${communityId} and not s.archived
      and not exists (select 1 from timebank_onboarding_ticks t where t.member_id = ${memberId} and t.step_id = s.id)`,
    )
    .then((result) => result.rows);
  return left;
}

// ——— Members ———

/** The person's membership, whether or not they left. */
export async function membershipOf(tx: CommunityTransaction, personRecordId: string): Promise<Member | undefined> {
  const [existing] = await tx.select().from(timebankMembers).where(eq(timebankMembers.personRecordId, personRecordId));
  return existing;
}

export async function rejoin(tx: CommunityTransaction, memberId: string): Promise<Member | undefined> {
  const [back] = await tx
    .update(timebankMembers)
    .set({ leftAt: null })
    .where(eq(timebankMembers.id, memberId))
    .returning();
  return back;
}

export async function insertMember(tx: CommunityTransaction, values: typeof timebankMembers.$inferInsert) {
  const [member] = await tx.insert(timebankMembers).values(values).returning();
  return member;
}

/** The member's account, unless they have one. */
export async function insertMemberAccount(
  tx: CommunityTransaction,
  values: { communityId: string; personRecordId: string; neighbourhood: string },
): Promise<void> {
  await tx
    .insert(timebankAccounts)
    .values({ ...values, kind: 'member' })
    .onConflictDoNothing();
}

/** The person's membership of the community's time bank, unless they left. */
export async function currentMember(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
): Promise<Member | undefined> {
  const [member] = await tx
    .select()
    .from(timebankMembers)
    .where(
      and(
        eq(timebankMembers.communityId, communityId),
        eq(timebankMembers.personRecordId, personRecordId),
        isNull(timebankMembers.leftAt),
      ),
    );
  return member;
}

/** Members still doing their joining steps. */
export function joiningMemberIds(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ id: timebankMembers.id })
    .from(timebankMembers)
    .where(and(eq(timebankMembers.communityId, communityId), isNull(timebankMembers.onboardedAt)));
}

/** Marks the member onboarded, unless they were; returns the membership when it changed. */
export async function markOnboarded(tx: CommunityTransaction, memberId: string) {
  const [done] = await tx
    .update(timebankMembers)
    .set({ onboardedAt: new Date() })
    .where(and(eq(timebankMembers.id, memberId), isNull(timebankMembers.onboardedAt)))
    .returning();
  return done;
}

/** The active people in the time bank with their accounts, joining first, then by name. */
export function membersOf(tx: CommunityTransaction, communityId: string) {
  const records = recordsSeen('records');
  return tx
    .select({
      personRecordId: timebankMembers.personRecordId,
      name: records.listName,
      assistedDigital: records.assistedDigital,
      neighbourhood: timebankMembers.neighbourhood,
      cameFrom: timebankMembers.cameFrom,
      joinedAt: timebankMembers.joinedAt,
      onboardedAt: timebankMembers.onboardedAt,
      balance: timebankAccounts.balance,
      accountId: timebankAccounts.id,
    })
    .from(timebankMembers)
    .innerJoin(records, eq(records.id, timebankMembers.personRecordId))
    .leftJoin(
      timebankAccounts,
      and(eq(timebankAccounts.personRecordId, timebankMembers.personRecordId), isNull(timebankAccounts.closedAt)),
    )
    .where(
      and(eq(timebankMembers.communityId, communityId), isNull(timebankMembers.leftAt), eq(records.status, 'active')),
    )
    .orderBy(sql`${timebankMembers.onboardedAt} is not null`, asc(sql`lower(${records.listName})`));
}

/** The members (not left) with their email and name as written: an import names people by either, and lowers both as it lowers its files. */
export async function membersByEmailAndName(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{ id: string; email: string | null; name: string }>(
    sql`select r.id, ${emailOf(sql`r.id`)} as email, r.preferred_name as name from timebank_members m join ${recordsSeenSql('r')} on r.id = m.person_record_id where m.community_id = ${communityId} and m.left_at is null`,
  );
  return rows.rows;
}

// ——— Accounts ———

export async function potAccount(tx: CommunityTransaction, communityId: string): Promise<Account | undefined> {
  const [pot] = await tx
    .select()
    .from(timebankAccounts)
    .where(and(eq(timebankAccounts.communityId, communityId), eq(timebankAccounts.kind, 'pot')));
  return pot;
}

const openAccountStatement = builtOnceWhereOpen((db) =>
  db
    .select()
    .from(timebankAccounts)
    .where(
      and(
        eq(timebankAccounts.communityId, sql.placeholder('communityId')),
        eq(timebankAccounts.personRecordId, sql.placeholder('personRecordId')),
        isNull(timebankAccounts.closedAt),
      ),
    )
    .prepare('timebank_open_account_of'),
);

/** The person's open account in the community. */
export async function openAccountOf(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
): Promise<Account | undefined> {
  const [account] = await openAccountStatement(tx).execute({ communityId, personRecordId });
  return account;
}

/** The person's open account (in any community the transaction sees): its id and balance. */
export async function openAccountBalance(tx: CommunityTransaction, personRecordId: string) {
  const [account] = await tx
    .select({ id: timebankAccounts.id, balance: timebankAccounts.balance })
    .from(timebankAccounts)
    .where(and(eq(timebankAccounts.personRecordId, personRecordId), isNull(timebankAccounts.closedAt)));
  return account;
}

/** Of these ids, the community's open accounts. */
export function openAccountsAmong(tx: CommunityTransaction, communityId: string, accountIds: string[]) {
  return tx
    .select({ id: timebankAccounts.id, kind: timebankAccounts.kind })
    .from(timebankAccounts)
    .where(
      and(
        eq(timebankAccounts.communityId, communityId),
        inArray(timebankAccounts.id, accountIds),
        isNull(timebankAccounts.closedAt),
      ),
    );
}

/** Open accounts other than the pot: organisations, and members who finished onboarding, by kind and name. */
export async function choosableAccounts(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{
    id: string;
    kind: 'member' | 'organisation';
    name: string;
    number: number | null;
    person_record_id: string | null;
    assisted_digital: boolean | null;
  }>(sql`
    select a.id, a.kind, coalesce(r.list_name, a.name) as name, r.number, a.person_record_id, r.assisted_digital
    from timebank_accounts a
    left join ${recordsSeenSql('r')} on r.id = a.person_record_id
    left join timebank_members m on m.person_record_id = a.person_record_id
    where a.community_id = ${communityId} and a.closed_at is null and a.kind <> 'pot'
      and (a.kind = 'organisation' or (m.onboarded_at is not null and m.left_at is null and r.status = 'active'))
    order by a.kind, lower(coalesce(r.list_name, a.name))`);
  return rows.rows;
}

export async function insertOrganisation(
  tx: CommunityTransaction,
  communityId: string,
  details: { name: string; neighbourhood: string },
) {
  const [account] = await tx
    .insert(timebankAccounts)
    .values({ communityId, kind: 'organisation', name: details.name, neighbourhood: details.neighbourhood })
    .returning();
  return account;
}

// ——— Reconciliation and the coordinator's view ———

export async function insertReconciliation(
  tx: CommunityTransaction,
  values: {
    communityId: string;
    accountsChecked: number;
    differences: (typeof reconciliations.$inferInsert)['differences'];
  },
): Promise<void> {
  await tx.insert(reconciliations).values(values);
}

export async function latestReconciliation(tx: CommunityTransaction, communityId: string) {
  const [last] = await tx
    .select()
    .from(reconciliations)
    .where(eq(reconciliations.communityId, communityId))
    .orderBy(desc(reconciliations.ranAt))
    .limit(1);
  return last;
}

/** People joining, members, and exchanges pending and disputed. */
export async function coordinatorCounts(tx: CommunityTransaction, communityId: string) {
  const [counts] = await tx
    .execute<{ joining: number; members: number; pending: number; disputed: number }>(
      sql`
    select
      (select count(*)::int from timebank_members where community_id = ${communityId} and left_at is null and onboarded_at is null) as joining,
      (select count(*)::int from timebank_members where community_id = ${communityId} and left_at is null and onboarded_at is not null) as members,
      (select count(*)::int from timebank_exchanges where community_id = ${communityId} and status = 'pending') as pending,
      (select count(*)::int from timebank_exchanges where community_id = ${communityId} and status = 'disputed') as disputed`,
    )
    .then((result) => result.rows);
  return counts;
}

/** The display name of an account on the platform (who recorded something). */
export async function displayNameOf(tx: CommunityTransaction, accountId: string) {
  const [found] = await tx.select({ name: accounts.displayName }).from(accounts).where(eq(accounts.id, accountId));
  return found;
}

// ——— A person's data: download, erasure and merge ———

/** The person's open account, in full (a merge moves or closes it). */
export async function openAccountOfRecord(tx: CommunityTransaction, personRecordId: string) {
  const [account] = await tx
    .select()
    .from(timebankAccounts)
    .where(and(eq(timebankAccounts.personRecordId, personRecordId), isNull(timebankAccounts.closedAt)));
  return account;
}

export async function moveAccount(tx: CommunityTransaction, accountId: string, intoId: string): Promise<void> {
  await tx.update(timebankAccounts).set({ personRecordId: intoId }).where(eq(timebankAccounts.id, accountId));
}

export async function closeAccount(tx: CommunityTransaction, accountId: string): Promise<void> {
  await tx.update(timebankAccounts).set({ closedAt: new Date() }).where(eq(timebankAccounts.id, accountId));
}

export async function moveMembership(tx: CommunityTransaction, memberId: string, intoId: string): Promise<void> {
  await tx.update(timebankMembers).set({ personRecordId: intoId }).where(eq(timebankMembers.id, memberId));
}

/**
 * The kept membership takes the earlier joining and onboarding of the other; joining steps done
 * under either are done; the other membership goes, its history in the kept one.
 */
export async function absorbMembership(tx: CommunityTransaction, from: Member, intoId: string): Promise<void> {
  await tx.execute(
    sql`update timebank_members set onboarded_at = coalesce(onboarded_at, ${from.onboardedAt}), joined_at = least(joined_at, ${from.joinedAt}) where id = ${intoId}`,
  );
  await tx.execute(sql`insert into timebank_onboarding_ticks (community_id, member_id, step_id, done_on, ticked_by, ticked_at)
      select community_id, ${intoId}, step_id, done_on, ticked_by, ticked_at from timebank_onboarding_ticks where member_id = ${from.id} on conflict do nothing`);
  await tx.execute(sql`delete from timebank_onboarding_ticks where member_id = ${from.id}`);
  await tx.delete(timebankMembers).where(eq(timebankMembers.id, from.id));
}

/** Erasure: the notes on exchanges they took part in go, on the exchange and on its ledger transfer; the minutes stay. */
export async function forgetExchangeNotes(tx: CommunityTransaction, id: string): Promise<void> {
  await tx.execute(
    sql`update timebank_exchanges e set note = '', dispute_reason = '' where (note <> '' or dispute_reason <> '') and exists (select 1 from timebank_exchange_parties p join timebank_accounts a on a.id = p.account_id where p.exchange_id = e.id and a.person_record_id = ${id})`,
  );
  await tx.execute(
    sql`update timebank_transfers t set note = '' where note <> '' and exists (select 1 from timebank_movements m join timebank_accounts a on a.id = m.account_id where m.transfer_id = t.id and a.person_record_id = ${id})`,
  );
}

/** Download: the exchanges the person took part in. */
export const exchangesTakenPartIn = rowsThrough(
  (record) =>
    sql`select e.id, e.status, e.occurred_on, p.side, p.minutes, e.note from timebank_exchange_parties p join timebank_exchanges e on e.id = p.exchange_id join timebank_accounts a on a.id = p.account_id where a.person_record_id = ${record} order by e.occurred_on`,
);

/** Download: the movements of the person's accounts. */
export const movementsOfRecord = rowsThrough(
  (record) =>
    sql`select m.occurred_on, m.minutes, m.balance_after, t.kind, t.note from timebank_movements m join timebank_transfers t on t.id = m.transfer_id join timebank_accounts a on a.id = m.account_id where a.person_record_id = ${record} order by m.id`,
);

/** Download: the joining steps the person did. */
export const stepsDoneBy = rowsThrough(
  (record) =>
    sql`select s.label as step, t.done_on from timebank_onboarding_ticks t join timebank_members m on m.id = t.member_id join timebank_onboarding_steps s on s.id = t.step_id where m.person_record_id = ${record} order by t.done_on`,
);

/** Erasure: their posts close and lose what they said. */
export async function forgetPosts(tx: CommunityTransaction, id: string): Promise<void> {
  await tx.execute(
    sql`update timebank_posts set title = 'Removed', description = '', when_available = '', closed_at = coalesce(closed_at, now()) where person_record_id = ${id}`,
  );
}

/** Download: the person's answers to posts. */
export const responsesOfRecord = rowsThrough(
  (record) =>
    sql`select r.*, p.title as post_title from timebank_responses r join timebank_posts p on p.id = r.post_id where r.person_record_id = ${record} order by r.created_at`,
);

/** Merge: one response per post and person; where both records answered the same post, the kept record's stands with both conversations' messages. */
export async function mergeResponses(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update timebank_messages message set response_id = kept.id
        from timebank_responses gone, timebank_responses kept
        where message.response_id = gone.id and gone.person_record_id = ${fromId} and kept.person_record_id = ${intoId} and kept.post_id = gone.post_id`);
  await keepingOnePer('timebank_responses', 'person_record_id', ['post_id'])(tx, fromId, intoId);
}

/** Erasure: every message of a conversation they were a side of goes (what others wrote to them is about them too). */
export async function forgetMessages(tx: CommunityTransaction, id: string): Promise<void> {
  await tx.execute(sql`update timebank_messages m set body = '' where m.from_record_id = ${id} or exists (
        select 1 from timebank_responses r join timebank_posts p on p.id = r.post_id where r.id = m.response_id and (r.person_record_id = ${id} or p.person_record_id = ${id}))`);
}

/** Download: the categories the person follows. */
export const followsOfRecord = rowsThrough(
  (record) =>
    sql`select f.*, c.name as category from timebank_follows f join timebank_categories c on c.id = f.category_id where f.person_record_id = ${record}`,
);

/** Merge: the kept record follows what either followed. */
export async function mergeFollows(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(
    sql`insert into timebank_follows (community_id, person_record_id, category_id) select community_id, ${intoId}, category_id from timebank_follows where person_record_id = ${fromId} on conflict do nothing`,
  );
  await tx.execute(sql`delete from timebank_follows where person_record_id = ${fromId}`);
}

/** How many kinds of help the community's time bank offers, as a column of another module's query. */
export const openCategoryCount = (communityId: string) =>
  sql<number>`(select count(*)::int from timebank_categories where community_id = ${communityId} and not archived)`;

/** How many onboarding steps the community's time bank asks of a new member, as a column of another module's query. */
export const openOnboardingStepCount = (communityId: string) =>
  sql<number>`(select count(*)::int from timebank_onboarding_steps where community_id = ${communityId} and not archived)`;
