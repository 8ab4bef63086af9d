import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  index,
  integer,
  pgTable,
  primaryKey,
  smallint,
  text,
  time,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';
import { accounts, communityColumn, createdAtColumn, instant, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';
import { programmes } from '../programmes/schema.ts';

/** A peer network's own rules: whether people may join it themselves, without a referral. */
export const peerNetworks = pgTable('peer_networks', {
  programmeId: uuid('programme_id')
    .primaryKey()
    .references(() => programmes.id),
  communityId: communityColumn(),
  selfJoin: boolean('self_join').notNull().default(true),
  updatedAt: instant('updated_at').notNull().defaultNow(),
});

/** A group that meets every week at the same time, in a neutral place and sometimes online too. */
export const peerGroups = pgTable(
  'peer_groups',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    name: text('name').notNull(),
    /** ISO day of the week: 1 Monday … 7 Sunday. */
    weekday: smallint('weekday').notNull(),
    startsAt: time('starts_at').notNull(),
    durationMinutes: smallint('duration_minutes').notNull().default(90),
    venue: text('venue').notNull(),
    accessDetails: text('access_details').notNull().default(''),
    onlineLink: text('online_link').notNull().default(''),
    capacity: smallint('capacity'),
    endedAt: instant('ended_at'),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('peer_groups_programme').on(table.communityId, table.programmeId),
    check('peer_groups_weekday', sql`${table.weekday} between 1 and 7`),
    check('peer_groups_duration', sql`${table.durationMinutes} between 15 and 480`),
    check('peer_groups_capacity', sql`${table.capacity} is null or ${table.capacity} between 1 and 500`),
  ],
);

/** The facilitators of a group: they give direction and guidance; they do not run it. */
export const peerGroupFacilitators = pgTable(
  'peer_group_facilitators',
  {
    communityId: communityColumn(),
    groupId: requiredReference('group_id', () => peerGroups.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.personRecordId] }),
    index('peer_group_facilitators_person').on(table.personRecordId),
  ],
);

/** One meeting of a group, made from its weekly time a few weeks ahead. */
export const peerMeetings = pgTable(
  'peer_meetings',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    groupId: requiredReference('group_id', () => peerGroups.id),
    startsAt: instant('starts_at').notNull(),
    durationMinutes: smallint('duration_minutes').notNull(),
    cancelledAt: instant('cancelled_at'),
    cancelledReason: text('cancelled_reason').notNull().default(''),
    /** When the people coming were reminded, the day before: once. */
    reminderSentAt: instant('reminder_sent_at'),
  },
  (table) => [
    uniqueIndex('peer_meetings_group_start').on(table.groupId, table.startsAt),
    index('peer_meetings_community_start').on(table.communityId, table.startsAt),
  ],
);

export const cameBy = ['referral', 'self', 'coordinator', 'drop_in'] as const;
export type CameBy = (typeof cameBy)[number];

/** A member of a peer network. Never discharged: inactive only by their own choice, and back whenever they like. */
export const peerNetworkMembers = pgTable(
  'peer_network_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    cameBy: text('came_by', { enum: cameBy }).notNull(),
    referralId: uuid('referral_id'),
    joinedAt: instant('joined_at').notNull().defaultNow(),
    active: boolean('active').notNull().default(true),
    changedAt: instant('changed_at').notNull().defaultNow(),
  },
  (table) => [
    uniqueIndex('peer_network_members_person').on(table.programmeId, table.personRecordId),
    index('peer_network_members_record').on(table.personRecordId),
  ],
);

export const membershipChanges = ['joined', 'went_inactive', 'returned'] as const;
export type MembershipChange = (typeof membershipChanges)[number];

/** Each joining, pause and return, for the network's own numbers (new members, returners). */
export const peerMembershipChanges = pgTable(
  'peer_membership_changes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    memberId: requiredReference('member_id', () => peerNetworkMembers.id),
    change: text('change', { enum: membershipChanges }).notNull(),
    at: instant('at').notNull().defaultNow(),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
  },
  (table) => [index('peer_membership_changes_at').on(table.communityId, table.at)],
);

