// The referrals module's queries.
import { and, asc, desc, eq, ilike, inArray, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import { memberships, accounts } from '../../platform/db/schema.ts';
import { rowsThrough } from '../../platform/person-data.ts';
import { createHash } from 'node:crypto';
import { builtOnceWhereOpen, type StatementBuilder } from '../../platform/db/transactions.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { heldByAccount, recordsSeen } from '../people/service.ts';
import { programmesSeen, programmesSeenSql } from '../programmes/service.ts';
import {
  contactAttempts,
  contactMethods,
  contactOutcomes,
  declineReasons,
  needs,
  referralEvents,
  referralProgrammes,
  referrals,
  type ReferralSource,
  referralSources,
  type ReferralStatus,
  referralStatuses,
  supportNeeds,
  type Urgency,
  urgencies,
} from './schema.ts';

export { contactMethods, contactOutcomes, declineReasons, needs, referralSources, referralStatuses, urgencies };
export type Referral = typeof referrals.$inferSelect;

/** The statuses of a referral still being worked on. */
export const openStatuses: readonly ReferralStatus[] = ['new', 'contacting'];

/** Declined and withdrawn referrals closed before the cutoff whose words are not yet forgotten. */
export function closedReferralsToForget(tx: CommunityTransaction, communityId: string, cutoff: Date) {
  return tx
    .select({ id: referrals.id, personRecordId: referrals.personRecordId })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        inArray(referrals.status, ['declined', 'withdrawn']),
        lt(referrals.statusChangedAt, cutoff),
        isNull(referrals.pseudonymisedAt),
      ),
    );
}

/** Of these records, the ones with a referral still worth keeping: open or accepted, or not yet forgotten. */
export async function recordsWithReferralsKept(
  tx: CommunityTransaction,
  recordIds: readonly string[],
): Promise<Set<string>> {
  if (recordIds.length === 0) return new Set();
  const rows = await tx
    .selectDistinct({ id: referrals.personRecordId })
    .from(referrals)
    .where(
      and(
        inArray(referrals.personRecordId, [...recordIds]),
        or(and(ne(referrals.status, 'declined'), ne(referrals.status, 'withdrawn')), isNull(referrals.pseudonymisedAt)),
      ),
    );
  return new Set(rows.map((row) => row.id));
}

// ——— Writing ———

/** Whether the community has a referral with this reference already. */
export async function referenceTaken(tx: CommunityTransaction, communityId: string, reference: string) {
  const [taken] = await tx
    .select({ id: referrals.id })
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), eq(referrals.reference, reference)));
  return Boolean(taken);
}

/** Locks a submission key until the transaction ends: two submissions with one key wait for each other. */
export async function lockSubmission(tx: CommunityTransaction, communityId: string, submissionKey: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${communityId}:${submissionKey}`}, 0))`);
}

/** The referral an earlier submission with this key made, if any. */
export async function referralBySubmission(tx: CommunityTransaction, communityId: string, submissionKey: string) {
  const [earlier] = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), eq(referrals.submissionKey, submissionKey)));
  return earlier;
}

export async function insertReferralRow(tx: CommunityTransaction, values: typeof referrals.$inferInsert) {
  const [created] = await tx.insert(referrals).values(values).returning();
  return created;
}

/** The programmes a new referral asks for. */
export async function addRequestedProgrammes(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  programmeIds: readonly string[],
) {
  await tx
    .insert(referralProgrammes)
    .values(programmeIds.map((programmeId) => ({ referralId, programmeId, communityId })));
}

/** A line of a referral's history. */
export async function addReferralEvent(tx: CommunityTransaction, event: typeof referralEvents.$inferInsert) {
  await tx.insert(referralEvents).values(event);
}

/** Keeps the organisation a referrer gave on their membership, to fill in their next referral. */
export async function rememberOrganisation(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
  organisation: string,
) {
  await tx
    .update(memberships)
    .set({ organisation })
    .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, personId)));
}

