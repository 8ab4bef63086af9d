// The queries of exchanges and the ledger's reading side: who can exchange, exchanges and their
// sides, lists, statements, transfers and their reversals.
import { and, eq, getTableColumns, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { emailOf, phoneOf, recordsSeenSql } from '../people/service.ts';
import {
  exchangeParties,
  timebankCategories,
  timebankExchanges,
  timebankMovements,
  timebankTransfers,
} from './schema.ts';

export type Exchange = typeof timebankExchanges.$inferSelect;

/** Active time bank members among these records, with their open accounts, balances and how to reach them. */
export async function partyRows(tx: CommunityTransaction, communityId: string, personRecordIds: readonly string[]) {
  const rows = await tx.execute<{
    id: string;
    account_id: string;
    balance: number;
    name: string;
    account_holder: string | null;
    email: string | null;
    phone: string | null;
    onboarded: boolean;
  }>(sql`
    select r.id, a.id as account_id, a.balance, r.preferred_name as name, r.account_id as account_holder, ${emailOf(sql`r.id`)} as email, ${phoneOf(sql`r.id`)} as phone, m.onboarded_at is not null as onboarded
    from ${recordsSeenSql('r')}
    join timebank_members m on m.person_record_id = r.id and m.left_at is null
    join timebank_accounts a on a.person_record_id = r.id and a.closed_at is null
    where r.id in (${sql.join(
      personRecordIds.map((id) => sql`${id}::uuid`),
      sql`, `,
    )}) and r.community_id = ${communityId} and r.status = 'active'`);
  return rows.rows;
}

export async function insertExchange(tx: CommunityTransaction, values: typeof timebankExchanges.$inferInsert) {
  const [exchange] = await tx.insert(timebankExchanges).values(values).returning();
  return exchange;
}

/**
 * Records an exchange between two members in one statement (migration 0037,
 * `timebank_record_exchange`): checked, written and, when `confirmNow`, posted to the ledger with
 * its audit rows and journey steps. Nothing when the community has no time bank yet. A refusal
 * comes back as a `LedgerRefusal`.
 */
export async function recordedExchange(
  tx: CommunityTransaction,
  values: {
    communityId: string;
    actorId: string;
    giver: string;
    receiver: string;
    minutes: number;
    occurredOn: string;
    categoryId: string;
    postId: string | null;
    note: string;
    /** Which side recorded it; null when a coordinator recorded it for them. */
    recordedBySide: 'giver' | 'receiver' | null;
    confirmNow: boolean;
    today: string;
  },
): Promise<Exchange | undefined> {
  const rows = await refusalsOf(
    tx.execute<Record<string, unknown>>(
      sql`select * from timebank_record_exchange(${values.communityId}::uuid, ${values.actorId}::uuid, ${values.giver}::uuid, ${values.receiver}::uuid, ${values.minutes}::int, ${values.occurredOn}::date, ${values.categoryId}::uuid, ${values.postId}::uuid, ${values.note}::text, ${values.recordedBySide}::text, ${values.confirmNow}::boolean, ${values.today}::date)`,
    ),
  );
  return exchangeOf(rows.rows[0]);
}

/**
 * Confirms an exchange still pending or disputed and posts it, in one statement (migration 0037,
 * `timebank_confirm_exchange`); one already confirmed, or cancelled, comes back as it is. With
 * `asAsked`, only as the asking person may (see there). Nothing when the community has no time
 * bank yet. A refusal comes back as a `LedgerRefusal`.
 */
export async function confirmedExchange(
  tx: CommunityTransaction,
  values: {
    communityId: string;
    exchangeId: string;
    actorId: string | null;
    actorRecordId: string | null;
    staff: boolean;
    asAsked: boolean;
    today: string;
  },
): Promise<Exchange | undefined> {
  const rows = await refusalsOf(
    tx.execute<Record<string, unknown>>(
      sql`select * from timebank_confirm_exchange(${values.communityId}::uuid, ${values.exchangeId}::uuid, ${values.actorId}::uuid, ${values.actorRecordId}::uuid, ${values.staff}::boolean, ${values.asAsked}::boolean, ${values.today}::date)`,
    ),
  );
  return exchangeOf(rows.rows[0]);
}

/** A row of timebank_exchanges as the functions return it, read as the query builder reads one. */
function exchangeOf(row: Record<string, unknown> | undefined): Exchange | undefined {
  if (!row) return undefined;
  const columns = getTableColumns(timebankExchanges);
  return Object.fromEntries(
    Object.entries(columns).map(([key, column]) => {
      const value = row[column.name];
      return [key, value === null || value === undefined ? null : column.mapFromDriverValue(value)];
    }),
  ) as Exchange;
}

/** Why the ledger's functions refused (SQLSTATE TB000): the refusal's name and what goes with it. */
export class LedgerRefusal extends Error {
  constructor(
    readonly refusal: string,
    readonly detail: {
      errors?: { field: string; code: string }[];
      field?: string;
      checkLevel?: string;
      accountId?: string;
      wouldBe?: number;
      minimumBalance?: number;
    },
  ) {
    super(refusal);
  }
}

/** The ledger's refusals as `LedgerRefusal`s; any other error as it is. */
async function refusalsOf<T>(query: PromiseLike<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    const cause = (error as { cause?: unknown }).cause ?? error;
    const raised = cause as { code?: string; message?: string; detail?: string };
    if (raised.code === 'TB000' && raised.message)
      throw new LedgerRefusal(raised.message, raised.detail ? JSON.parse(raised.detail) : {});
    throw error;
  }
}

