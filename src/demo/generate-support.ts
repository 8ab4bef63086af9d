// Lambeth's one-to-one peer support (Missing Link): three peer supporters, people supported in
// every state (under way, ending soon, ended with a summary sent and one not sent), their goals
// and contacts, and timesheets waiting, approved, returned and over the hours allowed.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/index.ts';
import { consents, personRecords } from '../modules/people/schema.ts';
import { programmeMembers } from '../modules/programmes/schema.ts';
import { episodeContacts, episodeGoals, supportEpisodes, timesheets } from '../modules/peer-support/schema.ts';
import { weekOf } from '../modules/peer-support/service.ts';
import { dayAgo, demoAccountId, demoRecordFor, randomFrom, spokenConsents } from './generate.ts';

const supported = [
  {
    name: 'Alice Moreno',
    startedDaysAgo: 30,
    goals: ['Go to the library on my own', 'Sleep through the night more often'],
    tellReferrer: true,
  },
  { name: 'Brian Okoye', startedDaysAgo: 75, goals: ['Get back in touch with my brother'], tellReferrer: true },
  { name: 'Chantelle Reid', startedDaysAgo: 14, goals: ['Find a walking group'], tellReferrer: false },
  {
    name: 'Desmond Hart',
    startedDaysAgo: 50,
    goals: ['Manage my money week to week', 'Cook a proper meal twice a week'],
    tellReferrer: false,
  },
  { name: 'Eileen Burke', startedDaysAgo: 8, goals: ['Feel less alone in the evenings'], tellReferrer: true },
  {
    name: 'Farid Haddad',
    startedDaysAgo: 120,
    goals: ['Get to my appointments'],
    tellReferrer: true,
    ended: {
      daysAgo: 30,
      whatChanged:
        'Farid now gets to his appointments with the bus pass and a reminder on his phone. He says he feels "back in charge".',
      whereNext: ['timebank'],
      outcome: 'sent' as const,
    },
  },
  {
    name: 'Gloria Nunes',
    startedDaysAgo: 110,
    goals: ['Talk to someone when things get bad'],
    tellReferrer: false,
    ended: {
      daysAgo: 20,
      whatChanged: 'Gloria joined the Thursday group and has two people she calls.',
      whereNext: ['peer_network'],
      outcome: 'no_consent' as const,
    },
  },
];