/** One of the community's referrals, locked for a change until the transaction ends. */
export async function lockReferral(tx: CommunityTransaction, communityId: string, referralId: string) {
  const [found] = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), eq(referrals.id, referralId)))
    .for('update');
  return found;
}

export async function changeReferral(tx: CommunityTransaction, referralId: string, change: Partial<Referral>) {
  const [moved] = await tx.update(referrals).set(change).where(eq(referrals.id, referralId)).returning();
  return moved;
}

/** The names of the programmes a referral was accepted into, by name. */
export async function acceptedProgrammeNamesOf(tx: CommunityTransaction, referralId: string) {
  const p = programmesSeen('p');
  return tx
    .select({ name: p.name })
    .from(referralProgrammes)
    .innerJoin(p, eq(p.id, referralProgrammes.programmeId))
    .where(and(eq(referralProgrammes.referralId, referralId), sql`${referralProgrammes.acceptedAt} is not null`))
    .orderBy(asc(p.name));
}

export async function addContactAttempt(tx: CommunityTransaction, attempt: typeof contactAttempts.$inferInsert) {
  await tx.insert(contactAttempts).values(attempt);
}

/** Marks a programme accepted for the referral, adding it when the referral did not ask for it. */
export async function acceptProgramme(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  programmeId: string,
  now: Date,
) {
  await tx
    .insert(referralProgrammes)
    .values({ referralId, programmeId, communityId, requested: false, acceptedAt: now })
    .onConflictDoUpdate({
      target: [referralProgrammes.referralId, referralProgrammes.programmeId],
      set: { acceptedAt: now },
    });
}

/** The latest 50 referrals about any record an account holds in the community, newest first. */
export function referralsHeldBy(tx: CommunityTransaction, communityId: string, accountId: string) {
  return tx
    .select({
      id: referrals.id,
      reference: referrals.reference,
      status: referrals.status,
      source: referrals.source,
      createdAt: referrals.createdAt,
      statusChangedAt: referrals.statusChangedAt,
      referrerOrganisation: referrals.referrerOrganisation,
    })
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), heldByAccount(referrals.personRecordId, accountId)))
    .orderBy(desc(referrals.createdAt))
    .limit(50);
}

/** How many of a record's referrals are open. */
export async function countOpenReferralsOf(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        eq(referrals.personRecordId, personRecordId),
        inArray(referrals.status, [...openStatuses]),
      ),
    );
  return row?.count ?? 0;
}

/** Whether the referral is about a record the account holds. */
export async function isHeldBy(tx: CommunityTransaction, communityId: string, referralId: string, accountId: string) {
  const [own] = await tx
    .select({ id: referrals.id })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        eq(referrals.id, referralId),
        heldByAccount(referrals.personRecordId, accountId),
      ),
    );
  return Boolean(own);
}

/** Open referrals still waiting for a first contact. */
export function awaitingFirstContact(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({
      id: referrals.id,
      createdAt: referrals.createdAt,
      urgency: referrals.urgency,
      contactDueOn: referrals.contactDueOn,
    })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        inArray(referrals.status, [...openStatuses]),
        isNull(referrals.firstContactedAt),
      ),
    );
}

export async function setContactDueOn(tx: CommunityTransaction, referralId: string, due: string) {
  await tx.update(referrals).set({ contactDueOn: due }).where(eq(referrals.id, referralId));
}

/** The referral whose claim link carries this token, while the link lasts. */
export async function referralByClaim(tx: CommunityTransaction, communityId: string, tokenHash: string) {
  const [found] = await tx
    .select()
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        eq(referrals.claimTokenHash, tokenHash),
        sql`${referrals.claimExpiresAt} > now()`,
      ),
    );
  return found;
}

/** The claim link works once. */
export async function endClaim(tx: CommunityTransaction, referralId: string) {
  await tx.update(referrals).set({ claimTokenHash: null, claimExpiresAt: null }).where(eq(referrals.id, referralId));
}

