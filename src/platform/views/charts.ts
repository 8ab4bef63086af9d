// Charts drawn on the server as SVG: no JavaScript, prints well, and the page always shows the
// same numbers in a table beside it (the table is what screen readers read).

export interface Bar {
  label: string;
  /** A second line under the label, such as the year under the first month of each year. */
  sublabel?: string;
  value: number;
  /** What a value says in words, for the bar's tooltip ("12 hours"). */
  text?: string;
}

export interface ChartOptions {
  width?: number;
  height?: number;
  colour?: string;
  /** What the numbers on the axis count ("Hours", "People"). */
  axisLabel?: string;
}

const escape = (value: string) =>
  value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** A round step (1, 2 or 5 times a power of ten) that divides 0…highest into about `count` parts. */
export function niceStep(highest: number, count = 4): number {
  // Below a tenth the axis would only show noise: a tenth is the finest step.
  if (!(highest > 0.1 * count)) return highest > 0 ? 0.1 : 1;
  const raw = highest / count;
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const normal = raw / magnitude;
  return (normal <= 1 ? 1 : normal <= 2 ? 2 : normal <= 5 ? 5 : 10) * magnitude;
}

/** The axis values from 0 up to the first step at or above the highest value. */
export function axisTicks(highest: number, count = 4): number[] {
  const step = niceStep(highest, count);
  const top = Math.max(step, Math.ceil(highest / step - 1e-9) * step);
  const ticks: number[] = [];
  for (let value = 0; value <= top + step / 2; value += step) ticks.push(Number(value.toPrecision(12)));
  return ticks;
}

const tickText = (value: number) => (Number.isInteger(value) ? String(value) : value.toFixed(1).replace(/\.0$/, ''));

/**
 * Vertical bars with labels under them and values on a left axis; `title` names the chart for
 * assistive technology.
 */
export function barChart(title: string, bars: readonly Bar[], options: ChartOptions = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 260;
  const colour = options.colour ?? '#005eb8';
  const top = options.axisLabel ? 28 : 12;
  const bottom = 44;
  const left = 48;
  const right = 8;
  const plot = height - top - bottom;
  const ticks = axisTicks(Math.max(0, ...bars.map((bar) => bar.value)));
  const highest = ticks.at(-1) ?? 1;
  const slot = (width - left - right) / Math.max(bars.length, 1);
  const barWidth = Math.max(4, Math.min(48, slot * 0.7));
  const id = `chart-${Math.abs([...title].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) | 0, 7))}`;
  const yOf = (value: number) => top + plot - Math.round((Math.max(0, value) / highest) * plot);
  const axis = ticks
    .map(
      (value) =>
        `<g><line x1="${left - 4}" y1="${yOf(value)}" x2="${width - right}" y2="${yOf(value)}" stroke="${value === 0 ? '#4c6272' : '#d8dde0'}"/><text x="${left - 8}" y="${yOf(value) + 4}" font-size="12" text-anchor="end" fill="#212b32">${tickText(value)}</text></g>`,
    )
    .join('');
  const axisLabel = options.axisLabel
    ? `<text x="${left - 8}" y="14" font-size="12" text-anchor="start" fill="#212b32">${escape(options.axisLabel)}</text>`
    : '';
  const shapes = bars
    .map((bar, index) => {
      const y = yOf(bar.value);
      const x = left + index * slot + (slot - barWidth) / 2;
      const labelX = left + index * slot + slot / 2;
      const sublabel = bar.sublabel
        ? `<text x="${labelX.toFixed(1)}" y="${height - bottom + 32}" font-size="12" text-anchor="middle" fill="#4c6272">${escape(bar.sublabel)}</text>`
        : '';
      return `<g><rect x="${x.toFixed(1)}" y="${y}" width="${barWidth.toFixed(1)}" height="${top + plot - y}" fill="${colour}"><title>${escape(`${bar.label}${bar.sublabel ? ` ${bar.sublabel}` : ''}: ${bar.text ?? bar.value}`)}</title></rect><text x="${labelX.toFixed(1)}" y="${height - bottom + 16}" font-size="12" text-anchor="middle" fill="#212b32">${escape(bar.label)}</text>${sublabel}</g>`;
    })
    .join('');
  return `<svg class="app-chart" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${escape(title)}</title>${axisLabel}${axis}${shapes}</svg>`;
}

const locales: Record<string, string> = { en: 'en-GB', cy: 'cy-GB', es: 'es-ES' };
const monthFormat = (language: string, style: 'short' | 'long') =>
  new Intl.DateTimeFormat(locales[language] ?? 'en-GB', { month: style, timeZone: 'UTC' });

/** A month ("2025-12") in words with its year: "December 2025". */
export function monthName(month: string, language: string): string {
  return `${monthFormat(language, 'long').format(new Date(`${month}-01T00:00:00Z`))} ${month.slice(0, 4)}`;
}

/** Bars for months in order: each names its month, and the year stands under the first bar and under each January. */
export function monthBars(rows: readonly { month: string; value: number; text?: string }[], language: string): Bar[] {
  const short = monthFormat(language, 'short');
  return rows.map((row, index) => ({
    label: short.format(new Date(`${row.month}-01T00:00:00Z`)),
    ...(index === 0 || row.month.endsWith('-01') ? { sublabel: row.month.slice(0, 4) } : {}),
    value: row.value,
    ...(row.text === undefined ? {} : { text: row.text }),
  }));
}