export async function generateDemoSupport(owner: Database, communityId: string, programmeId: string): Promise<void> {
  const random = randomFrom(83);
  const recordFor = demoRecordFor(owner, communityId);
  const supporters = [
    await recordFor('peer@example.org'),
    await recordFor('peer2@example.org'),
    await recordFor('peer3@example.org'),
  ];
  const sam = await demoAccountId(owner, 'coordinator@example.org');
  const helen = await demoAccountId(owner, 'referrer@example.org');

  // Ivy: referred by Dr Carter last week and accepted; she agreed her GP hears how it goes. She waits for a supporter.
  const waiting = [{ name: 'Ivy Summers', startedDaysAgo: 0, goals: [], tellReferrer: true, waitingOnly: true }];
  for (const [index, one] of [...supported.map((entry) => ({ ...entry, waitingOnly: false })), ...waiting].entries()) {
    const supporter = supporters[index % supporters.length] ?? '';
    const [person] = await owner
      .insert(personRecords)
      .values({
        communityId,
        preferredName: one.name,
        phone: `020 7946 2${String(100 + index)}`,
        contactTimes: 'Weekday mornings',
      })
      .returning({ id: personRecords.id });
    if (!person) throw new Error('no person');
    const [referral] = await owner
      .execute<{ id: string }>(
        sql`
      insert into referrals (community_id, reference, person_record_id, source, referrer_id, referrer_organisation, reason, contact_due_on, status, status_changed_at, created_at)
      values (${communityId}, ${`PEER-2${index + 2}AB`}, ${person.id}, 'professional', ${helen}, 'Stockwell Group Practice', 'Would like someone alongside them for a few weeks.', ${dayAgo(one.startedDaysAgo + 10)}, 'accepted', ${new Date(Date.now() - (one.startedDaysAgo + 3) * 86_400_000)}, ${new Date(Date.now() - (one.startedDaysAgo + 12) * 86_400_000)})
      returning id`,
      )
      .then((result) => result.rows);
    await owner.insert(consents).values(spokenConsents(communityId, person.id, sam, one.tellReferrer));
    await owner.insert(programmeMembers).values({
      communityId,
      programmeId,
      personRecordId: person.id,
      referralId: referral?.id ?? null,
      joinedAt: new Date(Date.now() - (one.startedDaysAgo + 3) * 86_400_000),
    });
    if (one.waitingOnly) continue;
    const [episode] = await owner
      .insert(supportEpisodes)
      .values({
        communityId,
        programmeId,
        personRecordId: person.id,
        supporterRecordId: supporter,
        referralId: referral?.id ?? null,
        startsOn: dayAgo(one.startedDaysAgo),
        plannedWeeks: 12,
        minutesPerWeek: 120,
        createdBy: sam,
        ...('ended' in one && one.ended
          ? {
              status: 'ended' as const,
              endedOn: dayAgo(one.ended.daysAgo),
              reviewHeldOn: dayAgo(one.ended.daysAgo),
              whatChanged: one.ended.whatChanged,
              whereNext: one.ended.whereNext,
              summaryOutcome: one.ended.outcome,
            }
          : {}),
      })
      .returning({ id: supportEpisodes.id });
    if (!episode) throw new Error('no episode');
    if (one.goals.length)
      await owner
        .insert(episodeGoals)
        .values(one.goals.map((text) => ({ communityId, episodeId: episode.id, text, addedBy: sam })));
    // About one contact a week, sometimes two; the odd long one.
    const ended = 'ended' in one ? one.ended : undefined;
    const lastDay = ended ? ended.daysAgo : 1;
    const contacts = [];
    for (let daysAgo = one.startedDaysAgo - 1; daysAgo >= lastDay; daysAgo -= 7) {
      const on = dayAgo(daysAgo - Math.floor(random.next() * 3));
      contacts.push({
        communityId,
        episodeId: episode.id,
        occurredOn: on,
        minutes: random.pick([60, 75, 90, 90, 120]),
        mode: random.pick(['in_person', 'in_person', 'phone', 'video'] as const),
        whatWasDone: random.pick([
          'Met at the café on Acre Lane and talked about the week',
          'Walked to the library together',
          'Phoned to check in before the appointment',
          'Went through the letters from the council together',
          'Went to the community garden open day',
        ]),
        recordedBy: null,
      });
      if (random.next() < 0.25)
        contacts.push({
          communityId,
          episodeId: episode.id,
          occurredOn: on,
          minutes: 45,
          mode: 'phone' as const,
          whatWasDone: 'Short call: things were hard that evening',
          recordedBy: null,
        });
    }
    if (contacts.length) await owner.insert(episodeContacts).values(contacts);
  }

  // Timesheets: every finished week of each supporter's contacts, approved; last week's waiting; one returned; one over the hours.
  const weeks = await owner.execute<{ supporter: string; week: string; minutes: number; over: boolean }>(sql`
    select e.supporter_record_id as supporter, date_trunc('week', c.occurred_on)::date::text as week, sum(c.minutes)::int as minutes,
      bool_or(per.minutes > e.minutes_per_week) as over
    from episode_contacts c join support_episodes e on e.id = c.episode_id
    join lateral (select sum(c2.minutes) as minutes from episode_contacts c2 where c2.episode_id = e.id and date_trunc('week', c2.occurred_on) = date_trunc('week', c.occurred_on)) per on true
    where e.community_id = ${communityId} and c.occurred_on < ${weekOf(dayAgo(0))}::date
    group by 1, 2 order by 2`);
  const lastWeek = weekOf(dayAgo(7));
  let returned = false;
  const rows = weeks.rows.map((row) => {
    const waiting = row.week === lastWeek;
    const returnIt = !waiting && !returned && row.week === weekOf(dayAgo(14));
    if (returnIt) returned = true;
    const status = waiting ? ('submitted' as const) : returnIt ? ('returned' as const) : ('approved' as const);
    return {
      communityId,
      supporterRecordId: row.supporter,
      weekStarting: row.week,
      status,
      totalMinutes: row.minutes,
      overBudget: row.over,
      submittedAt: new Date(Date.parse(row.week) + 7 * 86_400_000),
      decidedAt: status === 'submitted' ? null : new Date(Date.parse(row.week) + 9 * 86_400_000),
      decidedBy: status === 'submitted' ? null : sam,
      decisionNote:
        status === 'returned'
          ? 'Two contacts on the same day: is one of them a mistake?'
          : status === 'approved' && row.over
            ? 'Extra call agreed after a hard evening'
            : '',
    };
  });
  if (rows.length) await owner.insert(timesheets).values(rows);
}
