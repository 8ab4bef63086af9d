import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { communities } from '../../platform/db/schema.ts';

export const programmeKinds = ['timebank', 'peer_network', 'peer_support', 'hub', 'learning', 'involvement'] as const;
export type ProgrammeKind = (typeof programmeKinds)[number];

/** Something a community runs that people are referred into: a time bank, a peer network, a course… */
export const programmes = pgTable(
  'programmes',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: uuid('community_id').notNull().references(() => communities.id),
    name: text('name').notNull(),
    kind: text('kind', { enum: programmeKinds }).notNull(),
    whoFor: text('who_for').notNull(),
    howToJoin: text('how_to_join').notNull(),
    whereAndWhen: text('where_and_when').notNull().default(''),
    contact: text('contact').notNull().default(''),
    status: text('status', { enum: ['open', 'closed'] }).notNull().default('open'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (table) => [index('programmes_community_status').on(table.communityId, table.status, table.name)],
);
