// A time bank's year: members, categories, exchanges one to one and in groups, pot grants, a few
// waiting, one disputed, one corrected. Balances are worked out as the ledger would (ledger.ts),
// so every transfer sums to zero and no limit is broken; then everything is written in batches.
import { randomUUID } from 'node:crypto';
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/index.ts';
import { personRecords } from '../modules/people/schema.ts';
import { type AccountState, applyTransfer } from '../modules/timebank/ledger.ts';
import { reconcileLedgers } from '../modules/timebank/service.ts';
import { ukDay } from '../platform/working-days.ts';
import {
  backgroundChecks,
  exchangeParties,
  onboardingSteps,
  onboardingTicks,
  postResponses,
  timebankAccounts,
  timebankCategories,
  timebankExchanges,
  timebankMembers,
  timebankMessages,
  timebankMovements,
  timebankPosts,
  timebankTransfers,
  timebanks,
} from '../modules/timebank/schema.ts';
import { dayAgo, randomFrom } from './generate.ts';

export const demoCategories: {
  name: string;
  checkLevel?: 'basic' | 'enhanced' | 'enhanced_barred';
  homeVisit?: boolean;
}[] = [
  { name: 'Befriending and phone calls' },
  { name: 'Café company and coffee mornings' },
  { name: 'Computer and phone help' },
  { name: 'Cooking and meals', homeVisit: true },
  { name: 'DIY and small repairs', homeVisit: true },
  { name: 'Dog walking and pets' },
  { name: 'Gardening' },
  { name: 'Lifts and escorts to appointments', checkLevel: 'basic' },
  { name: 'Personal care at home', checkLevel: 'enhanced_barred', homeVisit: true },
  { name: 'Reading, letters and forms' },
  { name: 'Shopping and errands' },
  { name: 'Talks and groups' },
];

const neighbourhoods = ['Herne Hill', 'Tulse Hill', 'West Norwood', 'Brixton', 'Streatham', 'Gipsy Hill'];
const firstNames = [
  'Agnes',
  'Bernard',
  'Cynthia',
  'Delroy',
  'Edna',
  'Frank',
  'Gloria',
  'Hyacinth',
  'Ivan',
  'June',
  'Kenneth',
  'Lilian',
  'Marcus',
  'Nell',
  'Oluwaseun',
  'Percy',
  'Queenie',
  'Roland',
  'Sylvia',
  'Tunde',
  'Ursula',
  'Vernon',
  'Wendy',
  'Xavier',
  'Yvonne',
  'Zach',
  'Aisha',
  'Brian',
  'Carmen',
  'Dennis',
  'Elsie',
  'Fiona',
  'George',
  'Hilda',
  'Imran',
  'Jean',
  'Keith',
  'Leonie',
];
const lastNames = [
  'Adebayo',
  'Barker',
  'Chambers',
  'Douglas',
  'Ellis',
  'Fletcher',
  'Grant',
  'Hall',
  'Ince',
  'James',
  'Kelly',
  'Lowe',
  'Marshall',
  'Nash',
  'Okoro',
  'Price',
  'Reid',
  'Simpson',
  'Turner',
  'Vaughan',
  'Ward',
  'Yates',
];

export interface TimebankSpec {
  communityId: string;
  programmeId?: string;
  /** New members to make, besides those named. */
  members: number;
  /** Existing records to bring in as members (the demo's Maria). */
  existing?: string[];
  /** Members a coordinator manages: not online, no email. */
  notOnline?: string[];
  /** Members still joining, with some steps done. */
  joining?: number;
  /** Existing records still joining (the demo's newly referred member). */
  existingJoining?: string[];
  /** One-to-one exchanges over the year. */
  exchanges: number;
  coordinatorId: string | null;
  days?: number;
}

/** Each account's last day in a confirmed exchange, as posting keeps it. */
const lastExchanged = (communityId: string) =>
  sql`update timebank_accounts a set last_exchanged_on = x.last
    from (select p.account_id, max(e.occurred_on) as last from timebank_exchange_parties p join timebank_exchanges e on e.id = p.exchange_id
          where e.community_id = ${communityId} and e.status = 'confirmed' group by p.account_id) x
    where x.account_id = a.id and a.kind <> 'pot'`;

