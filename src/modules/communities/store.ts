// The communities module's queries: communities, memberships, invitations and the outbox (the
// platform's tables), and what a coordinator's home page counts.
import { and, arrayContained, arrayContains, asc, count, desc, eq, gt, isNull, or, sql, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from '../../platform/db/index.ts';
import { communities, invitations, memberships, outbox, accounts } from '../../platform/db/schema.ts';
import type { CommunityTransaction, Role } from '../../platform/tenancy.ts';
import { programmesSeenSql } from '../programmes/service.ts';
import { openCategoryCount, openOnboardingStepCount } from '../timebank/service.ts';

type MembershipValues = typeof memberships.$inferInsert;
type MembershipChange = Partial<MembershipValues>;
export type InvitationRow = typeof invitations.$inferSelect;

// ——— Communities ———

export function allCommunities(db: Database) {
  return db.select().from(communities).orderBy(asc(communities.name));
}

/** A new community; nothing when its slug is taken. */
export async function insertCommunity(tx: Transaction, details: typeof communities.$inferInsert) {
  const [community] = await tx.insert(communities).values(details).onConflictDoNothing().returning();
  return community;
}

/** The community's active members holding a role, by name: who they are and where to write to them. */
export function activeMembersWithRole(tx: CommunityTransaction, communityId: string, role: Role) {
  return tx
    .select({ displayName: accounts.displayName, email: accounts.email, language: accounts.preferredLanguage })
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.personId))
    .where(
      and(
        eq(memberships.communityId, communityId),
        eq(memberships.status, 'active'),
        arrayContains(memberships.roles, [role]),
      ),
    )
    .orderBy(asc(accounts.displayName));
}

export async function changeCommunity(
  tx: CommunityTransaction,
  communityId: string,
  change: Partial<typeof communities.$inferInsert>,
) {
  const [updated] = await tx.update(communities).set(change).where(eq(communities.id, communityId)).returning();
  return updated;
}

/** Holds the community row until the transaction ends: decisions about who runs it are taken one at a time. */
export async function lockCommunity(tx: CommunityTransaction, communityId: string): Promise<void> {
  await tx.execute(sql`select id from communities where id = ${communityId} for update`);
}

// ——— Memberships ———

export async function membershipOf(tx: CommunityTransaction, communityId: string, personId: string) {
  const [row] = await tx
    .select()
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, personId)));
  return row;
}

/** Changes a membership and returns it as it is now. */
export async function changeMembership(tx: CommunityTransaction, membershipId: string, change: MembershipChange) {
  const [saved] = await tx.update(memberships).set(change).where(eq(memberships.id, membershipId)).returning();
  return saved;
}

/** Changes a membership and returns its id. */
export async function changeMembershipId(tx: CommunityTransaction, membershipId: string, change: MembershipChange) {
  const [saved] = await tx
    .update(memberships)
    .set(change)
    .where(eq(memberships.id, membershipId))
    .returning({ id: memberships.id });
  return saved;
}

/** A new membership; nothing when the person has one already (made at the same moment). */
export async function insertMembershipUnlessThere(tx: CommunityTransaction, values: MembershipValues) {
  const [saved] = await tx.insert(memberships).values(values).onConflictDoNothing().returning();
  return saved;
}

/** As insertMembershipUnlessThere, returning only the id. */
export async function insertMembershipIdUnlessThere(tx: CommunityTransaction, values: MembershipValues) {
  const [saved] = await tx.insert(memberships).values(values).onConflictDoNothing().returning({ id: memberships.id });
  return saved;
}

export async function insertMembership(tx: CommunityTransaction, values: MembershipValues) {
  const [saved] = await tx.insert(memberships).values(values).returning();
  return saved;
}

const membershipColumns = {
  id: memberships.id,
  personId: memberships.personId,
  displayName: accounts.displayName,
  email: accounts.email,
  status: memberships.status,
  roles: memberships.roles,
  requestMessage: memberships.requestMessage,
  requestedAt: memberships.requestedAt,
  decidedAt: memberships.decidedAt,
};

/** Memberships with their people's names, by name then id, one more than the limit. */
export function membershipPage(
  tx: CommunityTransaction,
  communityId: string,
  filter: {
    status?: (typeof memberships.$inferSelect)['status'];
    after?: { name: string; id: string };
    limit: number;
  },
) {
  const conditions: SQL[] = [eq(memberships.communityId, communityId)];
  if (filter.status) conditions.push(eq(memberships.status, filter.status));
  if (filter.after) {
    const after = or(
      gt(accounts.displayName, filter.after.name),
      and(eq(accounts.displayName, filter.after.name), gt(memberships.id, filter.after.id)),
    );
    if (after) conditions.push(after);
  }
  return tx
    .select(membershipColumns)
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.personId))
    .where(and(...conditions))
    .orderBy(asc(accounts.displayName), asc(memberships.id))
    .limit(filter.limit + 1);
}