// ——— Reading ———

export interface QueueFilter {
  status?: ReferralStatus | 'open';
  programmeId?: string;
  source?: ReferralSource;
  urgency?: Urgency;
  overdue?: boolean;
  search?: string;
  referrerId?: string;
}

type RecordsSeen = ReturnType<typeof recordsSeen>;

/**
 * The values of a queue's statement, as placeholders: the statement is built once for each shape
 * of filter (which filters are given, the status and urgency asked for, the page's priority) and
 * run with these values.
 */
const value = {
  communityId: sql.placeholder('communityId'),
  status: sql.placeholder('status'),
  source: sql.placeholder('source'),
  urgency: sql.placeholder('urgency'),
  referrerId: sql.placeholder('referrerId'),
  programmeId: sql.placeholder('programmeId'),
  today: sql.placeholder('today'),
  like: sql.placeholder('like'),
  reference: sql.placeholder('reference'),
  afterPriority: sql.placeholder('afterPriority'),
  afterCreatedAt: sql.placeholder('afterCreatedAt'),
  afterId: sql.placeholder('afterId'),
  limit: sql.placeholder('limit'),
};

function queueConditions(filter: QueueFilter, records: RecordsSeen): SQL[] {
  const conditions: SQL[] = [eq(referrals.communityId, value.communityId)];
  if (filter.status === 'open') conditions.push(inArray(referrals.status, [...openStatuses]));
  else if (filter.status) conditions.push(eq(referrals.status, value.status));
  if (filter.source) conditions.push(eq(referrals.source, value.source));
  if (filter.urgency) conditions.push(eq(referrals.urgency, value.urgency));
  if (filter.referrerId) conditions.push(eq(referrals.referrerId, value.referrerId));
  if (filter.overdue)
    conditions.push(
      inArray(referrals.status, [...openStatuses]),
      isNull(referrals.firstContactedAt),
      sql`${referrals.contactDueOn} < ${value.today}::date`,
    );
  if (filter.programmeId)
    conditions.push(
      sql`exists (select 1 from ${referralProgrammes} where ${referralProgrammes.referralId} = ${referrals.id} and ${referralProgrammes.programmeId} = ${value.programmeId}::uuid)`,
    );
  if (filter.search?.trim()) {
    const byReference = sql`${referrals.reference} = ${value.reference}::text`;
    const byName = or(ilike(records.preferredName, value.like), ilike(records.fullName, value.like));
    const either = or(byReference, byName);
    if (either) conditions.push(either);
  }
  return conditions;
}

/**
 * How soon a referral needs someone, for the queue's order: 0 urgent, 1 overdue for first
 * contact, 2 the rest. Only open referrals are urgent or overdue.
 */
const priority = sql<number>`(case
  when ${referrals.status} in ('new', 'contacting') and ${referrals.urgency} = 'urgent' then 0
  when ${referrals.status} in ('new', 'contacting') and ${referrals.firstContactedAt} is null and ${referrals.contactDueOn} < ${value.today}::date then 1
  else 2 end)`;

/** Whether a filter's status leaves only open referrals, leaves any (none given), or only closed ones. */
const openOnly = (status: QueueFilter['status']) =>
  status === 'open' || (status !== undefined && openStatuses.includes(status));

/**
 * The referrals of one priority, as the queue's order needs them: each priority's referrals are
 * read in the order of an index (the open queue's by arrival), so a page reads a few dozen rows
 * rather than sorting every open referral by a priority that changes with the day.
 */
