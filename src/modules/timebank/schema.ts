import { sql } from 'drizzle-orm';
import {
  bigserial,
  boolean,
  check,
  customType,
  date,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import {
  accounts,
  communities,
  communityColumn,
  createdAtColumn,
  instant,
  requiredReference,
} from '../../platform/db/schema.ts';
import { personRecords } from '../people/schema.ts';
import { programmes } from '../programmes/schema.ts';
import { referrals } from '../referrals/schema.ts';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

/** How much checking an activity needs. In England: a DBS check of that level. */
export const checkLevels = ['none', 'basic', 'enhanced', 'enhanced_barred'] as const;
export type CheckLevel = (typeof checkLevels)[number];
export const accountKinds = ['member', 'pot', 'organisation'] as const;
export type AccountKind = (typeof accountKinds)[number];
export const transferKinds = ['exchange', 'group', 'donation', 'grant', 'opening', 'reversal', 'merge'] as const;
export type TransferKind = (typeof transferKinds)[number];
export const exchangeStatuses = ['pending', 'disputed', 'confirmed', 'cancelled'] as const;
export type ExchangeStatus = (typeof exchangeStatuses)[number];
export const postKinds = ['offer', 'request'] as const;
export type PostKind = (typeof postKinds)[number];
export const postPlaces = ['neighbourhood', 'home', 'online'] as const;
export type PostPlace = (typeof postPlaces)[number];
export const cameFrom = ['self', 'professional', 'coordinator', 'import'] as const;
export type CameFrom = (typeof cameFrom)[number];

/** A community's time bank and the rules it sets for itself. One per community. */
export const timebanks = pgTable('timebanks', {
  communityId: uuid('community_id')
    .primaryKey()
    .references(() => communities.id),
  /** The lowest a member's balance may go, in minutes (−600 is −10 hours). */
  minimumBalance: integer('minimum_balance').notNull().default(-600),
  /** Days after which an exchange nobody disputed counts as confirmed. */
  autoConfirmDays: integer('auto_confirm_days').notNull().default(7),
  /** Days before a post ends that its poster is reminded. */
  postReminderDays: integer('post_reminder_days').notNull().default(7),
  /** Days before a background check expires that it shows as due for renewal. */
  checkWarningDays: integer('check_warning_days').notNull().default(42),
  createdAt: createdAtColumn(),
});

/** What people help each other with: a list each community keeps. */
export const timebankCategories = pgTable(
  'timebank_categories',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    name: text('name').notNull(),
    checkLevel: text('check_level', { enum: checkLevels }).notNull().default('none'),
    homeVisit: boolean('home_visit').notNull().default(false),
    archived: boolean('archived').notNull().default(false),
  },
  (table) => [uniqueIndex('timebank_categories_name').on(table.communityId, sql`lower(${table.name})`)],
);

/** The steps a new member goes through before they can offer and ask (a welcome conversation, references…). */
export const onboardingSteps = pgTable(
  'timebank_onboarding_steps',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    label: text('label').notNull(),
    position: integer('position').notNull(),
    archived: boolean('archived').notNull().default(false),
  },
  (table) => [index('timebank_onboarding_steps_order').on(table.communityId, table.position)],
);

/** A person in the time bank: joining until every step is done, then a member who gives and receives. */
export const timebankMembers = pgTable(
  'timebank_members',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    programmeId: uuid('programme_id').references(() => programmes.id),
    referralId: uuid('referral_id').references(() => referrals.id),
    cameFrom: text('came_from', { enum: cameFrom }).notNull(),
    /** Where they live, in the community's own words ("Herne Hill"): for "near me" and reports. */
    neighbourhood: text('neighbourhood').notNull().default(''),
    joinedAt: instant('joined_at').notNull().defaultNow(),
    /** When the last onboarding step was ticked: from then on they can offer and ask. */
    onboardedAt: instant('onboarded_at'),
    leftAt: instant('left_at'),
  },
  (table) => [
    uniqueIndex('timebank_members_person').on(table.personRecordId),
    index('timebank_members_joined').on(table.communityId, table.joinedAt),
  ],
);

