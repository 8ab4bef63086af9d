// The time bank's ledger on PostgreSQL: exact under concurrency, refusing hostile input without
// writing, append-only, balanced at commit, reconciled every night.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { personRecords } from '../../src/modules/people/schema.ts';
import * as timebank from '../../src/modules/timebank/service.ts';
import { accounts } from '../../src/platform/db/schema.ts';
import { type CommunityTransaction, inCommunity } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const inAlpha = <T>(work: (tx: CommunityTransaction) => Promise<T>) =>
  inCommunity(given.test.database.app, { communityId: given.fixture.alpha.id, personId: null }, work);

/** A new onboarded time bank member of alpha, without an account. */
async function newMember(name: string): Promise<{ personId: string; accountId: string }> {
  return inAlpha(async (tx) => {
    const [record] = await tx
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: name })
      .returning({ id: personRecords.id });
    if (!record) throw new Error('no record');
    await timebank.joinTimebank(tx, {
      communityId: given.fixture.alpha.id,
      personRecordId: record.id,
      cameFrom: 'coordinator',
      actorId: null,
      onboarded: true,
    });
    const account = await timebank.accountOfPerson(tx, given.fixture.alpha.id, record.id);
    return { personId: record.id, accountId: account?.id ?? '' };
  });
}

async function ledgerCounts() {
  const [row] = await owner()
    .execute<{ exchanges: number; transfers: number; movements: number; parties: number }>(
      sql`select (select count(*)::int from timebank_exchanges) as exchanges, (select count(*)::int from timebank_transfers) as transfers, (select count(*)::int from timebank_movements) as movements, (select count(*)::int from timebank_exchange_parties) as parties`,
    )
    .then((result) => result.rows);
  return row;
}

async function balanceOf(accountId: string): Promise<number> {
  const [row] = await owner()
    .execute<{ balance: number }>(sql`select balance from timebank_accounts where id = ${accountId}`)
    .then((result) => result.rows);
  return row?.balance ?? Number.NaN;
}

async function ledgerIsExact() {
  const unbalanced = await owner().execute(
    sql`select transfer_id from timebank_movements group by transfer_id having sum(minutes) <> 0`,
  );
  expect(unbalanced.rows).toEqual([]);
  const drift = await owner().execute(
    sql`select a.id from timebank_accounts a left join timebank_movements m on m.account_id = a.id group by a.id having a.balance <> coalesce(sum(m.minutes), 0)`,
  );
  expect(drift.rows).toEqual([]);
  const settings = await owner().execute<{ community_id: string; minimum_balance: number }>(
    sql`select community_id, minimum_balance from timebanks`,
  );
  for (const bank of settings.rows) {
    const below = await owner().execute(
      sql`select id from timebank_accounts where community_id = ${bank.community_id} and kind <> 'pot' and balance < ${bank.minimum_balance}`,
    );
    expect(below.rows).toEqual([]);
  }
}

const today = () => new Date().toISOString().slice(0, 10);

/** Alpha's coordinator recording exchanges, as the time bank's pages do. */
async function asAlphaCoordinator() {
  const [coordinatorAccount] = await owner()
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, 'coordinator@alpha.test'));
  return {
    communityId: given.fixture.alpha.id,
    actor: { id: coordinatorAccount?.id ?? '', staff: true },
    actorRecordId: null,
    notifyConfigured: false,
    publicUrl: 'http://localhost',
    communitySlug: 'alpha',
  };
}