function priorityBranches(filter: QueueFilter) {
  // Written out, not as parameters: the open queue's indexes hold only these statuses (and the
  // urgent queue's only urgent ones), and a plan kept for any values must know it may use them.
  const open = sql`${referrals.status} in ('new', 'contacting')`;
  const mayBeOpen = filter.status === undefined || openOnly(filter.status);
  const branches: { priority: number; condition: SQL }[] = [];
  if (mayBeOpen && (filter.urgency === undefined || filter.urgency === 'urgent'))
    branches.push({ priority: 0, condition: and(open, sql`${referrals.urgency} = 'urgent'`) as SQL });
  if (mayBeOpen && filter.urgency !== 'urgent')
    branches.push({
      priority: 1,
      condition: and(
        open,
        ne(referrals.urgency, 'urgent'),
        isNull(referrals.firstContactedAt),
        sql`${referrals.contactDueOn} < ${value.today}::date`,
      ) as SQL,
    });
  // Overdue, or urgent among open ones, is never the last priority.
  if (!filter.overdue && !(openOnly(filter.status) && filter.urgency === 'urgent'))
    branches.push({ priority: 2, condition: sql`${priority} = 2` });
  return branches;
}

/** The queue's statement for one shape of filter (`afterPriority`: the priority a next page starts in). */
function queueStatement(db: StatementBuilder, filter: QueueFilter, afterPriority: number | undefined, name: string) {
  const records = recordsSeen('records');
  const p = programmesSeen('p');
  const conditions = queueConditions(filter, records);
  const after = sql`(${referrals.createdAt}, ${referrals.id}) > (${value.afterCreatedAt}::timestamptz, ${value.afterId}::uuid)`;
  if (filter.search?.trim()) {
    if (afterPriority !== undefined)
      conditions.push(
        sql`(${priority}, ${referrals.createdAt}, ${referrals.id}) > (${value.afterPriority}::int, ${value.afterCreatedAt}::timestamptz, ${value.afterId}::uuid)`,
      );
  } else {
    const branches = priorityBranches(filter)
      .filter((branch) => afterPriority === undefined || branch.priority >= afterPriority)
      .map((branch) => {
        const where = and(
          ...conditions,
          branch.condition,
          afterPriority !== undefined && branch.priority === afterPriority ? after : undefined,
        );
        return sql`(select ${sql.raw(String(branch.priority))} as priority, ${referrals.createdAt} as created_at, ${referrals.id} as id from ${referrals} where ${where} order by ${referrals.createdAt}, ${referrals.id} limit ${value.limit})`;
      });
    // The page's referrals chosen first, by id: only they are joined to names and programmes.
    conditions.splice(
      0,
      conditions.length,
      eq(referrals.communityId, value.communityId),
      branches.length
        ? sql`${referrals.id} in (select page.id from (${sql.join(branches, sql` union all `)}) page order by page.priority, page.created_at, page.id limit ${value.limit})`
        : sql`false`,
    );
  }
  return db
    .select({
      priority,
      id: referrals.id,
      reference: referrals.reference,
      status: referrals.status,
      source: referrals.source,
      urgency: referrals.urgency,
      referrerOrganisation: referrals.referrerOrganisation,
      createdAt: referrals.createdAt,
      createdAtExact: sql<string>`${referrals.createdAt}::text`,
      contactDueOn: referrals.contactDueOn,
      firstContactedAt: referrals.firstContactedAt,
      statusChangedAt: referrals.statusChangedAt,
      personRecordId: referrals.personRecordId,
      preferredName: records.preferredName,
      // In the same query: one more round trip for the page's programmes cost more (measured).
      programmes: sql<
        string[]
      >`coalesce((select array_agg(${p.name} order by ${p.name}) from ${referralProgrammes} join ${p} on ${p.id} = ${referralProgrammes.programmeId} where ${referralProgrammes.referralId} = ${referrals.id}), array[]::text[])`,
    })
    .from(referrals)
    .innerJoin(records, eq(records.id, referrals.personRecordId))
    .where(and(...conditions))
    .orderBy(priority, asc(referrals.createdAt), asc(referrals.id))
    .limit(value.limit)
    .prepare(name);
}