/** An exchange brought in by an import, confirmed as it was. */
export async function insertImportedExchange(tx: CommunityTransaction, values: typeof timebankExchanges.$inferInsert) {
  const [exchange] = await tx.insert(timebankExchanges).values(values).returning({ id: timebankExchanges.id });
  return exchange;
}

export async function insertParties(tx: CommunityTransaction, parties: (typeof exchangeParties.$inferInsert)[]) {
  await tx.insert(exchangeParties).values(parties);
}

export async function exchangeRow(tx: CommunityTransaction, communityId: string, exchangeId: string) {
  const [exchange] = await tx
    .select()
    .from(timebankExchanges)
    .where(and(eq(timebankExchanges.communityId, communityId), eq(timebankExchanges.id, exchangeId)));
  return exchange;
}

/** An exchange's sides: their accounts, minutes, names and whether the person is online. */
export async function partiesOfExchange(tx: CommunityTransaction, exchangeId: string) {
  const parties = await tx.execute<{
    account_id: string;
    side: 'giver' | 'receiver';
    minutes: number;
    name: string;
    person_record_id: string | null;
    kind: string;
    online: boolean;
  }>(sql`
    select p.account_id, p.side, p.minutes, coalesce(r.list_name, a.name) as name, a.person_record_id, a.kind, r.account_id is not null as online
    from timebank_exchange_parties p join timebank_accounts a on a.id = p.account_id left join ${recordsSeenSql('r')} on r.id = a.person_record_id
    where p.exchange_id = ${exchangeId} order by p.side, lower(coalesce(r.list_name, a.name))`);
  return parties.rows;
}

/** The ledger transfer an exchange (one to one or group) was posted as. */
export async function transferOfExchange(tx: CommunityTransaction, exchangeId: string) {
  const [transfer] = await tx
    .select({ id: timebankTransfers.id })
    .from(timebankTransfers)
    .where(and(eq(timebankTransfers.exchangeId, exchangeId), inArray(timebankTransfers.kind, ['exchange', 'group'])));
  return transfer;
}

/** The transfer that reversed this one, with its reason and when. */
export async function reversalOf(tx: CommunityTransaction, transferId: string) {
  return (
    await tx
      .select({ id: timebankTransfers.id, note: timebankTransfers.note, createdAt: timebankTransfers.createdAt })
      .from(timebankTransfers)
      .where(eq(timebankTransfers.reversesId, transferId))
  )[0];
}

export async function categoryName(tx: CommunityTransaction, categoryId: string) {
  const [category] = await tx
    .select({ name: timebankCategories.name })
    .from(timebankCategories)
    .where(eq(timebankCategories.id, categoryId));
  return category;
}

