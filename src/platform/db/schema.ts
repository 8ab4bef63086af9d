// Tables every module relies on: people and their accounts, communities (the tenants)
// and memberships, sessions and tokens, the audit log, the message outbox and
// idempotency records. Module tables live in each module's own schema.ts.
import { sql } from 'drizzle-orm';
import {
  type AnyPgColumn,
  bigint,
  bigserial,
  boolean,
  check,
  index,
  integer,
  jsonb,
  pgTable,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from 'drizzle-orm/pg-core';

/** An instant (`timestamptz`), read as a Date: every table's times are these. */
export const instant = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' });
/** When the row was made. */
export const createdAtColumn = () => instant('created_at').notNull().defaultNow();
/** A column that must point at a row of another table (a foreign key, not null). */
export const requiredReference = (name: string, target: () => AnyPgColumn) => uuid(name).notNull().references(target);
/** The community a row belongs to: row-level security reads it. Declared below, with communities. */
export const communityColumn = () => requiredReference('community_id', () => communities.id);

/** A person with one account across every community they belong to. */
export const accounts = pgTable(
  'people',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    email: text('email').notNull(),
    displayName: text('display_name').notNull(),
    passwordHash: text('password_hash'),
    preferredLanguage: text('preferred_language').notNull().default('en'),
    isPlatformAdmin: boolean('is_platform_admin').notNull().default(false),
    totpSecret: text('totp_secret'),
    totpEnabledAt: instant('totp_enabled_at'),
    /** The 30-second step of the last code accepted: a code is never accepted twice. */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    /** When the person followed the link sent to their email address; until then they join nothing. */
    emailVerifiedAt: instant('email_verified_at'),
    createdAt: createdAtColumn(),
    erasedAt: instant('erased_at'),
  },
  (table) => [uniqueIndex('people_email_unique').on(sql`lower(${table.email})`)],
);

/** A community is the tenant: a time bank, a peer network, a learning centre, a hub. */
export const communities = pgTable(
  'communities',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    slug: text('slug').notNull(),
    name: text('name').notNull(),
    description: text('description').notNull().default(''),
    contactEmail: text('contact_email'),
    contactPhone: text('contact_phone'),
    brandColour: text('brand_colour'),
    languages: text('languages')
      .array()
      .notNull()
      .default(sql`array['en']::text[]`),
    requireStaffTwoFactor: boolean('require_staff_two_factor').notNull().default(false),
    /** A new referral should hear from someone within this many working days. */
    contactWithinWorkingDays: smallint('contact_within_working_days').notNull().default(3),
    /** Declined and withdrawn referrals are pseudonymised after this many months. */
    referralRetentionMonths: smallint('referral_retention_months').notNull().default(12),
    createdAt: createdAtColumn(),
  },
  (table) => [
    uniqueIndex('communities_slug_unique').on(table.slug),
    check('communities_slug_format', sql`${table.slug} ~ '^[a-z0-9]+(-[a-z0-9]+)*$'`),
  ],
);

/** A person's place in one community: asked, invited, active or ended, with its roles. */
export const memberships = pgTable(
  'memberships',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personId: requiredReference('person_id', () => accounts.id),
    status: text('status', { enum: ['requested', 'active', 'declined', 'removed'] }).notNull(),
    roles: text('roles')
      .array()
      .notNull()
      .default(sql`array[]::text[]`),
    requestMessage: text('request_message'),
    /** The organisation a referrer or partner works for here, kept from their last referral to fill in the next. */
    organisation: text('organisation').notNull().default(''),
    requestedAt: createdAtColumn(),
    decidedAt: instant('decided_at'),
    decidedBy: uuid('decided_by').references(() => accounts.id),
  },
  (table) => [
    uniqueIndex('memberships_person_community_unique').on(table.communityId, table.personId),
    index('memberships_person').on(table.personId),
    index('memberships_community_status').on(table.communityId, table.status, table.requestedAt),
  ],
);

/** An invitation to join a community, sent by email; accepting it makes an active membership. */
export const invitations = pgTable(
  'invitations',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    email: text('email').notNull(),
    roles: text('roles').array().notNull(),
    tokenHash: text('token_hash').notNull(),
    invitedBy: requiredReference('invited_by', () => accounts.id),
    createdAt: createdAtColumn(),
    expiresAt: instant('expires_at').notNull(),
    acceptedAt: instant('accepted_at'),
    acceptedBy: uuid('accepted_by').references(() => accounts.id),
    /** Cancelled by an admin, or replaced by a new link when sent again: its link no longer works. */
    revokedAt: instant('revoked_at'),
    /** The record of someone the community already knows (referred, not online): accepting links their account to it. */
    personRecordId: uuid('person_record_id'),
  },
  (table) => [
    uniqueIndex('invitations_token_unique').on(table.tokenHash),
    index('invitations_community').on(table.communityId),
  ],
);