/** The queue's statements, one for each shape of filter met so far (a few dozen at most). */
const queueStatements = new Map<string, (tx: CommunityTransaction) => ReturnType<typeof queueStatement>>();

/**
 * A page of the triage queue (one more row than asked, to tell whether there is a next): urgent
 * first, then overdue for first contact, then the rest; the longest waiting first within each.
 * Without a search, the page's referrals are found a priority at a time (each read in index
 * order, at most a page from each), and only those are joined to names and programmes. The
 * statement is built once for each shape of filter and kept, with its plan: building it was a
 * sixth of the queue page's time in the app, and planning it cost more than running it.
 */
export function queueRows(
  tx: CommunityTransaction,
  communityId: string,
  filter: QueueFilter,
  today: string,
  page: { after?: { priority: number; createdAt: string; id: string }; limit: number },
) {
  const search = filter.search?.trim();
  const shape = {
    status: filter.status ?? null,
    urgency: filter.urgency ?? null,
    source: Boolean(filter.source),
    referrer: Boolean(filter.referrerId),
    overdue: Boolean(filter.overdue),
    programme: Boolean(filter.programmeId),
    search: Boolean(search),
    after: page.after?.priority ?? null,
  };
  const key = JSON.stringify(shape);
  let statement = queueStatements.get(key);
  if (!statement) {
    const name = `referrals_queue_${createHash('sha256').update(key).digest('base64url').slice(0, 16)}`;
    statement = builtOnceWhereOpen((db) => queueStatement(db, { ...filter, search }, page.after?.priority, name));
    queueStatements.set(key, statement);
  }
  return statement(tx).execute({
    communityId,
    status: filter.status ?? null,
    source: filter.source ?? null,
    urgency: filter.urgency ?? null,
    referrerId: filter.referrerId ?? null,
    programmeId: filter.programmeId ?? null,
    today,
    like: search ? `%${search.replace(/[\\%_]/g, (character) => `\\${character}`)}%` : null,
    reference: search ? search.toUpperCase() : null,
    afterPriority: page.after?.priority ?? null,
    afterCreatedAt: page.after?.createdAt ?? null,
    afterId: page.after?.id ?? null,
    limit: page.limit + 1,
  });
}

/** How many of the community's referrals are in each status. */
export function countByStatus(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ status: referrals.status, count: sql<number>`count(*)::int` })
    .from(referrals)
    .where(eq(referrals.communityId, communityId))
    .groupBy(referrals.status);
}

/** How many open referrals are past their day for a first contact. */
export async function countOverdue(tx: CommunityTransaction, communityId: string, today: string) {
  const [overdue] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        inArray(referrals.status, [...openStatuses]),
        isNull(referrals.firstContactedAt),
        lt(referrals.contactDueOn, today),
      ),
    );
  return overdue?.count ?? 0;
}

/** One of the community's referrals, or nothing. */
export async function findReferral(tx: CommunityTransaction, communityId: string, referralId: string) {
  const [found] = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), eq(referrals.id, referralId)));
  return found;
}

/** The programmes a referral asked for or was accepted into, by name. */
export function programmesOfReferral(tx: CommunityTransaction, referralId: string) {
  const p = programmesSeen('p');
  return tx
    .select({
      id: p.id,
      name: p.name,
      kind: p.kind,
      requested: referralProgrammes.requested,
      acceptedAt: referralProgrammes.acceptedAt,
    })
    .from(referralProgrammes)
    .innerJoin(p, eq(p.id, referralProgrammes.programmeId))
    .where(eq(referralProgrammes.referralId, referralId))
    .orderBy(asc(p.name));
}