export async function inBatches<T>(rows: T[], write: (batch: T[]) => Promise<unknown>, size = 1000): Promise<void> {
  for (let start = 0; start < rows.length; start += size) await write(rows.slice(start, start + size));
}

export async function generateTimebank(
  owner: Database,
  spec: TimebankSpec,
  seed: number,
): Promise<{ memberIds: string[]; accountOf: Map<string, string> }> {
  const random = randomFrom(seed);
  const int = (min: number, max: number) => min + Math.floor(random.next() * (max - min + 1));
  const days = spec.days ?? 365;
  const { communityId } = spec;
  await owner.insert(timebanks).values({ communityId });
  const steps = await owner
    .insert(onboardingSteps)
    .values(
      ['Welcome conversation', 'References taken up', 'ID seen', 'Induction'].map((label, position) => ({
        communityId,
        label,
        position,
      })),
    )
    .returning({ id: onboardingSteps.id });
  const categories = await owner
    .insert(timebankCategories)
    .values(
      demoCategories.map((category) => ({
        communityId,
        name: category.name,
        checkLevel: category.checkLevel ?? ('none' as const),
        homeVisit: category.homeVisit ?? false,
      })),
    )
    .returning({ id: timebankCategories.id, name: timebankCategories.name });
  const groupCategory = categories.find((category) => category.name === 'Talks and groups')?.id ?? null;
  const gardening = categories.find((category) => category.name === 'Gardening')?.id ?? null;
  const everyday = categories.filter(
    (category) => !category.name.startsWith('Personal care') && category.id !== groupCategory,
  );

  // The people: new records, the existing ones named, and those a coordinator manages.
  const made = Array.from({ length: spec.members }, (_, index) => ({
    id: randomUUID(),
    communityId,
    preferredName: `${firstNames[index % firstNames.length]} ${lastNames[(index * 7 + seed) % lastNames.length]}`,
    phone: `020 7946 ${String(1000 + index).slice(-4)}`,
    createdAt: new Date(Date.now() - int(30, days) * 86_400_000),
  }));
  const notOnline = (spec.notOnline ?? []).map((name, index) => ({
    id: randomUUID(),
    communityId,
    preferredName: name,
    assistedDigital: true,
    phone: `020 7946 09${10 + index}`,
    address: `${12 + index} Norwood Road, London`,
    createdAt: new Date(Date.now() - (days - 20) * 86_400_000),
  }));
  await inBatches([...made, ...notOnline], (batch) => owner.insert(personRecords).values(batch));
  const memberIds: string[] = [
    ...(spec.existing ?? []),
    ...notOnline.map((person) => person.id),
    ...made.map((person) => person.id),
    ...(spec.existingJoining ?? []),
  ];
  const joining = new Set<string>([
    ...made.slice(made.length - (spec.joining ?? 0)).map((person) => person.id),
    ...(spec.existingJoining ?? []),
  ]);
  const neighbourhoodOf = new Map(
    memberIds.map((id, index) => [id, neighbourhoods[index % neighbourhoods.length] ?? '']),
  );
  const joinedDaysAgo = (index: number) =>
    Math.max(10, days - Math.floor((index / Math.max(memberIds.length, 1)) * (days - 30)));
  await inBatches(
    memberIds.map((id, index) => ({
      communityId,
      personRecordId: id,
      programmeId: spec.programmeId ?? null,
      cameFrom:
        spec.existingJoining?.includes(id) || index % 3 === 0
          ? ('professional' as const)
          : index % 3 === 1
            ? ('self' as const)
            : ('coordinator' as const),
      neighbourhood: neighbourhoodOf.get(id) ?? '',
      joinedAt: new Date(Date.now() - joinedDaysAgo(index) * 86_400_000),
      onboardedAt: joining.has(id) ? null : new Date(Date.now() - (joinedDaysAgo(index) - 7) * 86_400_000),
    })),
    (batch) => owner.insert(timebankMembers).values(batch),
  );
  const memberRows = await owner.execute<{ id: string; person_record_id: string }>(
    sql`select id, person_record_id from timebank_members where community_id = ${communityId}`,
  );
  const tickRows = memberRows.rows.flatMap((member) => {
    const done = joining.has(member.person_record_id) ? steps.slice(0, int(1, steps.length - 1)) : steps;
    return done.map((step, index) => ({
      communityId,
      memberId: member.id,
      stepId: step.id,
      doneOn: dayAgo(Math.max(1, joinedDaysAgo(memberIds.indexOf(member.person_record_id)) - index * 2)),
      tickedBy: spec.coordinatorId,
    }));
  });
  await inBatches(tickRows, (batch) => owner.insert(onboardingTicks).values(batch));

  // Accounts: each member, the pot, and a community centre that hosts talks.
  const accounts = [
    ...memberIds.map((personRecordId) => ({
      id: randomUUID(),
      communityId,
      kind: 'member' as const,
      personRecordId,
      neighbourhood: neighbourhoodOf.get(personRecordId) ?? '',
    })),
    { id: randomUUID(), communityId, kind: 'pot' as const, personRecordId: null, neighbourhood: '' },
    {
      id: randomUUID(),
      communityId,
      kind: 'organisation' as const,
      personRecordId: null,
      name: 'Herne Hill Community Centre',
      neighbourhood: 'Herne Hill',
    },
  ];
  const accountOf = new Map(
    accounts
      .filter((account) => account.personRecordId)
      .map((account) => [account.personRecordId as string, account.id]),
  );
  const pot = accounts.find((account) => account.kind === 'pot')?.id ?? '';
  const centre = accounts.find((account) => account.kind === 'organisation')?.id ?? '';
  const state = new Map<string, AccountState>(
    accounts.map((account) => [account.id, { id: account.id, kind: account.kind, balance: 0 }]),
  );
  const active = memberIds.filter((id) => !joining.has(id)).map((id) => accountOf.get(id) ?? '');

  // The year, in order: one-to-one exchanges most days, a talk each month, a garden day each season, welcome grants.
  type Planned = {
    kind: 'exchange' | 'group' | 'grant';
    day: number;
    parties: { accountId: string; side: 'giver' | 'receiver'; minutes: number }[];
    potPays: boolean;
    categoryId: string | null;
    note: string;
  };
  const plan: Planned[] = [];
  /** Up to `count` active accounts other than `one`, drawn at random. */
  const othersThan = (one: string, count: number) =>
    active
      .filter((id) => id !== one)
      .sort(() => random.next() - 0.5)
      .slice(0, count);
  for (let index = 0; index < spec.exchanges; index += 1) {
    const giver = random.pick(active);
    let receiver = random.pick(active);
    if (receiver === giver) receiver = active[(active.indexOf(giver) + 1) % active.length] ?? receiver;
    const minutes = random.pick([30, 45, 60, 60, 60, 90, 90, 120, 120, 180]);
    plan.push({
      kind: 'exchange',
      day: int(3, days),
      parties: [
        { accountId: giver, side: 'giver', minutes },
        { accountId: receiver, side: 'receiver', minutes },
      ],
      potPays: false,
      categoryId: random.pick(everyday).id,
      note: '',
    });
  }
  for (let month = 0; month < Math.floor(days / 30); month += 1) {
    const speaker = random.pick(active);
    const audience = othersThan(speaker, 8);
    plan.push({
      kind: 'group',
      day: month * 30 + 12,
      parties: [
        { accountId: speaker, side: 'giver', minutes: 60 },
        ...audience.map((accountId) => ({ accountId, side: 'receiver' as const, minutes: 60 })),
        ...(month % 4 === 0 ? [{ accountId: centre, side: 'receiver' as const, minutes: 60 }] : []),
      ],
      potPays: true,
      categoryId: groupCategory,
      note: random.pick([
        'Talk: staying well in winter',
        'Talk: getting the most from your GP appointment',
        'Talk: managing diabetes day to day',
        'Talk: sleep and mood',
        'Talk: staying steady on your feet',
      ]),
    });
  }
  for (let season = 0; season < Math.floor(days / 90); season += 1) {
    const host = random.pick(active);
    const helpers = othersThan(host, 4);
    plan.push({
      kind: 'group',
      day: season * 90 + 40,
      parties: [
        ...helpers.map((accountId) => ({ accountId, side: 'giver' as const, minutes: 180 })),
        { accountId: host, side: 'receiver', minutes: 180 },
      ],
      potPays: false,
      categoryId: gardening,
      note: 'Garden day',
    });
  }
  for (const accountId of active.slice(0, Math.min(10, active.length)))
    plan.push({
      kind: 'grant',
      day: days - 5,
      parties: [{ accountId, side: 'receiver', minutes: 120 }],
      potPays: false,
      categoryId: null,
      note: 'Welcome grant',
    });
  plan.sort((a, b) => b.day - a.day);

  const exchangeRows: (typeof timebankExchanges.$inferInsert)[] = [];
  const partyRows: (typeof exchangeParties.$inferInsert)[] = [];
  const transferRows: (typeof timebankTransfers.$inferInsert)[] = [];
  const movementRows: (typeof timebankMovements.$inferInsert)[] = [];
  for (const [index, planned] of plan.entries()) {
    const occurredOn = dayAgo(planned.day);
    const movements =
      planned.kind === 'grant'
        ? [
            { accountId: pot, minutes: -(planned.parties[0]?.minutes ?? 0) },
            { accountId: planned.parties[0]?.accountId ?? '', minutes: planned.parties[0]?.minutes ?? 0 },
          ]
        : planned.parties.map((party) => ({
            accountId: party.accountId,
            minutes: party.side === 'giver' ? party.minutes : planned.potPays ? 0 : -party.minutes,
          }));
    if (planned.kind === 'group')
      movements.push({ accountId: pot, minutes: -movements.reduce((sum, movement) => sum + movement.minutes, 0) });
    // The most recent few are still waiting, and one is disputed: not in the ledger yet.
    const waiting = planned.kind === 'exchange' && planned.day <= 6 ? (index % 5 === 0 ? 'disputed' : 'pending') : null;
    const result = waiting ? null : applyTransfer(state, movements, -600);
    if (result && !result.ok) continue;
    const exchangeId = planned.kind === 'grant' ? null : randomUUID();
    const createdAt = new Date(Date.now() - planned.day * 86_400_000 + 3_600_000);
    if (exchangeId) {
      exchangeRows.push({
        id: exchangeId,
        communityId,
        group: planned.kind === 'group',
        status: waiting ?? 'confirmed',
        occurredOn,
        categoryId: planned.categoryId,
        note: planned.note,
        potPaysReceivers: planned.potPays,
        recordedBy: planned.kind === 'group' ? spec.coordinatorId : null,
        recordedFor: planned.kind === 'group' ? null : (planned.parties[0]?.accountId ?? null),
        onBehalf: planned.kind === 'group',
        confirmsOn: dayAgo(planned.day - 7),
        disputeReason: waiting === 'disputed' ? 'I think it was an hour, not two.' : '',
        createdAt,
      });
      partyRows.push(...planned.parties.map((party) => ({ communityId, exchangeId, ...party })));
    }
    if (!result) continue;
    for (const [id, balance] of result.after) state.set(id, { ...(state.get(id) as AccountState), balance });
    const transferId = randomUUID();
    transferRows.push({
      id: transferId,
      communityId,
      kind: planned.kind,
      exchangeId,
      occurredOn,
      categoryId: planned.categoryId,
      note: planned.note,
      recordedBy: spec.coordinatorId,
      createdAt,
    });
    movementRows.push(
      ...movements
        .filter((movement) => movement.minutes !== 0)
        .map((movement) => ({
          communityId,
          transferId,
          accountId: movement.accountId,
          minutes: movement.minutes,
          balanceAfter: result.after.get(movement.accountId) ?? 0,
          occurredOn,
        })),
    );
  }
  await inBatches(accounts, (batch) => owner.insert(timebankAccounts).values(batch));
  await owner.transaction(async (tx) => {
    await inBatches(exchangeRows, (batch) => tx.insert(timebankExchanges).values(batch));
    await inBatches(partyRows, (batch) => tx.insert(exchangeParties).values(batch));
    await inBatches(transferRows, (batch) => tx.insert(timebankTransfers).values(batch));
    await inBatches(movementRows, (batch) => tx.insert(timebankMovements).values(batch));
    await tx.execute(
      sql`update timebank_accounts a set balance = m.total from (select account_id, sum(minutes)::int as total from timebank_movements where community_id = ${communityId} group by account_id) m where m.account_id = a.id`,
    );
    await tx.execute(lastExchanged(communityId));
  });

  // Background checks, for generated members only: most current, two due for renewal soon.
  const checked = made
    .filter((person) => !joining.has(person.id))
    .slice(0, 8)
    .map((person) => accountOf.get(person.id) ?? '');
  await owner.insert(backgroundChecks).values(
    checked.map((accountId, index) => {
      const personRecordId = [...accountOf].find(([, account]) => account === accountId)?.[0] ?? '';
      return {
        communityId,
        personRecordId,
        level: index % 2 === 0 ? ('enhanced_barred' as const) : ('basic' as const),
        certificateNumber: `00${1234567890 + index}`,
        issuedOn: dayAgo(700 + index),
        expiresOn: dayAgo(index < 2 ? -(12 + index * 9) : -(200 + index * 30)),
        seenBy: spec.coordinatorId,
      };
    }),
  );
  await generatePosts(
    owner,
    {
      communityId,
      categories,
      people: memberIds.filter((id) => !joining.has(id) && !(spec.existing ?? []).includes(id)),
      notOnline: notOnline.map((person) => person.id),
      neighbourhoodOf,
      coordinatorId: spec.coordinatorId,
    },
    seed + 1,
  );
  return { memberIds, accountOf };
}

