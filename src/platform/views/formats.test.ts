import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatDay } from './index.ts';

describe('days as people write them', () => {
  it('a day is written the same from its text or its Date, however often it is asked for, in each language', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('en', 'cy', 'es'),
        (date, language) => {
          const day = date.toISOString().slice(0, 10);
          const fromDate = formatDay(new Date(`${day}T00:00:00Z`), language);
          expect(formatDay(day, language)).toBe(fromDate);
          expect(formatDay(`${day}T10:00:00Z`, language)).toBe(fromDate);
          expect(formatDay(day, language)).toBe(fromDate);
        },
      ),
    );
  });

  it('the same day differs between languages, and nonsense is written as nothing', () => {
    expect(formatDay('2026-03-12', 'en')).toBe('12 March 2026');
    expect(formatDay('2026-03-12', 'cy')).not.toBe(formatDay('2026-03-12', 'en'));
    expect(formatDay('not a day', 'en')).toBe('');
    expect(formatDay('not a day', 'en')).toBe('');
  });
});
