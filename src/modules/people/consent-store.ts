// The queries behind consent: a person's decisions, and where to reach a record.
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { accounts } from '../../platform/db/schema.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { type ConsentMethod, type ConsentPurpose, consents, personRecords } from './schema.ts';

export { consentMethods, consentPurposes } from './schema.ts';

export type ConsentRow = typeof consents.$inferSelect;

/** The decisions in force (not superseded), with who recorded each. */
export function decisionsInForce(tx: CommunityTransaction, recordId: string) {
  return tx
    .select({ decision: consents, recordedByName: accounts.displayName })
    .from(consents)
    .leftJoin(accounts, eq(accounts.id, consents.recordedBy))
    .where(and(eq(consents.personRecordId, recordId), isNull(consents.supersededAt)));
}

/** Every decision a person made, newest first. */
export function consentHistory(tx: CommunityTransaction, recordId: string) {
  return tx
    .select()
    .from(consents)
    .where(eq(consents.personRecordId, recordId))
    .orderBy(desc(consents.recordedAt), desc(consents.id));
}

/** Locks the person's record, so two decisions at the same moment are recorded one after the other. */
export async function lockRecordForConsent(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.execute(sql`select 1 from ${personRecords} where ${personRecords.id} = ${recordId} for update`);
}

/** Replaces the decisions in force for these purposes with new ones, all recorded at `now`. */
export async function supersedeAndInsert(
  tx: CommunityTransaction,
  recordId: string,
  entries: readonly {
    communityId: string;
    purpose: ConsentPurpose;
    granted: boolean;
    method: ConsentMethod;
    recordedBy: string | null;
    onBehalf: boolean;
    note: string;
  }[],
  now: Date,
): Promise<void> {
  const purposes = entries.map((entry) => entry.purpose);
  await tx
    .update(consents)
    .set({ supersededAt: now })
    .where(
      and(eq(consents.personRecordId, recordId), inArray(consents.purpose, purposes), isNull(consents.supersededAt)),
    );
  await tx.insert(consents).values(entries.map((entry) => ({ ...entry, personRecordId: recordId, recordedAt: now })));
}

/** Where a record can be reached: its own email and phone, never anyone else's. */
export async function addressOf(tx: CommunityTransaction, recordId: string) {
  const [person] = await tx
    .select({
      id: personRecords.id,
      communityId: personRecords.communityId,
      email: personRecords.email,
      phone: personRecords.phone,
    })
    .from(personRecords)
    .where(eq(personRecords.id, recordId));
  return person;
}

/**
 * A condition for queries over evaluation data: true only for people whose current decision
 * is to be counted. Every report of outcomes or impact filters its people with it.
 */
export function evaluationConsented(personRecordId: AnyPgColumn | SQL): SQL {
  return sql`exists (select 1 from ${consents} where ${consents.personRecordId} = ${personRecordId} and ${consents.purpose} = 'evaluation' and ${consents.granted} and ${consents.supersededAt} is null)`;
}

/** The people of a community who may be counted in evaluation. */
export async function peopleInEvaluation(tx: CommunityTransaction, communityId: string): Promise<Set<string>> {
  const rows = await tx
    .select({ id: consents.personRecordId })
    .from(consents)
    .where(
      and(
        eq(consents.communityId, communityId),
        eq(consents.purpose, 'evaluation'),
        eq(consents.granted, true),
        isNull(consents.supersededAt),
      ),
    );
  return new Set(rows.map((row) => row.id));
}

/** The decisions stay (they say what the software might do), their notes go. */
export async function forgetConsentNotes(tx: CommunityTransaction, recordId: string): Promise<void> {
  await tx.update(consents).set({ note: '' }).where(eq(consents.personRecordId, recordId));
}

/** Both histories are kept; for each purpose the more recent decision is the current one. */
export async function mergeConsents(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`
    update ${consents} older set superseded_at = newer.recorded_at
    from ${consents} newer
    where older.person_record_id in (${fromId}, ${intoId}) and newer.person_record_id in (${fromId}, ${intoId})
      and older.purpose = newer.purpose and older.superseded_at is null and newer.superseded_at is null
      and (older.recorded_at, older.id) < (newer.recorded_at, newer.id)`);
  await tx.update(consents).set({ personRecordId: intoId }).where(eq(consents.personRecordId, fromId));
}
