// Erasure reaches everything written about a person: after someone with a distinctive word in
// every field is forgotten through the pages, a dump of every table in the database holds the
// word nowhere, while the exchanges, their minutes and the ledger stay whole.
import { sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';
import { personEverywhere } from '../support/everywhere.ts';

const given = useFixtureApp();
const { signedIn } = callers(() => given.test.app);
const owner = () => given.test.database.owner;

/** Every row of every table of ours (and the job queue's), as text: what a dump would hold. */
async function dumpOfEverything(): Promise<string> {
  const tables = (
    await owner().execute<{ schema: string; name: string }>(
      sql`select schemaname as schema, tablename as name from pg_tables where schemaname not in ('pg_catalog', 'information_schema')`,
    )
  ).rows;
  const parts: string[] = [];
  for (const table of tables) {
    const result = await owner().execute<{ row: string }>(
      sql`select t::text as row from ${sql.identifier(table.schema)}.${sql.identifier(table.name)} t`,
    );
    for (const row of result.rows) parts.push(`${table.schema}.${table.name}: ${row.row}`);
  }
  return parts.join('\n');
}

describe('erasure', () => {
  it('leaves no word of what was written about the person anywhere in the database, and keeps the ledger whole', async () => {
    const word = 'Zanzibarnacle';
    const personId = await personEverywhere(owner(), given.fixture, 'Ottilie Zanzibarnacle', word);
    // The person said something in their own words through the pages too: a note on their record's contact section.
    const coordinator = await signedIn('coordinator@alpha.test');
    const contact = await coordinator.submit(
      `/c/alpha/people/${personId}/edit/contact`,
      `/c/alpha/people/${personId}/edit/contact`,
      {
        email: 'ottilie.zanzibarnacle@example.net',
        phone: '07700 900777',
        address: `1 ${word} Street`,
        postcode: 'SW2 1AA',
        contactMethod: 'phone',
        contactTimes: `Mornings, ask for ${word}`,
      },
    );
    expect(contact.statusCode).toBe(303);
    const before = await dumpOfEverything();
    expect(before.split(word).length).toBeGreaterThan(30);
    const ledgerBefore = (
      await owner().execute<{ movements: number; total: number }>(
        sql`select count(*)::int as movements, coalesce(sum(minutes), 0)::int as total from timebank_movements`,
      )
    ).rows[0];
    const exchangesBefore = (
      await owner().execute<{ count: number; minutes: number }>(
        sql`select count(*)::int as count, coalesce(sum(p.minutes), 0)::int as minutes from timebank_exchanges e join timebank_exchange_parties p on p.exchange_id = e.id`,
      )
    ).rows[0];

    // A coordinator asks on their behalf; an admin approves.
    const asked = await coordinator.submit(`/c/alpha/people/${personId}/erase`, `/c/alpha/people/${personId}/erase`, {
      reason: 'Asked by phone',
    });
    expect(asked.statusCode).toBe(303);
    const [request] = (
      await owner().execute<{ id: string }>(
        sql`select id from erasure_requests where person_record_id = ${personId} and status = 'requested'`,
      )
    ).rows;
    const admin = await signedIn('admin@alpha.test');
    const approved = await admin.submit(
      `/c/alpha/erasure-requests/${request?.id}`,
      `/c/alpha/erasure-requests/${request?.id}/approve`,
      { note: '' },
    );
    expect(approved.statusCode).toBe(303);

    const after = await dumpOfEverything();
    const lines = after.split('\n').filter((line) => line.toLowerCase().includes(word.toLowerCase()));
    expect(lines).toEqual([]);
    // The exchange, its minutes and the ledger are whole.
    expect(
      (
        await owner().execute(
          sql`select count(*)::int as movements, coalesce(sum(minutes), 0)::int as total from timebank_movements`,
        )
      ).rows[0],
    ).toEqual(ledgerBefore);
    expect(
      (
        await owner().execute(
          sql`select count(*)::int as count, coalesce(sum(p.minutes), 0)::int as minutes from timebank_exchanges e join timebank_exchange_parties p on p.exchange_id = e.id`,
        )
      ).rows[0],
    ).toEqual(exchangesBefore);
  });
});
