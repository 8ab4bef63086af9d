import { sql } from 'drizzle-orm';
import {
  check,
  date,
  index,
  integer,
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

/** A hub team's rhythm: the days it reviews its caseload, and how long without contact puts someone on the agenda. */
export const hubTeams = pgTable('hub_teams', {
  programmeId: uuid('programme_id')
    .primaryKey()
    .references(() => programmes.id),
  communityId: communityColumn(),
  /** ISO days of the week the team meets to review (default Monday, Wednesday, Friday). */
  reviewDays: smallint('review_days')
    .array()
    .notNull()
    .default(sql`array[1, 3, 5]::smallint[]`),
  quietDays: smallint('quiet_days').notNull().default(14),
});

export const teamRoles = ['clinician', 'support_worker', 'peer_supporter', 'coordinator'] as const;
export type TeamRole = (typeof teamRoles)[number];

/** Who is in the team, each with their role in it. */
export const hubTeamMembers = pgTable(
  'hub_team_members',
  {
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    teamRole: text('team_role', { enum: teamRoles }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.programmeId, table.personRecordId] }),
    index('hub_team_members_person').on(table.personRecordId),
  ],
);

/** Someone on the team's caseload: the team's, not one worker's. */
export const caseloadEntries = pgTable(
  'caseload_entries',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    referralId: uuid('referral_id'),
    joinedAt: instant('joined_at').notNull().defaultNow(),
    closedAt: instant('closed_at'),
    /** Why the person left the caseload, in the team's words. */
    closedNote: text('closed_note').notNull().default(''),
    closedBy: uuid('closed_by').references(() => accounts.id),
  },
  (table) => [
    uniqueIndex('caseload_entries_open')
      .on(table.programmeId, table.personRecordId)
      .where(sql`${table.closedAt} is null`),
    index('caseload_entries_programme')
      .on(table.programmeId, table.joinedAt)
      .where(sql`${table.closedAt} is null`),
    index('caseload_entries_person').on(table.personRecordId),
  ],
);

/** A person's named key contacts in the team. */
export const keyContacts = pgTable(
  'key_contacts',
  {
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
  },
  (table) => [
    primaryKey({ columns: [table.entryId, table.personRecordId] }),
    index('key_contacts_person').on(table.personRecordId),
  ],
);

/** Each time someone in the team was in touch with the person. */
export const caseloadContacts = pgTable(
  'caseload_contacts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    note: text('note').notNull(),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [index('caseload_contacts_entry').on(table.entryId, table.occurredOn)],
);

/** A review meeting of the team on one day: its agenda builds itself; its minutes are kept. */
/** How many people a meeting's agenda holds, in all and for each reason. */
export interface AgendaCounts {
  total: number;
  byReason: Partial<Record<string, number>>;
}

export const reviewMeetings = pgTable(
  'review_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    heldOn: date('held_on', { mode: 'string' }).notNull(),
    chairId: uuid('chair_id').references(() => accounts.id),
    minutes: text('minutes').notNull().default(''),
    closedAt: instant('closed_at'),
    createdAt: createdAtColumn(),
    /** People on the agenda in all and for each reason, kept by the database whenever its items change (migration 0038). */
    agendaCounts: jsonb('agenda_counts')
      .$type<AgendaCounts>()
      .notNull()
      .default(sql`'{"total": 0, "byReason": {}}'::jsonb`),
  },
  (table) => [uniqueIndex('review_meetings_day').on(table.programmeId, table.heldOn)],
);

export const agendaReasons = [
  'new_referral',
  'risk_flag',
  'overdue_action',
  'episode_ending',
  'no_contact',
  'added',
] as const;
export type AgendaReason = (typeof agendaReasons)[number];

/** A person discussed at a review meeting: why they were on the agenda, what was said and decided. */
export const reviewItems = pgTable(
  'review_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    meetingId: requiredReference('meeting_id', () => reviewMeetings.id),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    reasons: text('reasons')
      .array()
      .notNull()
      .default(sql`array[]::text[]`),
    discussion: text('discussion').notNull().default(''),
    decisions: text('decisions').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    recordedAt: instant('recorded_at'),
    // The person's preferred name in lower case, which the agenda is read in the order of: kept
    // by triggers (migration 0043), never written by the app.
    sortName: text('sort_name').notNull().default(''),
  },
  (table) => [
    uniqueIndex('review_items_meeting_entry').on(table.meetingId, table.entryId),
    index('review_items_entry').on(table.entryId),
    index('review_items_meeting_by_name').on(table.communityId, table.meetingId, table.sortName, table.entryId),
  ],
);

