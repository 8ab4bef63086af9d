// Every table column that points at a person, said once, by the module that owns the table:
// what "download my data" shows from it, what a merge does with it, and what erasure does.
// A test lists every such column in the database and fails when one is not declared here.
import { type SQL, sql } from 'drizzle-orm';
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
  rows?: (
    tx: CommunityTransaction,
    ids: { record: string; account: string | null },
  ) => Promise<Record<string, unknown>[]>;
  /**
   * Rows no one community holds (the account itself, its tokens): in the person's own download
   * only, never in one a coordinator makes for them.
   */
  acrossCommunities?: true;
  /** Columns never shown, even to the person (secrets such as a password hash). */
  omit?: readonly string[];
  /**
   * What merging two records does with the rows of the record that goes. Every column that
   * points at a record says it (a test lists the database's own foreign keys and fails on one
   * that does not): `move` points them at the record that stays; a function moves them where
   * a plain move would meet a key twice; `{ keep: why }` leaves them, for the record itself and
   * for rows reached through another table whose own rows move.
   */
  merge?: 'move' | { keep: string } | ((tx: CommunityTransaction, fromId: string, intoId: string) => Promise<void>);
  /**
   * What erasure does with the person's rows beyond pseudonymising the record itself: for
   * example, clears free text in them. Default: nothing (the rows point at a record that no
   * longer names anyone).
   */
  erase?: (tx: CommunityTransaction, personRecordId: string) => Promise<void>;
}

/** The rows of a table reached through another (a caseload entry, an account): `query` selects them for a record. */
export function rowsThrough(query: (record: string) => SQL) {
  return async (tx: CommunityTransaction, ids: { record: string }) =>
    (await tx.execute<Record<string, unknown>>(query(ids.record))).rows;
}

/** Moves every row that points at `fromId` to `intoId`, table by table. */
export async function moveReferences(
  tx: CommunityTransaction,
  sources: readonly PersonDataSource[],
  fromId: string,
  intoId: string,
): Promise<void> {
  for (const source of sources) {
    if (source.points !== 'record' || source.merge === undefined || typeof source.merge === 'object') continue;
    if (source.merge === 'move') await moveRows(tx, source.table, source.column, fromId, intoId);
    else await source.merge(tx, fromId, intoId);
  }
}

async function moveRows(
  tx: CommunityTransaction,
  table: string,
  column: string,
  fromId: string,
  intoId: string,
): Promise<void> {
  await tx.execute(
    sql`update ${sql.identifier(table)} set ${sql.identifier(column)} = ${intoId} where ${sql.identifier(column)} = ${fromId}`,
  );
}

/**
 * A merge for rows keyed by the person and something else (a group, a meeting): where both
 * records have a row for the same key, the kept record's row stands and the other goes; the
 * rest move.
 */
export function keepingOnePer(table: string, column: string, key: readonly string[]) {
  return async (tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> => {
    const same = sql.join(
      key.map((name) => sql`gone.${sql.identifier(name)} = kept.${sql.identifier(name)}`),
      sql` and `,
    );
    await tx.execute(sql`delete from ${sql.identifier(table)} gone using ${sql.identifier(table)} kept
      where gone.${sql.identifier(column)} = ${fromId} and kept.${sql.identifier(column)} = ${intoId} and ${same}`);
    await moveRows(tx, table, column, fromId, intoId);
  };
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
      : (
          await tx.execute<Record<string, unknown>>(
            sql`select * from ${sql.identifier(source.table)} where ${sql.identifier(source.column)} = ${id}`,
          )
        ).rows;
    const omitted = new Set(source.omit ?? []);
    const rows = found.map((row) => Object.fromEntries(Object.entries(row).filter(([name]) => !omitted.has(name))));
    sections.push({ table: source.table, column: source.column, rows });
  }
  return sections;
}

/** The platform's tables, which point at accounts. */
export const platformPersonData: readonly PersonDataSource[] = [
  {
    table: 'people',
    column: 'id',
    points: 'account',
    download: 'rows',
    omit: ['password_hash', 'totp_secret'],
    acrossCommunities: true,
  },
  {
    table: 'memberships',
    column: 'person_id',
    points: 'account',
    download: 'rows',
    rows: async (tx, ids) =>
      ids.account
        ? (
            await tx.execute<Record<string, unknown>>(
              sql`select m.*, c.name as community from memberships m join communities c on c.id = m.community_id where m.person_id = ${ids.account}`,
            )
          ).rows
        : [],
  },
  { table: 'memberships', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'invitations', column: 'invited_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'invitations', column: 'accepted_by', points: 'account', download: 'rows', omit: ['token_hash'] },
  // An invitation to someone already known, from their record: it follows the record.
  {
    table: 'invitations',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    omit: ['token_hash'],
    merge: 'move',
  },
  {
    table: 'api_tokens',
    column: 'person_id',
    points: 'account',
    download: 'rows',
    omit: ['token_hash'],
    acrossCommunities: true,
  },
  {
    table: 'audit_events',
    column: 'actor_id',
    points: 'account',
    download: 'rows',
    // Safeguarding stays with the leads: not even that the person raised a concern, or read one.
    rows: (tx, ids) =>
      ids.account
        ? tx
            .execute<Record<string, unknown>>(
              sql`select * from audit_events where actor_id = ${ids.account} and action not like 'concern.%' and not (action = 'restricted.read' and subject_type = 'safeguarding_concern') order by at`,
            )
            .then((result) => result.rows)
        : Promise.resolve([]),
  },
  {
    table: 'sessions',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'signed-in browsers: a key to the account, not information about the person' },
  },
  {
    table: 'password_resets',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'one-use links, kept an hour: a key to the account' },
  },
  {
    table: 'email_verifications',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'one-use links to confirm the address, kept until used or three days: a key to the account' },
  },
  {
    table: 'idempotency_records',
    column: 'person_id',
    points: 'account',
    download: { excluded: 'copies of API answers, kept a day, already in the other sections' },
  },
];