export function membershipCountsByStatus(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ status: memberships.status, count: count() })
    .from(memberships)
    .where(eq(memberships.communityId, communityId))
    .groupBy(memberships.status);
}

export async function membershipById(tx: CommunityTransaction, communityId: string, membershipId: string) {
  const [row] = await tx
    .select(membershipColumns)
    .from(memberships)
    .innerJoin(accounts, eq(accounts.id, memberships.personId))
    .where(and(eq(memberships.communityId, communityId), eq(memberships.id, membershipId)));
  return row;
}

/** How many active admins the community has besides this membership. */
export async function otherActiveAdmins(tx: CommunityTransaction, communityId: string, excluding: string) {
  const [row] = await tx
    .select({ count: count() })
    .from(memberships)
    .where(
      and(
        eq(memberships.communityId, communityId),
        eq(memberships.status, 'active'),
        sql`'admin' = any(${memberships.roles})`,
        sql`${memberships.id} <> ${excluding}`,
      ),
    );
  return row?.count ?? 0;
}

export async function languageOfAccount(tx: CommunityTransaction, personId: string) {
  const [person] = await tx
    .select({ language: accounts.preferredLanguage })
    .from(accounts)
    .where(eq(accounts.id, personId));
  return person?.language;
}

/** Moves a membership from one status to a change of it; returns the ids changed (none when it had moved on). */
export function changeMembershipIn(
  tx: CommunityTransaction,
  membershipId: string,
  status: (typeof memberships.$inferSelect)['status'],
  change: MembershipChange,
) {
  return tx
    .update(memberships)
    .set(change)
    .where(and(eq(memberships.id, membershipId), eq(memberships.status, status)))
    .returning({ id: memberships.id });
}

/** As changeMembershipIn, returning nothing. */
export async function changeMembershipWhile(
  tx: CommunityTransaction,
  membershipId: string,
  status: (typeof memberships.$inferSelect)['status'],
  change: MembershipChange,
): Promise<void> {
  await tx
    .update(memberships)
    .set(change)
    .where(and(eq(memberships.id, membershipId), eq(memberships.status, status)));
}

// ——— Invitations ———

/** An invitation to the address with exactly these roles, not accepted, made in the last ten minutes. */
export async function recentInvitation(tx: CommunityTransaction, communityId: string, email: string, roles: string[]) {
  const [recent] = await tx
    .select()
    .from(invitations)
    .where(
      and(
        eq(invitations.communityId, communityId),
        sql`lower(${invitations.email}) = lower(${email})`,
        isNull(invitations.acceptedAt),
        gt(invitations.createdAt, new Date(Date.now() - 10 * 60_000)),
        arrayContains(invitations.roles, roles),
        arrayContained(invitations.roles, roles),
      ),
    )
    .limit(1);
  return recent;
}

export async function insertInvitation(tx: CommunityTransaction, values: typeof invitations.$inferInsert) {
  const [created] = await tx.insert(invitations).values(values).returning();
  return created;
}

/** The invitations nobody has accepted or cancelled, newest first (at most 500), with who sent each. */
export function openInvitations(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({
      id: invitations.id,
      email: invitations.email,
      roles: invitations.roles,
      createdAt: invitations.createdAt,
      expiresAt: invitations.expiresAt,
      invitedByName: accounts.displayName,
    })
    .from(invitations)
    .leftJoin(accounts, eq(accounts.id, invitations.invitedBy))
    .where(and(eq(invitations.communityId, communityId), isNull(invitations.acceptedAt), isNull(invitations.revokedAt)))
    .orderBy(desc(invitations.createdAt))
    .limit(500);
}

/** An invitation of the community not yet accepted (waiting, expired or cancelled). */
export async function unacceptedInvitation(tx: CommunityTransaction, communityId: string, invitationId: string) {
  const [found] = await tx
    .select()
    .from(invitations)
    .where(
      and(eq(invitations.communityId, communityId), eq(invitations.id, invitationId), isNull(invitations.acceptedAt)),
    );
  return found;
}

export async function changeInvitation(
  tx: CommunityTransaction,
  invitationId: string,
  change: Partial<typeof invitations.$inferInsert>,
) {
  const [updated] = await tx.update(invitations).set(change).where(eq(invitations.id, invitationId)).returning();
  return updated;
}

export async function markInvitationCancelled(tx: CommunityTransaction, invitationId: string): Promise<void> {
  await tx.update(invitations).set({ revokedAt: new Date() }).where(eq(invitations.id, invitationId));
}

