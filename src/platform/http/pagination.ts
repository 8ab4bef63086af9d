import { z } from 'zod';
import { fieldWithNul } from './input.ts';
import { DomainError } from './problems.ts';

/** `?cursor=&limit=` on every list endpoint. */
export const pageQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page'),
  });

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

const instantText = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(\.\d{1,6})?(Z|[+-](\d\d)(?::?(\d\d))?)$/;

/** True for an instant PostgreSQL reads as `timestamptz` (ISO 8601, or PostgreSQL's own text), with a real day and time. */
export function isInstantText(value: string): boolean {
  const match = instantText.exec(value);
  if (!match) return false;
  const [year, month, day, hour, minute, second] = match.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const offsetHours = Number(match[9] ?? 0);
  const offsetMinutes = Number(match[10] ?? 0);
  const date = new Date(Date.UTC(year, month - 1, day));
  const realDay = date.getUTCFullYear() === year && date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
  return (
    realDay &&
    year >= 1900 &&
    year <= 2999 &&
    hour < 24 &&
    minute < 60 &&
    second < 60 &&
    offsetHours <= 15 &&
    offsetMinutes < 60
  );
}

/**
 * What a cursor may hold, each checked as strictly as the query it feeds, so that a cursor
 * someone altered is a 400 and never reaches PostgreSQL as something it refuses.
 */
export const cursorFields = {
  instant: z.string().max(40).refine(isInstantText),
  text: z.string().max(1000),
  id: z.uuid(),
  number: z.number().finite(),
  integer: z.number().int(),
};

/** Reads a cursor made by encodeCursor; a cursor that was tampered with is a 400, not a 500. */
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    const position: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const parsed = fieldWithNul(position) ? undefined : shape.safeParse(position);
    if (parsed?.success) return parsed.data;
  } catch {
    // fall through to the error below
  }
  throw new DomainError('validation-failed', 400, [{ field: 'cursor', code: 'errors.cursor.invalid' }]);
}

/** Given limit + 1 rows, returns a page of `limit` and the cursor to the next, if there is one. */
export function paginate<Row, Item>(
  rows: Row[],
  limit: number,
  toItem: (row: Row) => Item,
  cursorOf: (row: Row) => Record<string, string | number>,
) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
