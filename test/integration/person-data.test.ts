// Every column in the database that points at a person (a record or an account) must be declared
// in src/person-data.ts: what "download my data" shows from it, what merging and erasure do.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { personDataSources } from '../../src/person-data.ts';
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
    const inDatabase = result.rows.map((row) => `${row.table}.${row.column} → ${row.points === 'people' ? 'account' : 'record'}`).sort();
    expect(inDatabase.length).toBeGreaterThan(10);
    const declared = new Set(personDataSources.map((source) => `${source.table}.${source.column} → ${source.points}`));
    expect(inDatabase.filter((column) => !declared.has(column))).toEqual([]);

    const columns = await database.owner.execute<{ name: string }>(sql`select table_name || '.' || column_name as name from information_schema.columns where table_schema = 'public'`);
    const real = new Set(columns.rows.map((row) => row.name));
    expect(personDataSources.map((source) => `${source.table}.${source.column}`).filter((name) => !real.has(name))).toEqual([]);
  });
});