/** What members offer and ask for, in their own words, by kind of help. */
const demoPosts: Record<string, { offers: string[]; requests: string[] }> = {
  'Befriending and phone calls': {
    offers: ['A weekly phone chat', 'Happy to visit for a cup of tea'],
    requests: ['Someone to ring me on Sunday evenings'],
  },
  'Café company and coffee mornings': {
    offers: ['Company at the café on Thursdays'],
    requests: ['Someone to go to the coffee morning with'],
  },
  'Computer and phone help': {
    offers: ['Help with video calls on your phone', 'Setting up online banking safely'],
    requests: ['Help booking GP appointments online'],
  },
  'Cooking and meals': {
    offers: ['Batch cooking Caribbean food'],
    requests: ['Learning to cook simple meals for one'],
  },
  'DIY and small repairs': { offers: ['Putting up shelves and curtain rails'], requests: ['A dripping tap fixed'] },
  'Dog walking and pets': {
    offers: ['Dog walking in Brockwell Park'],
    requests: ['Someone to feed my cat while I am in hospital'],
  },
  Gardening: {
    offers: ['Weeding and lawn mowing', 'Growing vegetables on a balcony'],
    requests: ['Help clearing an overgrown garden'],
  },
  'Lifts and escorts to appointments': {
    offers: ['Lifts to King’s College Hospital'],
    requests: ['Someone to come with me to my eye clinic appointment'],
  },
  'Personal care at home': { offers: [], requests: ['Help getting dressed in the mornings'] },
  'Reading, letters and forms': {
    offers: ['Help filling in forms, including benefits'],
    requests: ['Reading my post with me'],
  },
  'Shopping and errands': { offers: ['Weekly shop at the market'], requests: ['Collecting my prescriptions'] },
  'Talks and groups': {
    offers: ['A talk on staying steady on your feet'],
    requests: ['A knitting group near Tulse Hill'],
  },
};