/** The tries at reaching the person, latest first, with who recorded each. */
export function contactAttemptsOf(tx: CommunityTransaction, referralId: string) {
  return tx
    .select({
      id: contactAttempts.id,
      at: contactAttempts.at,
      method: contactAttempts.method,
      outcome: contactAttempts.outcome,
      note: contactAttempts.note,
      recordedByName: accounts.displayName,
    })
    .from(contactAttempts)
    .leftJoin(accounts, eq(accounts.id, contactAttempts.recordedBy))
    .where(eq(contactAttempts.referralId, referralId))
    .orderBy(desc(contactAttempts.at));
}

/** A referral's history, oldest first, with who did each thing. */
export function eventsOf(tx: CommunityTransaction, referralId: string) {
  return (
    tx
      .select({
        id: referralEvents.id,
        kind: referralEvents.kind,
        fromStatus: referralEvents.fromStatus,
        toStatus: referralEvents.toStatus,
        at: referralEvents.at,
        note: referralEvents.note,
        actorName: accounts.displayName,
      })
      .from(referralEvents)
      .leftJoin(accounts, eq(accounts.id, referralEvents.actorId))
      .where(eq(referralEvents.referralId, referralId))
      // Events of one moment in the order they happen: the change before the referrer is told of it.
      .orderBy(
        asc(referralEvents.at),
        sql`array_position(array['received', 'contact_attempt', 'status_changed', 'referrer_told', 'referrer_not_told']::text[], ${referralEvents.kind})`,
        asc(referralEvents.id),
      )
  );
}

/** A referrer's name and address, as a coordinator sees them on a referral. */
export function referrerNamed(tx: CommunityTransaction, referrerId: string) {
  return tx
    .select({ displayName: accounts.displayName, email: accounts.email })
    .from(accounts)
    .where(eq(accounts.id, referrerId));
}

/** How many of a referrer's referrals are new or being contacted. */
export async function countUnderWay(tx: CommunityTransaction, communityId: string, referrerId: string) {
  const [row] = await tx
    .select({ count: sql<number>`count(*)::int` })
    .from(referrals)
    .where(
      and(
        eq(referrals.communityId, communityId),
        eq(referrals.referrerId, referrerId),
        inArray(referrals.status, ['new', 'contacting']),
      ),
    );
  return row?.count ?? 0;
}

/** Referrals with the person's name and the exact moment each was made (for a cursor). */
const referralsWithName = (tx: CommunityTransaction) => {
  const records = recordsSeen('records');
  return tx
    .select({
      referral: referrals,
      preferredName: records.preferredName,
      createdAtExact: sql<string>`${referrals.createdAt}::text`,
    })
    .from(referrals)
    .innerJoin(records, eq(records.id, referrals.personRecordId));
};

/** A page of a referrer's referrals, newest first (one more row than asked), with each person's name. */
export function referrerPage(
  tx: CommunityTransaction,
  communityId: string,
  referrerId: string,
  page: { before?: { createdAt: string; id: string }; limit: number },
) {
  const conditions: SQL[] = [eq(referrals.communityId, communityId), eq(referrals.referrerId, referrerId)];
  if (page.before)
    conditions.push(
      sql`(${referrals.createdAt}, ${referrals.id}) < (${page.before.createdAt}::timestamptz, ${page.before.id}::uuid)`,
    );
  return referralsWithName(tx)
    .where(and(...conditions))
    .orderBy(desc(referrals.createdAt), desc(referrals.id))
    .limit(page.limit + 1);
}

/** The organisation kept on a membership, if any. */
export async function organisationOnMembership(tx: CommunityTransaction, communityId: string, personId: string) {
  const [membership] = await tx
    .select({ organisation: memberships.organisation })
    .from(memberships)
    .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, personId)));
  return membership?.organisation;
}

/** The names of the programmes a referral asked for. */
export function requestedProgrammeNames(tx: CommunityTransaction, referralId: string) {
  const p = programmesSeen('p');
  return tx
    .select({ name: p.name })
    .from(referralProgrammes)
    .innerJoin(p, eq(p.id, referralProgrammes.programmeId))
    .where(and(eq(referralProgrammes.referralId, referralId), eq(referralProgrammes.requested, true)));
}

