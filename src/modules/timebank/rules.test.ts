import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkCovers, checkOrder } from './checks.ts';
import { dayFrom, minutesFrom, readRows } from './import.ts';
import { defaultRange, fillMonths } from './reports.ts';
import { checkLevels } from './schema.ts';

describe('background checks', () => {
  it('a check covers its own level and every level below it, until its renewal date, and never above', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...checkLevels),
        fc.constantFrom('basic' as const, 'enhanced' as const, 'enhanced_barred' as const),
        fc.integer({ min: -400, max: 400 }),
        (needed, held, daysLeft) => {
          const today = '2026-06-01';
          const expiresOn = new Date(Date.parse(today) + daysLeft * 86_400_000).toISOString().slice(0, 10);
          const covers = checkCovers(needed, { level: held, expiresOn }, today);
          if (needed === 'none') expect(covers).toBe(true);
          else expect(covers).toBe(daysLeft >= 0 && checkOrder[held] >= checkOrder[needed]);
        },
      ),
    );
    expect(checkCovers('basic', undefined, '2026-06-01')).toBe(false);
  });
});

describe('reading a spreadsheet', () => {
  it('reads hours as people write them', () => {
    expect(minutesFrom('2')).toBe(120);
    expect(minutesFrom('1.5')).toBe(90);
    expect(minutesFrom('1,25')).toBe(75);
    expect(minutesFrom('2:30')).toBe(150);
    expect(minutesFrom('-3')).toBe(-180);
    expect(minutesFrom('−0:45')).toBe(-45);
    for (const bad of ['', 'two', '1.234', '1e5', '2:75', '12345678']) expect(minutesFrom(bad), bad).toBeNull();
  });

  it('reads days as spreadsheets write them, and refuses days that do not exist', () => {
    expect(dayFrom('2026-03-15')).toBe('2026-03-15');
    expect(dayFrom('15/03/2026')).toBe('2026-03-15');
    expect(dayFrom('5/3/26')).toBe('2026-03-05');
    expect(dayFrom('2026-03-15T10:00:00Z')).toBe('2026-03-15');
    for (const bad of ['31/02/2026', '2026-13-01', 'yesterday', '']) expect(dayFrom(bad), bad).toBeNull();
  });

  it('reads commas, semicolons or tabs (pasted from a spreadsheet), matching headings by their usual names', () => {
    const comma = readRows('Name,E-mail,Balance,Shoe size\nAda,ada@example.org,2.5,5\n\n"King, Ada",,1,\n');
    expect(comma.rows).toEqual([
      { name: 'Ada', email: 'ada@example.org', balance: '2.5' },
      { name: 'King, Ada', email: '', balance: '1' },
    ]);
    expect(comma.unknownColumns).toEqual(['Shoe size']);
    expect(readRows('giver\treceiver\thours\nAda\tBob\t1').rows).toEqual([{ from: 'Ada', to: 'Bob', hours: '1' }]);
    expect(readRows('name;balance\nAda;2').rows).toEqual([{ name: 'Ada', balance: '2' }]);
    expect(readRows('\uFEFFname\nAda').rows).toEqual([{ name: 'Ada' }]);
    expect(readRows('   ').rows).toEqual([]);
  });
});

describe('reports', () => {
  it('show every month of the range, empty ones too', () => {
    expect(
      fillMonths({ from: '2025-11-15', to: '2026-02-03' }, [{ month: '2025-12', exchanges: 2, minutes: 90 }]).map(
        (row) => [row.month, row.minutes],
      ),
    ).toEqual([
      ['2025-11', 0],
      ['2025-12', 90],
      ['2026-01', 0],
      ['2026-02', 0],
    ]);
    expect(defaultRange('2026-11-26')).toEqual({ from: '2025-11-01', to: '2026-11-26' });
  });
});
