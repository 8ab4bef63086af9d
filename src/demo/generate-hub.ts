// A hub team's shared caseload: the team, people joined over months (a few this week), contact
// notes (most recent, some not for weeks), open risk flags with the approach agreed, actions
// (some overdue), key contacts, and past review meetings with their minutes.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/index.ts';
import { personRecords } from '../modules/people/schema.ts';
import { programmeMembers } from '../modules/programmes/schema.ts';
import {
  budgetItems,
  caseloadContacts,
  caseloadEntries,
  hubActions,
  hubTeamMembers,
  keyContacts,
  personalBudgets,
  planGoals,
  reviewItems,
  reviewMeetings,
  riskFlags,
} from '../modules/caseload/schema.ts';
import { inBatches } from './generate-timebank.ts';
import { dayAgo, demoAccountId, demoRecordFor, randomFrom } from './generate.ts';

const firstNames = [
  'Abena',
  'Barry',
  'Carla',
  'Duncan',
  'Efua',
  'Frank',
  'Gita',
  'Hugh',
  'Ines',
  'Jerome',
  'Kerry',
  'Lionel',
  'Marta',
  'Nigel',
  'Olu',
  'Paula',
  'Rashid',
  'Sonia',
  'Terry',
  'Ursula',
  'Vince',
  'Wendy',
  'Yvonne',
  'Zac',
];
const lastNames = [
  'Achebe',
  'Bell',
  'Costa',
  'Dunn',
  'Egan',
  'Frost',
  'Gill',
  'Hale',
  'Irving',
  'Joseph',
  'Kaur',
  'Lamb',
  'Mills',
  'Nolan',
  'Osei',
  'Pike',
  'Rowe',
  'Sharp',
  'Tate',
  'Vaughan',
];

export interface HubSpec {
  communityId: string;
  programmeId: string;
  /** New people to put on the caseload. */
  people: number;
  /** People already in the community to put on it too. */
  existing?: string[];
  team: { personRecordId: string; teamRole: 'clinician' | 'support_worker' | 'peer_supporter' | 'coordinator' }[];
  /** Who chaired past meetings and created actions. */
  actorId: string | null;
  pastMeetings?: number;
}

