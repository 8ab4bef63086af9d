// The ledger's queries: locking accounts, writing transfers and movements, moving balances.
import { and, inArray, isNull, sql } from 'drizzle-orm';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { type TransferKind, timebankAccounts, timebankMovements, timebankTransfers } from './schema.ts';

/** Locks the open accounts among these ids (already sorted: the lock order) and reads their kinds and balances. */
export function lockOpenAccounts(tx: CommunityTransaction, ids: string[]) {
  return (
    tx
      .select({ id: timebankAccounts.id, kind: timebankAccounts.kind, balance: timebankAccounts.balance })
      .from(timebankAccounts)
      .where(and(inArray(timebankAccounts.id, ids), isNull(timebankAccounts.closedAt)))
      .orderBy(timebankAccounts.id)
      // Not FOR UPDATE: rows pointing at an account (an exchange's parties) hold a key-share lock
      // on it, and FOR UPDATE would wait on those in a circle.
      .for('no key update')
  );
}

export async function insertTransfer(
  tx: CommunityTransaction,
  values: {
    communityId: string;
    kind: TransferKind;
    occurredOn: string;
    exchangeId: string | null;
    reversesId: string | null;
    categoryId: string | null;
    note: string;
    recordedBy: string | null;
  },
) {
  const [transfer] = await tx.insert(timebankTransfers).values(values).returning({ id: timebankTransfers.id });
  return transfer;
}

export async function insertMovements(
  tx: CommunityTransaction,
  movements: {
    communityId: string;
    transferId: string;
    accountId: string;
    minutes: number;
    balanceAfter: number;
    occurredOn: string;
  }[],
): Promise<void> {
  await tx.insert(timebankMovements).values(movements);
}

/** One statement for every balance; an exchange also marks the day its accounts last took part (reports: who is active). */
export async function setBalances(
  tx: CommunityTransaction,
  movements: readonly { accountId: string; balanceAfter: number }[],
  exchanged: boolean,
  occurredOn: string,
): Promise<void> {
  const pairs = sql.join(
    movements.map((movement) => sql`(${movement.accountId}::uuid, ${movement.balanceAfter}::int)`),
    sql`, `,
  );
  await tx.execute(sql`update timebank_accounts set balance = moved.balance,
        last_exchanged_on = case when ${exchanged} and kind <> 'pot' then greatest(coalesce(last_exchanged_on, ${occurredOn}::date), ${occurredOn}::date) else last_exchanged_on end
      from (values ${pairs}) as moved(id, balance) where timebank_accounts.id = moved.id`);
}

/** Each account of the community: its kept balance and the sum of its movements. */
export async function balancesAndMovements(tx: CommunityTransaction, communityId: string) {
  // Every movement, once, added up per account in memory: with the default 4 MB the planner walks
  // millions of movements through an index in account order instead (minutes against seconds).
  await tx.execute(sql`set local work_mem = '64MB'`);
  const rows = await tx.execute<{ account_id: string; balance: number; movements: number }>(sql`
    select a.id as account_id, a.balance, coalesce(m.total, 0)::int as movements
    from timebank_accounts a
    left join (select account_id, sum(minutes) as total from timebank_movements where community_id = ${communityId} group by account_id) m on m.account_id = a.id
    where a.community_id = ${communityId}`);
  return rows.rows;
}
