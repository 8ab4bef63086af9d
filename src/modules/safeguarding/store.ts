// The safeguarding module's queries: concerns, their action logs, and who is told of them.
import { and, asc, desc, eq, ne, sql } from 'drizzle-orm';
import { accounts } from '../../platform/db/schema.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeen } from '../people/service.ts';
import { type ConcernStatus, concernActions, concernStatuses, safeguardingConcerns } from './schema.ts';

export { concernStatuses };

/** A concern not closed, with nothing recorded on it for this many days, is overdue: the leads see it marked. */
export const overdueAfterDays = 2;

/** Whether the record (of any status) belongs to the community. */
export async function recordOfCommunity(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  const records = recordsSeen('records');
  const [known] = await tx
    .select({ id: records.id })
    .from(records)
    .where(and(eq(records.communityId, communityId), eq(records.id, personRecordId)));
  return known;
}

export async function insertConcern(tx: CommunityTransaction, values: typeof safeguardingConcerns.$inferInsert) {
  const [raised] = await tx.insert(safeguardingConcerns).values(values).returning();
  return raised;
}

/** When something last happened to a concern: its newest action, or when it was raised. */
const lastActivity = sql<Date>`coalesce((select max(a.at) from concern_actions a where a.concern_id = ${safeguardingConcerns.id}), ${safeguardingConcerns.createdAt})`;
const overdueNow = sql<boolean>`(${safeguardingConcerns.status} <> 'closed' and ${lastActivity} < now() - make_interval(days => ${overdueAfterDays}))`;

/** The community's concerns (at most 200): what waits first, the oldest first; closed ones after, the newest first. */
export function concernList(tx: CommunityTransaction, communityId: string) {
  return (
    tx
      .select({
        id: safeguardingConcerns.id,
        about: safeguardingConcerns.about,
        status: safeguardingConcerns.status,
        dangerNow: safeguardingConcerns.dangerNow,
        createdAt: safeguardingConcerns.createdAt,
        updatedAt: safeguardingConcerns.updatedAt,
        lastActivityAt: lastActivity,
        overdue: overdueNow,
      })
      .from(safeguardingConcerns)
      .where(eq(safeguardingConcerns.communityId, communityId))
      // What waits comes first, the oldest first; closed ones after, the newest first.
      .orderBy(
        sql`${safeguardingConcerns.status} = 'closed'`,
        sql`case when ${safeguardingConcerns.status} = 'closed' then null else ${safeguardingConcerns.createdAt} end asc nulls last`,
        desc(safeguardingConcerns.createdAt),
      )
      .limit(200)
  );
}

/** The concerns an account raised (at most 100, newest first): when, status and how many actions. */
export function concernsRaisedByRows(tx: CommunityTransaction, communityId: string, accountId: string) {
  return tx
    .select({
      raisedAt: safeguardingConcerns.createdAt,
      status: safeguardingConcerns.status,
      actions: sql<number>`(select count(*)::int from concern_actions a where a.concern_id = ${safeguardingConcerns.id})`,
    })
    .from(safeguardingConcerns)
    .where(and(eq(safeguardingConcerns.communityId, communityId), eq(safeguardingConcerns.raisedBy, accountId)))
    .orderBy(desc(safeguardingConcerns.createdAt))
    .limit(100);
}

/** How many concerns are not closed, how many of them are overdue, and when the oldest was raised. */
export async function waitingConcernCounts(tx: CommunityTransaction, communityId: string) {
  const [row] = await tx
    .select({
      waiting: sql<number>`count(*)::int`,
      overdue: sql<number>`(count(*) filter (where ${overdueNow}))::int`,
      oldest: sql<Date | null>`min(${safeguardingConcerns.createdAt})`,
    })
    .from(safeguardingConcerns)
    .where(and(eq(safeguardingConcerns.communityId, communityId), ne(safeguardingConcerns.status, 'closed')));
  return row;
}

/** A concern with the name of who raised it and the name and number of whom it is about. */
export async function concernWithNames(tx: CommunityTransaction, communityId: string, concernId: string) {
  const records = recordsSeen('records');
  const [concern] = await tx
    .select({
      concern: safeguardingConcerns,
      raisedByName: accounts.displayName,
      personPreferredName: records.preferredName,
      personNumber: records.number,
    })
    .from(safeguardingConcerns)
    .leftJoin(accounts, eq(accounts.id, safeguardingConcerns.raisedBy))
    .leftJoin(records, eq(records.id, safeguardingConcerns.personRecordId))
    .where(and(eq(safeguardingConcerns.communityId, communityId), eq(safeguardingConcerns.id, concernId)));
  return concern;
}

/** A concern's action log, oldest first, with who did each. */
export function actionsOfConcern(tx: CommunityTransaction, concernId: string) {
  return tx
    .select({
      id: concernActions.id,
      at: concernActions.at,
      note: concernActions.note,
      statusTo: concernActions.statusTo,
      actorName: accounts.displayName,
    })
    .from(concernActions)
    .leftJoin(accounts, eq(accounts.id, concernActions.actorId))
    .where(eq(concernActions.concernId, concernId))
    .orderBy(asc(concernActions.at), asc(concernActions.id));
}

/** A concern's id and linked record, locked until the transaction ends. */
export async function concernLinkForUpdate(tx: CommunityTransaction, communityId: string, concernId: string) {
  const [concern] = await tx
    .select({ id: safeguardingConcerns.id, personRecordId: safeguardingConcerns.personRecordId })
    .from(safeguardingConcerns)
    .where(and(eq(safeguardingConcerns.communityId, communityId), eq(safeguardingConcerns.id, concernId)))
    .for('update');
  return concern;
}

/** A concern, locked until the transaction ends. */
export async function concernForUpdate(tx: CommunityTransaction, communityId: string, concernId: string) {
  const [concern] = await tx
    .select()
    .from(safeguardingConcerns)
    .where(and(eq(safeguardingConcerns.communityId, communityId), eq(safeguardingConcerns.id, concernId)))
    .for('update');
  return concern;
}

export async function setConcernPerson(tx: CommunityTransaction, concernId: string, personRecordId: string) {
  await tx
    .update(safeguardingConcerns)
    .set({ personRecordId, updatedAt: new Date() })
    .where(eq(safeguardingConcerns.id, concernId));
}

export async function insertConcernAction(
  tx: CommunityTransaction,
  values: { communityId: string; concernId: string; actorId: string; note: string; statusTo: ConcernStatus | null },
): Promise<void> {
  await tx.insert(concernActions).values(values);
}

/** Marks a concern as changed now, and moves it to a status if one is given. */
export async function touchConcern(tx: CommunityTransaction, concernId: string, statusTo: ConcernStatus | null) {
  await tx
    .update(safeguardingConcerns)
    .set({ updatedAt: new Date(), ...(statusTo ? { status: statusTo } : {}) })
    .where(eq(safeguardingConcerns.id, concernId));
}

/** How many concerns an account raised in the community. */
export async function concernsRaisedCount(tx: CommunityTransaction, communityId: string, accountId: string) {
  const [raised] = (
    await tx.execute<{ count: number }>(
      sql`select count(*)::int as count from safeguarding_concerns where community_id = ${communityId} and raised_by = ${accountId}`,
    )
  ).rows;
  return raised?.count ?? 0;
}
