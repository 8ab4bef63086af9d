// The time bank's ledger: double-entry and append-only. Every transfer's movements sum to zero
// (checked here, and again by a trigger when the transaction commits); balances are kept in
// step in the same transaction, with the accounts locked in one order so that concurrent
// transfers on the same account wait for each other instead of losing a movement.
import { DomainError } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import {
  balancesAndMovements,
  insertMovements,
  insertTransfer,
  lockOpenAccounts,
  setBalances,
} from './ledger-store.ts';
import type { AccountKind, TransferKind } from './schema.ts';

export interface Movement {
  accountId: string;
  minutes: number;
}

export interface AccountState {
  id: string;
  kind: AccountKind;
  balance: number;
}

export type Refusal =
  | { reason: 'unbalanced' }
  | { reason: 'below-limit'; accountId: string; wouldBe: number }
  | { reason: 'no-account'; accountId: string };

/** Movements on the same account in one transfer become one; movements of nothing go. */
export function netMovements(movements: readonly Movement[]): Movement[] {
  const net = new Map<string, number>();
  for (const movement of movements) net.set(movement.accountId, (net.get(movement.accountId) ?? 0) + movement.minutes);
  return [...net].filter(([, minutes]) => minutes !== 0).map(([accountId, minutes]) => ({ accountId, minutes }));
}

/**
 * The balances after a transfer, or why it cannot happen. Only the pot may go below the
 * community's minimum balance; an account already below it (the limit was raised) may still
 * receive time, but not pay.
 */
export function applyTransfer(
  accounts: ReadonlyMap<string, AccountState>,
  movements: readonly Movement[],
  minimumBalance: number,
): { ok: true; after: Map<string, number> } | { ok: false; refusal: Refusal } {
  const net = netMovements(movements);
  if (net.reduce((sum, movement) => sum + movement.minutes, 0) !== 0)
    return { ok: false, refusal: { reason: 'unbalanced' } };
  const after = new Map<string, number>();
  for (const movement of net) {
    const account = accounts.get(movement.accountId);
    if (!account) return { ok: false, refusal: { reason: 'no-account', accountId: movement.accountId } };
    const wouldBe = account.balance + movement.minutes;
    if (movement.minutes < 0 && account.kind !== 'pot' && wouldBe < minimumBalance)
      return { ok: false, refusal: { reason: 'below-limit', accountId: movement.accountId, wouldBe } };
    after.set(movement.accountId, wouldBe);
  }
  return { ok: true, after };
}

export interface TransferPlan {
  communityId: string;
  kind: TransferKind;
  occurredOn: string;
  movements: readonly Movement[];
  minimumBalance: number;
  exchangeId?: string | null;
  reversesId?: string | null;
  categoryId?: string | null;
  note?: string;
  recordedBy: string | null;
}

export const belowLimit = (accountId: string, wouldBe: number, minimumBalance: number) =>
  new DomainError('timebank-below-limit', 400, [{ field: 'minutes', code: 'errors.timebank.belowLimit' }], {
    accountId,
    wouldBe,
    minimumBalance,
  });

/** Locks the accounts (in id order, so two transfers never wait on each other in a circle) and reads their balances. Closed accounts are not there. */
export async function lockAccounts(
  tx: CommunityTransaction,
  accountIds: readonly string[],
): Promise<Map<string, AccountState>> {
  const ids = [...new Set(accountIds)].sort();
  if (ids.length === 0) return new Map();
  const rows = await lockOpenAccounts(tx, ids);
  return new Map(rows.map((row) => [row.id, row]));
}

/** Writes a transfer and its movements and moves the balances, or refuses and writes nothing. */
export async function postTransfer(
  tx: CommunityTransaction,
  plan: TransferPlan,
): Promise<{ id: string; movements: (Movement & { balanceAfter: number })[] }> {
  const net = netMovements(plan.movements);
  const accounts = await lockAccounts(
    tx,
    net.map((movement) => movement.accountId),
  );
  const result = applyTransfer(accounts, net, plan.minimumBalance);
  if (!result.ok) {
    if (result.refusal.reason === 'below-limit')
      throw belowLimit(result.refusal.accountId, result.refusal.wouldBe, plan.minimumBalance);
    if (result.refusal.reason === 'no-account') throw new DomainError('not-found', 404);
    throw new Error('a transfer whose movements do not sum to zero');
  }
  const transfer = await insertTransfer(tx, {
    communityId: plan.communityId,
    kind: plan.kind,
    occurredOn: plan.occurredOn,
    exchangeId: plan.exchangeId ?? null,
    reversesId: plan.reversesId ?? null,
    categoryId: plan.categoryId ?? null,
    note: plan.note ?? '',
    recordedBy: plan.recordedBy,
  });
  if (!transfer) throw new Error('transfer insert returned nothing');
  const movements = net.map((movement) => ({ ...movement, balanceAfter: result.after.get(movement.accountId) ?? 0 }));
  if (movements.length > 0) {
    await insertMovements(
      tx,
      movements.map((movement) => ({
        communityId: plan.communityId,
        transferId: transfer.id,
        accountId: movement.accountId,
        minutes: movement.minutes,
        balanceAfter: movement.balanceAfter,
        occurredOn: plan.occurredOn,
      })),
    );
    // One statement for every balance; an exchange also marks the day its accounts last took part (reports: who is active).
    const exchanged = plan.kind === 'exchange' || plan.kind === 'group';
    await setBalances(tx, movements, exchanged, plan.occurredOn);
  }
  return { id: transfer.id, movements };
}

/** Every account whose kept balance is not the sum of its movements (there should be none). */
export async function unreconciled(
  tx: CommunityTransaction,
  communityId: string,
): Promise<{ checked: number; differences: { accountId: string; balance: number; movements: number }[] }> {
  const rows = await balancesAndMovements(tx, communityId);
  const differences = rows
    .filter((row) => row.balance !== row.movements)
    .map((row) => ({ accountId: row.account_id, balance: row.balance, movements: row.movements }));
  return { checked: rows.length, differences };
}