describe('the time bank ledger', () => {
  it('50 exchanges at once between the same two accounts leave it exact, and refuse exactly those past the limit', async () => {
    const giver = await newMember('Concurrent Giver');
    const receiver = await newMember('Concurrent Receiver');
    const coordinator = await tokenFor('coordinator@alpha.test');
    const answers = await Promise.all(
      Array.from({ length: 50 }, () =>
        call(
          coordinator,
          'POST',
          '/api/v1/communities/alpha/timebank/exchanges',
          {
            giver: giver.personId,
            receiver: receiver.personId,
            minutes: 30,
            occurredOn: today(),
            categoryId: given.fixture.alphaCategoryId,
            confirmNow: true,
          },
          { 'idempotency-key': randomUUID() },
        ),
      ),
    );
    const statuses = answers.map((answer) => answer.statusCode);
    // The limit is −10 hours: 20 half-hours reach it, the other 30 are refused.
    expect(statuses.filter((status) => status === 201)).toHaveLength(20);
    expect(statuses.filter((status) => status === 400)).toHaveLength(30);
    const refused = answers
      .find((answer) => answer.statusCode === 400)
      ?.json<{ errors: { field: string; message: string }[] }>();
    expect(refused?.errors[0]).toMatchObject({
      field: 'minutes',
      message: expect.stringContaining('below the lowest'),
    });
    expect(await balanceOf(giver.accountId)).toBe(600);
    expect(await balanceOf(receiver.accountId)).toBe(-600);
    const [movements] = await owner()
      .execute<{ count: number }>(
        sql`select count(*)::int as count from timebank_movements where account_id = ${receiver.accountId}`,
      )
      .then((result) => result.rows);
    expect(movements?.count).toBe(20);
    await ledgerIsExact();
  });

  it('hostile input answers 400 or 404 and writes nothing', async () => {
    const member = await tokenFor('member@alpha.test');
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId: me, alphaPersonId: ada, alphaCategoryId: categoryId } = given.fixture;
    const [betaPerson] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.beta.id, preferredName: 'Beta Person' })
      .returning({ id: personRecords.id });
    const before = await ledgerCounts();
    const base = { giver: me, receiver: ada, minutes: 60, occurredOn: today(), categoryId };
    const attempts: [string, Record<string, unknown>, number][] = [
      ['negative minutes', { ...base, minutes: -60 }, 400],
      ['zero minutes', { ...base, minutes: 0 }, 400],
      ['huge minutes', { ...base, minutes: 10 ** 9 }, 400],
      ['more than a day', { ...base, minutes: 1441 }, 400],
      ['fractional minutes', { ...base, minutes: 1.5 }, 400],
      ['minutes as text', { ...base, minutes: '60; drop table timebank_movements' }, 400],
      ['giving to yourself', { ...base, receiver: me }, 400],
      ['a date in the future', { ...base, occurredOn: '2999-01-01' }, 400],
      ['not a date', { ...base, occurredOn: '2026-02-30' }, 400],
      ['another community’s member', { ...base, receiver: betaPerson?.id }, 404],
      ['someone who is not in the time bank', { ...base, receiver: given.fixture.alphaOtherPersonId }, 404],
      ['another community’s category', { ...base, categoryId: randomUUID() }, 400],
      ['recording for two other people', { ...base, giver: ada, receiver: given.fixture.alphaOtherPersonId }, 400],
      ['confirming as you record, as a member', { ...base, confirmNow: true }, 400],
    ];
    for (const [what, body, status] of attempts) {
      const answer = await call(member, 'POST', '/api/v1/communities/alpha/timebank/exchanges', body, {
        'idempotency-key': randomUUID(),
      });
      expect(answer.statusCode, `${what}: ${answer.body}`).toBe(status);
      expect(answer.headers['content-type'], what).toContain('application/problem+json');
    }
    // Reversing an exchange that is not confirmed: 400; reversing nothing: 404; a group of one person twice: 400.
    expect(
      (
        await call(
          coordinator,
          'POST',
          `/api/v1/communities/alpha/timebank/exchanges/${given.fixture.alphaExchangeId}/reverse`,
          { reason: 'Mistake' },
        )
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/timebank/exchanges/${randomUUID()}/reverse`, {
          reason: 'Mistake',
        })
      ).statusCode,
    ).toBe(404);
    const [account] = await owner()
      .execute<{ id: string }>(sql`select id from timebank_accounts where person_record_id = ${me}`)
      .then((result) => result.rows);
    const twice = await call(
      coordinator,
      'POST',
      '/api/v1/communities/alpha/timebank/group-exchanges',
      {
        givers: [{ account: account?.id, minutes: 60 }],
        receivers: [{ account: account?.id, minutes: 60 }],
        occurredOn: today(),
        categoryId,
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(twice.statusCode).toBe(400);
    expect(
      (
        await call(
          coordinator,
          'POST',
          '/api/v1/communities/alpha/timebank/pot/grants',
          { account: account?.id, minutes: -5, note: 'x' },
          { 'idempotency-key': randomUUID() },
        )
      ).statusCode,
    ).toBe(400);
    // Another community's people cannot reach alpha's ledger at all.
    const beta = await tokenFor('member@beta.test');
    expect(
      (
        await call(beta, 'POST', '/api/v1/communities/alpha/timebank/exchanges', base, {
          'idempotency-key': randomUUID(),
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await call(beta, 'GET', `/api/v1/communities/alpha/timebank/exchanges/${given.fixture.alphaExchangeId}`))
        .statusCode,
    ).toBe(404);
    expect(await ledgerCounts()).toEqual(before);
  });

  it('the same Idempotency-Key twice records one exchange, at the same moment or later', async () => {
    const member = await tokenFor('member@alpha.test');
    const key = randomUUID();
    const body = {
      giver: given.fixture.alphaTimebankMemberId,
      receiver: given.fixture.alphaPersonId,
      minutes: 45,
      occurredOn: today(),
      categoryId: given.fixture.alphaCategoryId,
      note: 'Once only',
    };
    // At the same moment: one is recorded, the other is told it is still being handled (or gets the same answer).
    const together = await Promise.all([
      call(member, 'POST', '/api/v1/communities/alpha/timebank/exchanges', body, { 'idempotency-key': key }),
      call(member, 'POST', '/api/v1/communities/alpha/timebank/exchanges', body, { 'idempotency-key': key }),
    ]);
    expect(together.map((answer) => answer.statusCode).sort()).toEqual(expect.arrayContaining([201]));
    expect(together.every((answer) => answer.statusCode === 201 || answer.statusCode === 409)).toBe(true);
    const first = together.find((answer) => answer.statusCode === 201);
    // Later: the first answer again.
    const later = await call(member, 'POST', '/api/v1/communities/alpha/timebank/exchanges', body, {
      'idempotency-key': key,
    });
    expect(later.statusCode).toBe(201);
    expect(later.headers['idempotent-replayed']).toBe('true');
    expect(later.json<{ id: string }>().id).toBe(first?.json<{ id: string }>().id);
    const rows = await owner().execute(sql`select id from timebank_exchanges where note = 'Once only'`);
    expect(rows.rows).toHaveLength(1);
  });

  it('is append-only and balanced: the application cannot edit a movement or commit one that does not sum to zero', async () => {
    const someone = await newMember('Append Only');
    const denied = { cause: expect.objectContaining({ code: '42501' }) };
    await expect(
      inAlpha((tx) => tx.execute(sql`update timebank_movements set minutes = minutes + 1`)),
    ).rejects.toMatchObject(denied);
    await expect(inAlpha((tx) => tx.execute(sql`delete from timebank_transfers`))).rejects.toMatchObject(denied);
    await expect(
      inAlpha(async (tx) => {
        const transfer = await tx.execute<{ id: string }>(
          sql`insert into timebank_transfers (community_id, kind, occurred_on) values (${given.fixture.alpha.id}, 'grant', current_date) returning id`,
        );
        await tx.execute(
          sql`insert into timebank_movements (community_id, transfer_id, account_id, minutes, balance_after, occurred_on) values (${given.fixture.alpha.id}, ${transfer.rows[0]?.id}, ${someone.accountId}, 60, 60, current_date)`,
        );
      }),
    ).rejects.toMatchObject({
      cause: expect.objectContaining({ message: expect.stringContaining('does not balance') }),
    });
    expect(await balanceOf(someone.accountId)).toBe(0);
  });

  it('the nightly reconciliation reports a balance that differs from its movements', async () => {
    expect(await timebank.reconcileLedgers(owner())).toBe(0);
    const someone = await newMember('Drifting Balance');
    await owner().execute(sql`update timebank_accounts set balance = 5 where id = ${someone.accountId}`);
    const logged: unknown[] = [];
    expect(await timebank.reconcileLedgers(owner(), (_message, detail) => logged.push(detail))).toBe(1);
    expect(logged).toHaveLength(1);
    const [last] = await owner()
      .execute<{ differences: { accountId: string; balance: number; movements: number }[] }>(
        sql`select differences from timebank_reconciliations where community_id = ${given.fixture.alpha.id} order by ran_at desc limit 1`,
      )
      .then((result) => result.rows);
    expect(last?.differences).toEqual([{ accountId: someone.accountId, balance: 5, movements: 0 }]);
    await owner().execute(sql`update timebank_accounts set balance = 0 where id = ${someone.accountId}`);
  });

  it('exchanges nobody answered confirm themselves after the community’s days; one the ledger refuses goes to a coordinator', async () => {
    const giver = await newMember('Waiting Giver');
    const receiver = await newMember('Waiting Receiver');
    const context = await asAlphaCoordinator();
    const first = await inAlpha((tx) =>
      timebank.recordExchange(tx, context, {
        giver: giver.personId,
        receiver: receiver.personId,
        minutes: 300,
        occurredOn: today(),
        categoryId: given.fixture.alphaCategoryId,
        note: '',
        confirmNow: false,
      }),
    );
    const second = await inAlpha((tx) =>
      timebank.recordExchange(tx, context, {
        giver: giver.personId,
        receiver: receiver.personId,
        minutes: 400,
        occurredOn: today(),
        categoryId: given.fixture.alphaCategoryId,
        note: '',
        confirmNow: false,
      }),
    );
    expect(first.status).toBe('pending');
    // Not yet due: nothing happens.
    await timebank.confirmWaitingExchanges(owner());
    expect(await balanceOf(receiver.accountId)).toBe(0);
    await owner().execute(
      sql`update timebank_exchanges set confirms_on = current_date - 1 where id in (${first.id}, ${second.id})`,
    );
    const result = await timebank.confirmWaitingExchanges(owner());
    expect(result).toMatchObject({ confirmed: 1, refused: 1 });
    expect(await balanceOf(receiver.accountId)).toBe(-300);
    const statuses = await owner().execute<{ id: string; status: string }>(
      sql`select id, status from timebank_exchanges where id in (${first.id}, ${second.id}) order by created_at`,
    );
    expect(statuses.rows.map((row) => row.status)).toEqual(['confirmed', 'disputed']);
    await ledgerIsExact();
  });

  it('confirming changes an exchange only in the community it is asked in, even for a caller past row-level security', async () => {
    const giver = await newMember('Elsewhere Giver');
    const receiver = await newMember('Elsewhere Receiver');
    const context = await asAlphaCoordinator();
    const recorded = await inAlpha((tx) =>
      timebank.recordExchange(tx, context, {
        giver: giver.personId,
        receiver: receiver.personId,
        minutes: 60,
        occurredOn: today(),
        categoryId: given.fixture.alphaCategoryId,
        note: '',
        confirmNow: false,
      }),
    );
    // Another community with a time bank of its own; the owner (a job, a repair) passes it by mistake.
    const made = await owner().execute(
      sql`insert into timebanks (community_id) values (${given.fixture.beta.id}) on conflict do nothing returning community_id`,
    );
    try {
      const before = await ledgerCounts();
      const refusal = await owner()
        .execute(
          sql`select * from timebank_confirm_exchange(${given.fixture.beta.id}::uuid, ${recorded.id}::uuid, ${context.actor.id}::uuid, null, true, false, ${today()}::date)`,
        )
        .then(
          () => 'confirmed',
          (error: { cause?: { code?: string; message?: string } }) => `${error.cause?.code} ${error.cause?.message}`,
        );
      expect(refusal).toBe('TB000 not-found');
      const [still] = (
        await owner().execute<{ status: string }>(sql`select status from timebank_exchanges where id = ${recorded.id}`)
      ).rows;
      expect(still?.status).toBe('pending');
      expect(await ledgerCounts()).toEqual(before);
    } finally {
      if (made.rows.length > 0)
        await owner().execute(sql`delete from timebanks where community_id = ${given.fixture.beta.id}`);
    }
  });

  it('over any sequence of exchanges, groups, grants and reversals on PostgreSQL, transfers balance, balances are their movements, and no limit is broken', async () => {
    const members = [await newMember('Property A'), await newMember('Property B'), await newMember('Property C')];
    const context = await asAlphaCoordinator();
    const who = fc.integer({ min: 0, max: members.length - 1 });
    const step = fc.oneof(
      fc.record({
        kind: fc.constant('exchange' as const),
        giver: who,
        receiver: who,
        minutes: fc.integer({ min: 1, max: 900 }),
      }),
      fc.record({
        kind: fc.constant('group' as const),
        giver: who,
        receivers: fc.uniqueArray(who, { minLength: 1, maxLength: 3 }),
        minutes: fc.integer({ min: 1, max: 300 }),
        potPays: fc.boolean(),
      }),
      fc.record({ kind: fc.constant('grant' as const), to: who, minutes: fc.integer({ min: 1, max: 600 }) }),
      fc.record({ kind: fc.constant('reversal' as const), which: fc.nat() }),
    );
    const reversible: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 12 }), async (steps) => {
        for (const op of steps) {
          await inAlpha(async (tx) => {
            if (op.kind === 'exchange') {
              const giver = members[op.giver];
              const receiver = members[op.receiver];
              if (!giver || !receiver || giver === receiver) return;
              const exchange = await timebank.recordExchange(tx, context, {
                giver: giver.personId,
                receiver: receiver.personId,
                minutes: op.minutes,
                occurredOn: today(),
                categoryId: given.fixture.alphaCategoryId,
                note: '',
                confirmNow: true,
              });
              reversible.push(exchange.id);
            } else if (op.kind === 'group') {
              const giver = members[op.giver];
              const receivers = op.receivers.filter((index) => index !== op.giver).map((index) => members[index]);
              if (!giver || receivers.length === 0) return;
              const exchange = await timebank.recordGroupExchange(tx, context, {
                givers: [{ account: giver.accountId, minutes: op.minutes }],
                receivers: receivers.map((receiver) => ({ account: receiver?.accountId ?? '', minutes: op.minutes })),
                potPaysReceivers: op.potPays,
                occurredOn: today(),
                categoryId: given.fixture.alphaCategoryId,
                note: '',
              });
              reversible.push(exchange.id);
            } else if (op.kind === 'grant') {
              await timebank.movePotTime(tx, context, 'grant', {
                account: members[op.to]?.accountId ?? '',
                minutes: op.minutes,
                note: 'Property grant',
              });
            } else {
              const id = reversible.splice(op.which % Math.max(reversible.length, 1), 1)[0];
              if (id) await timebank.reverseExchange(tx, context, id, { reason: 'Property reversal' });
            }
          }).catch((error: { code?: string }) => {
            // The only refusal allowed is the credit limit, and it writes nothing.
            if (error.code !== 'timebank-below-limit') throw error;
          });
        }
        await ledgerIsExact();
      }),
      { numRuns: 15 },
    );
  });
});
