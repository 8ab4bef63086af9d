import { hash, randomInt } from 'node:crypto';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import { checkboxList, optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { DomainError, invalid, notFound, unauthenticated } from '../../platform/http/problems.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import { addressOfAccount, enqueue } from '../../platform/notify/outbox.ts';
import type { PersonDataSource } from '../../platform/person-data.ts';
import {
  type Community,
  type CommunityTransaction,
  type RequestAsker,
  type Role,
  staffRoles,
} from '../../platform/tenancy.ts';
import { addWorkingDays, ukDay, workingDaysBetween } from '../../platform/working-days.ts';
import { keptFor } from '../../platform/kept.ts';
import { welcomeAsMember } from '../communities/service.ts';
import { checkNeedsOffered } from './support-needs.ts';
import { recordMilestone } from '../journey/service.ts';
import {
  type ConsentMethod,
  type ConsentPurpose,
  consentState,
  mayTellReferrer,
  messagePerson,
  recordConsents,
} from '../people/consent.ts';
import * as people_ from '../people/service.ts';
import { type AcceptanceHandlers, acceptInto, getProgramme, programmesByIds } from '../programmes/service.ts';
import type { ContactOutcome, DeclineReason, ReferralSource, ReferralStatus, Urgency } from './schema.ts';
import * as store from './store.ts';
import {
  contactMethods,
  contactOutcomes,
  declineReasons,
  needs,
  openStatuses,
  type QueueFilter,
  type Referral,
  referralSources,
  referralStatuses,
  urgencies,
} from './store.ts';

export { contactMethods, contactOutcomes, declineReasons, needs, referralSources, referralStatuses, urgencies };
export type { ContactOutcome, DeclineReason, QueueFilter, Referral, ReferralSource, ReferralStatus, Urgency };

// ——— The rules ———

export { openStatuses };
export const isOpen = (status: ReferralStatus) => openStatuses.includes(status);

/** Where a referral may go from where it is: only an open referral moves, and never back to new. */
export function canMove(from: ReferralStatus, to: ReferralStatus): boolean {
  if (!isOpen(from)) return false;
  if (to === 'new') return false;
  if (to === 'contacting') return from === 'new';
  return true;
}

/** Urgent referrals are contacted within a working day, soon ones within two, the rest within the community's number. */
export function contactDueOn(receivedDay: string, urgency: Urgency, workingDays: number): string {
  const days = urgency === 'urgent' ? 1 : urgency === 'soon' ? Math.min(2, workingDays) : workingDays;
  return addWorkingDays(receivedDay, days);
}

/** Overdue: still waiting for a first contact after its last day. */
export function isOverdue(
  referral: Pick<Referral, 'status' | 'firstContactedAt' | 'contactDueOn'>,
  today: string,
): boolean {
  return isOpen(referral.status) && referral.firstContactedAt === null && referral.contactDueOn < today;
}

/** Whole days since the referral arrived. */
export function daysWaiting(createdAt: Date, today: string): number {
  return Math.max(
    0,
    Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${ukDay(createdAt)}T00:00:00Z`)) / 86_400_000),
  );
}

/** Whole days since the referral arrived, and working days among them. */
export function waiting(createdAt: Date, today: string): { days: number; workingDays: number } {
  return { days: daysWaiting(createdAt, today), workingDays: workingDaysBetween(ukDay(createdAt), today) };
}

// No 0/O, 1/I or L: a reference is read out on the phone.
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';
/** A reference like "K7QM-4XPD": eight characters, easy to say and type. */
export function newReference(pick: (max: number) => number = randomInt): string {
  const characters = Array.from({ length: 8 }, () => referenceAlphabet[pick(referenceAlphabet.length)]).join('');
  return `${characters.slice(0, 4)}-${characters.slice(4)}`;
}
export const referenceFormat = /^[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$/;

/**
 * What a referrer may see of a referral they made: its status only when the person agreed that
 * the referrer is told what happens; otherwise that it was received, and that the person chose
 * not to share.
 */
export function referrerView<
  T extends {
    status: ReferralStatus;
    acceptedProgrammes: string[];
    declineReason: DeclineReason | null;
    statusChangedAt: Date;
  },
>(referral: T, sharing: boolean) {
  if (sharing)
    return {
      shared: true as const,
      status: referral.status,
      acceptedProgrammes: referral.acceptedProgrammes,
      declineReason: referral.declineReason,
      updatedAt: referral.statusChangedAt,
    };
  return {
    shared: false as const,
    status: 'received' as const,
    acceptedProgrammes: [] as string[],
    declineReason: null,
    updatedAt: null,
  };
}

// ——— What a referral says ———

const text = (max: number) => optionalText('errors.referral.text.tooLong', max);
const programmeIds = z
  .preprocess(
    (value) => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]),
    z.array(z.uuid({ error: 'errors.referral.programmes.unknown' })).max(20, 'errors.referral.programmes.unknown'),
  )
  .transform((list) => [...new Set(list)]);

// Who the person is and how to reach them, asked as their record asks it.
const { about, contact, communication, health } = people_.personSections;
const whoTheyAre = {
  preferredName: about.shape.preferredName,
  fullName: about.shape.fullName,
  dateOfBirth: about.shape.dateOfBirth,
};
const howToReach = {
  phone: contact.shape.phone,
  messageSafe: contact.shape.messageSafe,
  email: contact.shape.email,
  address: contact.shape.address,
  postcode: contact.shape.postcode,
};

/** Someone asking for support for themselves. */
export const selfReferral = z.object({
  programmeIds,
  ...whoTheyAre,
  ...howToReach,
  /** The ways the person is happy to be contacted; the first is the one they prefer. */
  contactBy: checkboxList(['phone', 'sms', 'email', 'post'] as const, 'errors.referral.contactBy.missing').refine(
    (list) => list.length > 0,
    'errors.referral.contactBy.missing',
  ),
  needs: checkboxList(needs, 'errors.referral.needs.invalid'),
  reason: text(4000),
  ...communication.shape,
  evaluation: z.preprocess(
    (value) => (value === 'yes' ? true : value === 'no' ? false : value),
    z.boolean({ error: 'errors.referral.evaluation.missing' }),
  ),
});
export type SelfReferral = z.infer<typeof selfReferral>;

/** Rules across a self-referral's answers: each way of contact needs its details. */
export function checkSelfReferral(answers: Partial<SelfReferral>) {
  const errors = [];
  const by = answers.contactBy ?? [];
  if ((by.includes('phone') || by.includes('sms')) && !answers.phone)
    errors.push({ field: 'phone', code: 'errors.referral.contactBy.needsPhone' });
  if (by.includes('email') && !answers.email)
    errors.push({ field: 'email', code: 'errors.referral.contactBy.needsEmail' });
  if (by.includes('post') && (!answers.address || !answers.postcode))
    errors.push({ field: 'address', code: 'errors.referral.contactBy.needsAddress' });
  return [...errors, ...people_.communicationProblems(answers)];
}

/** A professional's referral: who, why, into what, how soon, known risks, and two separate agreements. */
export const professionalReferral = z.object({
  ...whoTheyAre,
  nhsNumber: health.shape.nhsNumber,
  ...howToReach,
  ...communication.shape,
  gpPractice: health.shape.gpPractice,
  referrerOrganisation: text(200),
  programmeIds: programmeIds.refine((list) => list.length > 0, 'errors.referral.programmes.missing'),
  needs: checkboxList(needs, 'errors.referral.needs.invalid'),
  reason: requiredText('errors.referral.reason.missing', 'errors.referral.text.tooLong', 4000),
  urgency: z.enum(urgencies, { error: 'errors.referral.urgency.missing' }),
  risks: text(4000),
  /** The person agreed to be referred: without it there is no referral. */
  agreedToReferral: tickbox.refine((value) => value, 'errors.referral.agreedToReferral.missing'),
  /** The person agreed that the referrer is told what happens. */
  agreedToUpdates: tickbox.default(false),
});
export type ProfessionalReferral = z.infer<typeof professionalReferral>;

export function checkProfessionalReferral(answers: Partial<ProfessionalReferral>) {
  const errors = [];
  if (!answers.phone && !answers.email && !answers.address)
    errors.push({ field: 'phone', code: 'errors.referral.noWayToContact' });
  return [...errors, ...people_.communicationProblems(answers)];
}

export const contactAttempt = z.object({
  at: z.coerce
    .date({ error: 'errors.referral.attempt.at' })
    .refine((date) => date.getTime() <= Date.now() + 5 * 60_000, 'errors.referral.attempt.future')
    .optional(),
  method: z.enum(contactMethods, { error: 'errors.referral.attempt.method' }),
  outcome: z.enum(contactOutcomes, { error: 'errors.referral.attempt.outcome' }),
  note: text(2000),
});
export const acceptance = z.object({
  programmeIds: programmeIds.refine((list) => list.length > 0, 'errors.referral.accept.programmes'),
  note: text(2000),
});
export const declining = z.object({
  reason: z.enum(declineReasons, { error: 'errors.referral.decline.reason' }),
  note: text(2000),
});
export const withdrawal = z.object({ note: text(2000) });

// ——— Who is asking ———

/** Who may refer someone: referrers, and coordinators taking a referral by phone. */
export const referringRoles: readonly Role[] = ['referrer', 'coordinator', 'admin'];

/** Whether the asker may refer someone. */
export const mayRefer = (asker: RequestAsker): boolean => asker.hasRole(...referringRoles);

/** Someone referring who is not a referrer is taking a call: the person may be referring themselves through them. */
export const takingCall = (asker: RequestAsker): boolean => !asker.hasRole('referrer');

/** Where a referral made on the page comes from: the person themselves only when taken by phone and said so. */
export const sourceFor = (asker: RequestAsker, asked: unknown): ReferralSource =>
  takingCall(asker) && asked === 'self' ? 'self' : 'professional';

/** Whose referral it is: a referrer's own (they hear what becomes of it); nobody's when taken by phone. */
export const referrerIdFor = (asker: RequestAsker): string | null =>
  asker.hasRole('referrer') ? asker.accountId : null;

/** Anyone holding a role that works with other people's records is typing a self-referral in for someone. */
export const typingInForSomeone = (asker: RequestAsker): boolean => asker.hasRole(...staffRoles);

/** Those who run programmes work the whole queue; a referrer follows their own referrals. */
export const worksTheQueue = (asker: RequestAsker): boolean => asker.runsProgrammes;

function accountOf(asker: RequestAsker): string {
  if (!asker.accountId) throw unauthenticated();
  return asker.accountId;
}

// ——— Writing ———

export interface Context {
  community: Community;
  actorId: string | null;
  notifyConfigured: boolean;
  publicUrl: string;
  acceptance: AcceptanceHandlers;
}

/** The programmes asked for must be this community's and, for a new referral, taking people. */
async function checkProgrammes(tx: CommunityTransaction, communityId: string, ids: readonly string[], field: string) {
  if (ids.length === 0) return [];
  const found = await programmesByIds(tx, communityId, ids);
  const open = new Set(found.filter((programme) => programme.status === 'open').map((programme) => programme.id));
  const unknown = ids.findIndex((id) => !open.has(id));
  if (unknown >= 0) throw invalid([{ field: `${field}.${unknown}`, code: 'errors.referral.programmes.unknown' }]);
  return found;
}

async function uniqueReference(tx: CommunityTransaction, communityId: string): Promise<string> {
  for (let tries = 0; tries < 10; tries += 1) {
    const reference = newReference();
    if (!(await store.referenceTaken(tx, communityId, reference))) return reference;
  }
  throw new Error('no free reference after 10 tries');
}

/**
 * Runs `create` once per submission key: a second press of the button, or a repeated API call,
 * finds the first referral. The key is locked for the transaction, so two at the same moment wait.
 */
async function oncePerSubmission(
  tx: CommunityTransaction,
  communityId: string,
  submissionKey: string | null,
  create: () => Promise<Referral>,
): Promise<{ referral: Referral; repeated: boolean }> {
  if (submissionKey) {
    await store.lockSubmission(tx, communityId, submissionKey);
    const earlier = await store.referralBySubmission(tx, communityId, submissionKey);
    if (earlier) return { referral: earlier, repeated: true };
  }
  return { referral: await create(), repeated: false };
}

interface NewReferral {
  personRecordId: string;
  source: ReferralSource;
  referrerId: string | null;
  referrerOrganisation: string;
  recordedBy: string | null;
  onBehalf: boolean;
  urgency: Urgency;
  needs: string[];
  reason: string;
  risks: string;
  programmeIds: string[];
  submissionKey: string | null;
  claimTokenHash: string | null;
}

async function insertReferral(tx: CommunityTransaction, context: Context, details: NewReferral): Promise<Referral> {
  const communityId = context.community.id;
  await checkNeedsOffered(tx, communityId, details.needs);
  const today = ukDay();
  const created = await store.insertReferralRow(tx, {
    ...details,
    communityId,
    reference: await uniqueReference(tx, communityId),
    contactDueOn: contactDueOn(today, details.urgency, context.community.contactWithinWorkingDays),
    claimExpiresAt: details.claimTokenHash ? new Date(Date.now() + 86_400_000) : null,
  });
  if (!created) throw new Error('referral insert returned nothing');
  forgetCounts(communityId);
  if (details.programmeIds.length)
    await store.addRequestedProgrammes(tx, communityId, created.id, details.programmeIds);
  await store.addReferralEvent(tx, {
    communityId,
    referralId: created.id,
    kind: 'received',
    toStatus: 'new',
    actorId: context.actorId,
  });
  await recordMilestone(tx, {
    communityId,
    personRecordId: details.personRecordId,
    kind: 'referral_received',
    source: { type: 'referral', id: created.id },
    recordedBy: context.actorId,
  });
  await record(tx, {
    communityId,
    actorId: context.actorId,
    action: 'referral.received',
    subjectType: 'referral',
    subjectId: created.id,
    detail: { source: details.source, onBehalf: details.onBehalf, urgency: details.urgency },
  });
  // The community hears of every new referral; it names no one.
  if (context.community.contactEmail) {
    const t = translator('en');
    await enqueue(
      tx,
      {
        communityId,
        channel: 'email',
        template: 'referral-received',
        recipient: context.community.contactEmail,
        subject: t('messages.referralReceived.subject', { reference: created.reference }),
        body: t('messages.referralReceived.body', {
          reference: created.reference,
          link: `${context.publicUrl}/c/${context.community.slug}/referrals/${created.id}`,
        }),
      },
      context.notifyConfigured,
    );
  }
  return created;
}

/** The record of someone referred: who they are, how to reach them and how they communicate, as the referral says, and more. */
function newRecord(
  tx: CommunityTransaction,
  context: Context,
  onBehalf: boolean,
  answers: SelfReferral | ProfessionalReferral,
  more: Partial<people_.PersonDetails>,
) {
  return people_.createPerson(
    tx,
    context.community.id,
    { id: context.actorId, onBehalf },
    {
      ...people_.personDetails.parse({ preferredName: answers.preferredName }),
      preferredName: answers.preferredName,
      fullName: answers.fullName,
      dateOfBirth: answers.dateOfBirth,
      phone: answers.phone,
      messageSafe: answers.messageSafe,
      email: answers.email,
      address: answers.address,
      postcode: answers.postcode,
      communicationNeeds: answers.communicationNeeds,
      interpreterLanguage: answers.interpreterLanguage,
      communicationOther: answers.communicationOther,
      ...more,
    },
  );
}

/** What the person agreed to when referred, one decision a purpose, recorded as they gave it. */
function recordAgreements(
  tx: CommunityTransaction,
  context: Context,
  personId: string,
  decisions: [ConsentPurpose, boolean][],
  given: { method: ConsentMethod; onBehalf: boolean },
) {
  return recordConsents(
    tx,
    personId,
    decisions.map(([purpose, granted]) => ({
      communityId: context.community.id,
      purpose,
      granted,
      ...given,
      recordedBy: context.actorId,
    })),
  );
}

export interface SelfReferralOptions {
  /** Staff typing it in for someone who asked by phone or in person. */
  onBehalf?: boolean;
  submissionKey?: string | null;
}

/**
 * Someone refers themselves: a new record, their consent as they gave it, and the referral.
 * The record is never joined to whoever is signed in: that takes the claim link, which only the
 * browser that sent the referral has (a staff member's session could be filling it for someone else).
 */
export async function createSelfReferral(
  tx: CommunityTransaction,
  context: Context,
  answers: SelfReferral,
  options: SelfReferralOptions = {},
) {
  const problems = checkSelfReferral(answers);
  if (problems.length) throw invalid(problems);
  const communityId = context.community.id;
  let claimToken: string | null = null;
  const outcome = await oncePerSubmission(tx, communityId, options.submissionKey ?? null, async () => {
    await checkProgrammes(tx, communityId, answers.programmeIds, 'programmeIds');
    const onBehalf = options.onBehalf ?? false;
    const person = await newRecord(tx, context, onBehalf, answers, {
      contactMethod: answers.contactBy[0] ?? null,
      assistedDigital: onBehalf && !answers.email && !answers.phone,
    });
    await recordAgreements(
      tx,
      context,
      person.id,
      [
        ['support', true],
        ['contact_email', answers.contactBy.includes('email')],
        ['contact_sms', answers.contactBy.includes('sms')],
        ['evaluation', answers.evaluation],
      ],
      { method: onBehalf ? 'spoken' : 'online', onBehalf },
    );
    if (!onBehalf) claimToken = newToken();
    return insertReferral(tx, context, {
      personRecordId: person.id,
      source: 'self',
      referrerId: null,
      referrerOrganisation: '',
      recordedBy: onBehalf ? context.actorId : null,
      onBehalf,
      urgency: 'routine',
      needs: answers.needs,
      reason: answers.reason,
      risks: '',
      programmeIds: answers.programmeIds,
      submissionKey: options.submissionKey ?? null,
      claimTokenHash: claimToken ? hashToken(claimToken) : null,
    });
  });
  if (!outcome.repeated) {
    const person = await people_.getPerson(tx, communityId, outcome.referral.personRecordId);
    const t = translator('en');
    await messagePerson(tx, context.notifyConfigured, person, 'email', {
      template: 'referral-acknowledged',
      subject: t('messages.referralAcknowledged.subject', { community: context.community.name }),
      body: t('messages.referralAcknowledged.body', {
        name: person.preferredName,
        community: context.community.name,
        reference: outcome.referral.reference,
      }),
    });
  }
  return { ...outcome, claimToken };
}

/** A professional refers someone: who they are, why, into what, and what the person agreed to. */
export async function createProfessionalReferral(
  tx: CommunityTransaction,
  context: Context,
  answers: ProfessionalReferral,
  options: {
    source?: ReferralSource;
    referrerId: string | null;
    recordedBy: string | null;
    submissionKey?: string | null;
  },
) {
  const problems = checkProfessionalReferral(answers);
  if (problems.length) throw invalid(problems);
  const communityId = context.community.id;
  return oncePerSubmission(tx, communityId, options.submissionKey ?? null, async () => {
    await checkProgrammes(tx, communityId, answers.programmeIds, 'programmeIds');
    const person = await newRecord(tx, context, true, answers, {
      nhsNumber: answers.nhsNumber,
      gpPractice: answers.gpPractice || answers.referrerOrganisation,
    });
    const source = options.source ?? 'professional';
    // The referrer's organisation is kept on their membership, to fill in their next referral.
    if (options.referrerId && answers.referrerOrganisation) {
      await store.rememberOrganisation(tx, communityId, options.referrerId, answers.referrerOrganisation);
    }
    // The referrer heard both agreements from the person and records them for them.
    const decisions: [ConsentPurpose, boolean][] =
      source === 'professional'
        ? [
            ['support', true],
            ['tell_referrer', answers.agreedToUpdates],
          ]
        : [['support', true]];
    await recordAgreements(tx, context, person.id, decisions, { method: 'spoken', onBehalf: true });
    return insertReferral(tx, context, {
      personRecordId: person.id,
      source,
      referrerId: options.referrerId,
      referrerOrganisation: answers.referrerOrganisation,
      recordedBy: options.recordedBy,
      onBehalf: options.recordedBy !== null && options.recordedBy !== options.referrerId,
      urgency: answers.urgency,
      needs: answers.needs,
      reason: answers.reason,
      risks: answers.risks,
      programmeIds: answers.programmeIds,
      submissionKey: options.submissionKey ?? null,
      claimTokenHash: null,
    });
  });
}

/** Locks an open referral for a change; a closed one cannot change (409), another community's is not there (404). */
async function lockOpen(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  to: ReferralStatus,
): Promise<Referral> {
  const found = await store.lockReferral(tx, communityId, referralId);
  if (!found) throw notFound();
  if (!canMove(found.status, to) && !(to === 'contacting' && found.status === 'contacting'))
    throw new DomainError('referral-closed', 409);
  return found;
}

async function moveTo(
  tx: CommunityTransaction,
  context: Context,
  referral: Referral,
  to: ReferralStatus,
  change: Partial<Referral>,
  note = '',
): Promise<Referral> {
  const moved = await store.changeReferral(tx, referral.id, {
    ...change,
    status: to,
    statusChangedAt: new Date(),
    ...(isOpen(to) ? {} : { decidedBy: context.actorId }),
  });
  if (!moved) throw notFound();
  forgetCounts(referral.communityId);
  await store.addReferralEvent(tx, {
    communityId: referral.communityId,
    referralId: referral.id,
    kind: 'status_changed',
    fromStatus: referral.status,
    toStatus: to,
    actorId: context.actorId,
    note,
  });
  await record(tx, {
    communityId: referral.communityId,
    actorId: context.actorId,
    action: `referral.${to}`,
    subjectType: 'referral',
    subjectId: referral.id,
    detail: { from: referral.status },
  });
  await tellReferrer(tx, context, moved);
  return moved;
}

/**
 * Tells the referrer what happened, through the outbox, only when the person agreed to that;
 * either way the referral's history says whether they were told.
 */
async function tellReferrer(tx: CommunityTransaction, context: Context, referral: Referral): Promise<void> {
  if (referral.source !== 'professional' || !referral.referrerId) return;
  const sharing = mayTellReferrer(await consentState(tx, referral.personRecordId));
  if (!sharing) {
    await store.addReferralEvent(tx, {
      communityId: referral.communityId,
      referralId: referral.id,
      kind: 'referrer_not_told',
      toStatus: referral.status,
      actorId: context.actorId,
    });
    return;
  }
  const referrer = await addressOfAccount(tx, referral.referrerId);
  if (!referrer) return;
  const t = translator(isLanguage(referrer.language) ? referrer.language : 'en');
  const accepted = await acceptedProgrammeNames(tx, referral.id);
  await enqueue(
    tx,
    {
      communityId: referral.communityId,
      channel: 'email',
      template: `referral-${referral.status}`,
      recipient: referrer.email,
      subject: t('messages.referralUpdate.subject', {
        reference: referral.reference,
        community: context.community.name,
      }),
      body: t(`messages.referralUpdate.${referral.status}`, {
        reference: referral.reference,
        community: context.community.name,
        programmes: accepted.join(', '),
        reason: referral.declineReason ? t(`referrals.declineReasons.${referral.declineReason}`) : '',
        link: `${context.publicUrl}/c/${context.community.slug}/referrals/${referral.id}`,
      }),
    },
    context.notifyConfigured,
  );
  await store.addReferralEvent(tx, {
    communityId: referral.communityId,
    referralId: referral.id,
    kind: 'referrer_told',
    toStatus: referral.status,
    actorId: context.actorId,
  });
}

export async function acceptedProgrammeNames(tx: CommunityTransaction, referralId: string): Promise<string[]> {
  const rows = await store.acceptedProgrammeNamesOf(tx, referralId);
  return rows.map((row) => row.name);
}

/** Records a try at reaching the person; the first one moves a new referral to "contacting". */
export async function recordContactAttempt(
  tx: CommunityTransaction,
  context: Context,
  referralId: string,
  attempt: z.infer<typeof contactAttempt>,
): Promise<Referral> {
  const referral = await lockOpen(tx, context.community.id, referralId, 'contacting');
  const at = attempt.at ?? new Date();
  await store.addContactAttempt(tx, {
    communityId: referral.communityId,
    referralId,
    at,
    method: attempt.method,
    outcome: attempt.outcome,
    note: attempt.note,
    recordedBy: context.actorId,
  });
  await store.addReferralEvent(tx, {
    communityId: referral.communityId,
    referralId,
    kind: 'contact_attempt',
    actorId: context.actorId,
    at,
    note: attempt.outcome,
  });
  if (attempt.outcome === 'spoke') {
    await recordMilestone(tx, {
      communityId: referral.communityId,
      personRecordId: referral.personRecordId,
      kind: 'contacted',
      at,
      source: { type: 'referral', id: referralId },
      once: `referral:${referralId}`,
      recordedBy: context.actorId,
    });
  }
  if (referral.status === 'new') return moveTo(tx, context, referral, 'contacting', { firstContactedAt: at });
  return referral;
}

/** Accepts the person into one or more of the community's programmes; each programme's module takes them from there. */
export async function acceptReferral(
  tx: CommunityTransaction,
  context: Context,
  referralId: string,
  decision: z.infer<typeof acceptance>,
): Promise<Referral> {
  const referral = await lockOpen(tx, context.community.id, referralId, 'accepted');
  const chosen = [];
  for (const programmeId of decision.programmeIds) {
    try {
      chosen.push(await getProgramme(tx, context.community.id, programmeId));
    } catch {
      throw invalid([
        {
          field: `programmeIds.${decision.programmeIds.indexOf(programmeId)}`,
          code: 'errors.referral.programmes.unknown',
        },
      ]);
    }
  }
  const now = new Date();
  for (const programme of chosen) {
    await store.acceptProgramme(tx, referral.communityId, referralId, programme.id, now);
    await acceptInto(tx, context.acceptance, {
      communityId: referral.communityId,
      programme,
      personRecordId: referral.personRecordId,
      referralId,
      actorId: context.actorId,
    });
  }
  const person = await people_.getPerson(tx, referral.communityId, referral.personRecordId);
  if (person.accountId) await welcomeAsMember(tx, referral.communityId, person.accountId, context.actorId);
  return moveTo(tx, context, referral, 'accepted', { outcomeNote: decision.note }, decision.note);
}

export async function declineReferral(
  tx: CommunityTransaction,
  context: Context,
  referralId: string,
  decision: z.infer<typeof declining>,
): Promise<Referral> {
  const referral = await lockOpen(tx, context.community.id, referralId, 'declined');
  return moveTo(
    tx,
    context,
    referral,
    'declined',
    { declineReason: decision.reason, outcomeNote: decision.note },
    decision.note,
  );
}

/** The person no longer wants the referral (told to a coordinator, or withdrawn themselves). */
export async function withdrawReferral(
  tx: CommunityTransaction,
  context: Context,
  referralId: string,
  decision: z.infer<typeof withdrawal>,
): Promise<Referral> {
  const referral = await lockOpen(tx, context.community.id, referralId, 'withdrawn');
  return moveTo(tx, context, referral, 'withdrawn', { outcomeNote: decision.note }, decision.note);
}

/** A person's own referrals (on any record of theirs in the community), newest first, with where each went. */
export async function ownReferrals(tx: CommunityTransaction, communityId: string, accountId: string) {
  const rows = await store.referralsHeldBy(tx, communityId, accountId);
  // One query at a time: a transaction's connection runs one statement at once.
  const own = [];
  for (const row of rows)
    own.push({
      ...row,
      open: isOpen(row.status),
      acceptedProgrammes: row.status === 'accepted' ? await acceptedProgrammeNames(tx, row.id) : [],
    });
  return own;
}

/** How many of the person's referrals are still open (new or being contacted). */
export async function ownOpenReferrals(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
): Promise<number> {
  return store.countOpenReferralsOf(tx, communityId, personRecordId);
}

/** The person withdraws their own open referral; whoever referred them is told as when a coordinator records it. */
export async function withdrawOwnReferral(
  tx: CommunityTransaction,
  context: Context & { actorId: string },
  referralId: string,
  decision: z.infer<typeof withdrawal>,
): Promise<Referral> {
  const own = await store.isHeldBy(tx, context.community.id, referralId, context.actorId);
  if (!own) throw notFound();
  return withdrawReferral(tx, context, referralId, decision);
}

/** After the community changes how soon contact is due, referrals still waiting for a first contact follow the new rule. */
export async function rescheduleFirstContacts(tx: CommunityTransaction, community: Community): Promise<number> {
  const waitingOnes = await store.awaitingFirstContact(tx, community.id);
  let changed = 0;
  forgetCounts(community.id);
  for (const one of waitingOnes) {
    const due = contactDueOn(ukDay(one.createdAt), one.urgency, community.contactWithinWorkingDays);
    if (due === one.contactDueOn) continue;
    await store.setContactDueOn(tx, one.id, due);
    changed += 1;
  }
  return changed;
}

/** Links a self-referral to the account made from its confirmation page (the link is on that page only, for a day). */
export async function claimReferral(
  tx: CommunityTransaction,
  communityId: string,
  token: string,
  account: { id: string; displayName: string; email: string },
): Promise<Referral | undefined> {
  const found = await store.referralByClaim(tx, communityId, hashToken(token));
  if (!found) return undefined;
  const taken = await people_.linkRecordToAccount(tx, communityId, found.personRecordId, account.id);
  await store.endClaim(tx, found.id);
  await record(tx, {
    communityId,
    actorId: account.id,
    action: 'referral.claimed',
    subjectType: 'referral',
    subjectId: found.id,
    detail: { linked: !taken },
  });
  // Someone accepted before they made an account becomes a member now.
  if (found.status === 'accepted' && !taken) await welcomeAsMember(tx, communityId, account.id, account.id);
  return found;
}

// ——— Reading ———

/**
 * The triage queue: urgent referrals first, then those overdue for first contact, then the rest;
 * within each, the longest waiting at the top. Filtered, a page at a time.
 */
export async function listQueue(
  tx: CommunityTransaction,
  communityId: string,
  filter: QueueFilter,
  page: { after?: { priority: number; createdAt: string; id: string }; limit: number },
) {
  const today = ukDay();
  const rows = await store.queueRows(tx, communityId, filter, today, page);
  return rows.map((row) => ({
    ...row,
    overdue: isOverdue(row, today),
    daysWaiting: daysWaiting(row.createdAt, today),
  }));
}

export type QueueCounts = Record<ReferralStatus | 'open' | 'overdue', number>;

/**
 * The queue's counts, kept for a few seconds per community: counting every referral on every
 * page was most of the queue's cost (measured, docs/performance.md). A change made by this
 * process forgets its community's counts at once; another process's shows within seconds.
 */
const countsKept = keptFor<QueueCounts>(5_000);
export const forgetCounts = (communityId: string) => countsKept.forget(communityId);

/** How many referrals are in each status, and how many are overdue. */
export function queueCounts(tx: CommunityTransaction, communityId: string): Promise<QueueCounts> {
  return countsKept.get(communityId, () => countQueue(tx, communityId));
}

async function countQueue(tx: CommunityTransaction, communityId: string): Promise<QueueCounts> {
  const today = ukDay();
  const rows = await store.countByStatus(tx, communityId);
  const overdue = await store.countOverdue(tx, communityId, today);
  const byStatus = Object.fromEntries(
    referralStatuses.map((status) => [status, rows.find((row) => row.status === status)?.count ?? 0]),
  ) as Record<ReferralStatus, number>;
  return { ...byStatus, open: byStatus.new + byStatus.contacting, overdue };
}

export async function getReferral(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
): Promise<Referral> {
  const found = await store.findReferral(tx, communityId, referralId);
  if (!found) throw notFound();
  return found;
}

/** A referral with everything a coordinator needs to work it. */
export async function referralInFull(tx: CommunityTransaction, communityId: string, referralId: string) {
  const referral = await getReferral(tx, communityId, referralId);
  const person = await people_.getPerson(tx, communityId, referral.personRecordId);
  const programmeRows = await store.programmesOfReferral(tx, referralId);
  const attempts = await store.contactAttemptsOf(tx, referralId);
  const events = await store.eventsOf(tx, referralId);
  const [referrer] = referral.referrerId ? await store.referrerNamed(tx, referral.referrerId) : [];
  const today = ukDay();
  return {
    referral,
    referred: person,
    programmes: programmeRows,
    attempts,
    events,
    referrer,
    overdue: isOverdue(referral, today),
    waiting: waiting(referral.createdAt, today),
    consents: await consentState(tx, person.id),
  };
}

/** The referrals a referrer made, newest first, as the referrer may see them. */
/** How many of a referrer's referrals are still being worked on (new or being contacted). */
export async function referralsUnderWay(
  tx: CommunityTransaction,
  communityId: string,
  referrerId: string,
): Promise<number> {
  return store.countUnderWay(tx, communityId, referrerId);
}

export async function referrerList(
  tx: CommunityTransaction,
  communityId: string,
  referrerId: string,
  page: { before?: { createdAt: string; id: string }; limit: number },
) {
  const rows = await store.referrerPage(tx, communityId, referrerId, page);
  const seen = [];
  for (const row of rows) seen.push(await referrerSees(tx, row.referral, row.preferredName, row.createdAtExact));
  return seen;
}

/** The organisation a referrer works for in this community, as they last gave it. */
export async function organisationOf(tx: CommunityTransaction, communityId: string, personId: string): Promise<string> {
  return (await store.organisationOnMembership(tx, communityId, personId)) ?? '';
}

/** One referral as its referrer may see it (or, for coordinators, as it is). */
export async function referrerSees(
  tx: CommunityTransaction,
  referral: Referral,
  preferredName: string,
  createdAtExact = referral.createdAt.toISOString(),
  staff = false,
) {
  const sharing = staff || mayTellReferrer(await consentState(tx, referral.personRecordId));
  const requested = await store.requestedProgrammeNames(tx, referral.id);
  const view = referrerView(
    { ...referral, acceptedProgrammes: sharing ? await acceptedProgrammeNames(tx, referral.id) : [] },
    sharing,
  );
  return {
    id: referral.id,
    reference: referral.reference,
    preferredName,
    createdAt: referral.createdAt,
    createdAtExact,
    urgency: referral.urgency,
    requestedProgrammes: requested.map((row) => row.name),
    ...view,
  };
}

/**
 * One referral as the asker may see it: a referrer, only their own and only what the person
 * agreed they may know; coordinators, any, as it is. Anything else is not there.
 */
export async function referralSeenBy(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  asker: { id: string; staff: boolean },
) {
  const row = await store.referralWithName(tx, communityId, referralId, asker.staff ? null : asker.id);
  if (!row) throw notFound();
  return {
    referral: row.referral,
    seen: await referrerSees(tx, row.referral, row.preferredName, row.createdAtExact, asker.staff),
  };
}

/** A referral the asker may read: those who run programmes any, as it is; a referrer their own, as the person allows. */
export function referralReadBy(tx: CommunityTransaction, communityId: string, referralId: string, asker: RequestAsker) {
  return referralSeenBy(tx, communityId, referralId, { id: accountOf(asker), staff: worksTheQueue(asker) });
}

/**
 * What a referral's page shows the asker: the whole story to those who run programmes; to a
 * referrer, their own referral and only what the person agreed they may know.
 */
export async function referralShownTo(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  asker: RequestAsker,
) {
  if (worksTheQueue(asker)) return { full: await referralInFull(tx, communityId, referralId) };
  const { seen } = await referralSeenBy(tx, communityId, referralId, { id: accountOf(asker), staff: false });
  return { seen };
}

/** A referral the person or referrer quotes by its reference. */
export async function findByReference(
  tx: CommunityTransaction,
  communityId: string,
  reference: string,
): Promise<Referral | undefined> {
  return store.referralByReference(tx, communityId, reference.trim().toUpperCase());
}

/** The key a form or API call stands for, so a repeat finds the first referral. */
export function submissionKeyFor(kind: 'page' | 'api', caller: string, key: string): string {
  return `${kind}:${hash('sha256', `${caller}\n${key}`, 'hex').slice(0, 40)}`;
}

export async function referralsOfPerson(tx: CommunityTransaction, personRecordId: string) {
  return store.referralsAbout(tx, personRecordId);
}

// ——— What this module holds about people ———

/** Clears what was written about the person in these referrals; dates, statuses and outcomes stay for the numbers. */
export async function forgetWhatWasWritten(
  tx: CommunityTransaction,
  referralIds: readonly string[],
  now = new Date(),
): Promise<void> {
  if (referralIds.length === 0) return;
  await store.blankReferralWords(tx, [...referralIds], now);
}

export const personData: PersonDataSource[] = [
  {
    table: 'referrals',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: 'move',
    omit: ['claim_token_hash', 'submission_key'],
    // What was written about the person goes; the referral's dates and outcome stay for the numbers.
    erase: async (tx, personRecordId) => forgetWhatWasWritten(tx, await store.referralIdsAbout(tx, personRecordId)),
  },
  { table: 'referrals', column: 'referrer_id', points: 'account', download: { excluded: 'actor' } },
  { table: 'referrals', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'referrals', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'contact_attempts',
    column: 'referral_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the referral, which moves' },
    rows: store.contactAttemptRows,
  },
  {
    table: 'referral_events',
    column: 'referral_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the referral, which moves' },
    rows: store.referralEventRows,
  },
  {
    table: 'referral_programmes',
    column: 'referral_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the referral, which moves' },
    rows: store.referralProgrammeRows,
  },
  { table: 'contact_attempts', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'referral_events', column: 'actor_id', points: 'account', download: { excluded: 'actor' } },
];

// What other modules may use of the referrals' tables.
export { closedReferralsToForget, recordsWithReferralsKept } from './store.ts';
