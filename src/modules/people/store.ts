// The people module's queries on person_records: the one place that knows which of a record's
// columns are personal, and the one place other modules reach a person's name through.
import {
  and,
  asc,
  eq,
  getTableColumns,
  ilike,
  inArray,
  isNull,
  ne,
  or,
  sql,
  type AnyColumn,
  type SQL,
} from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import { communities, accounts } from '../../platform/db/schema.ts';
import { QueryBuilder } from 'drizzle-orm/pg-core';
import { publishedRelation } from '../../platform/db/published.ts';
import { builtOnceWhereOpen } from '../../platform/db/transactions.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { equalityMonitoring, personRecords } from './schema.ts';

// The answers a record's fields and questions allow, for the rules and pages.
export { ageBands, communicationNeeds, contactMethods, ethnicities, sexes, yesNoPreferNot } from './schema.ts';

type RecordColumns = typeof personRecords.$inferSelect;

/** What erasure does with one column: keeps it (and says why), or sets it to a value that says nothing. */
type OnErasure<Value> = { keep: string } | { blank: Value };

/**
 * Every column of a person's record, and what erasure does with it. A column added to
 * person_records without a line here does not compile, and test/integration/person-columns.test.ts
 * fails if the database has a column this list does not name.
 */
export const onErasure: { [Column in keyof RecordColumns]: OnErasure<RecordColumns[Column] | null> } = {
  id: { keep: 'others’ rows (referrals, the ledger, attendance) point at the record' },
  communityId: { keep: 'which community kept the record' },
  number: { keep: 'the record’s short number names the erased record ("Former member 123")' },
  accountId: { blank: null },
  preferredName: { keep: 'replaced by "Former member" and the number when erased' },
  fullName: { blank: '' },
  listName: { keep: 'computed by the database from the names' },
  pronouns: { blank: '' },
  dateOfBirth: { blank: null },
  nhsNumber: { blank: null },
  email: { blank: null },
  phone: { blank: null },
  phoneKey: { blank: null },
  address: { blank: '' },
  postcode: { blank: null },
  contactMethod: { blank: null },
  contactTimes: { blank: '' },
  messageSafe: { blank: null },
  communicationNeeds: { blank: [] },
  interpreterLanguage: { blank: '' },
  communicationOther: { blank: '' },
  emergencyContactName: { blank: '' },
  emergencyContactPhone: { blank: '' },
  emergencyContactRelationship: { blank: '' },
  gpPractice: { blank: '' },
  skillsAndInterests: { blank: '' },
  livedExperience: { blank: '' },
  availability: { blank: '' },
  assistedDigital: { keep: 'says only how the community works with them, not who they are' },
  status: { keep: 'becomes "erased"' },
  mergedIntoId: { keep: 'points at another record of this community, not at a person’s details' },
  createdBy: { keep: 'the staff account that made the record' },
  createdAt: { keep: 'a date, not a detail of the person' },
  updatedAt: { keep: 'set to the moment of erasure' },
  erasedAt: { keep: 'set to the moment of erasure' },
};

/** The values erasure writes over a record's personal columns. */
export const blankedColumns = Object.fromEntries(
  Object.entries(onErasure).flatMap(([column, decision]) => ('blank' in decision ? [[column, decision.blank]] : [])),
) as Partial<typeof personRecords.$inferInsert>;

/** What an erased record keeps: its number, under a name that says nothing. */
export const formerName = (number: number) => `Former member ${number}`;

/** The records merged into this one: they hold the same person's details. */
export function recordsMergedInto(tx: CommunityTransaction, communityId: string, recordId: string) {
  return tx
    .select({
      id: personRecords.id,
      number: personRecords.number,
      email: personRecords.email,
      phone: personRecords.phone,
    })
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.mergedIntoId, recordId)));
}

/** Blanks every personal column of a record and names it by its number; its status is set separately. */
export async function blankRecord(tx: CommunityTransaction, recordId: string, number: number): Promise<void> {
  const now = new Date();
  await tx
    .update(personRecords)
    .set({ ...blankedColumns, preferredName: formerName(number), erasedAt: now, updatedAt: now })
    .where(eq(personRecords.id, recordId));
}

