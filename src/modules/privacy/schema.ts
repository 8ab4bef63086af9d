import { sql } from 'drizzle-orm';
import { boolean, index, pgTable, text, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { accounts, communityColumn, createdAtColumn, instant, requiredReference } from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';

export const erasureStatuses = ['requested', 'approved', 'declined'] as const;
export type ErasureStatus = (typeof erasureStatuses)[number];

/** A person's request that a community forget them; an admin decides. */
export const erasureRequests = pgTable(
  'erasure_requests',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    requestedBy: uuid('requested_by').references(() => accounts.id),
    /** Asked by the person through a coordinator (by phone, by letter). */
    onBehalf: boolean('on_behalf').notNull().default(false),
    reason: text('reason').notNull().default(''),
    status: text('status', { enum: erasureStatuses }).notNull().default('requested'),
    decidedBy: uuid('decided_by').references(() => accounts.id),
    decidedAt: instant('decided_at'),
    decisionNote: text('decision_note').notNull().default(''),
    createdAt: createdAtColumn(),
  },
  (table) => [
    uniqueIndex('erasure_requests_waiting')
      .on(table.personRecordId)
      .where(sql`${table.status} = 'requested'`),
    index('erasure_requests_community').on(table.communityId, table.status, table.createdAt),
  ],
);