async function generatePosts(
  owner: Database,
  spec: {
    communityId: string;
    categories: { id: string; name: string }[];
    people: string[];
    notOnline: string[];
    neighbourhoodOf: Map<string, string>;
    coordinatorId: string | null;
  },
  seed: number,
): Promise<void> {
  const random = randomFrom(seed);
  const { communityId } = spec;
  const rows: (typeof timebankPosts.$inferInsert)[] = [];
  let index = 0;
  for (const category of spec.categories) {
    const words = demoPosts[category.name];
    if (!words) continue;
    for (const [kind, titles] of [
      ['offer', words.offers],
      ['request', words.requests],
    ] as const) {
      for (const title of titles) {
        // Requests for personal care come from members a coordinator posts for.
        const personRecordId = category.name.startsWith('Personal care')
          ? (spec.notOnline[0] ?? spec.people[0] ?? '')
          : (spec.people[(index * 5 + 3) % spec.people.length] ?? '');
        const daysAgo = 5 + ((index * 11) % 80);
        rows.push({
          id: randomUUID(),
          communityId,
          kind,
          personRecordId,
          title,
          description:
            kind === 'offer'
              ? 'Get in touch through the time bank and we can work out a time.'
              : 'I would be very grateful for a hand with this.',
          categoryId: category.id,
          place: category.name.startsWith('Computer')
            ? 'online'
            : category.name.includes('home') || category.name.startsWith('DIY')
              ? 'home'
              : 'neighbourhood',
          neighbourhood: spec.neighbourhoodOf.get(personRecordId) ?? '',
          whenAvailable: random.pick(['Weekday mornings', 'Evenings after 6', 'Weekends', 'Thursdays', '']),
          forGroups: category.name.startsWith('Talks'),
          endsOn: dayAgo(-(30 + ((index * 13) % 60))),
          postedBy: spec.notOnline.includes(personRecordId) ? spec.coordinatorId : null,
          onBehalf: spec.notOnline.includes(personRecordId),
          createdAt: new Date(Date.now() - daysAgo * 86_400_000),
        });
        index += 1;
      }
    }
  }
  await owner.insert(timebankPosts).values(rows);
  // Some offers have answers and a short conversation; some requests have none yet (unmet need).
  const answered = rows.filter((_, position) => position % 3 === 0);
  for (const [position, post] of answered.entries()) {
    const responder =
      spec.people.find(
        (id, at) => id !== post.personRecordId && at % answered.length === position % spec.people.length,
      ) ?? spec.people.find((id) => id !== post.personRecordId);
    if (!responder || !post.id) continue;
    const [response] = await owner
      .insert(postResponses)
      .values({ communityId, postId: post.id, personRecordId: responder })
      .returning({ id: postResponses.id });
    if (!response) continue;
    await owner.insert(timebankMessages).values([
      {
        communityId,
        responseId: response.id,
        fromRecordId: responder,
        body:
          post.kind === 'offer'
            ? 'Hello, I would love this. When suits you?'
            : 'Hello, I can help with this. I am free most mornings.',
      },
      {
        communityId,
        responseId: response.id,
        fromRecordId: post.personRecordId ?? '',
        body: 'Thank you! How about Tuesday at 10?',
      },
    ]);
  }
}

