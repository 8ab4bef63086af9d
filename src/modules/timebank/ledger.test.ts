import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AccountState, applyTransfer, netMovements } from './ledger.ts';

const minimum = -600;
const accounts = ['pot', 'a', 'b', 'c', 'd', 'e'];

/** Operations a time bank does, on account names; the model turns each into movements. */
const operation = fc.oneof(
  fc.record({
    kind: fc.constant('exchange' as const),
    giver: fc.constantFrom(...accounts.slice(1)),
    receiver: fc.constantFrom(...accounts.slice(1)),
    minutes: fc.integer({ min: 1, max: 1440 }),
  }),
  fc.record({
    kind: fc.constant('group' as const),
    givers: fc.uniqueArray(fc.constantFrom(...accounts.slice(1)), { minLength: 1, maxLength: 2 }),
    receivers: fc.uniqueArray(fc.constantFrom(...accounts.slice(1)), { minLength: 1, maxLength: 4 }),
    minutes: fc.integer({ min: 1, max: 600 }),
    potPays: fc.boolean(),
  }),
  fc.record({
    kind: fc.constant('grant' as const),
    to: fc.constantFrom(...accounts.slice(1)),
    minutes: fc.integer({ min: 1, max: 6000 }),
  }),
  fc.record({ kind: fc.constant('reversal' as const), which: fc.nat() }),
);

describe('the ledger', () => {
  it('over any sequence of exchanges, groups, grants and reversals: every transfer sums to zero, balances are the sum of movements, and no limit is broken', () => {
    fc.assert(
      fc.property(fc.array(operation, { maxLength: 60 }), (operations) => {
        const state = new Map<string, AccountState>(
          accounts.map((id) => [id, { id, kind: id === 'pot' ? 'pot' : 'member', balance: 0 }]),
        );
        const posted: { movements: { accountId: string; minutes: number }[]; reversed: boolean }[] = [];
        for (const op of operations) {
          let movements: { accountId: string; minutes: number }[];
          let reversing: (typeof posted)[number] | undefined;
          if (op.kind === 'exchange') {
            movements = [
              { accountId: op.giver, minutes: op.minutes },
              { accountId: op.receiver, minutes: -op.minutes },
            ];
          } else if (op.kind === 'group') {
            const receivers = op.receivers.filter((receiver) => !op.givers.includes(receiver));
            movements = [
              ...op.givers.map((giver) => ({ accountId: giver, minutes: op.minutes })),
              ...receivers.map((receiver) => ({ accountId: receiver, minutes: op.potPays ? 0 : -op.minutes })),
            ];
            movements.push({
              accountId: 'pot',
              minutes: -movements.reduce((sum, movement) => sum + movement.minutes, 0),
            });
          } else if (op.kind === 'grant') {
            movements = [
              { accountId: 'pot', minutes: -op.minutes },
              { accountId: op.to, minutes: op.minutes },
            ];
          } else {
            const open = posted.filter((transfer) => !transfer.reversed);
            reversing = open[op.which % Math.max(open.length, 1)];
            if (!reversing) continue;
            movements = reversing.movements.map((movement) => ({
              accountId: movement.accountId,
              minutes: -movement.minutes,
            }));
          }
          const result = applyTransfer(state, movements, minimum);
          if (!result.ok) {
            // Refused only for a real reason, and then nothing changes.
            expect(result.refusal.reason).toBe('below-limit');
            continue;
          }
          const net = netMovements(movements);
          expect(net.reduce((sum, movement) => sum + movement.minutes, 0)).toBe(0);
          for (const [id, balance] of result.after) state.set(id, { ...(state.get(id) as AccountState), balance });
          posted.push({ movements: net, reversed: false });
          if (reversing) reversing.reversed = true;
        }
        for (const [id, account] of state) {
          const moved = posted
            .flatMap((transfer) => transfer.movements)
            .filter((movement) => movement.accountId === id);
          expect(account.balance).toBe(moved.reduce((sum, movement) => sum + movement.minutes, 0));
          if (account.kind !== 'pot') expect(account.balance).toBeGreaterThanOrEqual(minimum);
        }
        expect([...state.values()].reduce((sum, account) => sum + account.balance, 0)).toBe(0);
      }),
      { numRuns: 300 },
    );
  });

  it('refuses a transfer that does not balance, or that takes a member below the limit, and lets one already below it receive', () => {
    const state = new Map<string, AccountState>([
      ['a', { id: 'a', kind: 'member', balance: -590 }],
      ['b', { id: 'b', kind: 'member', balance: 0 }],
      ['pot', { id: 'pot', kind: 'pot', balance: 0 }],
    ]);
    expect(applyTransfer(state, [{ accountId: 'a', minutes: 5 }], minimum)).toEqual({
      ok: false,
      refusal: { reason: 'unbalanced' },
    });
    expect(
      applyTransfer(
        state,
        [
          { accountId: 'b', minutes: 11 },
          { accountId: 'a', minutes: -11 },
        ],
        minimum,
      ),
    ).toEqual({ ok: false, refusal: { reason: 'below-limit', accountId: 'a', wouldBe: -601 } });
    const atLimit = applyTransfer(
      state,
      [
        { accountId: 'b', minutes: 10 },
        { accountId: 'a', minutes: -10 },
      ],
      minimum,
    );
    expect(atLimit.ok && atLimit.after.get('a')).toBe(-600);
    // The pot has no limit.
    expect(
      applyTransfer(
        state,
        [
          { accountId: 'pot', minutes: -100000 },
          { accountId: 'b', minutes: 100000 },
        ],
        minimum,
      ).ok,
    ).toBe(true);
    // Below a raised limit, an account still receives.
    expect(
      applyTransfer(
        state,
        [
          { accountId: 'a', minutes: 5 },
          { accountId: 'b', minutes: -5 },
        ],
        -100,
      ).ok,
    ).toBe(true);
    expect(
      applyTransfer(
        state,
        [
          { accountId: 'x', minutes: 5 },
          { accountId: 'b', minutes: -5 },
        ],
        minimum,
      ),
    ).toEqual({ ok: false, refusal: { reason: 'no-account', accountId: 'x' } });
  });
});
