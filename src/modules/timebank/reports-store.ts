// The time bank reports' queries: the kept day totals, and everything a summary counts.
import { sql, type SQL } from 'drizzle-orm';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeenSql } from '../people/service.ts';

/** A member now: finished their joining steps and has not left (`m` is a timebank_members row). */
const memberNow = sql`m.left_at is null and m.onboarded_at is not null`;

/**
 * Every count of a summary for the days from `from` to `to`, in the order the queries run: the
 * flows in one pass over the kept day totals (finished days added up, today's kept as exchanges
 * post: at most a row per kind of help and neighbourhood a day, and today's exchanges), the
 * members in one pass over members and their accounts, then what is left.
 */
export async function summaryRows(
  tx: CommunityTransaction,
  communityId: string,
  range: { from: string; to: string },
  today: string,
  options: { names: boolean },
) {
  const { from, to } = range;
  const upto = to < today ? to : today;
  // Days are UK days: a join or a request at 00:30 BST belongs to that day, not the one before.
  const inUkDays = (column: SQL) =>
    sql`${column} >= (${from}::date::timestamp at time zone 'Europe/London') and ${column} < ((${to}::date + 1)::timestamp at time zone 'Europe/London')`;
  const joinedInRange = inUkDays(sql`m.joined_at`);

  // The totals, and by month, kind of help and neighbourhood, each ordered as the report shows it.
  const flows = (
    await tx.execute<{
      by: 'all' | 'month' | 'category' | 'neighbourhood';
      key: string;
      exchanges: number;
      minutes: number;
      groups: number;
      group_receivers: number;
    }>(sql`
      select by, key, exchanges, minutes, groups, group_receivers from (
        select case when grouping(d.month) = 0 then 'month' when grouping(d.category) = 0 then 'category'
                    when grouping(d.neighbourhood) = 0 then 'neighbourhood' else 'all' end as by,
          coalesce(d.month, d.category, d.neighbourhood, '') as key,
          coalesce(sum(d.exchanges), 0)::int as exchanges, coalesce(sum(d.minutes), 0)::int as minutes,
          coalesce(sum(d.group_exchanges), 0)::int as groups, coalesce(sum(d.group_receivers), 0)::int as group_receivers
        from (
          select to_char(t.day, 'YYYY-MM') as month, coalesce(c.name, '') as category, t.neighbourhood, t.exchanges, t.minutes, t.group_exchanges, t.group_receivers
          from timebank_day_totals t left join timebank_categories c on c.id = t.category_id
          where t.community_id = ${communityId} and t.day between ${from} and ${upto}
        ) d
        group by grouping sets ((), (d.month), (d.category), (d.neighbourhood))
      ) f
      order by by, case when by = 'month' then key end, minutes desc, key`)
  ).rows;
  const flowsBy = (by: 'month' | 'category' | 'neighbourhood') =>
    flows
      .filter((row) => row.by === by)
      .map((row) => ({ key: row.key, exchanges: row.exchanges, minutes: row.minutes }));
  const totals = flows.find((row) => row.by === 'all');

  // Members now, and of them: active (gave or received in the 90 days up to the end of the range),
  // never exchanged, and each balance band; new members of the range and what became of them.
  // Up to today, each account knows the last day it took part; for a range that ended earlier,
  // active members are counted from the exchanges below. Organisations and the pot are not members.
  const [members] = (
    await tx.execute<{
      members_now: number;
      active: number;
      quiet: number;
      below_minus_5h: number;
      minus_5h_to_0: number;
      zero: number;
      up_to_5h: number;
      '5h_to_20h': number;
      over_20h: number;
      new_members: number;
      new_now: number;
      new_joining: number;
      new_left: number;
    }>(sql`
      with now as (
        select count(*)::int as members_now,
          count(*) filter (where a.last_exchanged_on >= ${to}::date - 90 or merged.person_record_id is not null)::int as active,
          count(*) filter (where a.id is not null and a.last_exchanged_on is null)::int as quiet,
          count(*) filter (where a.balance < -300)::int as below_minus_5h,
          count(*) filter (where a.balance >= -300 and a.balance < 0)::int as minus_5h_to_0,
          count(*) filter (where a.balance = 0)::int as zero,
          count(*) filter (where a.balance > 0 and a.balance <= 300)::int as up_to_5h,
          count(*) filter (where a.balance > 300 and a.balance <= 1200)::int as "5h_to_20h",
          count(*) filter (where a.balance > 1200)::int as over_20h
        from timebank_members m left join timebank_accounts a
          on a.person_record_id = m.person_record_id and a.community_id = ${communityId} and a.closed_at is null
          -- An account closed when two records were merged still counts the days it took part.
          left join (select distinct c.person_record_id from timebank_accounts c
            where c.community_id = ${communityId} and c.kind = 'member' and c.closed_at is not null and c.last_exchanged_on >= ${to}::date - 90) merged
            on merged.person_record_id = m.person_record_id
        where m.community_id = ${communityId} and ${memberNow}),
      joined as (
        select count(*)::int as new_members,
          count(*) filter (where m.left_at is null and m.onboarded_at is not null)::int as new_now,
          count(*) filter (where m.left_at is null and m.onboarded_at is null)::int as new_joining,
          count(*) filter (where m.left_at is not null)::int as new_left
        from timebank_members m where m.community_id = ${communityId} and ${joinedInRange})
      select * from now, joined`)
  ).rows;
  const [activeBefore] =
    to >= today
      ? []
      : (
          await tx.execute<{ active: number }>(sql`
            select count(distinct m.person_record_id)::int as active from timebank_exchanges e join timebank_exchange_parties p on p.exchange_id = e.id
            join timebank_accounts a on a.id = p.account_id and a.kind = 'member' join timebank_members m on m.person_record_id = a.person_record_id
            where e.community_id = ${communityId} and ${memberNow} and e.status = 'confirmed' and e.reversed_at is null and e.occurred_on between (${to}::date - 90) and ${to}`)
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
      where p.community_id = ${communityId} and p.kind = 'request' and ${inUkDays(sql`p.created_at`)}
        and not exists (select 1 from timebank_responses s where s.post_id = p.id)
      group by 1 order by 2 desc, 1`)
  ).rows;
  // Their names only for those who may see who people are, and only when there are any.
  const quiet =
    options.names && (members?.quiet ?? 0) > 0
      ? (
          await tx.execute<{ name: string }>(sql`
            select r.preferred_name as name
            from timebank_members m
            join ${recordsSeenSql('r')} on r.id = m.person_record_id
            join timebank_accounts a on a.person_record_id = m.person_record_id and a.closed_at is null
            where m.community_id = ${communityId} and ${memberNow} and a.last_exchanged_on is null
            order by lower(r.preferred_name)`)
        ).rows.map((row) => row.name)
      : [];
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
    byMonth: flowsBy('month').map(({ key, ...flow }) => ({ month: key, ...flow })),
    byCategory: flowsBy('category').map(({ key, ...flow }) => ({ category: key, ...flow })),
    byNeighbourhood: flowsBy('neighbourhood').map(({ key, ...flow }) => ({ neighbourhood: key, ...flow })),
    members,
    activeBefore,
    newMembers,
    unmetNeed,
    quiet,
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

/**
 * Adds up each finished day in the range that is not added up yet (once, even when two reports
 * ask at the same moment): the rows kept for it as its exchanges posted give way to one per kind
 * of help and neighbourhood. The rows and the exchanges are read in one snapshot, so an exchange
 * posted meanwhile keeps its own row and is counted once.
 */
export async function countDays(
  tx: CommunityTransaction,
  communityId: string,
  from: string,
  upto: string,
): Promise<number> {
  // Usually none: then nothing else is read.
  const missing = (
    await tx.execute<{ day: string }>(sql`
      select d::date::text as day from generate_series(${from}::date, ${upto}::date, interval '1 day') d
      where not exists (select 1 from timebank_days_counted c where c.community_id = ${communityId} and c.day = d::date)`)
  ).rows.map((row) => row.day);
  if (missing.length === 0) return 0;
  // The days as a list, so that PostgreSQL reads just their exchanges by index.
  const days = sql`${`{${missing.join(',')}}`}::date[]`;
  const added = await tx.execute<{ day: string }>(sql`
    with newly as (
      insert into timebank_days_counted (community_id, day)
      select ${communityId}, d from unnest(${days}) d
      on conflict do nothing returning day
    ), kept as (
      delete from timebank_day_totals where community_id = ${communityId} and day in (select day from newly)
    ), totals as (
      insert into timebank_day_totals (community_id, day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers)
      select ${communityId}, t.day, t.category_id, t.neighbourhood, t.exchanges, t.minutes, t.group_exchanges, t.group_receivers
      from (${exchangeTotals(communityId, sql`e.occurred_on = any(${days}) and e.occurred_on in (select day from newly)`)}) t
      returning day
    )
    select day::text from newly`);
  return added.rows.length;
}
