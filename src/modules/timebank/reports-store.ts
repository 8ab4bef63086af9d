// The time bank reports' queries: the kept day totals, and everything a summary counts.
import { sql, type SQL } from 'drizzle-orm';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeenSql } from '../people/service.ts';

/** A member now: finished their joining steps and has not left (`m` is a timebank_members row). */
const memberNow = sql`m.left_at is null and m.onboarded_at is not null`;

/**
 * Every count of a summary for the days from `from` to `to` (finished days from the kept totals,
 * today added up now), in the order the queries run.
 */
export async function summaryRows(
  tx: CommunityTransaction,
  communityId: string,
  range: { from: string; to: string },
  today: string,
) {
  const { from, to } = range;
  const live =
    to >= today
      ? exchangeTotals(communityId, sql`e.occurred_on = ${today}::date`)
      : sql`select null::date as day, null::uuid as category_id, ''::text as neighbourhood, 0 as exchanges, 0 as minutes, 0 as group_exchanges, 0 as group_receivers where false`;
  const days = sql`
    select day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers from timebank_day_totals where community_id = ${communityId} and day between ${from} and ${to}
    union all ${live}`;

  // The day a person joined is a UK day: a join at 00:30 BST belongs to that day, not the one before.
  const joinedInRange = sql`m.joined_at >= (${from}::date::timestamp at time zone 'Europe/London') and m.joined_at < ((${to}::date + 1)::timestamp at time zone 'Europe/London')`;
  const [totals] = (
    await tx.execute<{
      exchanges: number;
      minutes: number;
      groups: number;
      group_receivers: number;
      members_now: number;
      new_members: number;
      new_now: number;
      new_joining: number;
      new_left: number;
    }>(sql`
      with days as (${days}),
      joined as (
        select count(*)::int as new_members,
          count(*) filter (where m.left_at is null and m.onboarded_at is not null)::int as new_now,
          count(*) filter (where m.left_at is null and m.onboarded_at is null)::int as new_joining,
          count(*) filter (where m.left_at is not null)::int as new_left
        from timebank_members m where m.community_id = ${communityId} and ${joinedInRange})
      select coalesce(sum(exchanges), 0)::int as exchanges, coalesce(sum(minutes), 0)::int as minutes, coalesce(sum(group_exchanges), 0)::int as groups, coalesce(sum(group_receivers), 0)::int as group_receivers,
        (select count(*)::int from timebank_members m where m.community_id = ${communityId} and ${memberNow}) as members_now,
        (select new_members from joined) as new_members, (select new_now from joined) as new_now, (select new_joining from joined) as new_joining, (select new_left from joined) as new_left
      from days`)
  ).rows;
  // Active: members now who gave or received in the 90 days up to the end of the range. Up to
  // today, each account knows the last day it took part; for a range that ended earlier, the
  // exchanges are counted. Organisations and the pot are not members, so never counted here.
  const [active] = (
    to >= today
      ? await tx.execute<{
          active: number;
        }>(sql`select count(distinct m.person_record_id)::int as active from timebank_members m join timebank_accounts a on a.person_record_id = m.person_record_id and a.kind = 'member'
          where m.community_id = ${communityId} and ${memberNow} and a.last_exchanged_on >= ${to}::date - 90`)
      : await tx.execute<{
          active: number;
        }>(sql`select count(distinct m.person_record_id)::int as active from timebank_exchanges e join timebank_exchange_parties p on p.exchange_id = e.id
          join timebank_accounts a on a.id = p.account_id and a.kind = 'member' join timebank_members m on m.person_record_id = a.person_record_id
          where e.community_id = ${communityId} and ${memberNow} and e.status = 'confirmed' and e.reversed_at is null and e.occurred_on between (${to}::date - 90) and ${to}`)
  ).rows;

  const byMonth = (
    await tx.execute<{ month: string; exchanges: number; minutes: number }>(sql`
      with days as (${days})
      select to_char(date_trunc('month', day), 'YYYY-MM') as month, sum(exchanges)::int as exchanges, sum(minutes)::int as minutes
      from days group by 1 order by 1`)
  ).rows;
  const byCategory = (
    await tx.execute<{ category: string; exchanges: number; minutes: number }>(sql`
      with days as (${days})
      select coalesce(c.name, '') as category, sum(d.exchanges)::int as exchanges, sum(d.minutes)::int as minutes
      from days d left join timebank_categories c on c.id = d.category_id group by 1 order by 3 desc, 1`)
  ).rows;
  const byNeighbourhood = (
    await tx.execute<{ neighbourhood: string; exchanges: number; minutes: number }>(sql`
      with days as (${days})
      select neighbourhood, sum(exchanges)::int as exchanges, sum(minutes)::int as minutes from days group by 1 order by 3 desc, 1`)
  ).rows;
  const newMembers = (
    await tx.execute<{ came_from: string; members: number }>(sql`
      select came_from, count(*)::int as members from timebank_members m
      where m.community_id = ${communityId} and ${joinedInRange} group by 1 order by 2 desc, 1`)
  ).rows.map((row) => ({ cameFrom: row.came_from, members: row.members }));
  const unmetNeed = (
    await tx.execute<{ category: string; requests: number }>(sql`
      select c.name as category, count(*)::int as requests
      from timebank_posts p join timebank_categories c on c.id = p.category_id
      where p.community_id = ${communityId} and p.kind = 'request' and p.created_at::date between ${from} and ${to}
        and not exists (select 1 from timebank_responses s where s.post_id = p.id)
      group by 1 order by 2 desc, 1`)
  ).rows;
  const quiet = (
    await tx.execute<{ name: string }>(sql`
      select r.preferred_name as name
      from timebank_members m
      join ${recordsSeenSql('r')} on r.id = m.person_record_id
      join timebank_accounts a on a.person_record_id = m.person_record_id and a.closed_at is null
      where m.community_id = ${communityId} and ${memberNow} and a.last_exchanged_on is null
      order by lower(r.preferred_name)`)
  ).rows;
  const balanceRows = (
    await tx.execute<{ band: string; members: number }>(sql`
      select case when balance < -300 then 'below_minus_5h' when balance < 0 then 'minus_5h_to_0' when balance = 0 then 'zero'
                  when balance <= 300 then 'up_to_5h' when balance <= 1200 then '5h_to_20h' else 'over_20h' end as band,
             count(*)::int as members
      from timebank_accounts a join timebank_members m on m.person_record_id = a.person_record_id
      where a.community_id = ${communityId} and a.kind = 'member' and a.closed_at is null and ${memberNow} group by 1`)
  ).rows;
  const [pot] = (
    await tx.execute<{ balance: number; granted: number; donated: number; paid: number; received: number }>(sql`
      select a.balance,
        coalesce(sum(-m.minutes) filter (where t.kind = 'grant'), 0)::int as granted,
        coalesce(sum(m.minutes) filter (where t.kind = 'donation'), 0)::int as donated,
        coalesce(sum(-m.minutes) filter (where t.kind = 'group' and m.minutes < 0), 0)::int as paid,
        coalesce(sum(m.minutes) filter (where t.kind = 'group' and m.minutes > 0), 0)::int as received
      from timebank_accounts a
      left join timebank_movements m on m.account_id = a.id and m.occurred_on between ${from} and ${to}
      left join timebank_transfers t on t.id = m.transfer_id
      where a.community_id = ${communityId} and a.kind = 'pot'
      group by a.balance`)
  ).rows;
  // Organisations: the help they gave and received in exchanges, whoever paid for it.
  const organisations = (
    await tx.execute<{ name: string; given: number; received: number }>(sql`
      select a.name,
        coalesce(sum(p.minutes) filter (where p.side = 'giver'), 0)::int as given,
        coalesce(sum(p.minutes) filter (where p.side = 'receiver'), 0)::int as received
      from timebank_accounts a
      left join timebank_exchange_parties p on p.account_id = a.id
        and exists (select 1 from timebank_exchanges e where e.id = p.exchange_id and e.status = 'confirmed' and e.reversed_at is null and e.occurred_on between ${from} and ${to})
      where a.community_id = ${communityId} and a.kind = 'organisation' group by a.id, a.name order by a.name`)
  ).rows;

  return {
    totals,
    active,
    byMonth,
    byCategory,
    byNeighbourhood,
    newMembers,
    unmetNeed,
    quiet,
    balanceRows,
    pot,
    organisations,
  };
}

