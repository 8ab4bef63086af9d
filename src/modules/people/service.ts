import { and, asc, eq, ilike, ne, or, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { people } from '../../platform/db/schema.ts';
import {
  checkboxList,
  dateOfBirth,
  nhsNumber,
  optionalEmail,
  optionalText,
  phone,
  phoneKey,
  postcode,
  requiredText,
  tickbox,
  yesNoOrNotSaid,
} from '../../platform/fields.ts';
import { DomainError, type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { type PersonDataSource, moveReferences } from '../../platform/person-data.ts';
import {
  ageBands,
  communicationNeeds,
  consents,
  contactMethods,
  equalityMonitoring,
  ethnicities,
  personRecords,
  sexes,
  yesNoPreferNot,
} from './schema.ts';

export { ageBands, communicationNeeds, contactMethods, ethnicities, sexes, yesNoPreferNot };
export type { CommunicationNeed } from './schema.ts';
export type PersonRecord = typeof personRecords.$inferSelect;

const note = (max: number) => optionalText('errors.person.text.tooLong', max);

/** A person's details, in the sections the pages ask them in. */
export const personSections = {
  about: z.object({
    preferredName: requiredText('errors.person.preferredName.missing', 'errors.person.name.tooLong', 100),
    fullName: optionalText('errors.person.name.tooLong', 200),
    pronouns: optionalText('errors.person.pronouns.tooLong', 40),
    dateOfBirth,
  }),
  contact: z.object({
    email: optionalEmail,
    phone,
    address: note(500),
    postcode,
    contactMethod: z
      .enum(contactMethods, { error: 'errors.person.contactMethod.invalid' })
      .nullish()
      .or(z.literal('').transform(() => null))
      .transform((value) => value ?? null),
    contactTimes: note(200),
    messageSafe: yesNoOrNotSaid,
  }),
  communication: z.object({
    communicationNeeds: checkboxList(communicationNeeds, 'errors.person.communicationNeeds.invalid'),
    interpreterLanguage: optionalText('errors.person.interpreterLanguage.tooLong', 60),
    communicationOther: note(500),
  }),
  emergency: z.object({
    emergencyContactName: optionalText('errors.person.name.tooLong', 200),
    emergencyContactPhone: phone.transform((value) => value ?? ''),
    emergencyContactRelationship: optionalText('errors.person.relationship.tooLong', 60),
  }),
  health: z.object({
    gpPractice: optionalText('errors.person.gpPractice.tooLong', 200),
    nhsNumber,
  }),
  interests: z.object({
    skillsAndInterests: note(2000),
    livedExperience: note(4000),
    availability: note(500),
  }),
} as const;
export type PersonSection = keyof typeof personSections;
export const sectionNames = Object.keys(personSections) as PersonSection[];
export const isSection = (value: string): value is PersonSection => (sectionNames as string[]).includes(value);

const assisted = z.object({ assistedDigital: tickbox.default(false) });

/** Everything a coordinator or a program may say about a person when adding them. */
export const personDetails = personSections.about
  .extend(personSections.contact.shape)
  .extend(personSections.communication.shape)
  .extend(personSections.emergency.shape)
  .extend(personSections.health.shape)
  .extend(personSections.interests.shape)
  .extend(assisted.shape);
export type PersonDetails = z.infer<typeof personDetails>;

/** A change to some of a person's details: only what is sent changes. */
export const personPatch = personDetails.partial().strict();
export type PersonPatch = z.infer<typeof personPatch>;

/** Rules across fields, checked on the whole record after a change. */
export function checkRecord(details: Partial<PersonDetails>): FieldError[] {
  const errors: FieldError[] = [];
  const needs = details.communicationNeeds ?? [];
  if (needs.includes('interpreter') && !details.interpreterLanguage)
    errors.push({ field: 'interpreterLanguage', code: 'errors.person.interpreterLanguage.missing' });
  if (needs.includes('other') && !details.communicationOther)
    errors.push({ field: 'communicationOther', code: 'errors.person.communicationOther.missing' });
  if (details.contactMethod === 'email' && !details.email)
    errors.push({ field: 'email', code: 'errors.person.contactMethod.needsEmail' });
  if ((details.contactMethod === 'phone' || details.contactMethod === 'sms') && !details.phone)
    errors.push({ field: 'phone', code: 'errors.person.contactMethod.needsPhone' });
  if (details.contactMethod === 'post' && !details.address && !details.postcode)
    errors.push({ field: 'address', code: 'errors.person.contactMethod.needsAddress' });
  return errors;
}

// ——— Reading ———

export async function getPerson(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
): Promise<PersonRecord> {
  const [found] = await tx
    .select()
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.id, personId)));
  if (!found) throw notFound();
  return found;
}