/** One of the community's referrals with the person's name; only a referrer's own when a referrer is given. */
export async function referralWithName(
  tx: CommunityTransaction,
  communityId: string,
  referralId: string,
  referrerId: string | null,
) {
  const [row] = await referralsWithName(tx).where(
    and(
      eq(referrals.communityId, communityId),
      eq(referrals.id, referralId),
      ...(referrerId === null ? [] : [eq(referrals.referrerId, referrerId)]),
    ),
  );
  return row;
}

/** The community's referral with this reference (already tidied), if any. */
export async function referralByReference(tx: CommunityTransaction, communityId: string, reference: string) {
  const [found] = await tx
    .select()
    .from(referrals)
    .where(and(eq(referrals.communityId, communityId), eq(referrals.reference, reference)));
  return found;
}

/** Every referral about a record, newest first. */
export function referralsAbout(tx: CommunityTransaction, personRecordId: string) {
  return tx
    .select()
    .from(referrals)
    .where(eq(referrals.personRecordId, personRecordId))
    .orderBy(desc(referrals.createdAt));
}

// ——— What this module holds about people ———

/** Clears the words in these referrals, their contact attempts and their history (not the attempts' outcomes). */
export async function blankReferralWords(tx: CommunityTransaction, ids: string[], now: Date): Promise<void> {
  await tx
    .update(referrals)
    .set({ reason: '', risks: '', outcomeNote: '', needs: [], claimTokenHash: null, pseudonymisedAt: now })
    .where(inArray(referrals.id, ids));
  await tx.update(contactAttempts).set({ note: '' }).where(inArray(contactAttempts.referralId, ids));
  await tx
    .update(referralEvents)
    .set({ note: '' })
    .where(and(inArray(referralEvents.referralId, ids), sql`${referralEvents.kind} <> 'contact_attempt'`));
}

/** The ids of every referral about a record. */
export async function referralIdsAbout(tx: CommunityTransaction, personRecordId: string): Promise<string[]> {
  return (
    await tx.select({ id: referrals.id }).from(referrals).where(eq(referrals.personRecordId, personRecordId))
  ).map((row) => row.id);
}

/** The contact attempts of a record's referrals, for the person's download. */
export const contactAttemptRows = rowsThrough(
  (record) =>
    sql`select a.* from ${contactAttempts} a join ${referrals} r on r.id = a.referral_id where r.person_record_id = ${record}`,
);

/** The history of a record's referrals, for the person's download. */
export const referralEventRows = rowsThrough(
  (record) =>
    sql`select e.* from ${referralEvents} e join ${referrals} r on r.id = e.referral_id where r.person_record_id = ${record}`,
);

/** The programmes each of a record's referrals asked for, for the person's download. */
export const referralProgrammeRows = rowsThrough(
  (record) =>
    sql`select r.reference, p.name as programme from referral_programmes rp join referrals r on r.id = rp.referral_id join ${programmesSeenSql('p')} on p.id = rp.programme_id where r.person_record_id = ${record} order by r.created_at`,
);

// ——— The support a community lists ———

/** The community's list of needs, in its order. */
export function supportNeedsOf(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ need: supportNeeds.need, wording: supportNeeds.wording })
    .from(supportNeeds)
    .where(eq(supportNeeds.communityId, communityId))
    .orderBy(asc(supportNeeds.position));
}

/** Replaces the community's list of needs with these, in this order. */
export async function replaceSupportNeeds(
  tx: CommunityTransaction,
  communityId: string,
  list: readonly Pick<typeof supportNeeds.$inferInsert, 'need' | 'wording'>[],
) {
  await tx.delete(supportNeeds).where(and(eq(supportNeeds.communityId, communityId)));
  await tx.insert(supportNeeds).values(
    list.map((one, position) => ({
      communityId,
      need: one.need,
      position,
      wording: one.wording,
    })),
  );
}
