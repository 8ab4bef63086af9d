// Merging two records of one person: everything that points at the record that goes moves to
// the one that stays, and where both had the same thing (a group, a meeting, a caseload, a
// time bank account) the person has it once.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';
import { personEverywhere } from '../support/everywhere.ts';

const given = useFixtureApp({ LOG_LEVEL: 'error' });
const { tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const rows = async <T extends Record<string, unknown>>(query: ReturnType<typeof sql>) =>
  (await owner().execute<T>(query)).rows;

describe('merging two records', () => {
  it('moves every row that points at the record that goes, in every module, keeping one of each thing both had', async () => {
    const kept = await personEverywhere(owner(), given.fixture, 'Bea Twice', 'Quillfeather');
    const gone = await personEverywhere(owner(), given.fixture, 'Bea Twice', 'Marrowdale');
    const coordinator = await tokenFor('coordinator@alpha.test');
    // The record that goes is on a review meeting's agenda, under the name it sorts by there.
    await owner().execute(sql`update person_records set preferred_name = 'Bea Kept' where id = ${kept}`);
    const meeting = await call(coordinator, 'POST', '/api/v1/communities/alpha/review-meetings', {
      heldOn: new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10),
    });
    const [goneEntry] = await rows<{ id: string }>(
      sql`select id from caseload_entries where person_record_id = ${gone}`,
    );
    const meetingId = meeting.json<{ id: string }>().id;
    await call(coordinator, 'POST', `/api/v1/communities/alpha/review-meetings/${meetingId}/agenda`, {
      entryId: goneEntry?.id,
    });
    // Only the record that goes is on this agenda, so its item moves to the entry that stays.
    await owner().execute(
      sql`delete from review_items i using caseload_entries e where e.id = i.entry_id and e.person_record_id = ${kept} and i.meeting_id = ${meetingId}`,
    );
    expect(
      await rows<{ sort_name: string }>(
        sql`select sort_name from review_items where meeting_id = ${meetingId} and entry_id = ${goneEntry?.id}`,
      ),
    ).toEqual([{ sort_name: 'bea twice' }]);
    const merged = await call(coordinator, 'POST', `/api/v1/communities/alpha/people/${kept}/merge`, { from: gone });
    expect(merged.statusCode).toBe(200);
    // Its agenda items now sort by the name of the record that stays.
    const sorted = await rows<{ sort_name: string }>(
      sql`select i.sort_name from review_items i join caseload_entries e on e.id = i.entry_id where e.person_record_id = ${kept}`,
    );
    expect(sorted.length).toBeGreaterThan(0);
    expect(new Set(sorted.map((row) => row.sort_name))).toEqual(new Set(['bea kept']));

    // Nothing in the database points at the record that went, but the record itself (marked merged).
    const pointers = await rows<{ table: string; column: string }>(sql`
      select source.relname as table, attribute.attname as column
      from pg_constraint constraint_
      join pg_class source on source.oid = constraint_.conrelid
      join pg_class target on target.oid = constraint_.confrelid
      join pg_attribute attribute on attribute.attrelid = constraint_.conrelid and attribute.attnum = any(constraint_.conkey)
      where constraint_.contype = 'f' and target.relname = 'person_records'`);
    expect(pointers.length).toBeGreaterThan(30);
    const left: string[] = [];
    for (const pointer of pointers) {
      const [found] = await rows<{ count: number }>(
        sql`select count(*)::int as count from ${sql.identifier(pointer.table)} where ${sql.identifier(pointer.column)} = ${gone}`,
      );
      if (found?.count) left.push(`${pointer.table}.${pointer.column}: ${found.count}`);
    }
    expect(left).toEqual([]);
    expect(
      (
        await rows<{ status: string; merged_into_id: string }>(
          sql`select status, merged_into_id from person_records where id = ${gone}`,
        )
      )[0],
    ).toEqual({ status: 'merged', merged_into_id: kept });

    // What both had, the person has once; what each wrote is kept.
    const count = async (query: ReturnType<typeof sql>) => (await rows<{ count: number }>(query))[0]?.count;
    expect(
      await count(
        sql`select count(*)::int as count from peer_network_members where person_record_id = ${kept} and active`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as count from peer_attendance where person_record_id = ${kept} and meeting_id = ${given.fixture.alphaMeetingId}`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as count from caseload_entries where person_record_id = ${kept} and closed_at is null`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as count from caseload_contacts c join caseload_entries e on e.id = c.entry_id where e.person_record_id = ${kept} and e.closed_at is null`,
      ),
    ).toBe(2);
    expect(
      await count(
        sql`select count(*)::int as count from review_items i join caseload_entries e on e.id = i.entry_id where e.person_record_id = ${kept} and i.meeting_id = ${given.fixture.alphaReviewMeetingId}`,
      ),
    ).toBe(1);
    const [item] = await rows<{ discussion: string }>(
      sql`select i.discussion from review_items i join caseload_entries e on e.id = i.entry_id where e.person_record_id = ${kept} and e.closed_at is null`,
    );
    expect(item?.discussion).toContain('Quillfeather');
    expect(item?.discussion).toContain('Marrowdale');
    const [plan] = await rows<{ what_helps: string }>(
      sql`select what_helps from crisis_plans where person_record_id = ${kept}`,
    );
    expect(plan?.what_helps).toContain('Quillfeather likes tea');
    expect(plan?.what_helps).toContain('Marrowdale likes tea');
    expect(
      await count(
        sql`select count(*)::int as count from support_episodes where person_record_id = ${kept} and status = 'active'`,
      ),
    ).toBe(1);
    expect(
      await count(
        sql`select count(*)::int as count from episode_contacts c join support_episodes e on e.id = c.episode_id where e.person_record_id = ${kept} and e.status = 'active'`,
      ),
    ).toBe(2);
    // One open time bank account with both balances (30 minutes received under each), the other’s history still on the ledger.
    const accounts = await rows<{ balance: number; closed: boolean }>(
      sql`select balance, closed_at is not null as closed from timebank_accounts where person_record_id = ${kept} order by closed_at nulls first`,
    );
    expect(accounts).toEqual([
      { balance: -60, closed: false },
      { balance: 0, closed: true },
    ]);
    expect(await count(sql`select count(*)::int as count from timebank_members where person_record_id = ${kept}`)).toBe(
      1,
    );
    expect(
      await count(
        sql`select count(*)::int as count from timebank_responses where person_record_id = ${kept} and post_id = ${given.fixture.alphaPostId}`,
      ),
    ).toBe(1);
    const [ledger] = await rows<{ total: number }>(
      sql`select coalesce(sum(minutes), 0)::int as total from timebank_movements where community_id = ${given.fixture.alpha.id}`,
    );
    expect(ledger?.total).toBe(0);
  });
});
