// The benchmark's time bank is written in bulk, without the ledger: it must still be a state the
// ledger could have reached, and the generator refuses one it could not.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communities } from '../../src/platform/db/schema.ts';
import { checkAsTheLedgerWould, generateTimebankAtScale } from '../../src/demo/generate-timebank.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
let communityId: string;
beforeAll(async () => {
  database = await createTestDatabase();
  const [community] = await database.owner
    .insert(communities)
    .values({ slug: 'generated', name: 'Generated' })
    .returning({ id: communities.id });
  if (!community) throw new Error('no community');
  communityId = community.id;
  await generateTimebankAtScale(database.owner, { communityId, members: 300, exchanges: 4_000, firstAccountId: null });
});
afterAll(() => database.drop());

describe('a time bank generated at scale', () => {
  it('is what the ledger would have written: balanced transfers, no payment below the limit, balances from movements', async () => {
    const [counts] = (
      await database.owner.execute<{ exchanges: number; movements: number; balance: number }>(
        sql`select (select count(*) from timebank_exchanges where community_id = ${communityId})::int as exchanges,
          (select count(*) from timebank_movements where community_id = ${communityId})::int as movements,
          (select sum(balance) from timebank_accounts where community_id = ${communityId})::int as balance`,
      )
    ).rows;
    expect(counts?.exchanges).toBeGreaterThan(3_500);
    expect(counts?.movements).toBe(2 * (counts?.exchanges ?? 0));
    expect(counts?.balance).toBe(0);
    await expect(checkAsTheLedgerWould(database.owner, communityId)).resolves.toBeUndefined();
  });

  it('has the day totals the ledger and the nightly job would have kept', async () => {
    const totals = async () =>
      (
        await database.owner.execute<{
          day: string;
          category_id: string;
          neighbourhood: string;
          exchanges: number;
          minutes: number;
        }>(
          sql`select day::text, category_id, neighbourhood, sum(exchanges)::int as exchanges, sum(minutes)::int as minutes
            from timebank_day_totals where community_id = ${communityId} group by 1, 2, 3 order by 1, 2, 3`,
        )
      ).rows;
    const generated = await totals();
    const [counted] = (
      await database.owner.execute<{ days: number }>(
        sql`select count(*)::int as days from timebank_days_counted where community_id = ${communityId}`,
      )
    ).rows;
    expect(counted?.days).toBe(366);
    expect(generated.reduce((sum, row) => sum + row.exchanges, 0)).toBeGreaterThan(3_500);
    // Added up again from the exchanges, by the nightly job's own roll-up: the same.
    await database.owner.execute(
      sql`delete from timebank_day_totals where community_id = ${communityId} and day < (now() at time zone 'Europe/London')::date`,
    );
    await database.owner.execute(sql`delete from timebank_days_counted where community_id = ${communityId}`);
    const { countFinishedDays } = await import('../../src/modules/timebank/service.ts');
    await countFinishedDays(database.owner);
    expect(await totals()).toEqual(generated);
  });

  it('is refused when a transfer does not balance', async () => {
    await database.owner.transaction(async (tx) => {
      await tx.execute(sql`set local session_replication_role = replica`);
      await tx.execute(
        sql`update timebank_movements set minutes = minutes * 2 where id = (select id from timebank_movements where community_id = ${communityId} limit 1)`,
      );
    });
    await expect(checkAsTheLedgerWould(database.owner, communityId)).rejects.toThrow(/1 unbalanced transfers/);
  });
});