/**
 * The ledger's checks, over a load written without it: every transfer sums to zero and no member
 * paid below the time bank's limit (what `applyTransfer` and the balance trigger refuse), and every
 * balance is the sum of its movements (the nightly reconciliation, run as the job runs it). A
 * benchmark on a state the time bank could never reach would measure nothing.
 */
export async function checkAsTheLedgerWould(owner: Database, communityId: string): Promise<void> {
  const [broken] = (
    await owner.execute<{ unbalanced: number; below_limit: number }>(
      sql`select
        (select count(*) from (select 1 from timebank_movements where community_id = ${communityId} group by transfer_id having sum(minutes) <> 0) t)::int as unbalanced,
        (select count(*) from timebank_movements m join timebank_accounts a on a.id = m.account_id join timebanks b on b.community_id = a.community_id
          where m.community_id = ${communityId} and a.kind <> 'pot' and m.minutes < 0 and m.balance_after < b.minimum_balance)::int as below_limit`,
    )
  ).rows;
  const differences = await reconcileLedgers(owner);
  if (!broken || broken.unbalanced > 0 || broken.below_limit > 0 || differences > 0)
    throw new Error(
      `the generated time bank breaks the ledger's rules: ${broken?.unbalanced} unbalanced transfers, ${broken?.below_limit} payments below the limit, ${differences} balances unlike their movements`,
    );
}

