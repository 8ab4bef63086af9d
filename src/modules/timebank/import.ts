// Moving a time bank in from a spreadsheet or TimeOverflow: members with their balances, and
// (optionally) their history of exchanges. Everything is checked first, row by row; nothing is
// written unless every row is right, and then everything is written in one transaction. After
// the import each member's balance is the one the spreadsheet gave (an opening transfer from
// the pot makes up the difference from the imported history).
import { parse } from 'csv-parse/sync';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalEmail, phone, phoneKey } from '../../platform/fields.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { activeRecordEmails, insertImportedRecord } from '../people/service.ts';
import { insertImportedExchange, insertParties } from './exchanges-store.ts';
import { postTransfer } from './ledger.ts';
import { categoryIdsAndNames, insertNamedCategory, membersByEmailAndName, openAccountBalance } from './store.ts';
import { accountOfPerson, joinTimebank, potOf, timebankOf } from './service.ts';

export interface RowError {
  file: 'members' | 'history';
  /** The row as the spreadsheet numbers it: the header is row 1. */
  row: number;
  column: string;
  code: string;
}

const aliases: Record<string, string[]> = {
  name: ['name', 'full name', 'member', 'member name', 'username'],
  email: ['email', 'e-mail', 'email address'],
  phone: ['phone', 'telephone', 'phone number', 'mobile'],
  neighbourhood: ['neighbourhood', 'neighborhood', 'area', 'ward'],
  balance: ['balance', 'balance hours', 'balance_hours', 'hours balance'],
  date: ['date', 'when', 'created at', 'created_at'],
  from: ['from', 'giver', 'given by', 'provider', 'source'],
  to: ['to', 'receiver', 'received by', 'recipient', 'destination'],
  hours: ['hours', 'time', 'amount', 'duration'],
  category: ['category', 'kind of help', 'service', 'type'],
  note: ['note', 'description', 'reason', 'comment'],
};

/** Rows of a CSV (or tab-separated text pasted from a spreadsheet), with headers matched to our names. */
export function readRows(text: string): { rows: Record<string, string>[]; unknownColumns: string[] } {
  const trimmed = text.replace(/^\uFEFF/, '').trim();
  if (!trimmed) return { rows: [], unknownColumns: [] };
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = firstLine.includes('\t')
    ? '\t'
    : firstLine.split(';').length > firstLine.split(',').length
      ? ';'
      : ',';
  const records = parse(trimmed, {
    delimiter,
    relax_column_count: true,
    skip_empty_lines: true,
    trim: true,
  }) as string[][];
  const [header = [], ...body] = records;
  const unknownColumns: string[] = [];
  const names = header.map((cell) => {
    const key = cell.toLowerCase().replace(/\s+/g, ' ').trim();
    const known = Object.entries(aliases).find(([, list]) => list.includes(key))?.[0];
    if (!known && key) unknownColumns.push(cell);
    return known ?? '';
  });
  return {
    rows: body.map((cells) =>
      Object.fromEntries(names.map((name, index) => [name, cells[index] ?? '']).filter(([name]) => name)),
    ),
    unknownColumns,
  };
}

/** Hours as people write them ("2", "1.5", "1:30", "-3") to whole minutes; null when it is not a number. */
export function minutesFrom(value: string): number | null {
  const text = value.trim().replace(/−/g, '-');
  const clock = /^(-?)(\d{1,4}):([0-5]\d)$/.exec(text);
  if (clock) return (clock[1] ? -1 : 1) * (Number(clock[2]) * 60 + Number(clock[3]));
  if (!/^-?\d{1,5}([.,]\d{1,2})?$/.test(text)) return null;
  return Math.round(Number(text.replace(',', '.')) * 60);
}

/** A day as spreadsheets write it: 2026-03-15, 15/03/2026 or 15/3/26. */
export function dayFrom(value: string): string | null {
  const text = value.trim().slice(0, 10);
  let match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  let [year, month, day] = match ? [match[1], match[2], match[3]] : [];
  if (!match) {
    match = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(text);
    if (!match) return null;
    [day, month, year] = [match[1], match[2], match[3]];
    if (year?.length === 2) year = `20${year}`;
  }
  const iso = `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
  const date = new Date(`${iso}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === iso ? iso : null;
}

export const importInput = z.object({
  members: z.string({ error: 'errors.timebank.import.membersMissing' }).max(5_000_000, 'errors.timebank.import.tooBig'),
  history: z.string().max(20_000_000, 'errors.timebank.import.tooBig').default(''),
});

interface PlannedMember {
  row: number;
  name: string;
  email: string | null;
  phone: string | null;
  neighbourhood: string;
  balance: number | null;
  /** A record already in the community with this email. */
  existingId: string | null;
}
interface PlannedExchange {
  row: number;
  day: string;
  from: string;
  to: string;
  minutes: number;
  category: string;
  note: string;
}

