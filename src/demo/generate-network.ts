// A peer network's year: weekly groups in a neutral place, members who usually go to one or two,
// a year of registers, members who stepped back and some who came back, ground rules agreed and a
// change proposed, and a crisis plan shared with one facilitator.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/index.ts';
import { personRecords } from '../modules/people/schema.ts';
import { programmeMembers } from '../modules/programmes/schema.ts';
import { scheduleMeetings } from '../modules/peer-network/service.ts';
import {
  crisisPlanReaders,
  crisisPlans,
  peerAttendance,
  peerGroundRules,
  peerGroundRulesAgreements,
  peerGroupFacilitators,
  peerGroups,
  peerMeetingReplies,
  peerMembershipChanges,
  peerNetworkMembers,
} from '../modules/peer-network/schema.ts';
import { inBatches } from './generate-timebank.ts';
import { randomFrom } from './generate.ts';

const firstNames = [
  'Aisha',
  'Bea',
  'Callum',
  'Dami',
  'Ellie',
  'Fran',
  'Gabe',
  'Hana',
  'Idris',
  'Josie',
  'Kai',
  'Leon',
  'Mia',
  'Nia',
  'Ola',
  'Priya',
  'Remi',
  'Sade',
  'Theo',
  'Uma',
  'Vic',
  'Wren',
  'Zoe',
  'Alfie',
  'Bisi',
  'Cleo',
  'Dean',
  'Eve',
];
const lastNames = [
  'Akande',
  'Barnes',
  'Cole',
  'Dixon',
  'Ellis',
  'Fox',
  'Grant',
  'Hart',
  'Ince',
  'James',
  'Kerr',
  'Lowe',
  'Marsh',
  'Nash',
  'Owusu',
  'Price',
  'Reid',
  'Shaw',
  'Todd',
  'Vale',
  'Ward',
];

export const demoGroups = [
  { name: 'Monday evening group', weekday: 1, startsAt: '18:00', durationMinutes: 120 },
  { name: 'Tuesday afternoon group', weekday: 2, startsAt: '14:00', durationMinutes: 90 },
  {
    name: 'Thursday evening group',
    weekday: 4,
    startsAt: '18:30',
    durationMinutes: 120,
    onlineLink: 'https://meet.example.org/croydon-thursday',
  },
  { name: 'Saturday morning group', weekday: 6, startsAt: '10:30', durationMinutes: 90, capacity: 25 },
];

export const demoGroundRules = `1. What is said in the group stays in the group.
2. Everyone gets the chance to speak; nobody has to.
3. We listen without judging, and we speak from our own experience.
4. No alcohol or drugs before or during the group.
5. If you need to leave, that is fine: let a facilitator know you are safe.
6. We look after each other between groups, and we respect each other's limits.
7. Facilitators give direction and guidance. The group belongs to its members.`;

export interface NetworkSpec {
  communityId: string;
  programmeId: string;
  /** New member records to make. */
  members: number;
  /** Records that exist already (people with accounts) and are members. */
  existing?: string[];
  /** Facilitators' records, shared out across the groups. */
  facilitators: string[];
  groups?: typeof demoGroups;
  weeksOfHistory?: number;
  venue?: string;
  /** Everyone usually goes to every group (a benchmark's one big group). */
  everyoneEverywhere?: boolean;
  /** A member whose crisis plan is shared with the first facilitator. */
  planOwner?: string;
}

