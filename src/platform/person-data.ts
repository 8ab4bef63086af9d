// Every table column that points at a person, said once, by the module that owns the table:
// what "download my data" shows from it, what a merge does with it, and what erasure does.
// A test lists every such column in the database and fails when one is not declared here.
import { sql } from 'drizzle-orm';
import type { CommunityTransaction } from './tenancy.ts';

export interface PersonDataSource {
  /** The table, as named in SQL. */
  table: string;
  /** Its column that holds the id of a person: their record in a community, or their account. */
  column: string;
  points: 'record' | 'account';
  /**
   * `rows`: the rows are about the person and are in their download. Otherwise why not:
   * `actor` marks who did something to someone else's record (the person's own actions are in
   * the audit log section); anything else is a reason in words, for the reviewer.
   */
  download: 'rows' | { excluded: 'actor' | string };
  /** The rows, when they point at the person through another table (a referral's contact attempts). */
  rows?: (tx: CommunityTransaction, ids: { record: string; account: string | null }) => Promise<Record<string, unknown>[]>;
  /**
   * Rows no one community holds (the account itself, its tokens): in the person's own download
   * only, never in one a coordinator makes for them.
   */
  acrossCommunities?: true;
  /** Columns never shown, even to the person (secrets such as a password hash). */
  omit?: readonly string[];
  /**
   * What merging two records does with the rows of the record that goes (record columns only).
   * Default: they move to the record that stays. `none`: they stay where they are.
   */
  merge?: 'none' | ((tx: CommunityTransaction, fromId: string, intoId: string) => Promise<void>);
  /**
   * What erasure does with the person's rows beyond pseudonymising the record itself: for
   * example, clears free text in them. Default: nothing (the rows point at a record that no
   * longer names anyone).
   */
  erase?: (tx: CommunityTransaction, personRecordId: string) => Promise<void>;
}

/** Moves every row that points at `fromId` to `intoId`, table by table. */
export async function moveReferences(tx: CommunityTransaction, sources: readonly PersonDataSource[], fromId: string, intoId: string): Promise<void> {
  for (const source of sources) {
    if (source.points !== 'record' || source.merge === 'none') continue;
    if (source.merge) await source.merge(tx, fromId, intoId);
    else await tx.execute(sql`update ${sql.identifier(source.table)} set ${sql.identifier(source.column)} = ${intoId} where ${sql.identifier(source.column)} = ${fromId}`);
  }
}

/** The rows of each downloadable source that point at the person (record or account). */
export async function downloadRows(
  tx: CommunityTransaction,
  sources: readonly PersonDataSource[],
  ids: { record: string; account: string | null },
  options: { own: boolean },
): Promise<{ table: string; column: string; rows: Record<string, unknown>[] }[]> {
  const sections = [];
  for (const source of sources) {
    if (source.download !== 'rows') continue;
    if (source.acrossCommunities && !options.own) continue;
    const id = source.points === 'record' ? ids.record : ids.account;
    if (!id) continue;
    const found = source.rows
      ? await source.rows(tx, ids)
      : (await tx.execute<Record<string, unknown>>(sql`select * from ${sql.identifier(source.table)} where ${sql.identifier(source.column)} = ${id}`)).rows;
    const omitted = new Set(source.omit ?? []);
    const rows = found.map((row) => Object.fromEntries(Object.entries(row).filter(([name]) => !omitted.has(name))));
    sections.push({ table: source.table, column: source.column, rows });
  }
  return sections;
}