export interface ImportPlan {
  members: PlannedMember[];
  history: PlannedExchange[];
  newCategories: string[];
  errors: RowError[];
  unknownColumns: string[];
}

const key = (value: string) => value.trim().toLowerCase();

/** Checks both files against the community as it is, and says what would be written. Writes nothing. */
export async function planImport(
  tx: CommunityTransaction,
  communityId: string,
  input: z.infer<typeof importInput>,
): Promise<ImportPlan> {
  const timebank = await timebankOf(tx, communityId);
  const errors: RowError[] = [];
  const memberRows = readRows(input.members);
  const historyRows = readRows(input.history);
  if (memberRows.rows.length === 0)
    errors.push({ file: 'members', row: 1, column: 'name', code: 'errors.timebank.import.noRows' });
  if (memberRows.rows.length > 0 && !('name' in (memberRows.rows[0] ?? {})))
    errors.push({ file: 'members', row: 1, column: 'name', code: 'errors.timebank.import.noNameColumn' });
  const existing = await activeRecordEmails(tx, communityId);
  const byEmail = new Map(existing.filter((row) => row.email).map((row) => [key(row.email as string), row.id]));
  const seen = new Set<string>();
  const members: PlannedMember[] = memberRows.rows.map((cells, index) => {
    const row = index + 2;
    const name = (cells.name ?? '').trim();
    if (!name) errors.push({ file: 'members', row, column: 'name', code: 'errors.timebank.import.nameMissing' });
    if (name.length > 120)
      errors.push({ file: 'members', row, column: 'name', code: 'errors.timebank.import.nameTooLong' });
    const email = optionalEmail.safeParse(cells.email ?? '');
    if (!email.success) errors.push({ file: 'members', row, column: 'email', code: 'errors.email.invalid' });
    const phoneNumber = phone.safeParse(cells.phone ?? '');
    if (!phoneNumber.success) errors.push({ file: 'members', row, column: 'phone', code: 'errors.phone.invalid' });
    const identity = email.success && email.data ? `email:${key(email.data)}` : `name:${key(name)}`;
    if (seen.has(identity))
      errors.push({
        file: 'members',
        row,
        column: email.success && email.data ? 'email' : 'name',
        code: 'errors.timebank.import.twice',
      });
    seen.add(identity);
    let balance: number | null = null;
    if ((cells.balance ?? '').trim()) {
      balance = minutesFrom(cells.balance ?? '');
      if (balance === null)
        errors.push({ file: 'members', row, column: 'balance', code: 'errors.timebank.import.balanceInvalid' });
      else if (balance < timebank.minimumBalance)
        errors.push({ file: 'members', row, column: 'balance', code: 'errors.timebank.import.belowLimit' });
      else if (Math.abs(balance) > 1000 * 60)
        errors.push({ file: 'members', row, column: 'balance', code: 'errors.timebank.import.balanceTooBig' });
    }
    const emailValue = email.success ? email.data : null;
    return {
      row,
      name,
      email: emailValue,
      phone: phoneNumber.success ? phoneNumber.data : null,
      neighbourhood: (cells.neighbourhood ?? '').trim().slice(0, 80),
      balance,
      existingId: emailValue ? (byEmail.get(key(emailValue)) ?? null) : null,
    };
  });
  // History names people by email or by name, from the file or already in the time bank.
  const inBank = await membersByEmailAndName(tx, communityId);
  const known = new Set([
    ...members.flatMap((member) => [key(member.name), ...(member.email ? [key(member.email)] : [])]),
    ...inBank.flatMap((row) => [key(row.name), ...(row.email ? [key(row.email)] : [])]),
  ]);
  const categories = await categoryIdsAndNames(tx, communityId);
  const knownCategories = new Set(categories.map((category) => key(category.name)));
  const newCategories = new Set<string>();
  const today = ukDay(new Date());
  const history: PlannedExchange[] = historyRows.rows.map((cells, index) => {
    const row = index + 2;
    const day = dayFrom(cells.date ?? '');
    if (!day) errors.push({ file: 'history', row, column: 'date', code: 'errors.timebank.import.dateInvalid' });
    else if (day > today)
      errors.push({ file: 'history', row, column: 'date', code: 'errors.timebank.occurredOn.future' });
    const from = key(cells.from ?? '');
    const to = key(cells.to ?? '');
    if (!known.has(from))
      errors.push({ file: 'history', row, column: 'from', code: 'errors.timebank.import.personUnknown' });
    if (!known.has(to))
      errors.push({ file: 'history', row, column: 'to', code: 'errors.timebank.import.personUnknown' });
    if (from && from === to) errors.push({ file: 'history', row, column: 'to', code: 'errors.timebank.receiver.same' });
    const minutes = minutesFrom(cells.hours ?? '');
    if (minutes === null || minutes <= 0)
      errors.push({ file: 'history', row, column: 'hours', code: 'errors.timebank.import.hoursInvalid' });
    else if (minutes > 24 * 60)
      errors.push({ file: 'history', row, column: 'hours', code: 'errors.timebank.minutes.tooMany' });
    const category = (cells.category ?? '').trim().slice(0, 60) || 'Imported';
    if (!knownCategories.has(key(category))) newCategories.add(category);
    return {
      row,
      day: day ?? '',
      from,
      to,
      minutes: minutes ?? 0,
      category,
      note: (cells.note ?? '').trim().slice(0, 500),
    };
  });
  return {
    members,
    history,
    newCategories: [...newCategories],
    errors,
    unknownColumns: [...memberRows.unknownColumns, ...historyRows.unknownColumns],
  };
}