/**
 * A time bank at benchmark scale, written by PostgreSQL itself: `members` members (the first is
 * the record of `firstAccountId`, so a benchmark can sign in as them) and `exchanges` confirmed
 * exchanges over the last year, given in pairs (one helps the other, who helps back the same
 * day), so that balances stay small; 1 post per 2 members. The balance trigger is paused
 * for the load (each transfer is written balanced) and every balance is set from its movements.
 */
export async function generateTimebankAtScale(
  owner: Database,
  spec: { communityId: string; members: number; exchanges: number; firstAccountId: string | null },
): Promise<void> {
  const { communityId, members } = spec;
  const pairs = Math.floor(spec.exchanges / 2);
  const today = ukDay(new Date());
  await owner.insert(timebanks).values({ communityId, minimumBalance: -6000 });
  await owner.insert(timebankAccounts).values({ communityId, kind: 'pot' });
  await owner
    .insert(onboardingSteps)
    .values(['Welcome conversation', 'Induction'].map((label, position) => ({ communityId, label, position })));
  await owner
    .insert(timebankCategories)
    .values(demoCategories.map((category) => ({ communityId, name: category.name })));
  const statements = [
    sql`create temporary table bench_members as
      select n, gen_random_uuid() as record_id, gen_random_uuid() as account_id, (array['Herne Hill','Tulse Hill','West Norwood','Brixton','Streatham','Gipsy Hill'])[1 + n % 6] as neighbourhood
      from generate_series(0, ${members - 1}) n`,
    sql`insert into person_records (id, community_id, preferred_name, account_id)
      select record_id, ${communityId}, 'Member ' || n, case when n = 0 then ${spec.firstAccountId}::uuid end from bench_members`,
    sql`insert into timebank_members (community_id, person_record_id, came_from, neighbourhood, joined_at, onboarded_at)
      select ${communityId}, record_id, (array['self','professional','coordinator'])[1 + n % 3], neighbourhood, now() - interval '400 days', now() - interval '390 days' from bench_members`,
    sql`insert into timebank_accounts (id, community_id, kind, person_record_id, neighbourhood) select account_id, ${communityId}, 'member', record_id, neighbourhood from bench_members`,
    sql`create temporary table bench_categories as select row_number() over (order by name) - 1 as n, id from timebank_categories where community_id = ${communityId}`,
    sql`create temporary table bench_pairs as
      select p, ((p * 7919) % ${members})::int as a, (((p * 104729) + 1 + (p % 97)) % ${members})::int as b, (array[30,60,60,90,120])[1 + (p % 5)::int] as minutes,
        (current_date - (p % 365)::int)::date as day, (p % 12)::int as category
      from generate_series(0::bigint, ${pairs - 1}::bigint) p`,
    sql`delete from bench_pairs where a = b`,
    sql`create temporary table bench_exchanges as
      select row_number() over (order by p, side) as n, gen_random_uuid() as exchange_id, gen_random_uuid() as transfer_id, side,
        case when side = 0 then ma.account_id else mb.account_id end as giver, case when side = 0 then mb.account_id else ma.account_id end as receiver,
        minutes, day, c.id as category_id
      from bench_pairs, (values (0), (1)) as sides(side), bench_members ma, bench_members mb, bench_categories c
      where ma.n = bench_pairs.a and mb.n = bench_pairs.b and c.n = bench_pairs.category`,
    sql`insert into timebank_exchanges (id, community_id, status, occurred_on, category_id, created_at, decided_at)
      select exchange_id, ${communityId}, 'confirmed', day, category_id, day::timestamptz, day::timestamptz from bench_exchanges`,
    sql`insert into timebank_exchange_parties (community_id, exchange_id, account_id, side, minutes)
      select ${communityId}::uuid, exchange_id, giver, 'giver', minutes from bench_exchanges
      union all select ${communityId}::uuid, exchange_id, receiver, 'receiver', minutes from bench_exchanges`,
    sql`insert into timebank_transfers (id, community_id, kind, exchange_id, occurred_on, category_id, created_at)
      select transfer_id, ${communityId}, 'exchange', exchange_id, day, category_id, day::timestamptz from bench_exchanges`,
    sql`insert into timebank_movements (community_id, transfer_id, account_id, minutes, balance_after, occurred_on)
      select ${communityId}::uuid, transfer_id, account_id, minutes, sum(minutes) over (partition by account_id order by n, minutes), day
      from (select n, transfer_id, giver as account_id, minutes, day from bench_exchanges union all select n, transfer_id, receiver, -minutes, day from bench_exchanges) moved
      order by n`,
    sql`update timebank_accounts a set balance = m.total from (select account_id, sum(minutes)::int as total from timebank_movements where community_id = ${communityId} group by account_id) m where m.account_id = a.id`,
    lastExchanged(communityId),
    // The day totals as the ledger and the nightly job would have left them: one row per day, kind
    // of help and giver's neighbourhood (every exchange here is one to one), and each finished day
    // of the last year marked added up; today's rows are those its exchanges kept as they posted.
    sql`insert into timebank_day_totals (community_id, day, category_id, neighbourhood, exchanges, minutes, group_exchanges, group_receivers)
      select ${communityId}, x.day, x.category_id, g.neighbourhood, count(*)::int, sum(x.minutes)::int, 0, 0
      from bench_exchanges x join bench_members g on g.account_id = x.giver
      group by x.day, x.category_id, g.neighbourhood`,
    sql`insert into timebank_days_counted (community_id, day)
      select ${communityId}, d::date from generate_series(${today}::date - 366, ${today}::date - 1, interval '1 day') d`,
    sql`insert into timebank_posts (community_id, kind, person_record_id, title, description, category_id, place, neighbourhood, ends_on, created_at)
      select ${communityId}, case when m.n % 2 = 0 then 'offer' else 'request' end, m.record_id,
        (array['Company at the café','Weekly shop at the market','Help with video calls','Weeding and lawn mowing','Lifts to the hospital','Dog walking in the park','Putting up shelves','Reading letters and forms','A phone chat on Sundays','Batch cooking','Knitting together','Setting up online banking'])[1 + m.n % 12] || ' ' || (m.n % 997),
        'Generated for the benchmark: get in touch through the time bank.', c.id, 'neighbourhood', m.neighbourhood, current_date + 30 + (m.n % 60), now() - (m.n % 90) * interval '1 day'
      from bench_members m join bench_categories c on c.n = m.n % 12 where m.n % 2 = 0`,
    sql`drop table bench_members, bench_categories, bench_pairs, bench_exchanges`,
  ];
  // One session (its temporary tables), and the foreign keys and triggers not checked row by row:
  // every row is made consistent by construction, and the balances are checked by the tests' rules.
  await owner.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    for (const statement of statements) await tx.execute(statement);
  });
  // Counted first, as autovacuum would have counted a ledger that grew a day at a time: planned
  // on the counts of the empty tables, the reconciliation walked ten million movements once for
  // each account, and ran for longer than the load itself.
  await owner.execute(sql`analyze timebank_accounts, timebank_movements, timebank_transfers`);
  await checkAsTheLedgerWould(owner, communityId);
  // Vacuumed now, so that autovacuum does not do it while the benchmark runs.
  for (const table of [
    'person_records',
    'timebank_members',
    'timebank_accounts',
    'timebank_exchanges',
    'timebank_exchange_parties',
    'timebank_transfers',
    'timebank_movements',
    'timebank_posts',
    'timebank_day_totals',
  ])
    await owner.execute(sql.raw(`vacuum analyze ${table}`));
  // The accounts were written three times over here (made, then their balances, then their last
  // days): compacted, as a time bank whose balances move a few at a time keeps them.
  await owner.execute(sql`vacuum full analyze timebank_accounts`);
}
