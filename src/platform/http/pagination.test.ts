import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, paginate } from './pagination.ts';
import { DomainError } from './problems.ts';

describe('cursor pagination', () => {
  it('a cursor reads back as the position it was made from', () => {
    const shape = z.object({ name: z.string(), id: z.string() });
    fc.assert(
      fc.property(fc.string(), fc.string(), (name, id) => {
        expect(decodeCursor(encodeCursor({ name, id }), shape)).toEqual({ name, id });
      }),
    );
  });

  it('walking pages visits every row once, in order', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 60 }), fc.integer({ min: 1, max: 10 }), (count, limit) => {
        const rows = Array.from({ length: count }, (_, index) => index);
        const seen: number[] = [];
        let after = -1;
        for (let guard = 0; guard <= count + 1; guard += 1) {
          const page = paginate(rows.filter((row) => row > after).slice(0, limit + 1), limit, (row) => row, (row) => ({ after: row }));
          seen.push(...page.items);
          if (!page.nextCursor) break;
          after = decodeCursor(page.nextCursor, z.object({ after: z.number() }))?.after ?? count;
        }
        expect(seen).toEqual(rows);
      }),
    );
  });

  it('a cursor that was tampered with is a field error, not a crash', () => {
    expect(() => decodeCursor('not-a-cursor', z.object({ id: z.string() }))).toThrow(DomainError);
  });
});