/** Writes a plan with no errors: members join (onboarded), history posts in date order, and opening transfers make each balance the one given. */
export async function runImport(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  plan: ImportPlan,
): Promise<{ members: number; exchanges: number; openings: number }> {
  if (plan.errors.length > 0) throw new Error('an import with errors');
  const pot = await potOf(tx, communityId);
  const idFor = new Map<string, string>();
  for (const member of plan.members) {
    let id = member.existingId;
    if (!id) {
      const created = await insertImportedRecord(tx, {
        communityId,
        preferredName: member.name,
        email: member.email,
        phone: member.phone,
        phoneKey: phoneKey(member.phone),
        createdBy: actorId,
      });
      id = created ?? '';
    }
    await joinTimebank(tx, {
      communityId,
      personRecordId: id,
      cameFrom: 'import',
      actorId,
      onboarded: true,
      neighbourhood: member.neighbourhood,
    });
    idFor.set(key(member.name), id);
    if (member.email) idFor.set(key(member.email), id);
  }
  const inBank = await membersByEmailAndName(tx, communityId);
  for (const row of inBank) {
    if (!idFor.has(key(row.name))) idFor.set(key(row.name), row.id);
    if (row.email && !idFor.has(key(row.email))) idFor.set(key(row.email), row.id);
  }
  const categoryIds = new Map<string, string>();
  for (const name of plan.newCategories) {
    const created = await insertNamedCategory(tx, communityId, name);
    if (created) categoryIds.set(key(name), created.id);
  }
  for (const category of await categoryIdsAndNames(tx, communityId)) categoryIds.set(key(category.name), category.id);
  const accountFor = async (personRecordId: string) =>
    (await accountOfPerson(tx, communityId, personRecordId))?.id ?? '';
  const history = [...plan.history].sort((a, b) => a.day.localeCompare(b.day) || a.row - b.row);
  for (const item of history) {
    const giver = await accountFor(idFor.get(item.from) ?? '');
    const receiver = await accountFor(idFor.get(item.to) ?? '');
    const exchange = await insertImportedExchange(tx, {
      communityId,
      status: 'confirmed',
      occurredOn: item.day,
      categoryId: categoryIds.get(key(item.category)) ?? null,
      note: item.note,
      recordedBy: actorId,
      onBehalf: true,
      decidedBy: actorId,
      decidedAt: new Date(),
    });
    if (!exchange) continue;
    await insertParties(tx, [
      { communityId, exchangeId: exchange.id, accountId: giver, side: 'giver', minutes: item.minutes },
      { communityId, exchangeId: exchange.id, accountId: receiver, side: 'receiver', minutes: item.minutes },
    ]);
    // History happened elsewhere: it is posted as it was, limits were the old system's to keep.
    await postTransfer(tx, {
      communityId,
      kind: 'exchange',
      occurredOn: item.day,
      exchangeId: exchange.id,
      categoryId: categoryIds.get(key(item.category)) ?? null,
      note: item.note,
      recordedBy: actorId,
      minimumBalance: Number.MIN_SAFE_INTEGER,
      movements: [
        { accountId: giver, minutes: item.minutes },
        { accountId: receiver, minutes: -item.minutes },
      ],
    });
  }
  let openings = 0;
  for (const member of plan.members) {
    if (member.balance === null) continue;
    const id = idFor.get(key(member.email ?? member.name)) ?? idFor.get(key(member.name)) ?? '';
    const account = await openAccountBalance(tx, id);
    if (!account || account.balance === member.balance) continue;
    await postTransfer(tx, {
      communityId,
      kind: 'opening',
      occurredOn: ukDay(new Date()),
      note: 'Opening balance, imported',
      recordedBy: actorId,
      minimumBalance: Number.MIN_SAFE_INTEGER,
      movements: [
        { accountId: pot.id, minutes: -(member.balance - account.balance) },
        { accountId: account.id, minutes: member.balance - account.balance },
      ],
    });
    openings += 1;
  }
  await record(tx, {
    communityId,
    actorId,
    action: 'timebank.imported',
    subjectType: 'timebank',
    subjectId: communityId,
    detail: { members: plan.members.length, exchanges: history.length, openings },
  });
  return { members: plan.members.length, exchanges: history.length, openings };
}
