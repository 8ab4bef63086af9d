import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
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

/** A one-to-one peer support programme's defaults: how long an episode lasts and the hours a week it allows. */
export const peerSupportSettings = pgTable('peer_support_settings', {
  programmeId: uuid('programme_id')
    .primaryKey()
    .references(() => programmes.id),
  communityId: communityColumn(),
  plannedWeeks: smallint('planned_weeks').notNull().default(12),
  minutesPerWeek: smallint('minutes_per_week').notNull().default(120),
});

export const episodeStatuses = ['active', 'ended'] as const;
export type EpisodeStatus = (typeof episodeStatuses)[number];
export const nextSteps = ['front_door', 'timebank', 'peer_network', 'none'] as const;
export type NextStep = (typeof nextSteps)[number];
export const summaryOutcomes = ['sent', 'no_consent', 'no_referrer', 'not_asked'] as const;

/** A person and a peer supporter working together for a planned number of weeks. */
export const supportEpisodes = pgTable(
  'support_episodes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    supporterRecordId: requiredReference('supporter_record_id', () => personRecords.id),
    referralId: uuid('referral_id'),
    startsOn: date('starts_on', { mode: 'string' }).notNull(),
    plannedWeeks: smallint('planned_weeks').notNull(),
    minutesPerWeek: smallint('minutes_per_week').notNull(),
    status: text('status', { enum: episodeStatuses }).notNull().default('active'),
    endedOn: date('ended_on', { mode: 'string' }),
    reviewHeldOn: date('review_held_on', { mode: 'string' }),
    whatChanged: text('what_changed').notNull().default(''),
    whereNext: text('where_next')
      .array()
      .notNull()
      .default(sql`array[]::text[]`),
    whereNextNote: text('where_next_note').notNull().default(''),
    summaryOutcome: text('summary_outcome', { enum: summaryOutcomes }),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('support_episodes_supporter').on(table.supporterRecordId, table.status),
    index('support_episodes_person').on(table.personRecordId),
    index('support_episodes_community').on(table.communityId, table.status, table.startsOn),
    uniqueIndex('support_episodes_one_active')
      .on(table.programmeId, table.personRecordId)
      .where(sql`${table.status} = 'active'`),
    check('support_episodes_weeks', sql`${table.plannedWeeks} between 1 and 104`),
    check('support_episodes_minutes', sql`${table.minutesPerWeek} between 15 and 2400`),
  ],
);

/** A goal agreed together, in the person's words; the person can add their own. */
export const episodeGoals = pgTable(
  'episode_goals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    episodeId: requiredReference('episode_id', () => supportEpisodes.id),
    text: text('text').notNull(),
    /** Added by the person themselves. */
    byPerson: boolean('by_person').notNull().default(false),
    addedBy: uuid('added_by').references(() => accounts.id),
    addedAt: instant('added_at').notNull().defaultNow(),
  },
  (table) => [index('episode_goals_episode').on(table.episodeId)],
);

export const contactModes = ['in_person', 'phone', 'video'] as const;
export type ContactMode = (typeof contactModes)[number];

/** Each time the supporter and the person met or spoke. */
export const episodeContacts = pgTable(
  'episode_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    episodeId: requiredReference('episode_id', () => supportEpisodes.id),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    minutes: integer('minutes').notNull(),
    mode: text('mode', { enum: contactModes }).notNull(),
    whatWasDone: text('what_was_done').notNull(),
    progress: text('progress').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('episode_contacts_episode').on(table.episodeId, table.occurredOn),
    check('episode_contacts_minutes', sql`${table.minutes} between 1 and 720`),
  ],
);

export const timesheetStatuses = ['submitted', 'approved', 'returned'] as const;
export type TimesheetStatus = (typeof timesheetStatuses)[number];

/** A supporter's paid hours for one week (Monday to Sunday), made from their contacts. */
export const timesheets = pgTable(
  'timesheets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    supporterRecordId: requiredReference('supporter_record_id', () => personRecords.id),
    weekStarting: date('week_starting', { mode: 'string' }).notNull(),
    status: text('status', { enum: timesheetStatuses }).notNull().default('submitted'),
    totalMinutes: integer('total_minutes').notNull(),
    /** Some episode's contacts that week came to more than its hours allowed. */
    overBudget: boolean('over_budget').notNull(),
    note: text('note').notNull().default(''),
    submittedAt: instant('submitted_at').notNull().defaultNow(),
    decidedAt: instant('decided_at'),
    decidedBy: uuid('decided_by').references(() => accounts.id),
    /** Why it was returned, or why the hours over budget were approved. */
    decisionNote: text('decision_note').notNull().default(''),
  },
  (table) => [
    uniqueIndex('timesheets_supporter_week').on(table.supporterRecordId, table.weekStarting),
    index('timesheets_community_status').on(table.communityId, table.status, table.weekStarting),
    check('timesheets_monday', sql`extract(isodow from ${table.weekStarting}) = 1`),
  ],
);

/** A week a peer supporter was reminded to send: each week is reminded once. */
export const timesheetReminders = pgTable(
  'timesheet_reminders',
  {
    communityId: communityColumn(),
    supporterRecordId: requiredReference('supporter_record_id', () => personRecords.id),
    weekStarting: date('week_starting').notNull(),
    sentAt: instant('sent_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.supporterRecordId, table.weekStarting] })],
);