/** One onboarding step done for one member: when, and who saw it done. */
export const onboardingTicks = pgTable(
  'timebank_onboarding_ticks',
  {
    communityId: communityColumn(),
    memberId: requiredReference('member_id', () => timebankMembers.id),
    stepId: requiredReference('step_id', () => onboardingSteps.id),
    doneOn: date('done_on', { mode: 'string' }).notNull(),
    tickedBy: uuid('ticked_by').references(() => accounts.id),
    tickedAt: instant('ticked_at').notNull().defaultNow(),
  },
  (table) => [primaryKey({ columns: [table.memberId, table.stepId] })],
);

/**
 * An account in the ledger: each member's, the community pot, and each organisation that
 * gives or receives hours. The balance is the sum of its movements, kept in step in the same
 * transaction and checked every night.
 */
export const timebankAccounts = pgTable(
  'timebank_accounts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    kind: text('kind', { enum: accountKinds }).notNull(),
    personRecordId: uuid('person_record_id').references(() => personRecords.id),
    /** An organisation's name (a GP practice, a community centre). */
    name: text('name').notNull().default(''),
    neighbourhood: text('neighbourhood').notNull().default(''),
    balance: integer('balance').notNull().default(0),
    /** The last day this account gave or received in an exchange: who is active, who never started. */
    lastExchangedOn: date('last_exchanged_on', { mode: 'string' }),
    /** Set when two people's records were merged and this account's balance moved to the other. */
    closedAt: instant('closed_at'),
    createdAt: createdAtColumn(),
  },
  (table) => [
    uniqueIndex('timebank_accounts_person')
      .on(table.personRecordId)
      .where(sql`${table.closedAt} is null`),
    uniqueIndex('timebank_accounts_pot')
      .on(table.communityId)
      .where(sql`${table.kind} = 'pot'`),
    index('timebank_accounts_closed')
      .on(table.communityId)
      .where(sql`${table.closedAt} is not null`),
    check('timebank_accounts_owner', sql`(${table.kind} = 'member') = (${table.personRecordId} is not null)`),
  ],
);

/**
 * One movement of time between accounts. Its movements sum to zero (a trigger checks at
 * commit); transfers and movements are never changed or deleted: a mistake is undone by a
 * reversing transfer that names the one it reverses.
 */
export const timebankTransfers = pgTable(
  'timebank_transfers',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    kind: text('kind', { enum: transferKinds }).notNull(),
    exchangeId: uuid('exchange_id').references((): AnyPgColumn => timebankExchanges.id),
    reversesId: uuid('reverses_id').references((): AnyPgColumn => timebankTransfers.id),
    /** The day the time was given (or the grant made). */
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    categoryId: uuid('category_id').references(() => timebankCategories.id),
    note: text('note').notNull().default(''),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [
    uniqueIndex('timebank_transfers_exchange')
      .on(table.exchangeId)
      .where(sql`${table.kind} in ('exchange', 'group')`),
    uniqueIndex('timebank_transfers_reverses').on(table.reversesId),
    index('timebank_transfers_day').on(table.communityId, table.occurredOn),
    check('timebank_transfers_reversal', sql`(${table.kind} = 'reversal') = (${table.reversesId} is not null)`),
  ],
);

export const timebankMovements = pgTable(
  'timebank_movements',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    communityId: communityColumn(),
    transferId: requiredReference('transfer_id', () => timebankTransfers.id),
    accountId: requiredReference('account_id', () => timebankAccounts.id),
    /** Positive: the account received time (gave help, or was granted); negative: it paid. */
    minutes: integer('minutes').notNull(),
    /** The account's balance after this movement: a statement reads it without adding up. */
    balanceAfter: integer('balance_after').notNull(),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
  },
  (table) => [
    index('timebank_movements_account').on(table.accountId, table.id),
    index('timebank_movements_transfer').on(table.transferId),
    check('timebank_movements_nonzero', sql`${table.minutes} <> 0`),
  ],
);

