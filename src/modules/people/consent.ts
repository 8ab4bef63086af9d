// Consent, per purpose: how it was given, by whom, when, and its withdrawal. The rules here are
// the only way the software decides whether it may message someone, tell a referrer what
// happened, or count a person in evaluation.
import { record } from '../../platform/audit.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import * as store from './consent-store.ts';
import type { ConsentMethod, ConsentPurpose } from './schema.ts';
import { consentMethods, consentPurposes } from './consent-store.ts';

export { consentHistory, evaluationConsented, peopleInEvaluation } from './consent-store.ts';
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
  const rows = await store.decisionsInForce(tx, personRecordId);
  return currentFrom(
    rows
      .map((row) => ({ ...row.decision, recordedByName: row.recordedByName }))
      .sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime()),
  );
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
  await store.lockRecordForConsent(tx, personRecordId);
  await store.supersedeAndInsert(
    tx,
    personRecordId,
    entries.map((entry) => ({ ...entry, note: entry.note ?? '' })),
    new Date(),
  );
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
  const person = await store.addressOf(tx, personRecordId);
  if (!person) return 'no-address';
  const byEmail = await messagePerson(tx, notifyConfigured, person, 'email', message);
  if (byEmail === 'queued') return byEmail;
  return messagePerson(tx, notifyConfigured, person, 'sms', message);
}
