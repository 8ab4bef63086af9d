import { sql } from 'drizzle-orm';
import {
  boolean,
  check,
  date,
  index,
  integer,
  pgTable,
  text,
  uniqueIndex,
  uuid,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';
import { accounts, communityColumn, createdAtColumn, instant, requiredReference } from '../../platform/db/schema.ts';

export const contactMethods = ['phone', 'sms', 'email', 'post', 'in_person'] as const;
export type ContactMethod = (typeof contactMethods)[number];

/** The Accessible Information Standard's needs, as the person would say them. */
export const communicationNeeds = ['large_print', 'easy_read', 'bsl', 'interpreter', 'other'] as const;
export type CommunicationNeed = (typeof communicationNeeds)[number];

/**
 * A community's record of one person: someone referred, a member, a volunteer. Each community
 * keeps its own; the record is linked to an account when the person has one, and managed by
 * a coordinator when they are not online.
 */
export const personRecords = pgTable(
  'person_records',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    /** A short number to say on the phone, and the name an erased record keeps ("Former member 123"). */
    number: integer('number').generatedAlwaysAsIdentity().notNull(),
    accountId: uuid('account_id').references(() => accounts.id),
    preferredName: text('preferred_name').notNull(),
    fullName: text('full_name').notNull().default(''),
    /**
     * The name lists show, so that everyone in one list is named the same way: the full name where
     * the preferred name is its start ("Winston" → "Winston Okafor"), else the preferred name, so a
     * chosen name is never replaced by another.
     */
    listName: text('list_name')
      .generatedAlwaysAs(
        sql`case when full_name <> '' and starts_with(lower(full_name), lower(preferred_name)) then full_name else preferred_name end`,
      )
      .notNull(),
    pronouns: text('pronouns').notNull().default(''),
    dateOfBirth: date('date_of_birth', { mode: 'string' }),
    nhsNumber: text('nhs_number'),
    email: text('email'),
    phone: text('phone'),
    /** The phone number's digits in one form (07…), to find the same number typed differently. */
    phoneKey: text('phone_key'),
    address: text('address').notNull().default(''),
    postcode: text('postcode'),
    contactMethod: text('contact_method', { enum: contactMethods }),
    contactTimes: text('contact_times').notNull().default(''),
    /** Whether a voicemail or text to their phone is safe (someone else may see it): null when not asked. */
    messageSafe: boolean('message_safe'),
    communicationNeeds: text('communication_needs')
      .array()
      .notNull()
      .default(sql`array[]::text[]`),
    interpreterLanguage: text('interpreter_language').notNull().default(''),
    communicationOther: text('communication_other').notNull().default(''),
    emergencyContactName: text('emergency_contact_name').notNull().default(''),
    emergencyContactPhone: text('emergency_contact_phone').notNull().default(''),
    emergencyContactRelationship: text('emergency_contact_relationship').notNull().default(''),
    gpPractice: text('gp_practice').notNull().default(''),
    skillsAndInterests: text('skills_and_interests').notNull().default(''),
    livedExperience: text('lived_experience').notNull().default(''),
    availability: text('availability').notNull().default(''),
    /** Not online: a coordinator acts for them, and what is done for them is marked so. */
    assistedDigital: boolean('assisted_digital').notNull().default(false),
    status: text('status', { enum: ['active', 'merged', 'erased'] })
      .notNull()
      .default('active'),
    mergedIntoId: uuid('merged_into_id').references((): AnyPgColumn => personRecords.id),
    createdBy: uuid('created_by').references(() => accounts.id),
    createdAt: createdAtColumn(),
    updatedAt: instant('updated_at').notNull().defaultNow(),
    erasedAt: instant('erased_at'),
  },
  (table) => [
    uniqueIndex('person_records_number').on(table.number),
    uniqueIndex('person_records_account')
      .on(table.communityId, table.accountId)
      .where(sql`${table.accountId} is not null and ${table.status} = 'active'`),
    index('person_records_community_name').on(table.communityId, sql`lower(${table.preferredName})`),
    index('person_records_email').on(table.communityId, sql`lower(${table.email})`),
    index('person_records_phone').on(table.communityId, table.phoneKey),
    index('person_records_nhs_number').on(table.communityId, table.nhsNumber),
    index('person_records_birth').on(table.communityId, table.dateOfBirth),
    check('person_records_merged', sql`(${table.status} = 'merged') = (${table.mergedIntoId} is not null)`),
  ],
);

