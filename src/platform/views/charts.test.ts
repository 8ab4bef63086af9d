import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { axisTicks, barChart } from './charts.ts';

describe('bar charts', () => {
  it('the axis starts at 0, goes up in equal round steps and reaches the highest value', () => {
    fc.assert(
      fc.property(fc.double({ min: 0, max: 1e6, noNaN: true }), (highest) => {
        const ticks = axisTicks(highest);
        expect(ticks[0]).toBe(0);
        expect(ticks.at(-1)).toBeGreaterThanOrEqual(highest);
        expect(ticks.length).toBeGreaterThanOrEqual(2);
        expect(ticks.length).toBeLessThanOrEqual(9);
        const step = (ticks[1] ?? 0) - (ticks[0] ?? 0);
        const leading = Number((step / 10 ** Math.floor(Math.log10(step) + 1e-9)).toPrecision(6));
        expect([1, 2, 5]).toContain(leading);
        ticks.forEach((tick, index) => expect(tick).toBeCloseTo(index * step, 6));
      }),
    );
    expect(axisTicks(37)).toEqual([0, 10, 20, 30, 40]);
  });

  it('shows the values on its axis, what they count, and a year under the first month of each year', () => {
    const svg = barChart(
      'Hours by month',
      [
        { label: 'Dec', sublabel: '2025', value: 12 },
        { label: 'Jan', sublabel: '2026', value: 30 },
        { label: 'Dec', value: 8 },
      ],
      { axisLabel: 'Hours' },
    );
    for (const text of ['>0<', '>10<', '>20<', '>30<', '>Hours<', '>2025<', '>2026<']) expect(svg).toContain(text);
    expect(svg).toContain('<title>Dec 2025: 12</title>');
  });
});
