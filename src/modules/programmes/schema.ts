import { sql } from 'drizzle-orm';
import { index, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts, communityColumn, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';

export const programmeKinds = ['timebank', 'peer_network', 'peer_support', 'hub', 'learning', 'involvement'] as const;
export type ProgrammeKind = (typeof programmeKinds)[number];

/** Something a community runs that people are referred into: a time bank, a peer network, a course… */
export const programmes = pgTable(
  'programmes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    name: text('name').notNull(),
    kind: text('kind', { enum: programmeKinds }).notNull(),
    whoFor: text('who_for').notNull(),
    howToJoin: text('how_to_join').notNull(),
    whereAndWhen: text('where_and_when').notNull().default(''),
    contact: text('contact').notNull().default(''),
    status: text('status', { enum: ['open', 'closed'] })
      .notNull()
      .default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('programmes_community_status').on(table.communityId, table.status, table.name)],
);

/** A person taking part in a programme: joined when a referral was accepted into it, never deleted. */
export const programmeMembers = pgTable(
  'programme_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    programmeId: requiredReference('programme_id', () => programmes.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    /** The referral that brought them in, if one did. */
    referralId: uuid('referral_id'),
    joinedAt: timestamp('joined_at', { withTimezone: true }).notNull().defaultNow(),
    leftAt: timestamp('left_at', { withTimezone: true }),
    addedBy: uuid('added_by').references(() => accounts.id),
  },
  (table) => [
    uniqueIndex('programme_members_current')
      .on(table.programmeId, table.personRecordId)
      .where(sql`${table.leftAt} is null`),
    index('programme_members_person').on(table.personRecordId),
  ],
);