export const ageBands = [
  'under_18',
  '18_24',
  '25_34',
  '35_44',
  '45_54',
  '55_64',
  '65_74',
  '75_84',
  '85_over',
  'prefer_not',
] as const;
/** The ONS 2021 census categories for England and Wales. */
export const ethnicities = [
  'asian_bangladeshi',
  'asian_chinese',
  'asian_indian',
  'asian_pakistani',
  'asian_other',
  'black_african',
  'black_caribbean',
  'black_other',
  'mixed_white_asian',
  'mixed_white_black_african',
  'mixed_white_black_caribbean',
  'mixed_other',
  'white_british',
  'white_irish',
  'white_gypsy_traveller',
  'white_roma',
  'white_other',
  'other_arab',
  'other_any',
  'prefer_not',
] as const;
export const sexes = ['female', 'male', 'prefer_not'] as const;
export const yesNoPreferNot = ['yes', 'no', 'prefer_not'] as const;

/**
 * Optional equality monitoring answers. Read back only by the person themselves and counted in
 * aggregate: no page shows another person's answers.
 */
export const equalityMonitoring = pgTable('equality_monitoring', {
  personRecordId: uuid('person_record_id')
    .primaryKey()
    .references(() => personRecords.id),
  communityId: communityColumn(),
  ageBand: text('age_band', { enum: ageBands }),
  ethnicity: text('ethnicity', { enum: ethnicities }),
  sex: text('sex', { enum: sexes }),
  genderSameAsBirth: text('gender_same_as_birth', { enum: yesNoPreferNot }),
  disability: text('disability', { enum: yesNoPreferNot }),
  carer: text('carer', { enum: yesNoPreferNot }),
  answeredAt: instant('answered_at').notNull().defaultNow(),
  recordedBy: uuid('recorded_by').references(() => accounts.id),
});

export const consentPurposes = [
  'support',
  'tell_referrer',
  'evaluation',
  'contact_email',
  'contact_sms',
  'share_story',
] as const;
export type ConsentPurpose = (typeof consentPurposes)[number];
export const consentMethods = ['online', 'spoken', 'paper'] as const;
export type ConsentMethod = (typeof consentMethods)[number];

/**
 * Consent, one row per decision: given or withdrawn, for one purpose, how and by whom. The
 * latest decision for a purpose is current; earlier ones are kept, superseded.
 */
export const consents = pgTable(
  'consents',
  {
    id: uuid('id').primaryKey().defaultRandom(),
    communityId: communityColumn(),
    personRecordId: requiredReference('person_record_id', () => personRecords.id),
    purpose: text('purpose', { enum: consentPurposes }).notNull(),
    granted: boolean('granted').notNull(),
    method: text('method', { enum: consentMethods }).notNull(),
    recordedBy: uuid('recorded_by').references(() => accounts.id),
    /** Recorded by someone else for the person (a coordinator, a referrer). */
    onBehalf: boolean('on_behalf').notNull().default(false),
    note: text('note').notNull().default(''),
    recordedAt: instant('recorded_at').notNull().defaultNow(),
    supersededAt: instant('superseded_at'),
  },
  (table) => [
    uniqueIndex('consents_current')
      .on(table.personRecordId, table.purpose)
      .where(sql`${table.supersededAt} is null`),
    index('consents_person').on(table.personRecordId, table.recordedAt),
    index('consents_community_purpose')
      .on(table.communityId, table.purpose)
      .where(sql`${table.supersededAt} is null and ${table.granted}`),
  ],
);
