// The privacy module's queries: erasure requests, and forgetting what the platform's own tables
// hold about a person (messages sent, invitations, kept API answers, the account).
import { and, asc, eq, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import {
  apiTokens,
  communities,
  emailVerifications,
  memberships,
  accounts,
  sessions,
} from '../../platform/db/schema.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeen } from '../people/service.ts';
import { erasureRequests } from './schema.ts';

export { erasureStatuses } from './schema.ts';

export type ErasureRequest = typeof erasureRequests.$inferSelect;

/** Makes a request unless one already waits for the person (then nothing is made). */
export async function insertErasureRequest(
  tx: CommunityTransaction,
  values: { communityId: string; personRecordId: string; requestedBy: string; onBehalf: boolean; reason: string },
): Promise<ErasureRequest | undefined> {
  const [made] = await tx.insert(erasureRequests).values(values).onConflictDoNothing().returning();
  return made;
}

export async function waitingRequest(tx: CommunityTransaction, recordId: string) {
  const [waiting] = await tx
    .select()
    .from(erasureRequests)
    .where(and(eq(erasureRequests.personRecordId, recordId), eq(erasureRequests.status, 'requested')));
  return waiting;
}

/** Requests with whom they are about and who recorded them. */
function requestsWithNames(tx: CommunityTransaction, ...conditions: SQL[]) {
  const records = recordsSeen('records');
  return tx
    .select({
      request: erasureRequests,
      number: records.number,
      preferredName: records.preferredName,
      requestedByName: accounts.displayName,
    })
    .from(erasureRequests)
    .innerJoin(records, eq(records.id, erasureRequests.personRecordId))
    .leftJoin(accounts, eq(accounts.id, erasureRequests.requestedBy))
    .where(and(...conditions));
}

/** The community's requests, waiting ones first, oldest first. */
export function erasureRequestsOf(tx: CommunityTransaction, communityId: string) {
  return requestsWithNames(tx, eq(erasureRequests.communityId, communityId))
    .orderBy(sql`${erasureRequests.status} = 'requested' desc`, asc(erasureRequests.createdAt))
    .limit(200);
}

export async function erasureRequestWithNames(tx: CommunityTransaction, communityId: string, requestId: string) {
  const [found] = await requestsWithNames(
    tx,
    eq(erasureRequests.communityId, communityId),
    eq(erasureRequests.id, requestId),
  );
  return found;
}

/** Decides a request that still waits; nothing when it was decided already (or is not there). */
export async function decideWaitingRequest(
  tx: CommunityTransaction,
  communityId: string,
  requestId: string,
  decision: { approve: boolean; adminId: string; note: string },
): Promise<ErasureRequest | undefined> {
  const [decided] = await tx
    .update(erasureRequests)
    .set({
      status: decision.approve ? 'approved' : 'declined',
      decidedBy: decision.adminId,
      decidedAt: new Date(),
      decisionNote: decision.note,
    })
    .where(
      and(
        eq(erasureRequests.communityId, communityId),
        eq(erasureRequests.id, requestId),
        eq(erasureRequests.status, 'requested'),
      ),
    )
    .returning();
  return decided;
}

export async function accountEmail(tx: CommunityTransaction, accountId: string): Promise<string | undefined> {
  const [account] = await tx.select({ email: accounts.email }).from(accounts).where(eq(accounts.id, accountId));
  return account?.email;
}

/** The messages this community sent to these addresses and the invitations it made to them keep nothing of them. */
export async function forgetAddresses(
  tx: CommunityTransaction,
  communityId: string,
  addresses: readonly string[],
): Promise<void> {
  if (addresses.length === 0) return;
  await tx.execute(
    sql`update outbox set recipient = 'forgotten', subject = '', body = '' where community_id = ${communityId} and lower(recipient) in ${addresses}`,
  );
  await tx.execute(
    sql`update invitations set email = 'forgotten@erased.invalid' where community_id = ${communityId} and lower(email) in ${addresses}`,
  );
}

/** Copies of API answers that mention the record, kept for retries, go. */
export async function forgetKeptAnswersAbout(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.execute(sql`delete from idempotency_records where response_body::text like ${`%${recordId}%`}`);
}

/** The account leaves this community: its membership is removed. */
export async function removeMembership(tx: CommunityTransaction, communityId: string, accountId: string) {
  await tx
    .update(memberships)
    .set({ status: 'removed', roles: [], decidedAt: new Date() })
    .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, accountId)));
}

/** How many other communities hold the account (a membership or a record); row-level security hides them, so ask the account's own view. */
export async function communitiesElsewhere(
  tx: CommunityTransaction,
  accountId: string,
  communityId: string,
): Promise<number> {
  const [elsewhere] = await tx
    .execute<{ count: number }>(
      sql`select count(*)::int as count from account_held_elsewhere(${accountId}, ${communityId})`,
    )
    .then((result) => result.rows);
  return elsewhere?.count ?? 0;
}

/** The account keeps nothing of the person and is signed out everywhere. */
export async function pseudonymiseAccount(tx: CommunityTransaction, accountId: string): Promise<void> {
  const email = await accountEmail(tx, accountId);
  await tx
    .update(accounts)
    .set({
      email: `erased-${accountId}@erased.invalid`,
      displayName: 'Former member',
      passwordHash: null,
      totpSecret: null,
      totpEnabledAt: null,
      erasedAt: new Date(),
    })
    .where(eq(accounts.id, accountId));
  if (email) await tx.execute(sql`select forget_platform_messages(${email})`);
  await tx.delete(sessions).where(eq(sessions.personId, accountId));
  // Links sent to confirm the address hold the address itself.
  await tx.delete(emailVerifications).where(eq(emailVerifications.personId, accountId));
  await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.personId, accountId), isNull(apiTokens.revokedAt)));
}

/** Every community and how many months it keeps declined and withdrawn referrals. */
export function retentionOfEveryCommunity(owner: Database) {
  return owner.select({ id: communities.id, months: communities.referralRetentionMonths }).from(communities);
}

/** What they wrote when asking goes with everything else. */
export async function forgetRequestReasons(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.update(erasureRequests).set({ reason: '' }).where(eq(erasureRequests.personRecordId, recordId));
}

/** One request waits per person: when both merged records had one, the merged-in one's is closed as merged. */
export async function moveRequests(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const kept = await waitingRequest(tx, intoId);
  if (kept)
    await tx
      .update(erasureRequests)
      .set({ status: 'declined', decidedAt: new Date(), decisionNote: 'Merged into another record’s request' })
      .where(and(eq(erasureRequests.personRecordId, fromId), eq(erasureRequests.status, 'requested')));
  await tx.update(erasureRequests).set({ personRecordId: intoId }).where(eq(erasureRequests.personRecordId, fromId));
}
