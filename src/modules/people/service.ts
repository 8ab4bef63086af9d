import { z } from 'zod';
import { record } from '../../platform/audit.ts';
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
import type { personRecords } from './schema.ts';
import * as store from './store.ts';
import { ageBands, communicationNeeds, contactMethods, ethnicities, sexes, yesNoPreferNot } from './store.ts';
import { forgetConsentNotes, mergeConsents } from './consent-store.ts';

export { ageBands, communicationNeeds, contactMethods, ethnicities, sexes, yesNoPreferNot };
export type { CommunicationNeed } from './schema.ts';
export type PersonRecord = typeof personRecords.$inferSelect;

const note = (max: number) => optionalText('errors.person.text.tooLong', max);

/** One of these answers or none: left out, blank or null is none. */
const optionalChoice = <const Options extends readonly [string, ...string[]]>(options: Options, invalid: string) =>
  z
    .enum(options, { error: invalid })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null);

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
    contactMethod: optionalChoice(contactMethods, 'errors.person.contactMethod.invalid'),
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

/** An interpreter needs a language, and "other" needs saying what: the communication section's rules. */
export function communicationProblems(
  details: Partial<Pick<PersonDetails, 'communicationNeeds' | 'interpreterLanguage' | 'communicationOther'>>,
): FieldError[] {
  const errors: FieldError[] = [];
  const needs = details.communicationNeeds ?? [];
  if (needs.includes('interpreter') && !details.interpreterLanguage)
    errors.push({ field: 'interpreterLanguage', code: 'errors.person.interpreterLanguage.missing' });
  if (needs.includes('other') && !details.communicationOther)
    errors.push({ field: 'communicationOther', code: 'errors.person.communicationOther.missing' });
  return errors;
}

/** Rules across fields, checked on the whole record after a change. */
export function checkRecord(details: Partial<PersonDetails>): FieldError[] {
  const errors = communicationProblems(details);
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
  const found = await store.recordOfCommunity(tx, communityId, personId);
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
  return store.activeRecordsByName(tx, communityId, {
    ...query,
    phoneKey: query.search ? phoneKey(query.search.trim()) : null,
  });
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
  const rows = await store.recordsSharingDetails(tx, communityId, candidate, excludeId);
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
  const created = await store.insertRecord(tx, {
    ...columnsFrom(details),
    communityId,
    createdBy: actor.id,
    accountId: extra.accountId ?? null,
  });
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
  const updated = await store.updateRecord(tx, communityId, personId, {
    ...columnsFrom(change),
    updatedAt: new Date(),
  });
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
  const found = await store.activeRecordOfAccount(tx, communityId, account.id);
  if (found) return found;
  const created = await store.insertRecordForAccount(tx, {
    communityId,
    accountId: account.id,
    preferredName: account.displayName,
    email: account.email,
    createdBy: account.id,
  });
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
  const made = await store.activeRecordOfAccount(tx, communityId, account.id);
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
  return store.activeRecordIdOfAccount(tx, communityId, accountId);
}

export { accountOf, recordsHoldingRole } from './store.ts';

// ——— Equality monitoring ———

export const equalityAnswers = z.object({
  ageBand: optionalChoice(ageBands, 'errors.equality.invalid'),
  ethnicity: optionalChoice(ethnicities, 'errors.equality.invalid'),
  sex: optionalChoice(sexes, 'errors.equality.invalid'),
  genderSameAsBirth: optionalChoice(yesNoPreferNot, 'errors.equality.invalid'),
  disability: optionalChoice(yesNoPreferNot, 'errors.equality.invalid'),
  carer: optionalChoice(yesNoPreferNot, 'errors.equality.invalid'),
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
  await store.upsertEqualityAnswers(tx, communityId, personId, values);
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
  return store.equalityAnswersOf(tx, personId);
}

export async function hasEqualityAnswers(tx: CommunityTransaction, personId: string): Promise<boolean> {
  return (await ownEqualityAnswers(tx, personId)) !== undefined;
}

/** Below this, a count is shown as "fewer than 5", so that nobody can be picked out. */
export const smallNumber = 5;

/** How many people gave each answer to each question, among active records. */
export async function equalitySummary(tx: CommunityTransaction, communityId: string) {
  const { rows, total } = await store.equalityCounts(tx, communityId);
  const summary = Object.fromEntries(
    equalityQuestions.map((question) => {
      const answers = [...equalityOptions[question], null].map((answer) => {
        const count = rows.find((row) => row.question === question && row.answer === answer)?.count ?? 0;
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
    merge: store.mergeEqualityAnswers,
  },
  {
    table: 'consents',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    // The decisions stay (they say what the software might do), their notes go.
    erase: forgetConsentNotes,
    // Both histories are kept; for each purpose the more recent decision is the current one.
    merge: mergeConsents,
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
  if ((await store.lockPair(tx, communityId, intoId, fromId)) !== 2) throw notFound();
  const into = await getPerson(tx, communityId, intoId);
  const from = await getPerson(tx, communityId, fromId);
  if (into.status !== 'active' || from.status !== 'active') throw new DomainError('person-not-active', 409);
  // Two accounts are two people who can each sign in: they are not merged.
  if (into.accountId && from.accountId && into.accountId !== from.accountId)
    throw new DomainError('both-have-accounts', 409);
  const change = mergedDetails(into, from);
  // The account moves with the details: free it on the old record first (one active record per account).
  await store.markMerged(tx, fromId, intoId);
  await moveReferences(tx, sources, fromId, intoId);
  const merged = await store.updateRecord(tx, communityId, intoId, { ...change, updatedAt: new Date() });
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

export { mergedFrom } from './store.ts';

/** A next page's cursor: the record's sort key as PostgreSQL made it (`activeRecordsByName`), and its id. */
export const personCursor = (row: { sortName: string; id: string }) => ({ name: row.sortName, id: row.id });

// What other modules may use of the people's tables: names to join, never the personal columns.
export {
  activeRecord,
  blankRecord,
  forgetEqualityAnswers,
  formerName,
  markErased,
  recordsMergedInto,
  heldByAccount,
  listNameOf,
  numberOf,
  preferredNameOf,
  recordsSeen,
  recordsSeenSql,
  recordsWithoutAccount,
  linkRecordToAccount,
  activeRecordsWithAccount,
  activeRecordsOfAccount,
  recordToInvite,
  giveRecordEmail,
  linkInvitedRecord,
  accountIdOf,
  emailOf,
  phoneOf,
  activeRecordEmails,
  insertImportedRecord,
} from './store.ts';