/** Disputes a pending exchange; nothing when it was not pending. */
export async function markDisputed(tx: CommunityTransaction, exchangeId: string, reason: string, actorId: string) {
  const [disputed] = await tx
    .update(timebankExchanges)
    .set({ status: 'disputed', disputeReason: reason, decidedBy: actorId, decidedAt: new Date() })
    .where(and(eq(timebankExchanges.id, exchangeId), eq(timebankExchanges.status, 'pending')))
    .returning();
  return disputed;
}

/** Cancels an exchange still pending or disputed; nothing when it was not. */
export async function markCancelled(tx: CommunityTransaction, exchangeId: string, actorId: string) {
  const [cancelled] = await tx
    .update(timebankExchanges)
    .set({ status: 'cancelled', decidedBy: actorId, decidedAt: new Date() })
    .where(and(eq(timebankExchanges.id, exchangeId), inArray(timebankExchanges.status, ['pending', 'disputed'])))
    .returning();
  return cancelled;
}

/** Pending exchanges that nobody disputed in time, across every community (as the owner). */
export function exchangesDue(owner: Database, today: string) {
  return owner
    .select({ id: timebankExchanges.id, communityId: timebankExchanges.communityId })
    .from(timebankExchanges)
    .where(and(eq(timebankExchanges.status, 'pending'), lte(timebankExchanges.confirmsOn, today)))
    .limit(5000);
}

/** A pending exchange that could not confirm by itself goes to a coordinator. */
export async function disputeUnconfirmable(tx: CommunityTransaction, exchangeId: string): Promise<void> {
  await tx
    .update(timebankExchanges)
    .set({
      status: 'disputed',
      disputeReason: 'Could not confirm by itself: a balance would go below the time bank’s limit.',
      decidedAt: new Date(),
    })
    .where(and(eq(timebankExchanges.id, exchangeId), eq(timebankExchanges.status, 'pending')));
}

export async function markReversed(tx: CommunityTransaction, exchangeId: string): Promise<void> {
  await tx.update(timebankExchanges).set({ reversedAt: new Date() }).where(eq(timebankExchanges.id, exchangeId));
}

/** Which exchanges a list shows: those waiting (pending or disputed, oldest first), or by status or all (newest first). */
export type ExchangeListing = 'pending' | 'disputed' | 'confirmed' | 'cancelled' | 'every';

/** Exchanges with their sides' names, one row each. */
export async function exchangeListRows(
  tx: CommunityTransaction,
  communityId: string,
  options: { personRecordId?: string; status?: ExchangeListing; limit: number },
  waiting: boolean,
) {
  const rows = await tx.execute<{
    id: string;
    status: string;
    occurred_on: string;
    minutes: number;
    giver: string;
    receiver: string;
    recorded_for: string | null;
    on_behalf: boolean;
    confirms_on: string | null;
    giver_record: string | null;
    receiver_record: string | null;
    is_group: boolean;
  }>(sql`
    select e.id, e.status, e.occurred_on::text, e.recorded_for, e.on_behalf, e.confirms_on::text, e.is_group,
      max(p.minutes) as minutes,
      string_agg(coalesce(r.list_name, a.name), ', ') filter (where p.side = 'giver') as giver,
      string_agg(coalesce(r.list_name, a.name), ', ') filter (where p.side = 'receiver') as receiver,
      max(a.person_record_id::text) filter (where p.side = 'giver') as giver_record,
      max(a.person_record_id::text) filter (where p.side = 'receiver') as receiver_record
    from timebank_exchanges e
    join timebank_exchange_parties p on p.exchange_id = e.id
    join timebank_accounts a on a.id = p.account_id
    left join ${recordsSeenSql('r')} on r.id = a.person_record_id
    where e.community_id = ${communityId}
      ${options.status === 'every' ? sql`` : sql`and e.status ${options.status ? sql`= ${options.status}` : sql`in ('pending', 'disputed')`}`}
      ${options.personRecordId ? sql`and exists (select 1 from timebank_exchange_parties q join timebank_accounts b on b.id = q.account_id where q.exchange_id = e.id and b.person_record_id = ${options.personRecordId})` : sql``}
    group by e.id
    order by ${waiting ? sql`e.created_at` : sql`e.occurred_on desc, e.created_at desc`}
    limit ${options.limit}`);
  return rows.rows;
}

