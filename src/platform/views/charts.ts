// Charts drawn on the server as SVG: no JavaScript, prints well, and the page always shows the
// same numbers in a table beside it (the table is what screen readers read).

export interface Bar {
  label: string;
  value: number;
  /** What a value says in words, for the bar's tooltip ("12 hours"). */
  text?: string;
}

const escape = (value: string) => value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/** Vertical bars with labels under them; `title` names the chart for assistive technology. */
export function barChart(title: string, bars: readonly Bar[], options: { width?: number; height?: number; colour?: string } = {}): string {
  const width = options.width ?? 640;
  const height = options.height ?? 240;
  const colour = options.colour ?? '#005eb8';
  const top = 12;
  const bottom = 40;
  const left = 8;
  const plot = height - top - bottom;
  const highest = Math.max(1, ...bars.map((bar) => bar.value));
  const slot = (width - left * 2) / Math.max(bars.length, 1);
  const barWidth = Math.max(4, Math.min(48, slot * 0.7));
  const id = `chart-${Math.abs([...title].reduce((hash, character) => (hash * 31 + character.charCodeAt(0)) | 0, 7))}`;
  const shapes = bars
    .map((bar, index) => {
      const barHeight = Math.round((Math.max(0, bar.value) / highest) * plot);
      const x = left + index * slot + (slot - barWidth) / 2;
      const y = top + plot - barHeight;
      const labelX = left + index * slot + slot / 2;
      return `<g><rect x="${x.toFixed(1)}" y="${y}" width="${barWidth.toFixed(1)}" height="${barHeight}" fill="${colour}"><title>${escape(`${bar.label}: ${bar.text ?? bar.value}`)}</title></rect><text x="${labelX.toFixed(1)}" y="${height - bottom + 16}" font-size="12" text-anchor="middle" fill="#212b32">${escape(bar.label)}</text></g>`;
    })
    .join('');
  return `<svg class="app-chart" role="img" aria-labelledby="${id}" viewBox="0 0 ${width} ${height}" width="100%" preserveAspectRatio="xMinYMin meet" xmlns="http://www.w3.org/2000/svg"><title id="${id}">${escape(title)}</title><line x1="${left}" y1="${top + plot}" x2="${width - left}" y2="${top + plot}" stroke="#4c6272"/>${shapes}</svg>`;
}