/**
 * Time given: one to one (either side records, the other confirms), or a group (a talk for
 * many, a garden day by many), which a coordinator records. Only a confirmed exchange is in
 * the ledger.
 */
export const timebankExchanges = pgTable(
  'timebank_exchanges',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    group: boolean('is_group').notNull().default(false),
    status: text('status', { enum: exchangeStatuses }).notNull().default('pending'),
    occurredOn: date('occurred_on', { mode: 'string' }).notNull(),
    categoryId: uuid('category_id').references(() => timebankCategories.id),
    postId: uuid('post_id').references((): AnyPgColumn => timebankPosts.id),
    note: text('note').notNull().default(''),
    /** For a group: whether the pot pays the receivers' time instead of each receiver. */
    potPaysReceivers: boolean('pot_pays_receivers').notNull().default(false),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    /** The account of the side that recorded it (one to one); the other side confirms. */
    recordedFor: uuid('recorded_for').references(() => timebankAccounts.id),
    onBehalf: boolean('on_behalf').notNull().default(false),
    /** The day it confirms itself if nobody disputes it. */
    confirmsOn: date('confirms_on', { mode: 'string' }),
    decidedBy: uuid('decided_by').references(() => accounts.id),
    decidedAt: instant('decided_at'),
    disputeReason: text('dispute_reason').notNull().default(''),
    /** When its transfer was reversed: reports leave it out. */
    reversedAt: instant('reversed_at'),
    createdAt: createdAtColumn(),
  },
  (table) => [
    index('timebank_exchanges_counted')
      .on(table.communityId, table.occurredOn)
      .where(sql`${table.status} = 'confirmed' and ${table.reversedAt} is null`),
    index('timebank_exchanges_waiting')
      .on(table.communityId, table.confirmsOn)
      .where(sql`${table.status} = 'pending'`),
    index('timebank_exchanges_open').on(table.communityId, table.status, table.createdAt),
  ],
);

/** Who gave and who received in an exchange, and how many minutes each. */
export const exchangeParties = pgTable(
  'timebank_exchange_parties',
  {
    communityId: communityColumn(),
    exchangeId: requiredReference('exchange_id', () => timebankExchanges.id),
    accountId: requiredReference('account_id', () => timebankAccounts.id),
    side: text('side', { enum: ['giver', 'receiver'] }).notNull(),
    minutes: integer('minutes').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.exchangeId, table.accountId] }),
    index('timebank_exchange_parties_account').on(table.accountId),
    check('timebank_exchange_parties_minutes', sql`${table.minutes} > 0`),
  ],
);

/** An offer of help or a request for it. */
export const timebankPosts = pgTable(
  'timebank_posts',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    kind: text('kind', { enum: postKinds }).notNull(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    title: text('title').notNull(),
    description: text('description').notNull().default(''),
    categoryId: requiredReference('category_id', () => timebankCategories.id),
    place: text('place', { enum: postPlaces }).notNull(),
    neighbourhood: text('neighbourhood').notNull().default(''),
    whenAvailable: text('when_available').notNull().default(''),
    forGroups: boolean('for_groups').notNull().default(false),
    endsOn: date('ends_on', { mode: 'string' }).notNull(),
    closedAt: instant('closed_at'),
    postedBy: uuid('posted_by').references(() => accounts.id),
    onBehalf: boolean('on_behalf').notNull().default(false),
    reminderSentAt: instant('reminder_sent_at'),
    createdAt: createdAtColumn(),
    /** Words to search, stemmed and without accents ("cafe" finds "café"). */
    search: tsvector('search')
      .notNull()
      .generatedAlwaysAs(sql`to_tsvector('coproduce_search', title || ' ' || description)`),
  },
  (table) => [
    index('timebank_posts_search').using('gin', table.search),
    index('timebank_posts_open')
      .on(table.communityId, table.kind, table.createdAt)
      .where(sql`${table.closedAt} is null`),
    index('timebank_posts_person').on(table.personRecordId),
    index('timebank_posts_newest').on(table.communityId, table.createdAt, table.id),
    index('timebank_posts_requests')
      .on(table.communityId, table.createdAt)
      .where(sql`${table.kind} = 'request'`),
  ],
);