/** Which exchange ids to read: a member's own (null: everyone's), of one status or any, after the cursor. */
export interface ExchangeIdQuery {
  personRecordId: string | null;
  status?: Exchange['status'];
  before?: { createdAt: string; id: string };
  limit: number;
}

/** Up to `limit + 1` exchange ids newest first, after the cursor. */
export async function exchangeIdRows(tx: CommunityTransaction, communityId: string, options: ExchangeIdQuery) {
  const rows = await tx.execute<{ id: string; created_at: string }>(sql`
    select e.id, e.created_at::text from timebank_exchanges e
    where e.community_id = ${communityId}
      ${options.status ? sql`and e.status = ${options.status}` : sql``}
      ${options.personRecordId ? sql`and exists (select 1 from timebank_exchange_parties p join timebank_accounts a on a.id = p.account_id where p.exchange_id = e.id and a.person_record_id = ${options.personRecordId})` : sql``}
      ${options.before ? sql`and (e.created_at, e.id) < (${options.before.createdAt}::timestamptz, ${options.before.id}::uuid)` : sql``}
    order by e.created_at desc, e.id desc
    limit ${options.limit + 1}`);
  return rows.rows;
}

/** Up to `limit + 1` of an account's movements, newest first, with what each was and who else took part. */
export async function statementRows(
  tx: CommunityTransaction,
  communityId: string,
  accountId: string,
  page: { before?: number; limit: number; from?: string; to?: string },
) {
  const conditions = [sql`m.account_id = ${accountId}`, sql`m.community_id = ${communityId}`];
  if (page.before !== undefined) conditions.push(sql`m.id < ${page.before}`);
  if (page.from) conditions.push(sql`m.occurred_on >= ${page.from}`);
  if (page.to) conditions.push(sql`m.occurred_on <= ${page.to}`);
  const rows = await tx.execute<{
    id: number;
    minutes: number;
    balance_after: number;
    occurred_on: string;
    kind: string;
    note: string;
    category: string | null;
    transfer_id: string;
    exchange_id: string | null;
    reverses_id: string | null;
    others: string | null;
    reversed: boolean;
  }>(sql`
    select m.id, m.minutes, m.balance_after, m.occurred_on::text, t.kind, t.note, c.name as category, t.id as transfer_id, t.exchange_id, t.reverses_id,
      (select string_agg(coalesce(r.list_name, case when a.kind = 'pot' then '' else a.name end), ', ' order by r.list_name)
         from timebank_movements o join timebank_accounts a on a.id = o.account_id left join ${recordsSeenSql('r')} on r.id = a.person_record_id
         where o.transfer_id = m.transfer_id and o.account_id <> m.account_id and a.kind <> 'pot' and (o.minutes > 0) <> (m.minutes > 0)) as others,
      exists (select 1 from timebank_transfers rv where rv.reverses_id = t.id) as reversed
    from timebank_movements m
    join timebank_transfers t on t.id = m.transfer_id
    left join timebank_categories c on c.id = t.category_id
    where ${sql.join(conditions, sql` and `)}
    order by m.id desc
    limit ${page.limit + 1}`);
  return rows.rows;
}

export async function transferOf(tx: CommunityTransaction, communityId: string, transferId: string) {
  const [original] = await tx
    .select()
    .from(timebankTransfers)
    .where(and(eq(timebankTransfers.communityId, communityId), eq(timebankTransfers.id, transferId)));
  return original;
}

/** The transfer that reversed this one, if any (its id). */
export async function reversingTransfer(tx: CommunityTransaction, transferId: string) {
  const [already] = await tx
    .select({ id: timebankTransfers.id })
    .from(timebankTransfers)
    .where(eq(timebankTransfers.reversesId, transferId));
  return already;
}

export function movementsOf(tx: CommunityTransaction, transferId: string) {
  return tx
    .select({ accountId: timebankMovements.accountId, minutes: timebankMovements.minutes })
    .from(timebankMovements)
    .where(eq(timebankMovements.transferId, transferId));
}