/** The record a merged one now lives in (a merge may have been merged again). */
export async function currentRecord(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
): Promise<PersonRecord> {
  let found = await getPerson(tx, communityId, personId);
  for (let hops = 0; found.status === 'merged' && found.mergedIntoId && hops < 20; hops += 1)
    found = await getPerson(tx, communityId, found.mergedIntoId);
  return found;
}

export interface PeopleQuery {
  search?: string;
  after?: { name: string; id: string };
  limit: number;
}

/** Active people by preferred name; a search matches names, email, phone, NHS number or record number. */
export async function listPeople(tx: CommunityTransaction, communityId: string, query: PeopleQuery) {
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
      matches.push(eq(personRecords.phoneKey, phoneKey(search) ?? digits), eq(personRecords.nhsNumber, digits));
    if (/^#?\d{1,9}$/.test(search)) matches.push(eq(personRecords.number, Number(search.replace('#', ''))));
    const any = or(...matches);
    if (any) conditions.push(any);
  }
  const name = sql`lower(${personRecords.preferredName})`;
  if (query.after) {
    const { name: afterName, id } = query.after;
    conditions.push(sql`(${name}, ${personRecords.id}) > (${afterName}, ${id})`);
  }
  return tx
    .select()
    .from(personRecords)
    .where(and(...conditions))
    .orderBy(asc(name), asc(personRecords.id))
    .limit(query.limit + 1);
}

export type DuplicateReason = 'email' | 'phone' | 'nhsNumber' | 'nameAndBirth';

export interface LikelyDuplicate {
  person: PersonRecord;
  reasons: DuplicateReason[];
}

/** What makes two records likely to be the same person: a pure rule, so it can be tested on its own. */
export function duplicateReasons(
  a: Pick<PersonRecord, 'email' | 'phoneKey' | 'nhsNumber' | 'preferredName' | 'fullName' | 'dateOfBirth'>,
  b: Pick<PersonRecord, 'email' | 'phoneKey' | 'nhsNumber' | 'preferredName' | 'fullName' | 'dateOfBirth'>,
): DuplicateReason[] {
  const reasons: DuplicateReason[] = [];
  const same = (x: string | null, y: string | null) =>
    x !== null && y !== null && x !== '' && x.trim().toLowerCase() === y.trim().toLowerCase();
  if (same(a.email, b.email)) reasons.push('email');
  if (same(a.phoneKey, b.phoneKey)) reasons.push('phone');
  if (same(a.nhsNumber, b.nhsNumber)) reasons.push('nhsNumber');
  const names = (person: typeof a) => [person.preferredName, person.fullName].filter((name) => name.trim() !== '');
  if (
    a.dateOfBirth &&
    a.dateOfBirth === b.dateOfBirth &&
    names(a).some((name) => names(b).some((other) => same(name, other)))
  )
    reasons.push('nameAndBirth');
  return reasons;
}

type DuplicateCandidate = Pick<
  PersonRecord,
  'email' | 'phoneKey' | 'nhsNumber' | 'preferredName' | 'fullName' | 'dateOfBirth'
>;

/** Active records that are likely the same person as `candidate`, strongest match first. */
export async function findLikelyDuplicates(
  tx: CommunityTransaction,
  communityId: string,
  candidate: DuplicateCandidate,
  excludeId?: string,
): Promise<LikelyDuplicate[]> {
  const matches: SQL[] = [];
  if (candidate.email) matches.push(sql`lower(${personRecords.email}) = lower(${candidate.email})`);
  if (candidate.phoneKey) matches.push(eq(personRecords.phoneKey, candidate.phoneKey));
  if (candidate.nhsNumber) matches.push(eq(personRecords.nhsNumber, candidate.nhsNumber));
  if (candidate.dateOfBirth) matches.push(eq(personRecords.dateOfBirth, candidate.dateOfBirth));
  if (matches.length === 0) return [];
  const conditions: SQL[] = [eq(personRecords.communityId, communityId), eq(personRecords.status, 'active')];
  if (excludeId) conditions.push(ne(personRecords.id, excludeId));
  const rows = await tx
    .select()
    .from(personRecords)
    .where(and(...conditions, or(...matches)))
    .limit(50);
  return rows
    .map((person) => ({ person, reasons: duplicateReasons(candidate, person) }))
    .filter((match) => match.reasons.length > 0)
    .sort((a, b) => b.reasons.length - a.reasons.length)
    .slice(0, 10);
}