/** The groups a member usually goes to: their register lists them. */
export const peerUsualGroups = pgTable(
  'peer_usual_groups',
  {
    communityId: communityColumn(),
    groupId: requiredReference('group_id', () => peerGroups.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
  },
  (table) => [
    primaryKey({ columns: [table.groupId, table.personRecordId] }),
    index('peer_usual_groups_person').on(table.personRecordId),
  ],
);

/** Whether a member says they are coming to a meeting. */
export const peerMeetingReplies = pgTable(
  'peer_meeting_replies',
  {
    communityId: communityColumn(),
    meetingId: requiredReference('meeting_id', () => peerMeetings.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    coming: boolean('coming').notNull(),
    at: instant('at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.meetingId, table.personRecordId] }),
    index('peer_meeting_replies_person').on(table.personRecordId),
  ],
);

/** Who was at a meeting, as the register was taken. */
export const peerAttendance = pgTable(
  'peer_attendance',
  {
    communityId: communityColumn(),
    meetingId: requiredReference('meeting_id', () => peerMeetings.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    /** Not one of the group's usual members. */
    dropIn: boolean('drop_in').notNull().default(false),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.meetingId, table.personRecordId] }),
    index('peer_attendance_person').on(table.personRecordId),
  ],
);

export const groundRulesStatuses = ['proposed', 'current', 'superseded', 'withdrawn'] as const;
export type GroundRulesStatus = (typeof groundRulesStatuses)[number];

/** A version of the network's ground rules, written with members: proposed, agreed, adopted. */
export const peerGroundRules = pgTable(
  'peer_ground_rules',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    /** Numbered when adopted. */
    version: integer('version'),
    body: text('body').notNull(),
    /** What the proposal changes, and why. */
    changeNote: text('change_note').notNull().default(''),
    status: text('status', { enum: groundRulesStatuses }).notNull().default('proposed'),
    proposedBy: uuid('proposed_by').references(() => personRecords.id),
    proposedAt: instant('proposed_at').notNull().defaultNow(),
    adoptedBy: uuid('adopted_by').references(() => accounts.id),
    adoptedAt: instant('adopted_at'),
  },
  (table) => [
    uniqueIndex('peer_ground_rules_current')
      .on(table.programmeId)
      .where(sql`${table.status} = 'current'`),
    uniqueIndex('peer_ground_rules_version').on(table.programmeId, table.version),
    index('peer_ground_rules_programme').on(table.communityId, table.programmeId, table.status),
  ],
);

/** A member saying "I agree" to a version of the ground rules, or to a proposed change. */
export const peerGroundRulesAgreements = pgTable(
  'peer_ground_rules_agreements',
  {
    communityId: communityColumn(),
    rulesId: requiredReference('rules_id', () => peerGroundRules.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    agreedAt: instant('agreed_at').notNull().defaultNow(),
  },
  (table) => [
    primaryKey({ columns: [table.rulesId, table.personRecordId] }),
    index('peer_ground_rules_agreements_person').on(table.personRecordId),
  ],
);

/** A member's own "what helps me in a crisis": theirs, seen only by those they choose. */
export const crisisPlans = pgTable('crisis_plans', {
  personRecordId: uuid('person_record_id')
    .primaryKey()
    .references(() => personRecords.id),
  communityId: communityColumn(),
  warningSigns: text('warning_signs').notNull().default(''),
  whatHelps: text('what_helps').notNull().default(''),
  whatDoesNotHelp: text('what_does_not_help').notNull().default(''),
  whoToContact: text('who_to_contact').notNull().default(''),
  writtenWith: text('written_with').notNull().default(''),
  updatedAt: instant('updated_at').notNull().defaultNow(),
  updatedBy: uuid('updated_by').references(() => accounts.id),
});

/** Who may read a crisis plan: a facilitator, or everyone in one of the member's groups. */
export const crisisPlanReaders = pgTable(
  'crisis_plan_readers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    planPersonRecordId: requiredReference('plan_person_record_id', () => crisisPlans.personRecordId),
    readerPersonRecordId: uuid('reader_person_record_id').references(() => personRecords.id),
    groupId: uuid('group_id').references(() => peerGroups.id),
  },
  (table) => [
    index('crisis_plan_readers_plan').on(table.planPersonRecordId),
    index('crisis_plan_readers_reader').on(table.readerPersonRecordId),
    check('crisis_plan_readers_one', sql`(${table.readerPersonRecordId} is null) <> (${table.groupId} is null)`),
  ],
);

/** A private calendar address: a member's meetings, or one group's. Anyone with the link can read it. */
export const calendarFeeds = pgTable(
  'calendar_feeds',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    token: text('token').notNull(),
    personRecordId: uuid('person_record_id').references(() => personRecords.id),
    groupId: uuid('group_id').references(() => peerGroups.id),
    createdAt: createdAtColumn(),
    revokedAt: instant('revoked_at'),
  },
  (table) => [
    uniqueIndex('calendar_feeds_token').on(table.token),
    check('calendar_feeds_one', sql`(${table.personRecordId} is null) <> (${table.groupId} is null)`),
  ],
);