/**
 * The totals of the exchanges that count (confirmed, not corrected) on the days `when` picks, by
 * day, kind of help and neighbourhood. An exchange belongs to the neighbourhood of its (first)
 * giver; its minutes are all its givers' minutes.
 */
function exchangeTotals(communityId: string, when: SQL) {
  return sql`
    select x.day, x.category_id, x.neighbourhood, count(*)::int as exchanges, sum(x.minutes)::int as minutes,
      (count(*) filter (where x.is_group))::int as group_exchanges, coalesce(sum(x.receivers) filter (where x.is_group), 0)::int as group_receivers
    from (
      select e.occurred_on as day, e.category_id, e.is_group,
        coalesce((select a.neighbourhood from timebank_exchange_parties p join timebank_accounts a on a.id = p.account_id where p.exchange_id = e.id and p.side = 'giver' order by p.account_id limit 1), '') as neighbourhood,
        (select sum(p.minutes) from timebank_exchange_parties p where p.exchange_id = e.id and p.side = 'giver') as minutes,
        (select count(*) from timebank_exchange_parties p where p.exchange_id = e.id and p.side = 'receiver') as receivers
      from timebank_exchanges e
      where e.community_id = ${communityId} and e.status = 'confirmed' and e.reversed_at is null and ${when}
    ) x
    group by x.day, x.category_id, x.neighbourhood`;
}

/** Adds up each finished day in the range that is not added up yet (once, even when two reports ask at the same moment). */
export async function countDays(
  tx: CommunityTransaction,
  communityId: string,
  from: string,
  upto: string,
): Promise<number> {
  const added = await tx.execute<{ day: string }>(sql`
    with newly as (
      insert into timebank_days_counted (community_id, day)
      select ${communityId}, d::date from generate_series(${from}::date, ${upto}::date, interval '1 day') d
      on conflict do nothing returning day
    ), totals as (
      insert into timebank_day_totals (community_id, day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers)
      select ${communityId}, t.day, t.category_id, t.neighbourhood, t.exchanges, t.minutes, t.group_exchanges, t.group_receivers
      from (${exchangeTotals(communityId, sql`e.occurred_on in (select day from newly)`)}) t
      returning day
    )
    select day::text from newly`);
  return added.rows.length;
}
