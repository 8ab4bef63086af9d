import { sql } from 'drizzle-orm';
import {
  boolean,
  date,
  index,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts, communityColumn, createdAtColumn, instant, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';
import { programmes } from '../programmes/schema.ts';

export const referralStatuses = ['new', 'contacting', 'accepted', 'declined', 'withdrawn'] as const;
export type ReferralStatus = (typeof referralStatuses)[number];
export const referralSources = ['self', 'professional'] as const;
export type ReferralSource = (typeof referralSources)[number];
export const urgencies = ['routine', 'soon', 'urgent'] as const;
export type Urgency = (typeof urgencies)[number];
/** What someone would like help with: the checklist a referral offers. */
export const needs = [
  'loneliness',
  'confidence',
  'mental_wellbeing',
  'long_term_condition',
  'physical_activity',
  'practical_help',
  'money_and_benefits',
  'housing',
  'caring',
  'learning',
  'volunteering',
  'peer_support',
] as const;
export type Need = (typeof needs)[number];

/**
 * The support a community offers people to ask for, in its own words: which of the standard
 * needs it lists, in what order, and its wording in each language (empty: the standard words).
 * A community with no rows offers the whole standard list. The codes stay the standard ones, so
 * that numbers add up across communities.
 */
export const supportNeeds = pgTable(
  'support_needs',
  {
    communityId: communityColumn(),
    need: text('need', { enum: needs }).notNull(),
    position: smallint('position').notNull(),
    wording: jsonb('wording').$type<Partial<Record<string, string>>>().notNull().default({}),
  },
  (table) => [primaryKey({ columns: [table.communityId, table.need] })],
);
export const declineReasons = [
  'not_eligible',
  'no_places',
  'person_said_no',
  'could_not_contact',
  'better_elsewhere',
  'other',
] as const;
export type DeclineReason = (typeof declineReasons)[number];
export const contactMethods = ['phone', 'sms', 'email', 'letter', 'in_person', 'video'] as const;
export type ContactAttemptMethod = (typeof contactMethods)[number];
export const contactOutcomes = ['spoke', 'no_answer', 'left_message', 'wrong_number', 'sent', 'other'] as const;
export type ContactOutcome = (typeof contactOutcomes)[number];

/** A request that someone be offered support, from the person or from a professional. */
export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    /** What the person or referrer quotes on the phone, like "K7QM-4XPD". */
    reference: text('reference').notNull(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    source: text('source', { enum: referralSources }).notNull(),
    referrerId: uuid('referrer_id').references(() => accounts.id),
    referrerOrganisation: text('referrer_organisation').notNull().default(''),
    /** Who typed it in, when that was not the person or the referrer (a coordinator taking a call). */
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    onBehalf: boolean('on_behalf').notNull().default(false),
    status: text('status', { enum: referralStatuses }).notNull().default('new'),
    urgency: text('urgency', { enum: urgencies }).notNull().default('routine'),
    needs: text('needs')
      .array()
      .notNull()
      .default(sql`array[]::text[]`),
    reason: text('reason').notNull().default(''),
    risks: text('risks').notNull().default(''),
    /** The last day on which making contact is on time (working days after it arrived). */
    contactDueOn: date('contact_due_on', { mode: 'string' }).notNull(),
    firstContactedAt: instant('first_contacted_at'),
    statusChangedAt: instant('status_changed_at').notNull().defaultNow(),
    decidedBy: uuid('decided_by').references(() => accounts.id),
    declineReason: text('decline_reason', { enum: declineReasons }),
    outcomeNote: text('outcome_note').notNull().default(''),
    /** A form's one-time key, so that a second press of the button finds the first referral. */
    submissionKey: text('submission_key'),
    /** Lets the browser that made a self-referral link it to a new account, for a day. */
    claimTokenHash: text('claim_token_hash'),
    claimExpiresAt: instant('claim_expires_at'),
    createdAt: createdAtColumn(),
    pseudonymisedAt: instant('pseudonymised_at'),
  },
  (table) => [
    uniqueIndex('referrals_reference').on(table.communityId, table.reference),
    uniqueIndex('referrals_submission')
      .on(table.communityId, table.submissionKey)
      .where(sql`${table.submissionKey} is not null`),
    index('referrals_queue').on(table.communityId, table.status, table.createdAt, table.id),
    // The open queue, oldest first, without sorting the whole of it on every page.
    index('referrals_open_queue')
      .on(table.communityId, table.createdAt, table.id)
      .where(sql`${table.status} in ('new', 'contacting')`),
    // The urgent ones among them, oldest first: the queue's first page reads only these (migration 0038).
    index('referrals_urgent_queue')
      .on(table.communityId, table.createdAt, table.id)
      .where(sql`${table.status} in ('new', 'contacting') and ${table.urgency} = 'urgent'`),
    // Waiting for a first contact, by the day it is due: the overdue count reads only these.
    index('referrals_waiting_contact')
      .on(table.communityId, table.contactDueOn)
      .where(sql`${table.status} in ('new', 'contacting') and ${table.firstContactedAt} is null`),
    index('referrals_referrer').on(table.communityId, table.referrerId, table.createdAt),
    index('referrals_person').on(table.personRecordId),
  ],
);

/** The programmes a referral asks for, and those it was accepted into. */
export const referralProgrammes = pgTable(
  'referral_programmes',
  {
    referralId: requiredReference('referral_id', () => referrals.id),
    programmeId: requiredReference('programme_id', () => programmes.id),
    communityId: communityColumn(),
    requested: boolean('requested').notNull().default(true),
    acceptedAt: instant('accepted_at'),
  },
  (table) => [
    primaryKey({ columns: [table.referralId, table.programmeId] }),
    index('referral_programmes_programme').on(table.programmeId),
  ],
);

/** One try at reaching the person: when, how, and what happened. */
export const contactAttempts = pgTable(
  'contact_attempts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    referralId: requiredReference('referral_id', () => referrals.id),
    at: instant('at').notNull(),
    method: text('method', { enum: contactMethods }).notNull(),
    outcome: text('outcome', { enum: contactOutcomes }).notNull(),
    note: text('note').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [index('contact_attempts_referral').on(table.referralId, table.at)],
);

export const referralEventKinds = [
  'received',
  'contact_attempt',
  'status_changed',
  'referrer_told',
  'referrer_not_told',
] as const;

/** Everything that happened to a referral, in order: who, when, from what status to what. */
export const referralEvents = pgTable(
  'referral_events',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    referralId: requiredReference('referral_id', () => referrals.id),
    kind: text('kind', { enum: referralEventKinds }).notNull(),
    fromStatus: text('from_status', { enum: referralStatuses }),
    toStatus: text('to_status', { enum: referralStatuses }),
    at: instant('at').notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => accounts.id),
    note: text('note').notNull().default(''),
  },
  (table) => [index('referral_events_referral').on(table.referralId, table.at)],
);