/** "I can help" or "I'd like this": a member answering a post. Their messages hang from it. */
export const postResponses = pgTable(
  'timebank_responses',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    postId: requiredReference('post_id', () => timebankPosts.id),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    createdAt: createdAtColumn(),
  },
  (table) => [uniqueIndex('timebank_responses_once').on(table.postId, table.personRecordId)],
);

/** A private message between a poster and someone who responded, through the platform. */
export const timebankMessages = pgTable(
  'timebank_messages',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    responseId: requiredReference('response_id', () => postResponses.id),
    fromRecordId: requiredReference('from_record_id', () => personRecords.id),
    body: text('body').notNull(),
    sentBy: uuid('sent_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
  },
  (table) => [index('timebank_messages_thread').on(table.responseId, table.createdAt)],
);

/** Categories a member follows, to hear of new posts in them. */
export const categoryFollows = pgTable(
  'timebank_follows',
  {
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    categoryId: requiredReference('category_id', () => timebankCategories.id),
  },
  (table) => [primaryKey({ columns: [table.personRecordId, table.categoryId] })],
);

/** A background check a coordinator has seen: its level, certificate and when it runs out. */
export const backgroundChecks = pgTable(
  'timebank_checks',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    level: text('level', { enum: ['basic', 'enhanced', 'enhanced_barred'] }).notNull(),
    certificateNumber: text('certificate_number').notNull(),
    issuedOn: date('issued_on', { mode: 'string' }).notNull(),
    expiresOn: date('expires_on', { mode: 'string' }).notNull(),
    seenBy: uuid('seen_by').references(() => accounts.id),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
    reminderSentAt: instant('reminder_sent_at'),
  },
  (table) => [
    index('timebank_checks_person').on(table.personRecordId, table.expiresOn),
    index('timebank_checks_expiry').on(table.communityId, table.expiresOn),
  ],
);

/**
 * Each finished day's exchanges added up by kind of help and the giver's neighbourhood, so that
 * a year's report reads 365 days of totals rather than every exchange. A day is added up once
 * (by the nightly job, or by the first report that needs it) and added up again after an
 * exchange on that day is confirmed or corrected.
 */
export const dayTotals = pgTable(
  'timebank_day_totals',
  {
    communityId: communityColumn(),
    day: date('day', { mode: 'string' }).notNull(),
    categoryId: uuid('category_id'),
    neighbourhood: text('neighbourhood').notNull().default(''),
    exchanges: integer('exchanges').notNull(),
    minutes: integer('minutes').notNull(),
    groupExchanges: integer('group_exchanges').notNull(),
    groupReceivers: integer('group_receivers').notNull(),
  },
  (table) => [index('timebank_day_totals_day').on(table.communityId, table.day)],
);

/** The days whose totals are in `timebank_day_totals` (a day with no exchanges has no rows there). */
export const daysCounted = pgTable(
  'timebank_days_counted',
  {
    communityId: communityColumn(),
    day: date('day', { mode: 'string' }).notNull(),
  },
  (table) => [primaryKey({ columns: [table.communityId, table.day] })],
);

/** Each night's check that every balance is the sum of its movements. */
export const reconciliations = pgTable('timebank_reconciliations', {
  id: uuid('id').primaryKey().defaultRandom(),
  communityId: communityColumn(),
  ranAt: instant('ran_at').notNull().defaultNow(),
  accountsChecked: integer('accounts_checked').notNull(),
  /** Accounts whose balance differs from their movements: `[{ accountId, balance, movements }]`. */
  differences: jsonb('differences')
    .$type<{ accountId: string; balance: number; movements: number }[]>()
    .notNull()
    .default([]),
});