export async function markErased(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.update(personRecords).set({ status: 'erased' }).where(eq(personRecords.id, recordId));
}

export async function forgetEqualityAnswers(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.delete(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, recordId));
}

/** Of these records, the active ones no account holds: people the community keeps only for itself. */
export async function recordsWithoutAccount(tx: CommunityTransaction, recordIds: readonly string[]): Promise<string[]> {
  if (recordIds.length === 0) return [];
  const rows = await tx
    .select({ id: personRecords.id })
    .from(personRecords)
    .where(
      and(
        inArray(personRecords.id, [...recordIds]),
        eq(personRecords.status, 'active'),
        isNull(personRecords.accountId),
      ),
    );
  return rows.map((row) => row.id);
}

/**
 * What other modules may join to say whom a row is about: a record's id, number, names, account,
 * status and whether a coordinator acts for them, and nothing personal beyond the names. Postgres
 * plans a join on it exactly as a join on person_records. In raw SQL: `join ${recordsSeenSql('r')} on r.id = …`;
 * with the query builder: `.innerJoin(records, eq(records.id, …))` where `records = recordsSeen('records')`.
 */
const records = publishedRelation((alias: string) =>
  new QueryBuilder()
    .select({
      id: personRecords.id,
      communityId: personRecords.communityId,
      number: personRecords.number,
      preferredName: personRecords.preferredName,
      fullName: personRecords.fullName,
      listName: personRecords.listName,
      accountId: personRecords.accountId,
      status: personRecords.status,
      assistedDigital: personRecords.assistedDigital,
    })
    .from(personRecords)
    .as(alias),
);
export const recordsSeen = records.relation;
/** The same relation as SQL text, rendered once, for raw queries: `join ${recordsSeenSql('r')} on r.id = …`. */
export const recordsSeenSql = records.text;

type RecordReference = SQL | AnyColumn;

/** A record's preferred name, as a column of another module's query ("whom is this row about"). */
export const preferredNameOf = (recordId: RecordReference) =>
  sql<string>`(select preferred_name from person_records where id = ${recordId})`;

/** A record's list name (the same for everyone in one list), as a column of another module's query. */
export const listNameOf = (recordId: RecordReference) =>
  sql<string>`(select list_name from person_records where id = ${recordId})`;

/** Whether a record (of any status) is linked to this account: "the person's own". */
export const heldByAccount = (recordId: RecordReference, accountId: string) =>
  sql<boolean>`exists (select 1 from person_records where id = ${recordId} and account_id = ${accountId})`;

/** A record's short number, as a column of another module's query. */
export const numberOf = (recordId: RecordReference) =>
  sql<number>`(select number from person_records where id = ${recordId})`;

/** The community's active records that also meet the condition. */
const activeIn = (communityId: string, condition: SQL) =>
  and(eq(personRecords.communityId, communityId), condition, eq(personRecords.status, 'active'));

/** A record's id, number and name, or nothing when it is not an active record of this community. */
export async function activeRecord(tx: CommunityTransaction, communityId: string, recordId: string) {
  const [found] = await tx
    .select({ id: personRecords.id, number: personRecords.number, name: personRecords.preferredName })
    .from(personRecords)
    .where(activeIn(communityId, eq(personRecords.id, recordId)));
  return found;
}

/** The account holding a record (null when none), as a column of another module's query. */
export const accountIdOf = (recordId: RecordReference) =>
  sql<string | null>`(select account_id from person_records where id = ${recordId})`;

/** A record's email, as a column of another module's query (to reach or match the person). */
export const emailOf = (recordId: RecordReference) =>
  sql<string | null>`(select email from person_records where id = ${recordId})`;

/** A record's phone, as a column of another module's query (to reach the person). */
export const phoneOf = (recordId: RecordReference) =>
  sql<string | null>`(select phone from person_records where id = ${recordId})`;

/**
 * The community's active records with their email and name: to match people coming in from an
 * import. The caller lowers both as it lowers the file's (PostgreSQL's `lower()` under the C
 * collation lowers only A to Z, so the two would not meet on a name like Émile).
 */
