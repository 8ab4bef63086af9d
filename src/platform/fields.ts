// The zod field types forms and the API share: one definition gives the check, the type and
// the message key (a catalogue key under `errors.`).
import { isValid as isValidPostcode, toNormalised as normalisePostcode } from 'postcode';
import { z } from 'zod';

/** Text that must be given, trimmed, at most `max` characters. */
export const requiredText = (missing: string, tooLong: string, max: number) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);

/** Text that may be left empty (empty becomes ''). */
export const optionalText = (tooLong: string, max: number) =>
  z
    .string({ error: 'errors.generic.invalid' })
    .trim()
    .max(max, tooLong)
    .nullish()
    .transform((value) => value ?? '');

/** Text that may be left empty, kept as null when it is. */
export const nullableText = (tooLong: string, max: number) =>
  optionalText(tooLong, max).transform((value) => value || null);

/** A checkbox group sends nothing, one value as a string, or several as an array. */
export function checkboxList<const T extends readonly [string, ...string[]]>(values: T, invalid: string) {
  return z
    .preprocess(
      (value) => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]),
      z.array(z.enum(values, { error: invalid }), { error: invalid }).max(values.length * 2, invalid),
    )
    .transform((list) => [...new Set(list)]);
}

/** A single checkbox or a JSON boolean. */
export const tickbox = z.preprocess(
  (value) => value === true || value === 'true' || value === 'on' || value === 'yes',
  z.boolean(),
);

/** A yes-or-no question that may be left unanswered: true, false, or null when not said. */
export const yesNoOrNotSaid = z
  .preprocess(
    (value) => (value === 'yes' ? true : value === 'no' ? false : value === '' || value === undefined ? null : value),
    z.boolean({ error: 'errors.yesOrNo' }).nullable(),
  )
  .transform((value) => value ?? null);

/** A yes-or-no question, from radios ("yes"/"no") or JSON (true/false). */
export const yesOrNo = (missing: string) =>
  z.preprocess((value) => (value === 'yes' ? true : value === 'no' ? false : value), z.boolean({ error: missing }));

const isoDate = /^\d{4}-\d{2}-\d{2}$/;

function isRealDate(value: string): boolean {
  if (!isoDate.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}

/** A date of birth: a real date, in the past, after 1900. Optional. */
export const dateOfBirth = z
  .string({ error: 'errors.dateOfBirth.invalid' })
  .trim()
  .nullish()
  .transform((value) => value || null)
  .refine((value) => value === null || isRealDate(value), 'errors.dateOfBirth.invalid')
  .refine(
    (value) => value === null || (value > '1900-01-01' && value <= new Date().toISOString().slice(0, 10)),
    'errors.dateOfBirth.past',
  );

/** The digits of a UK phone number in one form (0…), to find the same number typed differently. */
export function phoneKey(phone: string | null): string | null {
  if (!phone) return null;
  const digits = phone.replace(/[^0-9]/g, '');
  // +44 and 0044 stand for the leading 0, which some people also keep as "(0)".
  if (/^\s*(\+|00)44/.test(phone)) return `0${digits.replace(/^(00)?44/, '').replace(/^0+/, '')}`;
  return digits;
}

/** A phone number as people write it: digits, spaces, +, brackets and dashes; 10 to 15 digits. */
export const phone = z
  .string({ error: 'errors.phone.invalid' })
  .trim()
  .max(40, 'errors.phone.invalid')
  .nullish()
  .transform((value) => value || null)
  .refine(
    (value) =>
      value === null ||
      (/^[0-9 +()-]+$/.test(value) && (phoneKey(value)?.length ?? 0) >= 10 && (phoneKey(value)?.length ?? 0) <= 15),
    'errors.phone.invalid',
  );

/** True when the ten digits carry a correct NHS number check digit (modulus 11). */
export function isValidNhsNumber(digits: string): boolean {
  if (!/^\d{10}$/.test(digits)) return false;
  let total = 0;
  for (let index = 0; index < 9; index += 1) total += Number(digits[index]) * (10 - index);
  const check = 11 - (total % 11);
  if (check === 10) return false;
  return (check === 11 ? 0 : check) === Number(digits[9]);
}

/** An NHS number, with or without spaces; kept as ten digits. Optional. */
export const nhsNumber = z
  .string({ error: 'errors.nhsNumber.invalid' })
  .trim()
  .max(20, 'errors.nhsNumber.invalid')
  .nullish()
  .transform((value) => (value ? value.replace(/[\s-]/g, '') : null))
  .refine((value) => value === null || isValidNhsNumber(value), 'errors.nhsNumber.invalid');

/** A UK postcode, kept in its usual form ("SW2 1AA"). Optional. */
export const postcode = z
  .string({ error: 'errors.postcode.invalid' })
  .trim()
  .max(10, 'errors.postcode.invalid')
  .nullish()
  .transform((value) => value || null)
  .refine((value) => value === null || isValidPostcode(value), 'errors.postcode.invalid')
  .transform((value) => (value ? (normalisePostcode(value) ?? value.toUpperCase()) : null));

/** An email address that may be left empty. */
export const optionalEmail = z
  .string({ error: 'errors.email.invalid' })
  .trim()
  .max(254, 'errors.email.invalid')
  .nullish()
  .transform((value) => value || null)
  .refine((value) => value === null || z.email().safeParse(value).success, 'errors.email.invalid');

/**
 * The NHS date input sends a date as three fields (`name-day`, `name-month`, `name-year`):
 * puts them together as `name` (YYYY-MM-DD), or as what was typed when they do not make a date.
 */
export function withDateFromParts(body: unknown, name: string): Record<string, unknown> {
  const values = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  const part = (suffix: string) => String(values[`${name}-${suffix}`] ?? '').trim();
  const [day, month, year] = [part('day'), part('month'), part('year')];
  if (!day && !month && !year) return values;
  values[name] =
    /^\d{1,2}$/.test(day) && /^\d{1,2}$/.test(month) && /^\d{4}$/.test(year)
      ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
      : `${year}-${month}-${day}!`;
  return values;
}

/** The three parts of a date for the NHS date input. */
export function dateParts(value: unknown): { day: string; month: string; year: string } {
  const match = typeof value === 'string' ? /^(\d{4})-(\d{2})-(\d{2})$/.exec(value) : null;
  if (!match) return { day: '', month: '', year: '' };
  return { year: match[1] ?? '', month: String(Number(match[2])), day: String(Number(match[3])) };
}

/** A form's "hours" and "minutes" boxes as minutes; what was typed when it is not a number. */
export function minutesFromForm(body: Record<string, unknown>, prefix = 'time'): number | undefined {
  const hours = String(body[`${prefix}Hours`] ?? '').trim();
  const minutes = String(body[`${prefix}Minutes`] ?? '').trim();
  if (!hours && !minutes) return undefined;
  if (!/^\d{0,3}$/.test(hours) || !/^\d{0,4}$/.test(minutes)) return Number.NaN;
  return Number(hours || 0) * 60 + Number(minutes || 0);
}

/** A day (YYYY-MM-DD) between 1900 and 2999: PostgreSQL refuses year 0, and no one means it. */
export const plainDate = (invalid: string) =>
  z.iso.date({ error: invalid }).refine((value) => value >= '1900-01-01' && value <= '2999-12-31', invalid);
