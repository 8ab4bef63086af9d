import { boolean, index, pgTable, text, uuid } from 'drizzle-orm/pg-core';
import { accounts, communityColumn, createdAtColumn, instant, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';

export const concernStatuses = ['open', 'actioned', 'closed'] as const;
export type ConcernStatus = (typeof concernStatuses)[number];

/** A worry that someone may be at risk of harm, for the community's safeguarding leads. Restricted. */
export const safeguardingConcerns = pgTable(
  'safeguarding_concerns',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    /** The person's record, when the one raising it knows which. */
    personRecordId: uuid('person_record_id').references(() => personRecords.id),
    /** Who it is about, in the words of the one raising it. */
    about: text('about').notNull(),
    whatHappened: text('what_happened').notNull(),
    whenHappened: text('when_happened').notNull().default(''),
    dangerNow: boolean('danger_now').notNull(),
    raisedBy: uuid('raised_by').references(() => accounts.id),
    status: text('status', { enum: concernStatuses }).notNull().default('open'),
    createdAt: createdAtColumn(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
  },
  (table) => [
    index('safeguarding_concerns_community').on(table.communityId, table.status, table.createdAt),
    index('safeguarding_concerns_person').on(table.personRecordId),
  ],
);

/** What the safeguarding lead did about a concern, in order. Append-only. */
export const concernActions = pgTable(
  'concern_actions',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    concernId: requiredReference('concern_id', () => safeguardingConcerns.id),
    at: instant('at').notNull().defaultNow(),
    actorId: uuid('actor_id').references(() => accounts.id),
    note: text('note').notNull(),
    statusTo: text('status_to', { enum: concernStatuses }),
  },
  (table) => [index('concern_actions_concern').on(table.concernId, table.at)],
);