/** Something someone in the team will do for a person, by a day. */
export const hubActions = pgTable(
  'hub_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    meetingId: uuid('meeting_id').references(() => reviewMeetings.id),
    description: text('description').notNull(),
    ownerRecordId: requiredReference('owner_record_id', () => personRecords.id),
    dueOn: date('due_on', { mode: 'string' }).notNull(),
    doneAt: instant('done_at'),
    doneBy: uuid('done_by').references(() => accounts.id),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('hub_actions_owner')
      .on(table.ownerRecordId, table.dueOn)
      .where(sql`${table.doneAt} is null`),
    index('hub_actions_entry').on(table.entryId),
    index('hub_actions_open_due')
      .on(table.communityId, table.dueOn)
      .where(sql`${table.doneAt} is null`),
  ],
);

/** A risk the team keeps in view: restricted. Its detail is clinical; the agreed approach is for everyone in the team. */
export const riskFlags = pgTable(
  'risk_flags',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    /** What the risk is: clinical detail, read only by the clinical team, every read audited. */
    detail: text('detail').notNull(),
    /** The approach the team agreed, for example visits in pairs at first. */
    agreedApproach: text('agreed_approach').notNull(),
    raisedBy: uuid('raised_by').references(() => accounts.id),
    raisedAt: instant('raised_at').notNull().defaultNow(),
    reviewOn: date('review_on', { mode: 'string' }).notNull(),
    closedAt: instant('closed_at'),
    closedBy: uuid('closed_by').references(() => accounts.id),
  },
  (table) => [
    index('risk_flags_open')
      .on(table.entryId)
      .where(sql`${table.closedAt} is null`),
    check('risk_flags_text', sql`length(${table.detail}) > 0 and length(${table.agreedApproach}) > 0`),
  ],
);

/** One goal of a person's co-produced support plan: in their words, with the steps and who does what. */
export const planGoals = pgTable(
  'plan_goals',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    goal: text('goal').notNull(),
    steps: text('steps').notNull().default(''),
    whoDoesWhat: text('who_does_what').notNull().default(''),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [index('plan_goals_entry').on(table.entryId, table.createdAt)],
);

/** A personal budget: an allocation in pence, from a source, for a person on the caseload. */
export const personalBudgets = pgTable(
  'personal_budgets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    entryId: requiredReference('entry_id', () => caseloadEntries.id),
    source: text('source').notNull(),
    allocatedPence: integer('allocated_pence').notNull(),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('personal_budgets_entry').on(table.entryId),
    check('personal_budgets_allocated', sql`${table.allocatedPence} > 0`),
  ],
);

export const spendStatuses = ['requested', 'approved', 'refused'] as const;

/** Money planned for a goal, or spent: a spend counts once a coordinator approves it. */
export const budgetItems = pgTable(
  'budget_items',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    budgetId: requiredReference('budget_id', () => personalBudgets.id),
    kind: text('kind', { enum: ['planned', 'spend'] }).notNull(),
    planGoalId: uuid('plan_goal_id').references(() => planGoals.id),
    description: text('description').notNull(),
    amountPence: integer('amount_pence').notNull(),
    spentOn: date('spent_on', { mode: 'string' }),
    receipt: text('receipt').notNull().default(''),
    status: text('status', { enum: spendStatuses }),
    decidedBy: uuid('decided_by').references(() => accounts.id),
    decidedAt: instant('decided_at'),
    /** Why an approval took the budget below nothing: the explicit, recorded approval of an overspend. */
    overspendNote: text('overspend_note').notNull().default(''),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('budget_items_budget').on(table.budgetId, table.kind),
    check('budget_items_amount', sql`${table.amountPence} > 0`),
    check(
      'budget_items_spend',
      sql`(${table.kind} = 'spend') = (${table.status} is not null and ${table.spentOn} is not null)`,
    ),
  ],
);
