// The queries of offers and requests: posts, full-text search, responses and their messages,
// followed categories, and the posts' reminders.
import { and, asc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { accountIdOf, recordsSeen, recordsSeenSql } from '../people/service.ts';
import {
  categoryFollows,
  type CheckLevel,
  postKinds,
  postPlaces,
  postResponses,
  timebankCategories,
  timebankMessages,
  timebankPosts,
  timebanks,
} from './schema.ts';

export { postKinds, postPlaces };
export type Post = typeof timebankPosts.$inferSelect;

export async function insertPost(tx: CommunityTransaction, values: typeof timebankPosts.$inferInsert) {
  const [post] = await tx.insert(timebankPosts).values(values).returning();
  return post;
}

/** Who follows a category, but the person the post is for. */
export function followersOf(tx: CommunityTransaction, categoryId: string, exceptRecordId: string) {
  return tx
    .select({ personRecordId: categoryFollows.personRecordId })
    .from(categoryFollows)
    .where(
      and(eq(categoryFollows.categoryId, categoryId), sql`${categoryFollows.personRecordId} <> ${exceptRecordId}`),
    );
}

export interface PostQuery {
  kind?: 'offer' | 'request';
  q?: string;
  categoryId?: string;
  place?: 'neighbourhood' | 'home' | 'online';
  neighbourhood?: string;
  personRecordId?: string;
  includeClosed?: boolean;
  after?: { rank: number; createdAt: string; id: string };
  limit: number;
  /** How many of the newest matches are ranked (`rankedMatches` unless said). */
  ranked?: number;
}

/**
 * How many of the newest matches a search ranks: those come best match first, older ones after
 * them newest first (rank -1). Ranking every match of a common word read thousands of posts for a
 * page of twenty; five pages' worth keeps the best of what is current on top.
 */
export const rankedMatches = 100;

/**
 * Up to `limit + 1` posts: with words, the matching ones from timebank_search (see its migration):
 * of the newest `rankedMatches`, best match first, then older ones newest first; without, open
 * ones newest first.
 */
export async function findPosts(tx: CommunityTransaction, communityId: string, query: PostQuery, today: string) {
  const conditions: SQL[] = [sql`p.community_id = ${communityId}`];
  const words = query.q?.trim();
  // With words, the matching posts come from timebank_search (the full-text index; see its migration).
  const matches = words
    ? sql`join timebank_search(${words}, ${query.kind ?? null}::text, ${query.categoryId ?? null}::uuid, ${query.place ?? null}::text, ${query.neighbourhood ?? null}::text, ${query.includeClosed ?? false}, ${today}::date,
        ${query.after?.rank ?? null}::float8, ${query.after?.createdAt ?? null}::timestamptz, ${query.after?.id ?? null}::uuid, ${query.limit + 1}, ${query.ranked ?? rankedMatches}) found on found.id = p.id`
    : sql``;
  if (!words) {
    if (!query.includeClosed) conditions.push(sql`p.closed_at is null and p.ends_on >= ${today}`);
    if (query.kind) conditions.push(sql`p.kind = ${query.kind}`);
    if (query.categoryId) conditions.push(sql`p.category_id = ${query.categoryId}`);
    if (query.place) conditions.push(sql`p.place = ${query.place}`);
    if (query.neighbourhood) conditions.push(sql`lower(p.neighbourhood) = lower(${query.neighbourhood})`);
    if (query.after)
      conditions.push(sql`(p.created_at, p.id) < (${query.after.createdAt}::timestamptz, ${query.after.id}::uuid)`);
  }
  if (query.personRecordId) conditions.push(sql`p.person_record_id = ${query.personRecordId}`);
  const rank = words ? sql`found.rank` : sql`0::float8`;
  const rows = await tx.execute<{
    id: string;
    kind: 'offer' | 'request';
    title: string;
    description: string;
    place: string;
    neighbourhood: string;
    when_available: string;
    for_groups: boolean;
    ends_on: string;
    closed_at: string | null;
    created_at: string;
    category: string;
    check_level: CheckLevel;
    home_visit: boolean;
    poster: string;
    person_record_id: string;
    rank: number;
    responses: number;
  }>(sql`
    select p.id, p.kind, p.title, p.description, p.place, p.neighbourhood, p.when_available, p.for_groups, p.ends_on::text, p.closed_at, p.created_at, c.name as category, c.check_level, c.home_visit,
      r.preferred_name as poster, p.person_record_id, ${rank} as rank,
      (select count(*)::int from timebank_responses s where s.post_id = p.id) as responses
    from timebank_posts p
    ${matches}
    join timebank_categories c on c.id = p.category_id
    join ${recordsSeenSql('r')} on r.id = p.person_record_id
    where ${sql.join(conditions, sql` and `)}
    order by ${rank} desc, p.created_at desc, p.id desc
    limit ${query.limit + 1}`);
  return rows.rows;
}

/** A post of the community with its category and its poster's name. */
export async function postInFull(tx: CommunityTransaction, communityId: string, postId: string) {
  const records = recordsSeen('records');
  const [row] = await tx
    .select({ post: timebankPosts, category: timebankCategories, poster: records.preferredName })
    .from(timebankPosts)
    .innerJoin(timebankCategories, eq(timebankCategories.id, timebankPosts.categoryId))
    .innerJoin(records, eq(records.id, timebankPosts.personRecordId))
    .where(and(eq(timebankPosts.communityId, communityId), eq(timebankPosts.id, postId)));
  return row;
}

/** The person's response to a post, if they answered it. */
export async function responseBy(tx: CommunityTransaction, postId: string, personRecordId: string) {
  const [already] = await tx
    .select({ id: postResponses.id })
    .from(postResponses)
    .where(and(eq(postResponses.postId, postId), eq(postResponses.personRecordId, personRecordId)));
  return already;
}

/** A response, or nothing when the person already answered the post. */
export async function insertResponse(tx: CommunityTransaction, values: typeof postResponses.$inferInsert) {
  const [response] = await tx.insert(postResponses).values(values).onConflictDoNothing().returning();
  return response;
}

export async function insertMessage(tx: CommunityTransaction, values: typeof timebankMessages.$inferInsert) {
  const [message] = await tx.insert(timebankMessages).values(values).returning();
  return message;
}

export async function responseIn(tx: CommunityTransaction, communityId: string, responseId: string) {
  const [response] = await tx
    .select()
    .from(postResponses)
    .where(and(eq(postResponses.communityId, communityId), eq(postResponses.id, responseId)));
  return response;
}

/** A record's preferred name (of any status). */
export async function nameOfRecord(tx: CommunityTransaction, personRecordId: string) {
  const records = recordsSeen('records');
  const [found] = await tx.select({ name: records.preferredName }).from(records).where(eq(records.id, personRecordId));
  return found;
}

/** A conversation's messages, oldest first; `onBehalf` when someone other than the side's own account sent it. */
export function messagesOf(tx: CommunityTransaction, responseId: string) {
  return tx
    .select({
      id: timebankMessages.id,
      fromRecordId: timebankMessages.fromRecordId,
      body: timebankMessages.body,
      createdAt: timebankMessages.createdAt,
      onBehalf: sql<boolean>`${timebankMessages.sentBy} is distinct from ${accountIdOf(timebankMessages.fromRecordId)}`,
    })
    .from(timebankMessages)
    .where(eq(timebankMessages.responseId, responseId))
    .orderBy(asc(timebankMessages.createdAt));
}

/** The conversations a person is in, with the other side's name, newest message first. */
export async function conversationRows(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  const rows = await tx.execute<{ id: string; title: string; kind: string; other: string; last_at: string }>(sql`
    select s.id, p.title, p.kind,
      case when s.person_record_id = ${personRecordId} then poster.preferred_name else responder.preferred_name end as other,
      (select max(created_at) from timebank_messages m where m.response_id = s.id) as last_at
    from timebank_responses s
    join timebank_posts p on p.id = s.post_id
    join ${recordsSeenSql('poster')} on poster.id = p.person_record_id
    join ${recordsSeenSql('responder')} on responder.id = s.person_record_id
    where s.community_id = ${communityId} and (s.person_record_id = ${personRecordId} or p.person_record_id = ${personRecordId})
    order by last_at desc nulls last
    limit 50`);
  return rows.rows;
}

/** The answers to a post with who answered and how many messages each has. */
export async function responseRows(tx: CommunityTransaction, postId: string) {
  const rows = await tx.execute<{
    id: string;
    name: string;
    person_record_id: string;
    created_at: string;
    messages: number;
  }>(sql`
    select s.id, r.preferred_name as name, s.person_record_id, s.created_at, (select count(*)::int from timebank_messages m where m.response_id = s.id) as messages
    from timebank_responses s join ${recordsSeenSql('r')} on r.id = s.person_record_id
    where s.post_id = ${postId} order by s.created_at`);
  return rows.rows;
}

/** Closes a post that is open; nothing when it was closed already. */
export async function closeOpenPost(tx: CommunityTransaction, postId: string) {
  const [closed] = await tx
    .update(timebankPosts)
    .set({ closedAt: new Date() })
    .where(and(eq(timebankPosts.id, postId), isNull(timebankPosts.closedAt)))
    .returning();
  return closed;
}

export async function changePost(
  tx: CommunityTransaction,
  postId: string,
  change: Partial<typeof timebankPosts.$inferInsert>,
) {
  const [changed] = await tx.update(timebankPosts).set(change).where(eq(timebankPosts.id, postId)).returning();
  return changed;
}

export async function followedCategories(tx: CommunityTransaction, personRecordId: string) {
  return tx
    .select({ id: categoryFollows.categoryId })
    .from(categoryFollows)
    .where(eq(categoryFollows.personRecordId, personRecordId));
}

/** Which of these ids are categories of the community. */
export function categoriesAmong(tx: CommunityTransaction, communityId: string, categoryIds: readonly string[]) {
  return tx
    .select({ id: timebankCategories.id })
    .from(timebankCategories)
    .where(and(eq(timebankCategories.communityId, communityId), inArray(timebankCategories.id, [...categoryIds])));
}

export async function unfollowAll(tx: CommunityTransaction, personRecordId: string): Promise<void> {
  await tx.delete(categoryFollows).where(eq(categoryFollows.personRecordId, personRecordId));
}

export async function insertFollows(
  tx: CommunityTransaction,
  follows: { communityId: string; personRecordId: string; categoryId: string }[],
): Promise<void> {
  await tx.insert(categoryFollows).values(follows);
}

/** Every time bank with its community's slug (platform-wide, as the owner). */
export function timebanksWithSlugs(owner: Database) {
  return owner
    .select({
      communityId: timebanks.communityId,
      slug: sql<string>`(select slug from communities where id = ${timebanks.communityId})`,
    })
    .from(timebanks);
}

/** Marks the open posts ending within the reminder days whose posters were not yet reminded, and returns them. */
export function markPostsReminded(tx: CommunityTransaction, communityId: string, postReminderDays: number) {
  return tx
    .update(timebankPosts)
    .set({ reminderSentAt: new Date() })
    .where(
      and(
        eq(timebankPosts.communityId, communityId),
        isNull(timebankPosts.closedAt),
        isNull(timebankPosts.reminderSentAt),
        sql`${timebankPosts.endsOn} between current_date and current_date + ${postReminderDays}::int`,
      ),
    )
    .returning({
      id: timebankPosts.id,
      personRecordId: timebankPosts.personRecordId,
      title: timebankPosts.title,
      endsOn: timebankPosts.endsOn,
    });
}