// ——— Writing ———

export interface Actor {
  id: string | null;
  /** True when someone other than the person is acting for them. */
  onBehalf: boolean;
}

function columnsFrom<T extends Partial<PersonDetails>>(details: T): T & { phoneKey?: string | null } {
  return details.phone === undefined ? details : { ...details, phoneKey: phoneKey(details.phone) };
}

export async function createPerson(
  tx: CommunityTransaction,
  communityId: string,
  actor: Actor,
  details: PersonDetails,
  extra: { accountId?: string | null } = {},
): Promise<PersonRecord> {
  const problems = checkRecord(details);
  if (problems.length) throw invalid(problems);
  const [created] = await tx
    .insert(personRecords)
    .values({ ...columnsFrom(details), communityId, createdBy: actor.id, accountId: extra.accountId ?? null })
    .returning();
  if (!created) throw new Error('person insert returned nothing');
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'person.created',
    subjectType: 'person',
    subjectId: created.id,
    detail: { onBehalf: actor.onBehalf, assistedDigital: created.assistedDigital },
  });
  return created;
}

export async function updatePerson(
  tx: CommunityTransaction,
  communityId: string,
  actor: Actor,
  personId: string,
  change: PersonPatch,
): Promise<PersonRecord> {
  const current = await getPerson(tx, communityId, personId);
  if (current.status !== 'active') throw new DomainError('person-not-active', 409);
  const problems = checkRecord({ ...current, ...change } as Partial<PersonDetails>);
  if (problems.length) throw invalid(problems);
  const [updated] = await tx
    .update(personRecords)
    .set({ ...columnsFrom(change), updatedAt: new Date() })
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.id, personId)))
    .returning();
  if (!updated) throw notFound();
  const changed = Object.keys(change).filter(
    (key) => JSON.stringify(change[key as keyof PersonPatch]) !== JSON.stringify(current[key as keyof PersonRecord]),
  );
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'person.updated',
    subjectType: 'person',
    subjectId: personId,
    detail: { changed, onBehalf: actor.onBehalf },
  });
  return updated;
}

/**
 * A member's own record in this community, made from their account the first time they look
 * at it (someone who joined without a referral has none yet).
 */
export async function ownRecord(
  tx: CommunityTransaction,
  communityId: string,
  account: { id: string; displayName: string; email: string },
): Promise<PersonRecord> {
  const [found] = await tx
    .select()
    .from(personRecords)
    .where(
      and(
        eq(personRecords.communityId, communityId),
        eq(personRecords.accountId, account.id),
        eq(personRecords.status, 'active'),
      ),
    );
  if (found) return found;
  const [created] = await tx
    .insert(personRecords)
    .values({
      communityId,
      accountId: account.id,
      preferredName: account.displayName,
      email: account.email,
      createdBy: account.id,
    })
    .onConflictDoNothing()
    .returning();
  if (created) {
    await record(tx, {
      communityId,
      actorId: account.id,
      action: 'person.created',
      subjectType: 'person',
      subjectId: created.id,
      detail: { fromAccount: true },
    });
    return created;
  }
  // Made by another request at the same moment.
  const [made] = await tx
    .select()
    .from(personRecords)
    .where(
      and(
        eq(personRecords.communityId, communityId),
        eq(personRecords.accountId, account.id),
        eq(personRecords.status, 'active'),
      ),
    );
  if (!made) throw new Error('own record vanished');
  return made;
}

