// What funders and coordinators ask for: hours by month, kind of help and neighbourhood; active,
// new and quiet members; unmet need; balances; group exchanges; the pot. Everything is counted
// from the ledger and the exchanges themselves, so organisations and the pot are in the totals,
// and erased or merged people's time still counts (their rows stay; only names go).
import { z } from 'zod';
import type { CommunityTransaction, RequestAsker } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { countDays, summaryRows } from './reports-store.ts';
import { runsTimebank } from './service.ts';

export { countDays } from './reports-store.ts';

export const reportRange = z
  .object({
    from: z.iso.date({ error: 'errors.timebank.report.from' }),
    to: z.iso.date({ error: 'errors.timebank.report.to' }),
  })
  .refine((range) => range.from <= range.to, { path: ['to'], message: 'errors.timebank.report.order' })
  .refine((range) => Date.parse(range.to) - Date.parse(range.from) <= 3 * 366 * 86_400_000, {
    path: ['to'],
    message: 'errors.timebank.report.tooLong',
  });
export type ReportRange = z.infer<typeof reportRange>;

/** The last twelve whole months and this one, up to today. */
export function defaultRange(today = ukDay(new Date())): ReportRange {
  const [year, month] = today.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year - 1, month - 1, 1));
  return { from: start.toISOString().slice(0, 10), to: today };
}

export interface Summary {
  range: ReportRange;
  totals: {
    exchanges: number;
    minutesGiven: number;
    groupExchanges: number;
    groupReceivers: number;
    /** Members now who gave or received in the 90 days up to the end of the range: never more than `membersNow`. */
    activeMembers: number;
    /** People who joined in the range: `newMembersNowMembers + newMembersStillJoining + newMembersLeft`. */
    newMembers: number;
    newMembersNowMembers: number;
    newMembersStillJoining: number;
    newMembersLeft: number;
    /** Today: people who finished their joining steps and have not left. */
    membersNow: number;
  };
  byMonth: { month: string; exchanges: number; minutes: number }[];
  byCategory: { category: string; exchanges: number; minutes: number }[];
  byNeighbourhood: { neighbourhood: string; exchanges: number; minutes: number }[];
  newMembers: { cameFrom: string; members: number }[];
  unmetNeed: { category: string; requests: number }[];
  neverExchanged: { count: number; names: string[] | null };
  balances: { band: string; members: number }[];
  pot: { balance: number; granted: number; donated: number; paidForGroups: number; receivedFromGroups: number };
  organisations: { name: string; given: number; received: number }[];
}

const bands = ['below_minus_5h', 'minus_5h_to_0', 'zero', 'up_to_5h', '5h_to_20h', 'over_20h'] as const;

/**
 * The summary for a date range. Hours given are the givers' minutes of confirmed exchanges that
 * were not corrected; `names` are left out unless the reader may see who people are.
 */
export async function summary(
  tx: CommunityTransaction,
  communityId: string,
  range: ReportRange,
  options: { names: boolean },
): Promise<Summary> {
  const { from, to } = range;
  const today = ukDay(new Date());
  const yesterday = new Date(Date.parse(`${today}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  // Finished days come added up (timebank_day_totals), and today's totals are kept as its exchanges post.
  if (from <= yesterday) await countDays(tx, communityId, from, to < yesterday ? to : yesterday);
  const rows = await summaryRows(tx, communityId, range, today, options);
  const { totals, members, pot } = rows;

  return {
    range,
    totals: {
      exchanges: totals?.exchanges ?? 0,
      minutesGiven: totals?.minutes ?? 0,
      groupExchanges: totals?.groups ?? 0,
      groupReceivers: totals?.group_receivers ?? 0,
      activeMembers: (to >= today ? members?.active : rows.activeBefore?.active) ?? 0,
      newMembers: members?.new_members ?? 0,
      newMembersNowMembers: members?.new_now ?? 0,
      newMembersStillJoining: members?.new_joining ?? 0,
      newMembersLeft: members?.new_left ?? 0,
      membersNow: members?.members_now ?? 0,
    },
    byMonth: fillMonths(range, rows.byMonth),
    byCategory: rows.byCategory,
    byNeighbourhood: rows.byNeighbourhood,
    newMembers: rows.newMembers,
    unmetNeed: rows.unmetNeed,
    neverExchanged: { count: members?.quiet ?? 0, names: options.names ? rows.quiet : null },
    balances: bands.map((band) => ({ band, members: members?.[band] ?? 0 })),
    pot: {
      balance: pot?.balance ?? 0,
      granted: pot?.granted ?? 0,
      donated: pot?.donated ?? 0,
      paidForGroups: pot?.paid ?? 0,
      receivedFromGroups: pot?.received ?? 0,
    },
    organisations: rows.organisations,
  };
}

/** The summary as the asker reads it: with names for those who run the time bank, without for partners (funders, commissioners). */
export function summaryFor(tx: CommunityTransaction, communityId: string, range: ReportRange, asker: RequestAsker) {
  return summary(tx, communityId, range, { names: runsTimebank(asker) });
}

/** Every month of the range, with nothing where nothing happened, so a chart shows the gaps. */
export function fillMonths(range: ReportRange, rows: readonly { month: string; exchanges: number; minutes: number }[]) {
  const months: { month: string; exchanges: number; minutes: number }[] = [];
  let [year, month] = range.from.split('-').map(Number) as [number, number];
  const last = range.to.slice(0, 7);
  for (let guard = 0; guard < 48; guard += 1) {
    const key = `${year}-${String(month).padStart(2, '0')}`;
    if (key > last) break;
    months.push(rows.find((row) => row.month === key) ?? { month: key, exchanges: 0, minutes: 0 });
    month += 1;
    if (month > 12) {
      month = 1;
      year += 1;
    }
  }
  return months;
}
