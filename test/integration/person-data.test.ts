// Every column in the database that points at a person (a record or an account) must be declared
// in a module.ts (or, for the platform's own tables, src/platform/person-data.ts): what "download my data" shows from it, what merging and erasure do.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getTableColumns } from 'drizzle-orm';
import { personDataSources } from '../../src/app.ts';
import { onErasure } from '../../src/modules/people/store.ts';
import { personRecords } from '../../src/modules/people/schema.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';

let database: TestDatabase;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.drop());

describe('what is held about a person', () => {
  it('every column that points at a person is declared, and every declaration names a real column', async () => {
    const result = await database.owner.execute<{ table: string; column: string; points: string }>(sql`
      select source.relname as table, attribute.attname as column, target.relname as points
      from pg_constraint constraint_
      join pg_class source on source.oid = constraint_.conrelid
      join pg_class target on target.oid = constraint_.confrelid
      join pg_attribute attribute on attribute.attrelid = constraint_.conrelid and attribute.attnum = any(constraint_.conkey)
      where constraint_.contype = 'f' and target.relname in ('people', 'person_records')`);
    const inDatabase = result.rows
      .map((row) => `${row.table}.${row.column} → ${row.points === 'people' ? 'account' : 'record'}`)
      .sort();
    expect(inDatabase.length).toBeGreaterThan(10);
    const declared = new Set(personDataSources.map((source) => `${source.table}.${source.column} → ${source.points}`));
    expect(inDatabase.filter((column) => !declared.has(column))).toEqual([]);

    // Merging: every column that points at a record says what a merge does with it.
    const unsaid = inDatabase
      .filter((column) => column.endsWith('→ record'))
      .filter(
        (column) =>
          !personDataSources.some(
            (source) => `${source.table}.${source.column} → ${source.points}` === column && source.merge !== undefined,
          ),
      );
    expect(unsaid).toEqual([]);
    // No column keeps rows on the record that goes.
    const kept = personDataSources
      .filter(
        (source) =>
          typeof source.merge === 'object' && inDatabase.includes(`${source.table}.${source.column} → record`),
      )
      .map((source) => `${source.table}.${source.column}`);
    expect(kept).toEqual([]);

    // A table reached in one step from a person's rows (a caseload entry's notes, an episode's goals) is declared too.
    const personTables = new Set(result.rows.map((row) => row.table));
    const links = await database.owner.execute<{ table: string; points: string }>(sql`
      select source.relname as table, target.relname as points
      from pg_constraint constraint_
      join pg_class source on source.oid = constraint_.conrelid
      join pg_class target on target.oid = constraint_.confrelid
      where constraint_.contype = 'f' and source.relnamespace = 'public'::regnamespace`);
    const declaredTables = new Set(personDataSources.map((source) => source.table));
    const reached = links.rows
      .filter(
        (link) =>
          personTables.has(link.points) &&
          !['people', 'person_records'].includes(link.points) &&
          link.table !== link.points,
      )
      .map((link) => `${link.table} (through ${link.points})`);
    expect(reached.filter((table) => !declaredTables.has(table.split(' ')[0] ?? ''))).toEqual([]);

    const columns = await database.owner.execute<{ name: string }>(
      sql`select table_name || '.' || column_name as name from information_schema.columns where table_schema = 'public'`,
    );
    const real = new Set(columns.rows.map((row) => row.name));
    expect(
      personDataSources.map((source) => `${source.table}.${source.column}`).filter((name) => !real.has(name)),
    ).toEqual([]);
  });

  it('every column of a person’s record says whether erasure blanks it or keeps it, and why', async () => {
    const result = await database.owner.execute<{ column: string }>(
      sql`select column_name as column from information_schema.columns where table_name = 'person_records' order by ordinal_position`,
    );
    const decided = new Set(
      Object.keys(onErasure).map((key) => getTableColumns(personRecords)[key as keyof typeof onErasure]?.name),
    );
    const inDatabase = result.rows.map((row) => row.column);
    expect(inDatabase.length).toBeGreaterThan(30);
    expect(inDatabase.filter((column) => !decided.has(column))).toEqual([]);
    expect([...decided].filter((column) => !inDatabase.includes(column ?? ''))).toEqual([]);
    // A column kept says why, in words.
    for (const decision of Object.values(onErasure))
      if ('keep' in decision) expect(decision.keep.length).toBeGreaterThan(10);
  });
});