export async function activeRecordEmails(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{ id: string; email: string | null; name: string }>(
    sql`select id, email, preferred_name as name from person_records where community_id = ${communityId} and status = 'active'`,
  );
  return rows.rows;
}

/** A bare record for a person brought in by an import (no checks, no audit: the import records itself). */
export async function insertImportedRecord(
  tx: CommunityTransaction,
  record: {
    communityId: string;
    preferredName: string;
    email: string | null;
    phone: string | null;
    phoneKey: string | null;
    createdBy: string;
  },
): Promise<string | undefined> {
  const [created] = await tx.insert(personRecords).values(record).returning({ id: personRecords.id });
  return created?.id;
}

/** The community's active records that an account holds, by name (at most 500): people who can sign in. */
export async function activeRecordsWithAccount(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{ id: string; name: string }>(
    sql`select r.id, r.preferred_name as name from person_records r where r.community_id = ${communityId} and r.status = 'active' and r.account_id is not null order by lower(r.preferred_name) limit 500`,
  );
  return rows.rows;
}

/**
 * Links a record no account holds to the account, unless the account already holds an active
 * record in the community. Says whether it already held one (then nothing changes).
 */
export async function linkRecordToAccount(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
  accountId: string,
): Promise<boolean> {
  const [taken] = await tx
    .select({ id: personRecords.id })
    .from(personRecords)
    .where(activeIn(communityId, eq(personRecords.accountId, accountId)));
  if (!taken)
    await tx
      .update(personRecords)
      .set({ accountId, updatedAt: new Date() })
      .where(and(eq(personRecords.id, recordId), isNull(personRecords.accountId)));
  return Boolean(taken);
}

// ——— The people module's own queries ———

export type PersonRecordRow = typeof personRecords.$inferSelect;
type PersonRecordValues = typeof personRecords.$inferInsert;

const recordOfCommunityStatement = builtOnceWhereOpen((db) =>
  db
    .select()
    .from(personRecords)
    .where(
      and(
        eq(personRecords.communityId, sql.placeholder('communityId')),
        eq(personRecords.id, sql.placeholder('recordId')),
      ),
    )
    .prepare('people_record_of_community'),
);

export async function recordOfCommunity(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
): Promise<PersonRecordRow | undefined> {
  const [found] = await recordOfCommunityStatement(tx).execute({ communityId, recordId });
  return found;
}

/** Active records by preferred name; a search matches names, email, phone, NHS number or record number. */
export async function activeRecordsByName(
  tx: CommunityTransaction,
  communityId: string,
  query: { search?: string; phoneKey?: string | null; after?: { name: string; id: string }; limit: number },
) {
  const conditions: SQL[] = [eq(personRecords.communityId, communityId), eq(personRecords.status, 'active')];
  const search = query.search?.trim();
  if (search) {
    const like = `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%`;
    const digits = search.replace(/[^0-9]/g, '');
    const matches: SQL[] = [
      ilike(personRecords.preferredName, like),
      ilike(personRecords.fullName, like),
      ilike(personRecords.email, like),
    ];
    if (digits.length >= 6)
      matches.push(eq(personRecords.phoneKey, query.phoneKey ?? digits), eq(personRecords.nhsNumber, digits));
    if (/^#?\d{1,9}$/.test(search)) matches.push(eq(personRecords.number, Number(search.replace('#', ''))));
    const any = or(...matches);
    if (any) conditions.push(any);
  }
  const name = sql`lower(${personRecords.preferredName})`;
  if (query.after) {
    const { name: afterName, id } = query.after;
    conditions.push(sql`(${name}, ${personRecords.id}) > (${afterName}, ${id})`);
  }
  // The sort key comes back with each record: a next page's cursor must be PostgreSQL's own
  // lower case (under the C collation it lowers only A to Z), not the language's.
  return tx
    .select({ ...getTableColumns(personRecords), sortName: sql<string>`${name}` })
    .from(personRecords)
    .where(and(...conditions))
    .orderBy(asc(name), asc(personRecords.id))
    .limit(query.limit + 1);
}

/** Active records sharing an email, phone, NHS number or date of birth with the candidate. */
export function recordsSharingDetails(
  tx: CommunityTransaction,
  communityId: string,
  candidate: Pick<PersonRecordRow, 'email' | 'phoneKey' | 'nhsNumber' | 'dateOfBirth'>,
  excludeId?: string,
) {
  const matches: SQL[] = [];
  if (candidate.email) matches.push(sql`lower(${personRecords.email}) = lower(${candidate.email})`);
  if (candidate.phoneKey) matches.push(eq(personRecords.phoneKey, candidate.phoneKey));
  if (candidate.nhsNumber) matches.push(eq(personRecords.nhsNumber, candidate.nhsNumber));
  if (candidate.dateOfBirth) matches.push(eq(personRecords.dateOfBirth, candidate.dateOfBirth));
  if (matches.length === 0) return Promise.resolve([]);
  const conditions: SQL[] = [eq(personRecords.communityId, communityId), eq(personRecords.status, 'active')];
  if (excludeId) conditions.push(ne(personRecords.id, excludeId));
  return tx
    .select()
    .from(personRecords)
    .where(and(...conditions, or(...matches)))
    .limit(50);
}

export async function insertRecord(tx: CommunityTransaction, values: PersonRecordValues): Promise<PersonRecordRow> {
  const [created] = await tx.insert(personRecords).values(values).returning();
  if (!created) throw new Error('person insert returned nothing');
  return created;
}

export async function updateRecord(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
  change: Partial<PersonRecordValues>,
): Promise<PersonRecordRow | undefined> {
  const [updated] = await tx
    .update(personRecords)
    .set(change)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.id, recordId)))
    .returning();
  return updated;
}

