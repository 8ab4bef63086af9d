// The programmes module's queries.
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import { publishedRelation } from '../../platform/db/published.ts';
import type { Database } from '../../platform/db/index.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import { type ProgrammeKind, programmeKinds, programmeMembers, programmes } from './schema.ts';

export { programmeKinds };
export type { ProgrammeKind };
export type Programme = typeof programmes.$inferSelect;

/**
 * What other modules may join to name a programme: its id, community, name, kind, status and
 * where and when it meets. Postgres plans a join on it exactly as a join on programmes. In raw
 * SQL: `join ${programmesSeenSql('p')} on p.id = …`; with the query builder, join the returned relation.
 */
const programmesPublished = publishedRelation((alias: string) =>
  new QueryBuilder()
    .select({
      id: programmes.id,
      communityId: programmes.communityId,
      name: programmes.name,
      kind: programmes.kind,
      status: programmes.status,
      whoFor: programmes.whoFor,
      whereAndWhen: programmes.whereAndWhen,
    })
    .from(programmes)
    .as(alias),
);
export const programmesSeen = programmesPublished.relation;
export const programmesSeenSql = programmesPublished.text;

/** Of these records, the ones that are members of any programme. */
export async function recordsInProgrammes(
  tx: CommunityTransaction,
  recordIds: readonly string[],
): Promise<Set<string>> {
  if (recordIds.length === 0) return new Set();
  const rows = await tx
    .selectDistinct({ id: programmeMembers.personRecordId })
    .from(programmeMembers)
    .where(inArray(programmeMembers.personRecordId, [...recordIds]));
  return new Set(rows.map((row) => row.id));
}

/** A community's programmes by name, as a filter offers them. */
export function programmeChoicesOf(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ id: programmes.id, name: programmes.name, kind: programmes.kind, status: programmes.status })
    .from(programmes)
    .where(eq(programmes.communityId, communityId))
    .orderBy(asc(programmes.name));
}

/** A community's programmes by name, only the open ones when asked. */
export function programmesByName(tx: CommunityTransaction, communityId: string, openOnly: boolean) {
  const conditions = [eq(programmes.communityId, communityId)];
  if (openOnly) conditions.push(eq(programmes.status, 'open'));
  return tx
    .select()
    .from(programmes)
    .where(and(...conditions))
    .orderBy(asc(programmes.name));
}

/** One of the community's programmes, or nothing. */
export async function findProgramme(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
): Promise<Programme | undefined> {
  const [found] = await tx
    .select()
    .from(programmes)
    .where(and(eq(programmes.communityId, communityId), eq(programmes.id, programmeId)));
  return found;
}

/** Of these programme ids, the community's programmes (open or closed). */
export function programmesByIds(tx: CommunityTransaction, communityId: string, ids: readonly string[]) {
  return tx
    .select()
    .from(programmes)
    .where(and(eq(programmes.communityId, communityId), inArray(programmes.id, [...ids])));
}

type ProgrammeFields = Omit<typeof programmes.$inferInsert, 'communityId' | 'id' | 'createdAt' | 'updatedAt'>;

export async function insertProgramme(
  tx: CommunityTransaction,
  communityId: string,
  details: ProgrammeFields,
): Promise<Programme | undefined> {
  const [created] = await tx
    .insert(programmes)
    .values({ ...details, communityId })
    .returning();
  return created;
}

/** Changes one of the community's programmes; nothing when it is not there. */
export async function changeProgramme(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  details: ProgrammeFields,
): Promise<Programme | undefined> {
  const [updated] = await tx
    .update(programmes)
    .set({ ...details, updatedAt: sql`now()` })
    .where(and(eq(programmes.communityId, communityId), eq(programmes.id, programmeId)))
    .returning();
  return updated;
}

/** Makes the record a member of the programme, unless it is one already. */
export async function addMember(
  tx: CommunityTransaction,
  member: {
    communityId: string;
    programmeId: string;
    personRecordId: string;
    referralId: string | null;
    addedBy: string | null;
  },
): Promise<void> {
  await tx.insert(programmeMembers).values(member).onConflictDoNothing();
}

/** The programmes a record is in now, by name, with when it joined. */
export function currentProgrammesOf(tx: CommunityTransaction, personRecordId: string) {
  return tx
    .select({ id: programmes.id, name: programmes.name, kind: programmes.kind, joinedAt: programmeMembers.joinedAt })
    .from(programmeMembers)
    .innerJoin(programmes, eq(programmes.id, programmeMembers.programmeId))
    .where(and(eq(programmeMembers.personRecordId, personRecordId), sql`${programmeMembers.leftAt} is null`))
    .orderBy(asc(programmes.name));
}

/** A record's memberships, with each programme's name, for the person's download. */
export const membershipRows: NonNullable<PersonDataSource['rows']> = rowsThrough(
  (record) =>
    sql`select m.*, p.name as programme from programme_members m join programmes p on p.id = m.programme_id where m.person_record_id = ${record} order by m.joined_at`,
);

/** Moves one record's memberships to another: someone in a programme under both is in it once, from the earlier date. */
export async function mergeMemberships(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update ${programmeMembers} kept set joined_at = least(kept.joined_at, gone.joined_at)
        from ${programmeMembers} gone
        where kept.person_record_id = ${intoId} and gone.person_record_id = ${fromId} and kept.programme_id = gone.programme_id and kept.left_at is null and gone.left_at is null`);
  await tx.execute(sql`update ${programmeMembers} gone set left_at = now()
        from ${programmeMembers} kept
        where kept.person_record_id = ${intoId} and gone.person_record_id = ${fromId} and kept.programme_id = gone.programme_id and kept.left_at is null and gone.left_at is null`);
  await tx.update(programmeMembers).set({ personRecordId: intoId }).where(eq(programmeMembers.personRecordId, fromId));
}

/**
 * What other modules may join to say who is in a programme: a membership's id, community,
 * programme, record, referral and dates. Postgres plans a join on it exactly as a join on
 * programme_members. In raw SQL: `from ${programmeMembersSeenSql('pm')} join …`.
 */
const programmeMembersPublished = publishedRelation((alias: string) =>
  new QueryBuilder()
    .select({
      id: programmeMembers.id,
      communityId: programmeMembers.communityId,
      programmeId: programmeMembers.programmeId,
      personRecordId: programmeMembers.personRecordId,
      referralId: programmeMembers.referralId,
      joinedAt: programmeMembers.joinedAt,
      leftAt: programmeMembers.leftAt,
    })
    .from(programmeMembers)
    .as(alias),
);
export const programmeMembersSeen = programmeMembersPublished.relation;
export const programmeMembersSeenSql = programmeMembersPublished.text;

/** Makes the record a member of the programme, unless it is one already; its journey is the caller's to tell. */
export async function addProgrammeMember(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string,
  addedBy: string,
): Promise<void> {
  await tx.execute(
    sql`insert into programme_members (community_id, programme_id, person_record_id, added_by) values (${communityId}, ${programmeId}, ${personRecordId}, ${addedBy}) on conflict do nothing`,
  );
}

/** The kinds of programme a community runs (open ones). Read through the owner: the header asks before the request's transaction. */
export async function openProgrammeKinds(owner: Database, communityId: string): Promise<readonly string[]> {
  const rows = await owner.execute<{ kind: string }>(
    sql`select distinct kind from programmes where community_id = ${communityId} and status = 'open'`,
  );
  return rows.rows.map((row) => row.kind);
}
