// Every CSV the product writes goes through here. A spreadsheet reads a cell that begins with
// =, +, -, @, a tab or a carriage return as a formula: such text cells are neutralised with a
// leading apostrophe (OWASP's advice), so a note someone typed can never run in a coordinator's
// spreadsheet. Numbers stay numbers: a negative balance is data, not a formula.
import type { FastifyReply } from 'fastify';
import { stringify } from 'csv-stringify/sync';

export type CsvCell = string | number | boolean | null | undefined;

const formulaStart = /^[=+\-@\t\r]/;

/** A text cell as it is safe to write; other values as they are. */
export function neutralise(cell: CsvCell): string | number {
  if (cell === null || cell === undefined) return '';
  if (typeof cell === 'number') return Number.isFinite(cell) ? cell : '';
  if (typeof cell === 'boolean') return cell ? 'yes' : 'no';
  return formulaStart.test(cell) ? `'${cell}` : cell;
}

/** Rows (the first is the header) as CSV text. */
export function toCsv(rows: readonly (readonly CsvCell[])[]): string {
  return stringify(rows.map((row) => row.map(neutralise)));
}

/** Sends rows as a CSV file; with a name, as a download. */
export function sendCsv(reply: FastifyReply, rows: readonly (readonly CsvCell[])[], filename?: string): FastifyReply {
  reply.header('content-type', 'text/csv; charset=utf-8');
  if (filename)
    reply.header('content-disposition', `attachment; filename="${filename.replace(/[^A-Za-z0-9._-]/g, '-')}"`);
  return reply.send(toCsv(rows));
}