export async function markInvitationAccepted(
  tx: CommunityTransaction,
  invitationId: string,
  acceptedBy: string,
): Promise<void> {
  await tx.update(invitations).set({ acceptedAt: new Date(), acceptedBy }).where(eq(invitations.id, invitationId));
}

/** An invitation still waiting: not accepted, not cancelled, not expired (as of now). */
const stillWaiting = () => [
  isNull(invitations.acceptedAt),
  isNull(invitations.revokedAt),
  gt(invitations.expiresAt, new Date()),
];

/** Invitations waiting for an address in every community (read as the owner), by community name. */
export function invitationsWaitingForAddress(owner: Database, email: string) {
  return owner
    .select({ id: invitations.id, roles: invitations.roles, slug: communities.slug, name: communities.name })
    .from(invitations)
    .innerJoin(communities, eq(communities.id, invitations.communityId))
    .where(and(sql`lower(${invitations.email}) = lower(${email})`, ...stillWaiting()))
    .orderBy(asc(communities.name));
}

/** A waiting invitation of the community, found by one of its columns. */
async function waitingInvitation(tx: CommunityTransaction, communityId: string, which: SQL) {
  const [found] = await tx
    .select()
    .from(invitations)
    .where(and(eq(invitations.communityId, communityId), which, ...stillWaiting()));
  return found;
}

/** A waiting invitation of the community by the hash of its token. */
export const waitingInvitationByToken = (tx: CommunityTransaction, communityId: string, tokenHash: string) =>
  waitingInvitation(tx, communityId, eq(invitations.tokenHash, tokenHash));

/** A waiting invitation of the community by its id. */
export const waitingInvitationById = (tx: CommunityTransaction, communityId: string, invitationId: string) =>
  waitingInvitation(tx, communityId, eq(invitations.id, invitationId));

// ——— The outbox ———

/** The community's outbox newest first, one more than the limit; `before` is a position with PostgreSQL's microseconds. */
export function outboxPage(
  tx: CommunityTransaction,
  communityId: string,
  filter: { before?: { createdAt: string; id: string }; limit: number },
) {
  const conditions: SQL[] = [eq(outbox.communityId, communityId)];
  // The position keeps PostgreSQL's microseconds (a JavaScript date would round them off).
  if (filter.before)
    conditions.push(
      sql`(${outbox.createdAt}, ${outbox.id}) < (${filter.before.createdAt}::timestamptz, ${filter.before.id}::uuid)`,
    );
  return tx
    .select({
      id: outbox.id,
      channel: outbox.channel,
      template: outbox.template,
      recipient: outbox.recipient,
      subject: outbox.subject,
      body: outbox.body,
      status: outbox.status,
      createdAt: outbox.createdAt,
      sentAt: outbox.sentAt,
      createdAtExact: sql<string>`(${outbox.createdAt} at time zone 'UTC')::text || '+00'`,
    })
    .from(outbox)
    .where(and(...conditions))
    .orderBy(desc(outbox.createdAt), desc(outbox.id))
    .limit(filter.limit + 1);
}

export function platformOutbox(owner: Database, limit: number) {
  return owner.select().from(outbox).orderBy(desc(outbox.createdAt)).limit(limit);
}

// ——— A new community's first steps ———

/** What a new community has set up: programmes, time banks, kinds of help, joining steps, coordinators and referrers (in or invited). */
export async function setupCounts(tx: CommunityTransaction, communityId: string) {
  const [row] = (
    await tx.execute<{
      programme_count: number;
      timebanks: number;
      kinds: number;
      steps: number;
      coordinators: number;
      referrers: number;
    }>(sql`
      select
        (select count(*)::int from ${programmesSeenSql('p')} where community_id = ${communityId}) as programme_count,
        (select count(*)::int from ${programmesSeenSql('p')} where community_id = ${communityId} and kind = 'timebank') as timebanks,
        ${openCategoryCount(communityId)} as kinds,
        ${openOnboardingStepCount(communityId)} as steps,
        (select count(*)::int from memberships where community_id = ${communityId} and status = 'active' and 'coordinator' = any(roles))
          + (select count(*)::int from invitations where community_id = ${communityId} and accepted_at is null and revoked_at is null and expires_at > now() and 'coordinator' = any(roles)) as coordinators,
        (select count(*)::int from memberships where community_id = ${communityId} and status = 'active' and 'referrer' = any(roles))
          + (select count(*)::int from invitations where community_id = ${communityId} and accepted_at is null and revoked_at is null and expires_at > now() and 'referrer' = any(roles)) as referrers`)
  ).rows;
  return row;
}
