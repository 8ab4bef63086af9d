import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts, communityColumn, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';
import { programmes } from '../programmes/schema.ts';

/** The steps of a person's journey that any programme can record. */
export const milestoneKinds = [
  'referral_received',
  'contacted',
  'joined_programme',
  'first_attendance',
  'hours_given',
  'hours_received',
  'course_started',
  'course_completed',
  'became_peer_supporter',
  'became_facilitator',
  'became_coach',
  'involvement_taken_up',
] as const;
export type MilestoneKind = (typeof milestoneKinds)[number];

/** One step in a person's journey through the community's programmes. Append-only. */
export const milestones = pgTable(
  'milestones',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    kind: text('kind', { enum: milestoneKinds }).notNull(),
    at: timestamp('at', { withTimezone: true, mode: 'date' }).notNull().defaultNow(),
    programmeId: uuid('programme_id').references(() => programmes.id),
    /** What the step was about (a referral, an exchange, a course), as type and id. */
    sourceType: text('source_type'),
    sourceId: text('source_id'),
    /** Numbers worth showing, such as minutes of time given. */
    detail: jsonb('detail').notNull().default({}),
    /** Set for steps that happen once: a second record of the same key is ignored. */
    onceKey: text('once_key'),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
  },
  (table) => [
    index('milestones_person').on(table.personRecordId, table.at),
    index('milestones_community_kind').on(table.communityId, table.kind, table.at),
    uniqueIndex('milestones_once')
      .on(table.personRecordId, table.kind, table.onceKey)
      .where(sql`${table.onceKey} is not null`),
  ],
);