export async function generateHub(owner: Database, spec: HubSpec, seed: number) {
  const random = randomFrom(seed);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const { communityId, programmeId } = spec;
  if (spec.team.length)
    await owner
      .insert(hubTeamMembers)
      .values(spec.team.map((member) => ({ communityId, programmeId, ...member })))
      .onConflictDoNothing();

  const made = Array.from({ length: spec.people }, (_, index) => ({
    id: randomUUID(),
    communityId,
    preferredName: `${firstNames[index % firstNames.length]} ${lastNames[(index * 7 + seed) % lastNames.length]}`,
    phone: `020 7946 3${String(100 + (index % 900)).padStart(3, '0')}`,
  }));
  await inBatches(made, (batch) => owner.insert(personRecords).values(batch));
  const personIds = [...(spec.existing ?? []), ...made.map((one) => one.id)];
  // A few joined in the last three days; the rest over the last six months.
  const entries = personIds.map((personRecordId, index) => ({
    id: randomUUID(),
    communityId,
    programmeId,
    personRecordId,
    joinedAt: new Date(Date.now() - (index % 25 === 0 ? int(0, 2) : int(7, 180)) * 86_400_000),
  }));
  await inBatches(entries, (batch) => owner.insert(caseloadEntries).values(batch));
  await inBatches(entries, (batch) =>
    owner
      .insert(programmeMembers)
      .values(
        batch.map((entry) => ({
          communityId,
          programmeId,
          personRecordId: entry.personRecordId,
          joinedAt: entry.joinedAt,
        })),
      )
      .onConflictDoNothing(),
  );

  // In touch: most people within the last fortnight, about one in eight not for a month or more.
  const contacts = entries.flatMap((entry) => {
    const quiet = random.next() < 0.12;
    const joinedDaysAgo = Math.floor((Date.now() - entry.joinedAt.getTime()) / 86_400_000);
    if (joinedDaysAgo < 1) return [];
    return Array.from({ length: int(1, 4) }, () => ({
      communityId,
      entryId: entry.id,
      occurredOn: dayAgo(Math.min(joinedDaysAgo, quiet ? int(30, 60) : int(0, 13))),
      note: random.pick([
        'Phoned to see how the week went',
        'Met at the hub',
        'Home visit with the support worker',
        'Text about the appointment on Friday',
      ]),
      recordedBy: spec.actorId,
    }));
  });
  await inBatches(contacts, (batch) => owner.insert(caseloadContacts).values(batch), 5000);

  const team = spec.team.map((member) => member.personRecordId);
  const clinical = spec.team
    .filter((member) => member.teamRole !== 'peer_supporter')
    .map((member) => member.personRecordId);
  // Key contacts: one or two for most people.
  const keys = entries.flatMap((entry) =>
    team.length && random.next() < 0.8
      ? [...new Set([random.pick(team), random.pick(clinical.length ? clinical : team)])].map((personRecordId) => ({
          communityId,
          entryId: entry.id,
          personRecordId,
        }))
      : [],
  );
  await inBatches(keys, (batch) => owner.insert(keyContacts).values(batch), 5000);
  // Risk flags for about one in fifteen, with the approach agreed.
  const flags = entries
    .filter(() => random.next() < 0.065)
    .map((entry) => ({
      communityId,
      entryId: entry.id,
      detail: random.pick([
        'Has said they think about ending their life when debts pile up',
        'Lives with a partner who has been violent',
        'Stops taking medication when unwell; has been admitted before',
        'Has a dog that has bitten visitors',
      ]),
      agreedApproach: random.pick([
        'Visits in pairs at first',
        'Meet at the hub, not at home',
        'Call before visiting; if no answer twice, tell the duty clinician',
        'Ask for the dog to be in another room',
      ]),
      raisedBy: spec.actorId,
      reviewOn: dayAgo(-int(5, 60)),
    }));
  await inBatches(flags, (batch) => owner.insert(riskFlags).values(batch));
  // Actions: about one each for a third of people, some overdue, some done.
  const actions = entries
    .filter(() => random.next() < 0.35)
    .map((entry) => {
      const due = int(-10, 20);
      const done = due < -3 && random.next() < 0.6;
      return {
        communityId,
        entryId: entry.id,
        description: random.pick([
          'Help fill in the PIP form',
          'Go with them to the housing office',
          'Ask the GP about a medication review',
          'Introduce them to the Thursday walking group',
          'Check the food bank voucher arrived',
        ]),
        ownerRecordId: team.length ? random.pick(team) : entry.personRecordId,
        dueOn: dayAgo(-due),
        doneAt: done ? new Date() : null,
        createdBy: spec.actorId,
      };
    });
  await inBatches(actions, (batch) => owner.insert(hubActions).values(batch));

  // Past review meetings on the team's days, closed, each with a few people discussed.
  for (let meeting = spec.pastMeetings ?? 0; meeting >= 1; meeting -= 1) {
    const heldOn = dayAgo(meeting * 2 + 1);
    const [made] = await owner
      .insert(reviewMeetings)
      .values({
        communityId,
        programmeId,
        heldOn,
        chairId: spec.actorId,
        minutes: 'Went through new referrals and open risks. Reminder: the hub is closed on the bank holiday.',
        closedAt: new Date(Date.parse(heldOn) + 3_600_000),
      })
      .onConflictDoNothing()
      .returning({ id: reviewMeetings.id });
    if (!made) continue;
    const discussed = Array.from({ length: Math.min(entries.length, int(3, 6)) }, () => random.pick(entries));
    await owner
      .insert(reviewItems)
      .values(
        [...new Map(discussed.map((entry) => [entry.id, entry])).values()].map((entry) => ({
          communityId,
          meetingId: made.id,
          entryId: entry.id,
          reasons: [random.pick(['new_referral', 'no_contact', 'risk_flag'])],
          discussion: 'Talked through how things are at home.',
          decisions: random.pick(['Keep going as planned', 'Offer peer support', 'Review again next week']),
          recordedBy: spec.actorId,
          recordedAt: new Date(Date.parse(heldOn) + 1_800_000),
        })),
      )
      .onConflictDoNothing();
  }
  await owner.execute(sql`analyze caseload_entries, caseload_contacts, hub_actions, risk_flags, key_contacts`);
  return { entries: entries.length };
}

/** Lambeth's Living Well hub: a team of eight (two clinicians, two support workers, a coordinator, three peer supporters), about sixty people. */
export async function generateDemoHub(owner: Database, communityId: string, programmeId: string) {
  const recordFor = demoRecordFor(owner, communityId);
  const [ruth, amir] = await owner
    .insert(personRecords)
    .values([
      { communityId, preferredName: 'Joe', fullName: 'Joe Pearce' },
      { communityId, preferredName: 'Mina', fullName: 'Mina Shah' },
    ])
    .returning({ id: personRecords.id });
  const team = [
    { personRecordId: await recordFor('clinician@example.org'), teamRole: 'clinician' as const },
    { personRecordId: await recordFor('clinician2@example.org'), teamRole: 'clinician' as const },
    { personRecordId: ruth?.id ?? '', teamRole: 'support_worker' as const },
    { personRecordId: amir?.id ?? '', teamRole: 'support_worker' as const },
    { personRecordId: await recordFor('coordinator@example.org'), teamRole: 'coordinator' as const },
    { personRecordId: await recordFor('peer@example.org'), teamRole: 'peer_supporter' as const },
    { personRecordId: await recordFor('peer2@example.org'), teamRole: 'peer_supporter' as const },
    { personRecordId: await recordFor('peer3@example.org'), teamRole: 'peer_supporter' as const },
  ];
  // The people Missing Link supports came through the hub, and are on its caseload too.
  const supported = (
    await owner.execute<{ id: string }>(
      sql`select distinct person_record_id as id from support_episodes where community_id = ${communityId}`,
    )
  ).rows.map((row) => row.id);
  const sam = await demoAccountId(owner, 'coordinator@example.org');
  const made = await generateHub(
    owner,
    { communityId, programmeId, people: 52, existing: supported, team, actorId: sam, pastMeetings: 4 },
    91,
  );
  // Spends are asked for by the clinician and approved by the coordinator: nobody approves their own request.
  const clinician = await demoAccountId(owner, 'clinician@example.org');
  await generateDemoPlansAndBudgets(owner, communityId, programmeId, sam, clinician);
  return made;
}

