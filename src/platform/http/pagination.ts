import { z } from 'zod';
import { DomainError } from './problems.ts';

/** `?cursor=&limit=` on every list endpoint. */
export const pageQuery = z.object({
  cursor: z.string().max(500).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(25),
});

export const pageOf = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable().describe('Pass as `cursor` to get the next page; null on the last page') });

export function encodeCursor(position: Record<string, string | number>): string {
  return Buffer.from(JSON.stringify(position)).toString('base64url');
}

/** Reads a cursor made by encodeCursor; a cursor that was tampered with is a 400, not a 500. */
export function decodeCursor<T extends z.ZodType>(cursor: string | undefined, shape: T): z.infer<T> | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = shape.safeParse(JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through to the error below
  }
  throw new DomainError('validation-failed', 400, [{ field: 'cursor', code: 'errors.cursor.invalid' }]);
}

/** Given limit + 1 rows, returns a page of `limit` and the cursor to the next, if there is one. */
export function paginate<Row, Item>(rows: Row[], limit: number, toItem: (row: Row) => Item, cursorOf: (row: Row) => Record<string, string | number>) {
  const more = rows.length > limit;
  const pageRows = more ? rows.slice(0, limit) : rows;
  const last = pageRows[pageRows.length - 1];
  return { items: pageRows.map(toItem), nextCursor: more && last !== undefined ? encodeCursor(cursorOf(last)) : null };
}