export async function generateNetwork(owner: Database, spec: NetworkSpec, seed: number) {
  const random = randomFrom(seed);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const weeks = spec.weeksOfHistory ?? 52;
  const { communityId, programmeId } = spec;
  const yearAgo = new Date(Date.now() - weeks * 7 * 86_400_000);

  const groupSpecs = spec.groups ?? demoGroups;
  const groups = await owner
    .insert(peerGroups)
    .values(
      groupSpecs.map((group) => ({
        communityId,
        programmeId,
        ...group,
        venue: spec.venue ?? 'Community centre, St James Road',
        accessDetails:
          'Step-free entrance on the left of the building. Accessible toilet on the ground floor. Buses 75 and 410 stop outside.',
        createdAt: yearAgo,
      })),
    )
    .returning({ id: peerGroups.id, name: peerGroups.name });
  const facilitatorRows = groups.flatMap((group, index) => {
    const first = spec.facilitators[index % Math.max(spec.facilitators.length, 1)];
    return first ? [{ communityId, groupId: group.id, personRecordId: first }] : [];
  });
  if (facilitatorRows.length) await owner.insert(peerGroupFacilitators).values(facilitatorRows);
  const from = yearAgo.toISOString().slice(0, 10);
  for (const group of groups) await scheduleMeetings(owner, group.id, 8, from);

  // The members: their records, when they joined, how they came, the groups they usually go to.
  const made = Array.from({ length: spec.members }, (_, index) => ({
    id: randomUUID(),
    communityId,
    preferredName: `${firstNames[index % firstNames.length]} ${lastNames[(index * 5 + seed) % lastNames.length]}`,
    phone: `020 8123 ${String(2000 + index).slice(-4)}`,
    createdAt: new Date(yearAgo.getTime() - int(0, 300) * 86_400_000),
  }));
  await inBatches(made, (batch) => owner.insert(personRecords).values(batch));
  const memberIds = [...(spec.existing ?? []), ...made.map((one) => one.id)];
  const members = memberIds.map((personRecordId, index) => {
    // A third joined during the year; the rest were members already.
    const joinedAt =
      index % 3 === 0
        ? new Date(yearAgo.getTime() + int(0, weeks * 7 - 14) * 86_400_000)
        : new Date(yearAgo.getTime() - int(10, 400) * 86_400_000);
    const steppedBack = index >= (spec.existing?.length ?? 0) && random.next() < 0.12;
    const returned = steppedBack && random.next() < 0.35;
    const steppedAt = new Date(Math.max(joinedAt.getTime() + 30 * 86_400_000, Date.now() - int(40, 200) * 86_400_000));
    const returnedAt = new Date(steppedAt.getTime() + int(14, 30) * 86_400_000);
    const usual = spec.everyoneEverywhere
      ? groups.map((group) => group.id)
      : [
          ...new Set(
            [
              groups[index % groups.length]?.id,
              random.next() < 0.3 ? groups[(index + 1) % groups.length]?.id : undefined,
            ].filter((id): id is string => Boolean(id)),
          ),
        ];
    return {
      id: randomUUID(),
      personRecordId,
      joinedAt,
      steppedBack,
      returned,
      steppedAt,
      returnedAt,
      usual,
      cameBy: random.next() < 0.55 ? ('self' as const) : ('referral' as const),
    };
  });
  await inBatches(members, (batch) =>
    owner.insert(peerNetworkMembers).values(
      batch.map((member) => ({
        id: member.id,
        communityId,
        programmeId,
        personRecordId: member.personRecordId,
        cameBy: member.cameBy,
        joinedAt: member.joinedAt,
        active: !member.steppedBack || member.returned,
        changedAt: member.steppedBack ? (member.returned ? member.returnedAt : member.steppedAt) : member.joinedAt,
      })),
    ),
  );
  await inBatches(members, (batch) =>
    owner
      .insert(programmeMembers)
      .values(
        batch.map((member) => ({
          communityId,
          programmeId,
          personRecordId: member.personRecordId,
          joinedAt: member.joinedAt,
        })),
      )
      .onConflictDoNothing(),
  );
  const changes = members.flatMap((member) => [
    { communityId, memberId: member.id, change: 'joined' as const, at: member.joinedAt },
    ...(member.steppedBack
      ? [{ communityId, memberId: member.id, change: 'went_inactive' as const, at: member.steppedAt }]
      : []),
    ...(member.returned
      ? [{ communityId, memberId: member.id, change: 'returned' as const, at: member.returnedAt }]
      : []),
  ]);
  await inBatches(changes, (batch) => owner.insert(peerMembershipChanges).values(batch));
  await inBatches(
    members.flatMap((member) =>
      member.usual.map((groupId) => ({ communityId, groupId, personRecordId: member.personRecordId })),
    ),
    (batch) =>
      owner.execute(
        sql`insert into peer_usual_groups (community_id, group_id, person_record_id) select * from json_to_recordset(${JSON.stringify(batch.map((row) => ({ c: row.communityId, g: row.groupId, p: row.personRecordId })))}::json) as x(c uuid, g uuid, p uuid)`,
      ),
  );

  // A year of registers: each usual member came to about half their group's meetings while a member.
  const meetings = await owner.execute<{ id: string; group_id: string; starts_at: Date }>(
    sql`select id, group_id, starts_at from peer_meetings where community_id = ${communityId} and group_id in (${sql.join(
      groups.map((group) => sql`${group.id}`),
      sql`, `,
    )}) order by starts_at`,
  );
  const now = Date.now();
  const attendance: {
    communityId: string;
    meetingId: string;
    personRecordId: string;
    dropIn: boolean;
    recordedAt: Date;
  }[] = [];
  const replies: { communityId: string; meetingId: string; personRecordId: string; coming: boolean }[] = [];
  const nextOfGroup = new Set<string>();
  for (const meeting of meetings.rows) {
    const at = new Date(meeting.starts_at).getTime();
    if (at > now) {
      if (nextOfGroup.has(meeting.group_id)) continue;
      nextOfGroup.add(meeting.group_id);
      for (const member of members)
        if (member.usual.includes(meeting.group_id) && (!member.steppedBack || member.returned) && random.next() < 0.4)
          replies.push({
            communityId,
            meetingId: meeting.id,
            personRecordId: member.personRecordId,
            coming: random.next() < 0.85,
          });
      continue;
    }
    for (const member of members) {
      const away =
        member.steppedBack && at > member.steppedAt.getTime() && (!member.returned || at < member.returnedAt.getTime());
      if (at < member.joinedAt.getTime() || away) continue;
      const usual = member.usual.includes(meeting.group_id);
      if ((usual && random.next() < 0.5) || (!usual && random.next() < 0.02))
        attendance.push({
          communityId,
          meetingId: meeting.id,
          personRecordId: member.personRecordId,
          dropIn: !usual,
          recordedAt: new Date(at + 3_600_000),
        });
    }
  }
  await inBatches(attendance, (batch) => owner.insert(peerAttendance).values(batch), 5000);
  if (replies.length) await inBatches(replies, (batch) => owner.insert(peerMeetingReplies).values(batch));

  // Ground rules agreed with members a year ago, and a change proposed last week.
  const [rules] = await owner
    .insert(peerGroundRules)
    .values({
      communityId,
      programmeId,
      version: 1,
      body: demoGroundRules,
      changeNote: 'The first ground rules, written with the service user group.',
      status: 'current',
      proposedAt: yearAgo,
      adoptedAt: new Date(yearAgo.getTime() + 7 * 86_400_000),
    })
    .returning({ id: peerGroundRules.id });
  const proposer = memberIds[1] ?? memberIds[0];
  const [proposal] = await owner
    .insert(peerGroundRules)
    .values({
      communityId,
      programmeId,
      body: `${demoGroundRules}\n8. Phones on silent during the group, unless you are waiting for an important call.`,
      changeNote: 'Add a rule about phones during the group',
      status: 'proposed',
      proposedBy: proposer ?? null,
      proposedAt: new Date(now - 6 * 86_400_000),
    })
    .returning({ id: peerGroundRules.id });
  if (rules)
    await inBatches(
      memberIds
        .slice(0, Math.floor(memberIds.length * 0.8))
        .map((personRecordId) => ({ communityId, rulesId: rules.id, personRecordId })),
      (batch) => owner.insert(peerGroundRulesAgreements).values(batch),
    );
  if (proposal)
    await inBatches(
      memberIds.slice(1, 12).map((personRecordId) => ({ communityId, rulesId: proposal.id, personRecordId })),
      (batch) => owner.insert(peerGroundRulesAgreements).values(batch),
    );

  // A member's crisis plan, written with the Tuesday group, shown to the first facilitator only.
  if (spec.planOwner) {
    await owner.insert(crisisPlans).values({
      communityId,
      personRecordId: spec.planOwner,
      warningSigns: 'I stop answering my phone and stay in bed. I stop eating properly.',
      whatHelps:
        'A text from someone in the group. Going for a walk with someone. Listening to music with headphones on.',
      whatDoesNotHelp: 'Being told to cheer up. Lots of questions at once.',
      whoToContact: 'My sister Kim, 07700 900 412. Someone from the Tuesday group.',
      writtenWith: 'Members of the Tuesday afternoon group, at my first meeting',
    });
    const first = spec.facilitators[0];
    if (first)
      await owner
        .insert(crisisPlanReaders)
        .values({ communityId, planPersonRecordId: spec.planOwner, readerPersonRecordId: first });
  }
  return { groups, memberIds, meetings: meetings.rows.length, attendances: attendance.length };
}

/** The Croydon demo: the network's facilitators and members with accounts get records, then a year of the network. */
export async function generateDemoNetwork(owner: Database, communityId: string, programmeId: string) {
  const recordFor = async (email: string) => {
    const rows = await owner.execute<{ id: string; name: string }>(
      sql`select id, display_name as name from people where email = ${email}`,
    );
    const account = rows.rows[0];
    if (!account) throw new Error(`no demo account ${email}`);
    const [made] = await owner
      .insert(personRecords)
      .values({ communityId, accountId: account.id, preferredName: account.name, email })
      .returning({ id: personRecords.id });
    if (!made) throw new Error('record insert returned nothing');
    return made.id;
  };
  const ruth = await recordFor('facilitator.croydon@example.org');
  const tom = await recordFor('facilitator2.croydon@example.org');
  const jade = await recordFor('member.croydon@example.org');
  // Leah has an account and a record, but has not joined the network yet.
  await recordFor('newmember.croydon@example.org');
  return generateNetwork(
    owner,
    { communityId, programmeId, members: 66, existing: [jade], facilitators: [ruth, tom], planOwner: jade },
    61,
  );
}