/** The account's active record in the community, whole. */
export async function activeRecordOfAccount(
  tx: CommunityTransaction,
  communityId: string,
  accountId: string,
): Promise<PersonRecordRow | undefined> {
  const [found] = await tx
    .select()
    .from(personRecords)
    .where(activeIn(communityId, eq(personRecords.accountId, accountId)));
  return found;
}

/** Makes the account's record unless another request made it at the same moment (then nothing). */
export async function insertRecordForAccount(
  tx: CommunityTransaction,
  values: PersonRecordValues,
): Promise<PersonRecordRow | undefined> {
  const [created] = await tx.insert(personRecords).values(values).onConflictDoNothing().returning();
  return created;
}

/** The id of the account's active record in the community, if it has one. */
export async function activeRecordIdOfAccount(
  tx: CommunityTransaction,
  communityId: string,
  accountId: string,
): Promise<string | null> {
  const rows = await tx.execute<{ id: string }>(
    sql`select id from person_records where community_id = ${communityId} and account_id = ${accountId} and status = 'active' limit 1`,
  );
  return rows.rows[0]?.id ?? null;
}

/** The records of the community's active members who hold a role (its facilitators, its peer supporters), by name. */
export async function recordsHoldingRole(
  tx: CommunityTransaction,
  communityId: string,
  role: string,
): Promise<{ id: string; name: string }[]> {
  const rows = await tx.execute<{ id: string; name: string }>(sql`
    select r.id, r.preferred_name as name from person_records r join memberships m on m.person_id = r.account_id and m.community_id = r.community_id
    where r.community_id = ${communityId} and r.status = 'active' and m.status = 'active' and ${role} = any(m.roles)
    order by lower(r.preferred_name)`);
  return rows.rows;
}

/** The account linked to a record, for showing who it is. */
export async function accountOf(tx: CommunityTransaction, accountId: string | null) {
  if (!accountId) return undefined;
  const [account] = await tx
    .select({ id: accounts.id, email: accounts.email, displayName: accounts.displayName })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return account;
}

export async function upsertEqualityAnswers(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
  values: Omit<typeof equalityMonitoring.$inferInsert, 'personRecordId' | 'communityId'>,
): Promise<void> {
  await tx
    .insert(equalityMonitoring)
    .values({ ...values, personRecordId: recordId, communityId })
    .onConflictDoUpdate({ target: equalityMonitoring.personRecordId, set: values });
}

export async function equalityAnswersOf(tx: CommunityTransaction, recordId: string) {
  const [row] = await tx.select().from(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, recordId));
  return row;
}