/** Support plans for a dozen people; three personal budgets: one comfortable, one nearly spent with a spend waiting that would overspend it, one new. */
async function generateDemoPlansAndBudgets(
  owner: Database,
  communityId: string,
  programmeId: string,
  actorId: string | null,
  requesterId: string | null,
) {
  const entries = (
    await owner.execute<{ id: string; name: string }>(
      sql`select e.id, r.preferred_name as name from caseload_entries e join person_records r on r.id = e.person_record_id where e.programme_id = ${programmeId} order by r.preferred_name limit 12`,
    )
  ).rows;
  const goals = [
    {
      goal: 'I want to feel safe going out on my own',
      steps: 'Short walks with a peer supporter, then on my own to the corner shop',
      whoDoesWhat: 'Me: choose the route. Peer supporter: come along the first three times.',
    },
    {
      goal: 'Get back to swimming',
      steps: 'Swimming pass from the personal budget; first visit with someone',
      whoDoesWhat: 'Support worker: book the induction. Me: go on Tuesdays.',
    },
    {
      goal: 'Sleep better',
      steps: 'Talk to the GP about medication; wind-down routine',
      whoDoesWhat: 'Clinician: medication review. Me: try the routine for two weeks.',
    },
  ];
  const madeGoals: { id: string; entryId: string; goal: string }[] = [];
  for (const [index, entry] of entries.entries()) {
    const rows = goals
      .slice(0, 1 + (index % 3))
      .map((goal) => ({ communityId, entryId: entry.id, ...goal, createdBy: actorId }));
    madeGoals.push(
      ...(await owner
        .insert(planGoals)
        .values(rows)
        .returning({ id: planGoals.id, entryId: planGoals.entryId, goal: planGoals.goal })),
    );
  }
  // Alice's budget is comfortable; Desmond's is nearly spent, with a spend waiting that would overspend it; Eileen's is new.
  const byName = async (name: string) =>
    (
      await owner.execute<{ id: string; name: string }>(
        sql`select e.id, r.preferred_name as name from caseload_entries e join person_records r on r.id = e.person_record_id where e.programme_id = ${programmeId} and r.preferred_name = ${name}`,
      )
    ).rows[0];
  const budgetsFor = (await Promise.all(['Alice Moreno', 'Desmond Hart', 'Eileen Burke'].map(byName))).filter(
    (one): one is { id: string; name: string } => one !== undefined,
  );
  const amounts = [60_000, 25_000, 40_000];
  for (const [index, entry] of budgetsFor.entries()) {
    const [budget] = await owner
      .insert(personalBudgets)
      .values({
        communityId,
        entryId: entry.id,
        source: 'Lambeth personal health budget 2026/27',
        allocatedPence: amounts[index] ?? 30_000,
        createdBy: actorId,
      })
      .returning({ id: personalBudgets.id });
    if (!budget) continue;
    const goal = madeGoals.find((one) => one.entryId === entry.id)?.id ?? null;
    const items: (typeof budgetItems.$inferInsert)[] = [
      {
        communityId,
        budgetId: budget.id,
        kind: 'planned',
        planGoalId: goal,
        description: 'Swimming pass for six months',
        amountPence: 15_000,
        createdBy: actorId,
      },
    ];
    if (index === 0)
      items.push({
        communityId,
        budgetId: budget.id,
        kind: 'spend',
        planGoalId: goal,
        description: 'Swimming pass, first three months',
        amountPence: 7_500,
        spentOn: dayAgo(20),
        receipt: 'Receipt in the hub file, 0311',
        status: 'approved',
        decidedBy: actorId,
        decidedAt: new Date(Date.now() - 19 * 86_400_000),
        createdBy: requesterId,
      });
    if (index === 1) {
      items.push({
        communityId,
        budgetId: budget.id,
        kind: 'spend',
        planGoalId: goal,
        description: 'Gym membership, three months',
        amountPence: 21_000,
        spentOn: dayAgo(30),
        receipt: 'Receipt 0298',
        status: 'approved',
        decidedBy: actorId,
        decidedAt: new Date(Date.now() - 29 * 86_400_000),
        createdBy: requesterId,
      });
      // Waiting: more than the £40 left.
      items.push({
        communityId,
        budgetId: budget.id,
        kind: 'spend',
        planGoalId: goal,
        description: 'Running shoes and kit',
        amountPence: 9_500,
        spentOn: dayAgo(1),
        receipt: 'Receipt 0420',
        status: 'requested',
        createdBy: requesterId,
      });
    }
    await owner.insert(budgetItems).values(items);
  }
}