/** The signed-in person's own record in this community, if they have one (nothing is made). */
export async function ownRecordId(
  tx: CommunityTransaction,
  communityId: string,
  accountId: string | undefined,
): Promise<string | null> {
  if (!accountId) return null;
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
    .select({ id: people.id, email: people.email, displayName: people.displayName })
    .from(people)
    .where(eq(people.id, accountId));
  return account;
}

// ——— Equality monitoring ———

export const equalityAnswers = z.object({
  ageBand: z
    .enum(ageBands, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
  ethnicity: z
    .enum(ethnicities, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
  sex: z
    .enum(sexes, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
  genderSameAsBirth: z
    .enum(yesNoPreferNot, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
  disability: z
    .enum(yesNoPreferNot, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
  carer: z
    .enum(yesNoPreferNot, { error: 'errors.equality.invalid' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
});
export type EqualityAnswers = z.infer<typeof equalityAnswers>;
export const equalityQuestions = ['ageBand', 'ethnicity', 'sex', 'genderSameAsBirth', 'disability', 'carer'] as const;
export const equalityOptions = {
  ageBand: ageBands,
  ethnicity: ethnicities,
  sex: sexes,
  genderSameAsBirth: yesNoPreferNot,
  disability: yesNoPreferNot,
  carer: yesNoPreferNot,
} as const;

/** Saves the answers, replacing earlier ones. Anyone may leave any question unanswered. */
export async function saveEqualityAnswers(
  tx: CommunityTransaction,
  communityId: string,
  actor: Actor,
  personId: string,
  answers: EqualityAnswers,
): Promise<void> {
  await getPerson(tx, communityId, personId);
  const values = { ...answers, answeredAt: new Date(), recordedBy: actor.id };
  await tx
    .insert(equalityMonitoring)
    .values({ ...values, personRecordId: personId, communityId })
    .onConflictDoUpdate({ target: equalityMonitoring.personRecordId, set: values });
  // The answers themselves are not audited: only that they were given.
  await record(tx, {
    communityId,
    actorId: actor.id,
    action: 'person.equality-answered',
    subjectType: 'person',
    subjectId: personId,
    detail: { onBehalf: actor.onBehalf },
  });
}

/** A person's own answers: only for the person themselves. */
export async function ownEqualityAnswers(tx: CommunityTransaction, personId: string) {
  const [row] = await tx.select().from(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, personId));
  return row;
}

export async function hasEqualityAnswers(tx: CommunityTransaction, personId: string): Promise<boolean> {
  return (await ownEqualityAnswers(tx, personId)) !== undefined;
}

/** Below this, a count is shown as "fewer than 5", so that nobody can be picked out. */
export const smallNumber = 5;

/** How many people gave each answer to each question, among active records. */
export async function equalitySummary(tx: CommunityTransaction, communityId: string) {
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
  const summary = Object.fromEntries(
    equalityQuestions.map((question) => {
      const answers = [...equalityOptions[question], null].map((answer) => {
        const count = rows.rows.find((row) => row.question === question && row.answer === answer)?.count ?? 0;
        return { answer, count, shown: count > 0 && count < smallNumber ? null : count };
      });
      return [question, answers];
    }),
  ) as Record<(typeof equalityQuestions)[number], { answer: string | null; count: number; shown: number | null }[]>;
  return { total, summary };
}

// ——— Merging ———

/** This module's own tables that point at a person's record. */
export const personData: PersonDataSource[] = [
  {
    table: 'person_records',
    column: 'id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'the record itself: it stays, marked as merged into the other' },
  },
  { table: 'person_records', column: 'merged_into_id', points: 'record', download: 'rows', merge: 'move' },
  {
    table: 'person_records',
    column: 'account_id',
    points: 'account',
    download: { excluded: 'the same record, already in the download by its id' },
  },
  { table: 'person_records', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'equality_monitoring', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'consents', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'equality_monitoring',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    // The record that stays keeps its answers; the other's are used only when it has none.
    merge: async (tx, fromId, intoId) => {
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
    },
  },
  {
    table: 'consents',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    // The decisions stay (they say what the software might do), their notes go.
    erase: async (tx, personRecordId) => {
      await tx.update(consents).set({ note: '' }).where(eq(consents.personRecordId, personRecordId));
    },
    // Both histories are kept; for each purpose the more recent decision is the current one.
    merge: async (tx, fromId, intoId) => {
      await tx.execute(sql`
        update ${consents} older set superseded_at = newer.recorded_at
        from ${consents} newer
        where older.person_record_id in (${fromId}, ${intoId}) and newer.person_record_id in (${fromId}, ${intoId})
          and older.purpose = newer.purpose and older.superseded_at is null and newer.superseded_at is null
          and (older.recorded_at, older.id) < (newer.recorded_at, newer.id)`);
      await tx.update(consents).set({ personRecordId: intoId }).where(eq(consents.personRecordId, fromId));
    },
  },
];

const fillable = [
  'fullName',
  'pronouns',
  'dateOfBirth',
  'nhsNumber',
  'email',
  'phone',
  'phoneKey',
  'address',
  'postcode',
  'contactMethod',
  'contactTimes',
  'messageSafe',
  'interpreterLanguage',
  'communicationOther',
  'emergencyContactName',
  'emergencyContactPhone',
  'emergencyContactRelationship',
  'gpPractice',
  'skillsAndInterests',
  'livedExperience',
  'availability',
] as const satisfies readonly (keyof PersonRecord)[];

/** What the record that stays takes from the other: only what it does not have itself. */
export function mergedDetails(into: PersonRecord, from: PersonRecord): Partial<PersonRecord> {
  const change: Record<string, unknown> = {};
  for (const field of fillable) {
    const kept = into[field];
    const other = from[field];
    if ((kept === null || kept === '') && other !== null && other !== '') change[field] = other;
  }
  const needs = [...new Set([...into.communicationNeeds, ...from.communicationNeeds])];
  if (needs.length !== into.communicationNeeds.length) change.communicationNeeds = needs;
  if (!into.accountId && from.accountId) change.accountId = from.accountId;
  if (from.assistedDigital && !into.assistedDigital) change.assistedDigital = true;
  return change as Partial<PersonRecord>;
}

/**
 * Merges the record `fromId` into `intoId`: the one that stays keeps its details, takes what it
 * lacks from the other, and gains its whole history. The other is kept, marked as merged.
 */
export async function mergePeople(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  sources: readonly PersonDataSource[],
  intoId: string,
  fromId: string,
): Promise<PersonRecord> {
  if (intoId === fromId) throw invalid([{ field: 'from', code: 'errors.person.merge.same' }]);
  // Lock both, always in the same order, so two merges of the same pair cannot cross.
  const locked = await tx.execute<{ id: string }>(
    sql`select id from ${personRecords} where community_id = ${communityId} and id in (${intoId}, ${fromId}) order by id for update`,
  );
  if (locked.rows.length !== 2) throw notFound();
  const into = await getPerson(tx, communityId, intoId);
  const from = await getPerson(tx, communityId, fromId);
  if (into.status !== 'active' || from.status !== 'active') throw new DomainError('person-not-active', 409);
  // Two accounts are two people who can each sign in: they are not merged.
  if (into.accountId && from.accountId && into.accountId !== from.accountId)
    throw new DomainError('both-have-accounts', 409);
  const change = mergedDetails(into, from);
  // The account moves with the details: free it on the old record first (one active record per account).
  await tx
    .update(personRecords)
    .set({ status: 'merged', mergedIntoId: intoId, accountId: null, updatedAt: new Date() })
    .where(eq(personRecords.id, fromId));
  await moveReferences(tx, sources, fromId, intoId);
  const [merged] = await tx
    .update(personRecords)
    .set({ ...change, updatedAt: new Date() })
    .where(eq(personRecords.id, intoId))
    .returning();
  if (!merged) throw notFound();
  await record(tx, {
    communityId,
    actorId,
    action: 'person.merged',
    subjectType: 'person',
    subjectId: intoId,
    detail: { from: fromId, fromNumber: from.number, took: Object.keys(change) },
  });
  return merged;
}

/** Records that were merged into this one, for its page. */
export async function mergedFrom(tx: CommunityTransaction, communityId: string, personId: string) {
  return tx
    .select({
      id: personRecords.id,
      number: personRecords.number,
      preferredName: personRecords.preferredName,
      updatedAt: personRecords.updatedAt,
    })
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.mergedIntoId, personId)));
}

export const personCursor = (row: PersonRecord) => ({ name: row.preferredName.toLowerCase(), id: row.id });