/** How many active records gave each answer to each question, and how many answered at all. */
export async function equalityCounts(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{ question: string; answer: string | null; count: number }>(sql`
    select question, answer, count(*)::int as count from (
      select e.age_band as a1, e.ethnicity as a2, e.sex as a3, e.gender_same_as_birth as a4, e.disability as a5, e.carer as a6
      from ${equalityMonitoring} e join ${personRecords} p on p.id = e.person_record_id
      where e.community_id = ${communityId} and p.status = 'active'
    ) answers
    cross join lateral (values ('ageBand', a1), ('ethnicity', a2), ('sex', a3), ('genderSameAsBirth', a4), ('disability', a5), ('carer', a6)) as q(question, answer)
    group by question, answer`);
  const [{ total } = { total: 0 }] = (
    await tx.execute<{ total: number }>(
      sql`select count(*)::int as total from ${equalityMonitoring} e join ${personRecords} p on p.id = e.person_record_id where e.community_id = ${communityId} and p.status = 'active'`,
    )
  ).rows;
  return { rows: rows.rows, total };
}

/** The record that stays keeps its answers; the other's are used only when it has none. */
export async function mergeEqualityAnswers(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const [kept] = await tx
    .select({ id: equalityMonitoring.personRecordId })
    .from(equalityMonitoring)
    .where(eq(equalityMonitoring.personRecordId, intoId));
  if (kept) await tx.delete(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, fromId));
  else
    await tx
      .update(equalityMonitoring)
      .set({ personRecordId: intoId })
      .where(eq(equalityMonitoring.personRecordId, fromId));
}

/** Locks both records, always in the same order, so two merges of the same pair cannot cross; how many were found. */
export async function lockPair(tx: CommunityTransaction, communityId: string, a: string, b: string): Promise<number> {
  const locked = await tx.execute<{ id: string }>(
    sql`select id from ${personRecords} where community_id = ${communityId} and id in (${a}, ${b}) order by id for update`,
  );
  return locked.rows.length;
}

/** Marks a record merged into another; the account moves with the details, so it is freed here first. */
export async function markMerged(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx
    .update(personRecords)
    .set({ status: 'merged', mergedIntoId: intoId, accountId: null, updatedAt: new Date() })
    .where(eq(personRecords.id, fromId));
}

/** Records that were merged into this one, for its page. */
export function mergedFrom(tx: CommunityTransaction, communityId: string, recordId: string) {
  return tx
    .select({
      id: personRecords.id,
      number: personRecords.number,
      preferredName: personRecords.preferredName,
      updatedAt: personRecords.updatedAt,
    })
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.mergedIntoId, recordId)));
}

/** A record of the community with what an invitation to it needs: its account, status and email. */
export async function recordToInvite(tx: CommunityTransaction, communityId: string, recordId: string) {
  const [found] = await tx
    .select({
      id: personRecords.id,
      accountId: personRecords.accountId,
      status: personRecords.status,
      email: personRecords.email,
    })
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.id, recordId)));
  return found;
}

/** Sets a record's email (for a record that had none). */
export async function giveRecordEmail(tx: CommunityTransaction, recordId: string, email: string): Promise<void> {
  await tx.update(personRecords).set({ email, updatedAt: new Date() }).where(eq(personRecords.id, recordId));
}

/**
 * An accepted invitation made from a record: the active record no account holds becomes the
 * account's (no longer assisted), unless the account already holds an active record in the community.
 */
export async function linkInvitedRecord(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
  accountId: string,
): Promise<void> {
  await tx.execute(sql`update person_records set account_id = ${accountId}, assisted_digital = false, updated_at = now()
      where id = ${recordId} and community_id = ${communityId} and account_id is null and status = 'active'
        and not exists (select 1 from person_records mine where mine.community_id = ${communityId} and mine.account_id = ${accountId} and mine.status = 'active')`);
}

/** An account's active records in every community, with each community's slug: read across communities, as the platform. */
export function activeRecordsOfAccount(owner: Database, accountId: string) {
  return owner
    .select({ slug: communities.slug, id: personRecords.id, number: personRecords.number })
    .from(personRecords)
    .innerJoin(communities, eq(communities.id, personRecords.communityId))
    .where(and(eq(personRecords.accountId, accountId), eq(personRecords.status, 'active')));
}
