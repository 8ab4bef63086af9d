// Consent, per purpose: how it was given, by whom, when, and its withdrawal. The rules here are
// the only way the software decides whether it may message someone, tell a referrer what
// happened, or count a person in evaluation.
import { and, desc, eq, inArray, isNull, sql, type SQL } from 'drizzle-orm';
import type { AnyPgColumn } from 'drizzle-orm/pg-core';
import { record } from '../../platform/audit.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import { people } from '../../platform/db/schema.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import {
  type ConsentMethod,
  type ConsentPurpose,
  consentMethods,
  consentPurposes,
  consents,
  personRecords,
} from './schema.ts';

export { consentMethods, consentPurposes };
export type { ConsentMethod, ConsentPurpose };

export interface ConsentDecision {
  purpose: ConsentPurpose;
  granted: boolean;
  method: ConsentMethod;
  recordedAt: Date;
  recordedBy: string | null;
  /** Who recorded it, by name, when it was said to someone (the referrer or a coordinator). */
  recordedByName?: string | null;
  onBehalf: boolean;
  note: string;
}

/** The current decision for each purpose; a purpose never asked about is absent (and not given). */
export type ConsentState = Partial<Record<ConsentPurpose, ConsentDecision>>;

/** The current decisions from a history given oldest first: the latest decision for a purpose stands. */
export function currentFrom(history: readonly ConsentDecision[]): ConsentState {
  const state: ConsentState = {};
  for (const decision of history) state[decision.purpose] = decision;
  return state;
}

export const given = (state: ConsentState, purpose: ConsentPurpose): boolean => state[purpose]?.granted === true;

export type Channel = 'email' | 'sms';
const channelPurpose: Record<Channel, ConsentPurpose> = { email: 'contact_email', sms: 'contact_sms' };

/** A message may go by a channel only with consent to be contacted that way. */
export const mayMessage = (state: ConsentState, channel: Channel): boolean => given(state, channelPurpose[channel]);
/** A referrer hears what happened only when the person agreed to that. */
export const mayTellReferrer = (state: ConsentState): boolean => given(state, 'tell_referrer');
/** Only people who agreed are counted in evaluation. */
export const inEvaluation = (state: ConsentState): boolean => given(state, 'evaluation');

/** The current consent decisions of one person. */
export async function consentState(tx: CommunityTransaction, personRecordId: string): Promise<ConsentState> {
  const rows = await tx
    .select({ decision: consents, recordedByName: people.displayName })
    .from(consents)
    .leftJoin(people, eq(people.id, consents.recordedBy))
    .where(and(eq(consents.personRecordId, personRecordId), isNull(consents.supersededAt)));
  return currentFrom(
    rows
      .map((row) => ({ ...row.decision, recordedByName: row.recordedByName }))
      .sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime()),
  );
}

/** Every decision a person made, newest first. */
export async function consentHistory(tx: CommunityTransaction, personRecordId: string) {
  return tx
    .select()
    .from(consents)
    .where(eq(consents.personRecordId, personRecordId))
    .orderBy(desc(consents.recordedAt), desc(consents.id));
}

export interface ConsentEntry {
  communityId: string;
  personRecordId: string;
  purpose: ConsentPurpose;
  granted: boolean;
  method: ConsentMethod;
  recordedBy: string | null;
  onBehalf: boolean;
  note?: string;
}

/**
 * Records a decision; the one before it for the same purpose is kept, superseded. The person's
 * record is locked first, so two decisions at the same moment are recorded one after the other.
 */
export async function recordConsent(tx: CommunityTransaction, entry: ConsentEntry): Promise<void> {
  await recordConsents(tx, entry.personRecordId, [entry]);
}

/** Several decisions of one person at once (a referral's answers), one purpose each, in four statements. */
export async function recordConsents(
  tx: CommunityTransaction,
  personRecordId: string,
  entries: readonly Omit<ConsentEntry, 'personRecordId'>[],
): Promise<void> {
  if (entries.length === 0) return;
  const purposes = entries.map((entry) => entry.purpose);
  if (new Set(purposes).size !== purposes.length) throw new Error('one decision per purpose at a time');
  await tx.execute(sql`select 1 from ${personRecords} where ${personRecords.id} = ${personRecordId} for update`);
  const now = new Date();
  await tx
    .update(consents)
    .set({ supersededAt: now })
    .where(
      and(
        eq(consents.personRecordId, personRecordId),
        inArray(consents.purpose, purposes),
        isNull(consents.supersededAt),
      ),
    );
  await tx
    .insert(consents)
    .values(entries.map((entry) => ({ ...entry, personRecordId, note: entry.note ?? '', recordedAt: now })));
  await record(
    tx,
    entries.map((entry) => ({
      communityId: entry.communityId,
      actorId: entry.recordedBy,
      action: entry.granted ? 'consent.given' : 'consent.withdrawn',
      subjectType: 'person',
      subjectId: personRecordId,
      detail: { purpose: entry.purpose, method: entry.method, onBehalf: entry.onBehalf },
    })),
  );
}

export interface Recipient {
  id: string;
  communityId: string;
  email: string | null;
  phone: string | null;
}

export type MessageOutcome = 'queued' | 'no-consent' | 'no-address';

/**
 * The one way to message a person: by email or text only with their consent to that channel,
 * and only when there is an address to send to.
 */
export async function messagePerson(
  tx: CommunityTransaction,
  notifyConfigured: boolean,
  person: Recipient,
  channel: Channel,
  message: { template: string; subject: string; body: string },
): Promise<MessageOutcome> {
  const state = await consentState(tx, person.id);
  if (!mayMessage(state, channel)) return 'no-consent';
  const recipient = channel === 'email' ? person.email : person.phone;
  if (!recipient) return 'no-address';
  await enqueue(tx, { communityId: person.communityId, channel, recipient, ...message }, notifyConfigured);
  return 'queued';
}

/** Sends a short notice to a person's record by email, or by text when that is how they agreed to be contacted; never to anyone else's address. */
export async function tellPerson(
  tx: CommunityTransaction,
  notifyConfigured: boolean,
  personRecordId: string,
  message: { template: string; subject: string; body: string },
): Promise<MessageOutcome> {
  const [person] = await tx
    .select({
      id: personRecords.id,
      communityId: personRecords.communityId,
      email: personRecords.email,
      phone: personRecords.phone,
    })
    .from(personRecords)
    .where(eq(personRecords.id, personRecordId));
  if (!person) return 'no-address';
  const byEmail = await messagePerson(tx, notifyConfigured, person, 'email', message);
  if (byEmail === 'queued') return byEmail;
  return messagePerson(tx, notifyConfigured, person, 'sms', message);
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
