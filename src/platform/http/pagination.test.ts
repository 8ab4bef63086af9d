import fc from 'fast-check';
import { z } from 'zod';
import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor, isInstantText, paginate } from './pagination.ts';
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
          const page = paginate(
            rows.filter((row) => row > after).slice(0, limit + 1),
            limit,
            (row) => row,
            (row) => ({ after: row }),
          );
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

describe('instants in cursors', () => {
  it.each([
    '2026-01-05T10:00:00.000Z',
    '2026-01-05 10:00:00.123456+00',
    '2026-03-29 01:30:00+01',
    '2026-01-05T10:00:00+05:30',
    '2024-02-29T00:00:00Z',
  ])('reads %s', (text) => {
    expect(isInstantText(text)).toBe(true);
  });
  it.each([
    'not-a-date',
    '2026-02-31 10:00:00+00',
    '0000-01-01T00:00:00Z',
    '2026-01-05T24:00:00Z',
    '2026-01-05T10:00:00+05:99',
    '2026-01-05T10:00:00+1599',
    '2026-01-05T10:00:00+16',
    '2025-02-29T00:00:00Z',
    '2026-01-05',
  ])('refuses %s', (text) => {
    expect(isInstantText(text)).toBe(false);
  });
});
