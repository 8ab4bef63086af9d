// Working days in England and Wales: Monday to Friday, except bank holidays (from the
// `date-holidays` library's calendar, which includes substitute days).
import Holidays from 'date-holidays';

const calendar = new Holidays('GB', 'ENG');
const holidaysByYear = new Map<number, Set<string>>();

function bankHolidays(year: number): Set<string> {
  let days = holidaysByYear.get(year);
  if (!days) {
    days = new Set(
      calendar
        .getHolidays(year)
        .filter((holiday) => holiday.type === 'public')
        .map((holiday) => holiday.date.slice(0, 10)),
    );
    holidaysByYear.set(year, days);
  }
  return days;
}

/** A date (YYYY-MM-DD) as a UTC midnight, so that adding days never meets a clock change. */
const toDate = (day: string) => new Date(`${day}T00:00:00Z`);
const toDay = (date: Date) => date.toISOString().slice(0, 10);

export function isWorkingDay(day: string): boolean {
  const date = toDate(day);
  const weekday = date.getUTCDay();
  return weekday !== 0 && weekday !== 6 && !bankHolidays(date.getUTCFullYear()).has(day);
}

/** The date `count` working days after `day` (the day itself does not count). */
export function addWorkingDays(day: string, count: number): string {
  const date = toDate(day);
  let left = count;
  while (left > 0) {
    date.setUTCDate(date.getUTCDate() + 1);
    if (isWorkingDay(toDay(date))) left -= 1;
  }
  return toDay(date);
}

/** Working days after `from` up to and including `to` (0 when `to` is not after `from`). */
export function workingDaysBetween(from: string, to: string): number {
  let count = 0;
  const date = toDate(from);
  const end = toDate(to);
  while (date < end) {
    date.setUTCDate(date.getUTCDate() + 1);
    if (isWorkingDay(toDay(date))) count += 1;
  }
  return count;
}

// Made once: a date formatter is slow to make (measured, the triage queue's largest cost).
const ukDate = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
});

/** Today's date in the UK (YYYY-MM-DD), whatever the server's own time zone. */
export function ukDay(instant: Date = new Date()): string {
  return ukDate.format(instant);
}