/** A signed-in browser. The id is a hash of the cookie's value; the cookie alone opens it. */
export const sessions = pgTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    personId: uuid('person_id').references(() => accounts.id),
    data: jsonb('data').notNull(),
    expiresAt: instant('expires_at').notNull(),
  },
  (table) => [index('sessions_expires').on(table.expiresAt), index('sessions_person').on(table.personId)],
);

/** A personal access token for the API; only its hash is kept. */
export const apiTokens = pgTable(
  'api_tokens',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: requiredReference('person_id', () => accounts.id),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAtColumn(),
    lastUsedAt: instant('last_used_at'),
    revokedAt: instant('revoked_at'),
  },
  (table) => [uniqueIndex('api_tokens_hash_unique').on(table.tokenHash), index('api_tokens_person').on(table.personId)],
);

/** A one-use link to choose a new password. */
export const passwordResets = pgTable(
  'password_resets',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: requiredReference('person_id', () => accounts.id),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAtColumn(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (table) => [
    uniqueIndex('password_resets_token_unique').on(table.tokenHash),
    index('password_resets_expires').on(table.expiresAt),
  ],
);

/** A one-use link that proves the person reads the email address their account gives. */
export const emailVerifications = pgTable(
  'email_verifications',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    personId: requiredReference('person_id', () => accounts.id),
    /** The address the link was sent to: a link for an address the account no longer has proves nothing. */
    email: text('email').notNull(),
    tokenHash: text('token_hash').notNull(),
    createdAt: createdAtColumn(),
    expiresAt: instant('expires_at').notNull(),
    usedAt: instant('used_at'),
  },
  (table) => [
    uniqueIndex('email_verifications_token_unique').on(table.tokenHash),
    index('email_verifications_person').on(table.personId),
  ],
);

/** Failed sign-ins counted per account and per network address, shared by every app process. */
export const signInFailures = pgTable('sign_in_failures', {
  key: text('key').primaryKey(),
  failures: smallint('failures').notNull(),
  windowStartedAt: instant('window_started_at').notNull(),
  lockedUntil: instant('locked_until'),
});

/** Who did what to which record, when and why. Append-only. */
export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    communityId: uuid('community_id').references(() => communities.id),
    actorId: uuid('actor_id').references(() => accounts.id),
    action: text('action').notNull(),
    subjectType: text('subject_type').notNull(),
    subjectId: text('subject_id'),
    reason: text('reason'),
    detail: jsonb('detail').notNull().default({}),
    at: instant('at').notNull().defaultNow(),
  },
  (table) => [
    index('audit_events_community_at').on(table.communityId, table.at),
    index('audit_events_actor').on(table.actorId),
  ],
);

/** Every email and text message, whether or not GOV.UK Notify is configured to send it. */
export const outbox = pgTable(
  'outbox',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: uuid('community_id').references(() => communities.id),
    channel: text('channel', { enum: ['email', 'sms'] }).notNull(),
    template: text('template').notNull(),
    recipient: text('recipient').notNull(),
    subject: text('subject').notNull(),
    body: text('body').notNull(),
    status: text('status', { enum: ['queued', 'sent', 'failed', 'not_sent'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
    createdAt: createdAtColumn(),
    sentAt: instant('sent_at'),
  },
  (table) => [
    index('outbox_community_created').on(table.communityId, table.createdAt),
    index('outbox_recipient').on(table.recipient),
  ],
);

/** The first answer to a POST with an Idempotency-Key, returned again for a repeat. */
export const idempotencyRecords = pgTable(
  'idempotency_records',
  {
    personId: requiredReference('person_id', () => accounts.id),
    key: text('key').notNull(),
    requestFingerprint: text('request_fingerprint').notNull(),
    statusCode: smallint('status_code'),
    responseBody: jsonb('response_body'),
    createdAt: createdAtColumn(),
  },
  (table) => [
    uniqueIndex('idempotency_records_person_key').on(table.personId, table.key),
    index('idempotency_records_created').on(table.createdAt),
  ],
);
