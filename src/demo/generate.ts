// The seeded, deterministic data generator: demo data for `npm start`, fixtures for tests and
// communities of any size for benchmarks. The same seed always gives the same people.
import { sql } from 'drizzle-orm';
import type { Database } from '../platform/db/index.ts';
import { auditEvents, communities, invitations, memberships, outbox, accounts } from '../platform/db/schema.ts';
import { hashPassword } from '../platform/auth/secrets.ts';
import type { Role } from '../platform/tenancy.ts';
import { programmes } from '../modules/programmes/schema.ts';
import { needs } from '../modules/referrals/schema.ts';

import { demoPassword, demoTwoStepKey } from './sign-ins.ts';

export { demoPassword, demoTwoStepKey };

/** A small, fast pseudo-random generator (mulberry32): the same seed gives the same sequence. */
export function randomFrom(seed: number) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, pick: <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)] as T };
}

/** The moment `days` days before now. */
export const daysAgo = (days: number) => new Date(Date.now() - days * 86_400_000);
/** The day (YYYY-MM-DD, UTC) `days` days before now. */
export const dayAgo = (days: number) => daysAgo(days).toISOString().slice(0, 10);

/** A demo account's id, by its email; null when there is none. */
export async function demoAccountId(owner: Database, email: string): Promise<string | null> {
  const [found] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(sql`${accounts.email} = ${email}`);
  return found?.id ?? null;
}

/** A demo account's person record in the community: the one it has, or one made from the account. */
export function demoRecordFor(owner: Database, communityId: string) {
  return async (email: string): Promise<string> => {
    const [found] = await owner
      .execute<{ id: string }>(
        sql`select r.id from person_records r join people p on p.id = r.account_id where p.email = ${email} and r.community_id = ${communityId}`,
      )
      .then((result) => result.rows);
    if (found) return found.id;
    const [made] = await owner
      .execute<{ id: string }>(
        sql`insert into person_records (community_id, account_id, preferred_name, email) select ${communityId}, id, display_name, email from people where email = ${email} returning id`,
      )
      .then((result) => result.rows);
    if (!made) throw new Error(`no demo account ${email}`);
    return made.id;
  };
}

/** The consents asked for on the phone, on the person's behalf: to support them, and to tell their referrer how it goes. */
export function spokenConsents(
  communityId: string,
  personRecordId: string,
  recordedBy: string | null,
  tellReferrer: boolean,
) {
  const asked = { communityId, personRecordId, method: 'spoken' as const, recordedBy, onBehalf: true };
  return [
    { ...asked, purpose: 'support' as const, granted: true },
    { ...asked, purpose: 'tell_referrer' as const, granted: tellReferrer },
  ];
}

const firstNames = [
  'Amara',
  'Ben',
  'Chloe',
  'Daniel',
  'Esther',
  'Femi',
  'Grace',
  'Hassan',
  'Isla',
  'Jamal',
  'Kemi',
  'Liam',
  'Maya',
  'Nadia',
  'Omar',
  'Patrice',
  'Rosa',
  'Sean',
  'Tariq',
  'Una',
  'Victor',
  'Winston',
  'Yusuf',
  'Zainab',
  'Agnes',
  'Bernard',
  'Doris',
  'Errol',
  'Gwen',
  'Harold',
  'Iris',
  'Joyce',
  'Kwame',
  'Lorna',
  'Mohammed',
  'Norma',
  'Pearl',
  'Ravi',
  'Sheila',
  'Trevor',
];
const lastNames = [
  'Adeyemi',
  'Brown',
  'Campbell',
  'Davies',
  'Evans',
  'Francis',
  'Green',
  'Hughes',
  'Ibrahim',
  'Johnson',
  'Khan',
  'Lewis',
  'Mensah',
  'Nguyen',
  "O'Brien",
  'Patel',
  'Quinn',
  'Roberts',
  'Smith',
  'Thomas',
  'Usman',
  'Walker',
  'Williams',
  'Young',
  'Ahmed',
  'Baker',
  'Clarke',
  'Edwards',
  'Foster',
  'Gordon',
];

/** How many of each role a generated community has, per 100 members. */
const roleMix: { roles: Role[]; per100: number }[] = [
  { roles: ['member', 'peer_supporter'], per100: 6 },
  { roles: ['member', 'facilitator'], per100: 3 },
  { roles: ['member', 'coordinator'], per100: 2 },
  { roles: ['referrer'], per100: 3 },
  { roles: ['partner'], per100: 1 },
];

export interface CommunitySpec {
  slug: string;
  name: string;
  description: string;
  contactEmail: string;
  contactPhone?: string;
  brandColour?: string;
  languages?: string[];
  /** Generated people, in addition to the named accounts. */
  people: number;
  /** How many of the generated people are waiting to be let in. */
  waiting?: number;
  accounts?: { email: string; displayName: string; roles: Role[] }[];
}

export interface GeneratedCommunity {
  id: string;
  slug: string;
}

/**
 * Adds one community with `people` generated members (and named accounts), in batches so a
 * million people fit in memory. Every generated person's password is the demo password.
 */
export async function generateCommunity(
  owner: Database,
  spec: CommunitySpec,
  seed: number,
  passwordHash: string,
): Promise<GeneratedCommunity> {
  const random = randomFrom(seed);
  const [community] = await owner
    .insert(communities)
    .values({
      slug: spec.slug,
      name: spec.name,
      description: spec.description,
      contactEmail: spec.contactEmail,
      contactPhone: spec.contactPhone ?? null,
      brandColour: spec.brandColour ?? null,
      languages: spec.languages ?? ['en'],
    })
    .returning({ id: communities.id, slug: communities.slug });
  if (!community) throw new Error('community insert returned nothing');

  for (const account of spec.accounts ?? []) {
    const [existing] = await owner
      .select({ id: accounts.id })
      .from(accounts)
      .where(sql`lower(${accounts.email}) = lower(${account.email})`);
    const personId =
      existing?.id ??
      (
        await owner
          .insert(accounts)
          .values({ email: account.email, displayName: account.displayName, passwordHash, emailVerifiedAt: new Date() })
          .returning({ id: accounts.id })
      )[0]?.id;
    if (!personId) throw new Error('person insert returned nothing');
    await owner
      .insert(memberships)
      .values({ communityId: community.id, personId, status: 'active', roles: account.roles, decidedAt: new Date() });
  }

  const batchSize = 5_000;
  const waiting = spec.waiting ?? 0;
  const started = Date.UTC(2024, 0, 1);
  for (let offset = 0; offset < spec.people; offset += batchSize) {
    const size = Math.min(batchSize, spec.people - offset);
    const batch = Array.from({ length: size }, (_, index) => {
      const number = offset + index;
      const first = random.pick(firstNames);
      const last = random.pick(lastNames);
      return {
        email: `${first}.${last}.${number}.${spec.slug}@example.org`.toLowerCase().replace(/'/g, ''),
        displayName: `${first} ${last}`,
        passwordHash,
        preferredLanguage: random.next() < 0.05 ? 'cy' : random.next() < 0.05 ? 'es' : 'en',
        createdAt: new Date(started + Math.floor(random.next() * 600) * 86_400_000),
      };
    });
    const inserted = await owner
      .insert(accounts)
      .values(batch.map((person) => ({ ...person, emailVerifiedAt: person.createdAt })))
      .returning({ id: accounts.id, createdAt: accounts.createdAt });
    await owner.insert(memberships).values(
      inserted.map((person, index) => {
        const number = offset + index;
        const isWaiting = number >= spec.people - waiting;
        const draw = random.next() * 100;
        let cumulative = 0;
        let granted: Role[] = ['member'];
        for (const mix of roleMix) {
          cumulative += mix.per100;
          if (draw < cumulative) {
            granted = mix.roles;
            break;
          }
        }
        return {
          communityId: community.id,
          personId: person.id,
          status: isWaiting ? ('requested' as const) : ('active' as const),
          roles: isWaiting ? [] : granted,
          requestMessage: isWaiting
            ? random.pick([
                'My GP suggested I get in touch.',
                'A friend told me about the group.',
                'I would like to give some of my time.',
                '',
              ]) || null
            : null,
          requestedAt: person.createdAt,
          decidedAt: isWaiting ? null : new Date(person.createdAt.getTime() + 3 * 86_400_000),
        };
      }),
    );
  }
  return community;
}

export const demoCommunities = {
  lambeth: {
    slug: 'lambeth',
    name: 'Lambeth Together',
    description:
      'A community for people in Lambeth who support each other: a time bank beside the GP surgery, peer support groups, and learning sessions led by people who live with long-term conditions.',
    contactEmail: 'hello.lambeth@example.org',
    contactPhone: '020 7946 0000',
    brandColour: '#00664e',
    languages: ['en', 'cy', 'es'],
    people: 52,
    waiting: 3,
    accounts: [
      { email: 'admin@example.org', displayName: 'Alex Morgan', roles: ['admin', 'member'] },
      { email: 'coordinator@example.org', displayName: 'Sam Patel', roles: ['coordinator', 'member'] },
      { email: 'member@example.org', displayName: 'Maria Santos', roles: ['member'] },
      { email: 'newmember@example.org', displayName: 'Nadia Hassan', roles: ['member'] },
      { email: 'peer@example.org', displayName: 'Dev Sharma', roles: ['peer_supporter', 'member'] },
      // Missing Link's other two peer supporters.
      { email: 'peer2@example.org', displayName: 'Bola Adebayo', roles: ['peer_supporter', 'member'] },
      { email: 'peer3@example.org', displayName: 'Kath Doyle', roles: ['peer_supporter', 'member'] },
      // The Living Well hub's two clinicians (NHS staff: partners).
      { email: 'clinician@example.org', displayName: 'Dr Ruth Mensah', roles: ['partner'] },
      { email: 'clinician2@example.org', displayName: 'Tom Hughes, mental health nurse', roles: ['partner'] },
      { email: 'facilitator@example.org', displayName: 'Grace Okafor', roles: ['facilitator', 'member'] },
      { email: 'referrer@example.org', displayName: 'Dr Helen Carter', roles: ['referrer'] },
      { email: 'referrer2@example.org', displayName: 'Dr Amir Hassan', roles: ['referrer'] },
      { email: 'safeguarding@example.org', displayName: 'Joan Williams', roles: ['safeguarding_lead', 'member'] },
    ],
  },
  croydon: {
    slug: 'croydon',
    name: 'Croydon Connect',
    description:
      'A peer network in Croydon for people living with personality disorders. Self-referral, no discharge: members choose how much support they want.',
    contactEmail: 'hello.croydon@example.org',
    contactPhone: '020 8123 0000',
    brandColour: '#7c2855',
    languages: ['en'],
    people: 28,
    waiting: 2,
    accounts: [
      { email: 'croydon-admin@example.org', displayName: 'Kofi Mensah', roles: ['admin', 'member'] },
      // Sam coordinates in both communities, so switching between them can be seen.
      { email: 'coordinator@example.org', displayName: 'Sam Patel', roles: ['coordinator', 'member'] },
      // The peer network's two facilitators, a member with a crisis plan, and someone who has not joined the network yet.
      { email: 'facilitator.croydon@example.org', displayName: 'Ruth Adeyemi', roles: ['facilitator', 'member'] },
      { email: 'facilitator2.croydon@example.org', displayName: 'Tom Fletcher', roles: ['facilitator', 'member'] },
      { email: 'member.croydon@example.org', displayName: 'Jade Wilson', roles: ['member'] },
      { email: 'newmember.croydon@example.org', displayName: 'Leah Morris', roles: ['member'] },
    ],
  },
} satisfies Record<string, CommunitySpec>;

/**
 * The demo platform admin's two-step sign-in key (base32), printed at the start and in the
 * README: add it to an authenticator app, or run `npm run demo-code` for the current code.
 */

/** The demo: Lambeth Together, Croydon Connect, a platform admin, and some history to look at. */
export async function generateDemo(owner: Database): Promise<void> {
  const passwordHash = await hashPassword(demoPassword);
  const lambeth = await generateCommunity(owner, demoCommunities.lambeth, 1, passwordHash);
  const croydon = await generateCommunity(owner, demoCommunities.croydon, 2, passwordHash);
  // The platform admin signs in with two steps, as every platform admin must; its key is published for the demo.
  await owner.insert(accounts).values({
    email: 'platform@example.org',
    displayName: 'Priya Shah',
    passwordHash,
    isPlatformAdmin: true,
    totpSecret: demoTwoStepKey,
    totpEnabledAt: new Date(),
    emailVerifiedAt: new Date(),
  });
  const demoProgrammes = await owner
    .insert(programmes)
    .values([
      {
        communityId: lambeth.id,
        name: 'Lambeth Time Bank',
        kind: 'timebank',
        whoFor:
          'Anyone who lives near the surgery and would like to give and get a hand. One hour of help earns one hour, whatever the task.',
        howToJoin: 'Ask your GP to refer you, or refer yourself on this website. A broker will call you for a chat.',
        whereAndWhen: 'Exchanges at times that suit you. Coffee morning on Thursdays, 10am, at the surgery.',
        contact: 'Sam Patel, 020 7946 0000',
      },
      {
        communityId: lambeth.id,
        name: 'Missing Link peer support',
        kind: 'peer_support',
        whoFor:
          'People the Living Well hub refers, who would like someone with their own experience alongside them for up to 12 weeks.',
        howToJoin: 'Your hub worker refers you.',
        whereAndWhen: 'Two hours a week, where you choose.',
      },
      {
        communityId: lambeth.id,
        name: 'Living Well hub',
        kind: 'hub',
        whoFor:
          'Adults in Lambeth with mental health needs who would like support from a team: clinicians, support workers and peer supporters working together.',
        howToJoin: 'Your GP or another professional refers you. You can also refer yourself.',
        whereAndWhen: 'At the hub on Acre Lane, weekdays 9am to 5pm, and at home when that is better for you.',
      },
      {
        communityId: lambeth.id,
        name: 'Active learning conversations',
        kind: 'learning',
        whoFor: 'Patients at the surgery living with a long-term condition who would like to learn something new.',
        howToJoin: 'A facilitator will talk to you in the waiting room, or ask at reception.',
        whereAndWhen: 'In the surgery, on weekday mornings.',
      },
      {
        communityId: lambeth.id,
        name: 'Winter walking group',
        kind: 'peer_network',
        whoFor: 'Anyone who would like to walk with others.',
        howToJoin: 'This group has ended for the year.',
        status: 'closed',
      },
      {
        communityId: croydon.id,
        name: 'Croydon peer network',
        kind: 'peer_network',
        whoFor:
          'Adults in Croydon living with a personality disorder diagnosis, or who think they may have one. You are never discharged.',
        howToJoin: 'Refer yourself. A facilitator will call you before your first group.',
        whereAndWhen: 'Four groups a week at the community centre, St James Road.',
        contact: 'hello.croydon@example.org',
      },
    ])
    .returning({
      id: programmes.id,
      communityId: programmes.communityId,
      status: programmes.status,
      kind: programmes.kind,
    });
  await generateDemoReferrals(owner, lambeth.id, croydon.id, demoProgrammes);
  // Croydon lists the support its peer network gives, in its members' own words.
  const { supportNeeds } = await import('../modules/referrals/schema.ts');
  await owner.insert(supportNeeds).values(
    (
      [
        ['peer_support', 'Meeting people who understand, because they have been there too'],
        ['mental_wellbeing', 'Coping when feelings get too much'],
        ['loneliness', 'Feeling alone or cut off'],
        ['confidence', 'Getting my confidence back'],
        ['learning', 'Learning skills to get through a crisis'],
        ['volunteering', 'Supporting other members, when I am ready'],
      ] as const
    ).map(([need, words], position) => ({ communityId: croydon.id, need, position, wording: { en: words } })),
  );
  // Lambeth's time bank: a year of exchanges, with Maria in it and two members Sam records for.
  const { generateTimebank } = await import('./generate-timebank.ts');
  const [maria] = await owner
    .execute<{ id: string }>(
      sql`select r.id from person_records r join people p on p.id = r.account_id where p.email = 'member@example.org'`,
    )
    .then((result) => result.rows);
  const sam = await demoAccountId(owner, 'coordinator@example.org');
  const timeBankId = demoProgrammes.find((programme) => programme.kind === 'timebank')?.id;
  // Nadia: referred last week by her GP, accepted into the time bank, still joining.
  const nadia = await referredByGp(owner, lambeth.id, timeBankId ?? '');
  await generateTimebank(
    owner,
    {
      communityId: lambeth.id,
      programmeId: timeBankId,
      members: 37,
      existing: maria ? [maria.id] : [],
      existingJoining: [nadia],
      notOnline: ['Doris Campbell', 'Winston Brown'],
      joining: 3,
      exchanges: 520,
      coordinatorId: sam,
    },
    41,
  );
  // Lambeth's one-to-one peer support: episodes in every state and a year of timesheets.
  const peerSupport = demoProgrammes.find(
    (programme) => programme.communityId === lambeth.id && programme.kind === 'peer_support',
  );
  if (peerSupport) {
    const { generateDemoSupport } = await import('./generate-support.ts');
    await generateDemoSupport(owner, lambeth.id, peerSupport.id);
  }
  // Lambeth's Living Well hub: the team of eight and its shared caseload.
  const hub = demoProgrammes.find((programme) => programme.communityId === lambeth.id && programme.kind === 'hub');
  if (hub) {
    const { generateDemoHub } = await import('./generate-hub.ts');
    await generateDemoHub(owner, lambeth.id, hub.id);
    // Omar: referred to the hub by Dr Carter this morning, waiting to be accepted.
    await referredToHub(owner, lambeth.id, hub.id);
  }
  // Croydon's peer network: four weekly groups, about seventy members, a year of registers.
  const network = demoProgrammes.find(
    (programme) => programme.communityId === croydon.id && programme.kind === 'peer_network',
  );
  if (network) {
    const { generateDemoNetwork } = await import('./generate-network.ts');
    await generateDemoNetwork(owner, croydon.id, network.id);
  }
  for (const community of [lambeth, croydon]) {
    await owner.insert(auditEvents).values({
      communityId: community.id,
      actorId: null,
      action: 'community.created',
      subjectType: 'community',
      subjectId: community.id,
      detail: { demo: true },
    });
  }
  // Some history for the audit log: the admin let people in and gave one of them a role.
  const admin = await demoAccountId(owner, 'admin@example.org');
  const approved = await owner
    .select({ id: memberships.id, roles: memberships.roles })
    .from(memberships)
    .where(
      sql`${memberships.communityId} = ${lambeth.id} and ${memberships.status} = 'active' and ${memberships.personId} <> ${admin}`,
    )
    .limit(4);
  for (const membership of approved) {
    await owner.insert(auditEvents).values({
      communityId: lambeth.id,
      actorId: admin,
      action: 'membership.approved',
      subjectType: 'membership',
      subjectId: membership.id,
      detail: { roles: ['member'] },
    });
  }
  // Two invitations nobody has accepted yet: one waiting, one expired (to send again). Their
  // links were shown once to Alex when sent; only the hash is kept, so these are made up.
  await owner.insert(invitations).values([
    {
      communityId: lambeth.id,
      email: 'volunteer.grace@example.org',
      roles: ['member', 'facilitator'],
      tokenHash: 'demo-invitation-waiting-not-a-real-hash',
      invitedBy: admin ?? '',
      createdAt: new Date(Date.now() - 3 * 86_400_000),
      expiresAt: new Date(Date.now() + 11 * 86_400_000),
    },
    {
      communityId: lambeth.id,
      email: 'practice.manager@example.org',
      roles: ['referrer'],
      tokenHash: 'demo-invitation-expired-not-a-real-hash',
      invitedBy: admin ?? '',
      createdAt: new Date(Date.now() - 20 * 86_400_000),
      expiresAt: new Date(Date.now() - 6 * 86_400_000),
    },
  ]);
  const promoted = approved[0];
  if (promoted) {
    await owner.insert(auditEvents).values({
      communityId: lambeth.id,
      actorId: admin,
      action: 'membership.roles-changed',
      subjectType: 'membership',
      subjectId: promoted.id,
      detail: { from: ['member'], to: promoted.roles },
    });
  }
  await owner.insert(outbox).values({
    communityId: lambeth.id,
    channel: 'email',
    template: 'join-request',
    recipient: demoCommunities.lambeth.contactEmail,
    subject: 'Someone would like to join Lambeth Together',
    body: 'Rosa Quinn has asked to join Lambeth Together. To look at the request, open:\n\nhttp://localhost:3000/c/lambeth/members?status=requested',
    status: 'not_sent',
  });
  // The planner's statistics, now rather than at autovacuum's next round: on tables it still
  // thinks empty it plans the first pages' queries as if each held one row.
  await owner.execute(sql`analyze`);
}

/** About 40 referrals in Lambeth in every state, from people themselves and two GP practices; a few in Croydon; two journeys worth reading. */
async function generateDemoReferrals(
  owner: Database,
  lambethId: string,
  croydonId: string,
  made: { id: string; communityId: string; status: string; kind: string }[],
): Promise<void> {
  const accountOf = async (email: string) => (await demoAccountId(owner, email)) ?? '';
  const open = (communityId: string) =>
    made
      .filter((programme) => programme.communityId === communityId && programme.status === 'open')
      .map((programme) => programme.id);
  const referrers = [
    { id: await accountOf('referrer@example.org'), organisation: 'Paxton Green Group Practice' },
    { id: await accountOf('referrer2@example.org'), organisation: 'Hetherington Group Practice' },
  ];
  const { personIds } = await generateReferrals(
    owner,
    { communityId: lambethId, people: 40, referrals: 40, open: 16, programmeIds: open(lambethId), referrers },
    31,
  );
  // Each referrer's organisation is kept on their membership, to fill in their next referral.
  for (const referrer of referrers)
    await owner
      .update(memberships)
      .set({ organisation: referrer.organisation })
      .where(sql`${memberships.personId} = ${referrer.id} and ${memberships.communityId} = ${lambethId}`);
  // Equality monitoring from most of them, for the community's aggregate page.
  const { equalityMonitoring } = await import('../modules/people/schema.ts');
  const random = randomFrom(33);
  await owner.insert(equalityMonitoring).values(
    personIds.slice(0, 32).map((personRecordId) => ({
      communityId: lambethId,
      personRecordId,
      ageBand: random.pick(['45_54', '55_64', '65_74', '65_74', '75_84', '85_over', 'prefer_not'] as const),
      ethnicity: random.pick([
        'white_british',
        'white_british',
        'black_caribbean',
        'black_african',
        'asian_indian',
        'mixed_white_black_caribbean',
        'white_irish',
        'other_any',
        'prefer_not',
      ] as const),
      sex: random.pick(['female', 'female', 'male', 'prefer_not'] as const),
      genderSameAsBirth: random.pick(['yes', 'yes', 'yes', 'prefer_not'] as const),
      disability: random.pick(['yes', 'yes', 'no', 'prefer_not'] as const),
      carer: random.pick(['yes', 'no', 'no', 'prefer_not'] as const),
    })),
  );
  await generateReferrals(
    owner,
    { communityId: croydonId, people: 10, referrals: 10, open: 4, programmeIds: open(croydonId), referrers: [] },
    32,
  );

  // Two people whose journeys show the ladder: Maria, a time bank member, and Dev, now a peer supporter.
  const { personRecords } = await import('../modules/people/schema.ts');
  const { milestones } = await import('../modules/journey/schema.ts');
  const { programmeMembers } = await import('../modules/programmes/schema.ts');
  const timeBank = made.find((programme) => programme.communityId === lambethId && programme.kind === 'timebank')?.id;
  const peerSupport = made.find(
    (programme) => programme.communityId === lambethId && programme.kind === 'peer_support',
  )?.id;
  const learning = made.find((programme) => programme.communityId === lambethId && programme.kind === 'learning')?.id;
  const journeys = [
    {
      email: 'member@example.org',
      name: 'Maria',
      fullName: 'Maria Santos',
      steps: [
        ['referral_received', 95],
        ['contacted', 93],
        ['joined_programme', 90, timeBank],
        ['hours_received', 80],
        ['hours_given', 60],
      ] as const,
    },
    {
      email: 'peer@example.org',
      name: 'Dev',
      fullName: 'Dev Sharma',
      steps: [
        ['referral_received', 700],
        ['contacted', 698],
        ['joined_programme', 690, peerSupport],
        ['course_started', 500, learning],
        ['course_completed', 450, learning],
        ['became_peer_supporter', 400],
      ] as const,
    },
  ];
  // A pending request to be forgotten, and two safeguarding concerns for the lead.
  const { erasureRequests } = await import('../modules/privacy/schema.ts');
  const { safeguardingConcerns, concernActions } = await import('../modules/safeguarding/schema.ts');
  const [someone] = await owner
    .select({ id: personRecords.id })
    .from(personRecords)
    .where(sql`${personRecords.communityId} = ${lambethId}`)
    .limit(1)
    .offset(7);
  if (someone)
    await owner.insert(erasureRequests).values({
      communityId: lambethId,
      personRecordId: someone.id,
      requestedBy: await accountOf('coordinator@example.org'),
      onBehalf: true,
      reason: 'Phoned to say they have moved away and would like their details removed.',
    });
  const member = await accountOf('member@example.org');
  const lead = await accountOf('safeguarding@example.org');
  const concerns = await owner
    .insert(safeguardingConcerns)
    .values([
      {
        communityId: lambethId,
        about: 'Joyce (time bank, gardening)',
        whatHappened:
          'Joyce mentioned that her nephew has been taking money from her purse and she is frightened to say no.',
        whenHappened: 'At Thursday’s coffee morning',
        dangerNow: false,
        raisedBy: member,
        createdAt: daysAgo(6),
      },
      {
        communityId: lambethId,
        about: 'A man at the walking group',
        whatHappened: 'He talked about ending his life. He said he had a plan. I gave him the Samaritans number.',
        whenHappened: 'Saturday morning',
        dangerNow: true,
        raisedBy: await accountOf('facilitator@example.org'),
        status: 'actioned' as const,
        createdAt: daysAgo(12),
      },
    ])
    .returning({ id: safeguardingConcerns.id });
  const actioned = concerns[1];
  if (actioned)
    await owner.insert(concernActions).values({
      communityId: lambethId,
      concernId: actioned.id,
      actorId: lead,
      note: 'Called him the same day; he agreed to see his GP and the crisis team has been told. Follow up next week.',
      statusTo: 'actioned',
      at: daysAgo(11),
    });
  // A concern raised with only a first name, linked to the person's record by the lead afterwards.
  const [named] = await owner
    .select({ id: personRecords.id, number: personRecords.number, name: personRecords.preferredName })
    .from(personRecords)
    .where(
      sql`${personRecords.communityId} = ${lambethId} and ${personRecords.status} = 'active' and ${personRecords.accountId} is null`,
    )
    .limit(1)
    .offset(3);
  if (named) {
    const [linked] = await owner
      .insert(safeguardingConcerns)
      .values({
        communityId: lambethId,
        about: `${named.name.split(' ')[0]} (Tuesday lunch club)`,
        whatHappened: 'Seemed very thin and said there is no food at home until payday.',
        whenHappened: 'Last Tuesday',
        dangerNow: false,
        raisedBy: member,
        personRecordId: named.id,
        status: 'actioned' as const,
        createdAt: daysAgo(9),
      })
      .returning({ id: safeguardingConcerns.id });
    if (linked) {
      await owner.insert(concernActions).values([
        {
          communityId: lambethId,
          concernId: linked.id,
          actorId: lead,
          note: `Linked to record ${named.number}.`,
          statusTo: null,
          at: daysAgo(8),
        },
        {
          communityId: lambethId,
          concernId: linked.id,
          actorId: lead,
          note: 'Referred to the food bank with their agreement; the hub team will check in on Friday.',
          statusTo: 'actioned',
          at: daysAgo(8),
        },
      ]);
    }
  }

  for (const journey of journeys) {
    const [record] = await owner
      .insert(personRecords)
      .values({
        communityId: lambethId,
        accountId: await accountOf(journey.email),
        preferredName: journey.name,
        fullName: journey.fullName,
        email: journey.email,
        createdAt: daysAgo(journey.steps[0][1]),
      })
      .returning({ id: personRecords.id });
    if (!record) continue;
    for (const [kind, days, programmeId] of journey.steps) {
      await owner.insert(milestones).values({
        communityId: lambethId,
        personRecordId: record.id,
        kind,
        at: daysAgo(days),
        programmeId: programmeId ?? null,
        detail: kind.startsWith('hours') ? { minutes: 120 } : {},
      });
      if (kind === 'joined_programme' && programmeId)
        await owner
          .insert(programmeMembers)
          .values({ communityId: lambethId, programmeId, personRecordId: record.id, joinedAt: daysAgo(days) });
    }
  }
}

/** A member a GP referred last week, whose referral was accepted into the time bank. */
/** Omar Said, referred to the hub by his GP this morning: a new referral the coordinators accept. */
async function referredToHub(owner: Database, communityId: string, programmeId: string): Promise<void> {
  const { personRecords, consents } = await import('../modules/people/schema.ts');
  const { referrals, referralProgrammes, referralEvents } = await import('../modules/referrals/schema.ts');
  const helen = await demoAccountId(owner, 'referrer@example.org');
  const [person] = await owner
    .insert(personRecords)
    .values({
      communityId,
      preferredName: 'Omar Said',
      fullName: 'Omar Said',
      phone: '07700 900 733',
      phoneKey: '07700900733',
      dateOfBirth: '1979-04-02',
    })
    .returning({ id: personRecords.id });
  if (!person) return;
  const [referral] = await owner
    .insert(referrals)
    .values({
      communityId,
      reference: 'HUBR-4K7M',
      personRecordId: person.id,
      source: 'professional',
      referrerId: helen,
      referrerOrganisation: 'Paxton Green Group Practice',
      reason: 'Low mood since losing his job; would like support to get back on his feet.',
      contactDueOn: new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10),
    })
    .returning({ id: referrals.id });
  if (!referral) return;
  await owner.insert(referralProgrammes).values({ referralId: referral.id, programmeId, communityId });
  await owner
    .insert(referralEvents)
    .values({ communityId, referralId: referral.id, kind: 'received', toStatus: 'new', actorId: helen });
  await owner.insert(consents).values(spokenConsents(communityId, person.id, helen, true));
}

async function referredByGp(owner: Database, communityId: string, programmeId: string): Promise<string> {
  const { personRecords } = await import('../modules/people/schema.ts');
  const { referrals, referralProgrammes } = await import('../modules/referrals/schema.ts');
  const { milestones } = await import('../modules/journey/schema.ts');
  const account = (email: string) => demoAccountId(owner, email);
  const [record] = await owner
    .insert(personRecords)
    .values({
      communityId,
      accountId: await account('newmember@example.org'),
      preferredName: 'Nadia',
      fullName: 'Nadia Hassan',
      email: 'newmember@example.org',
      phone: '020 7946 0321',
      gpPractice: 'Paxton Green Group Practice',
      createdAt: daysAgo(8),
    })
    .returning({ id: personRecords.id });
  if (!record) throw new Error('no record for Nadia');
  const [referral] = await owner
    .insert(referrals)
    .values({
      communityId,
      reference: 'NADH-7K3Q',
      personRecordId: record.id,
      source: 'professional',
      referrerId: await account('referrer@example.org'),
      referrerOrganisation: 'Paxton Green Group Practice',
      status: 'accepted',
      reason: 'Recently widowed and isolated; a keen cook who would like to meet neighbours.',
      contactDueOn: daysAgo(5).toISOString().slice(0, 10),
      createdAt: daysAgo(8),
      statusChangedAt: daysAgo(4),
    })
    .returning({ id: referrals.id });
  if (referral)
    await owner
      .insert(referralProgrammes)
      .values({ referralId: referral.id, programmeId, communityId, acceptedAt: daysAgo(4) });
  await owner.insert(milestones).values([
    { communityId, personRecordId: record.id, kind: 'referral_received', at: daysAgo(8) },
    { communityId, personRecordId: record.id, kind: 'joined_programme', at: daysAgo(4), programmeId },
  ]);
  return record.id;
}

/** True when the database has no communities yet: the first start. */
export async function isEmpty(owner: Database): Promise<boolean> {
  const result = await owner.execute<{ found: boolean }>(sql`select exists(select 1 from communities) as found`);
  return !result.rows[0]?.found;
}

// ——— People's records and referrals ———

export interface ReferralSpec {
  communityId: string;
  /** Person records made in all, each with one referral at most. */
  people: number;
  /** How many referrals are open (new or contacting); the rest of `referrals` are closed. */
  open: number;
  referrals: number;
  programmeIds: string[];
  /** Referrers and their practice names; self-referrals have none. */
  referrers: { id: string; organisation: string }[];
  /** The referral's person is linked to this account (the demo's member), when given. */
  linkFirstTo?: string;
  now?: Date;
}

const reasons = [
  'Lives alone since her husband died and rarely goes out. Would like company and something to look forward to.',
  'Recently diagnosed with type 2 diabetes and feeling overwhelmed. Interested in meeting others living with it.',
  'Retired last year and would like to use his skills as a carpenter to help neighbours.',
  'Low mood over the winter. Says walking with others would help.',
  'Cares for her mother and has no time for herself. Would like practical help one afternoon a week.',
  'Moved to the area recently and does not know anyone.',
  'Frequent visits to the surgery for reassurance; would benefit from peer support.',
];
/** What the demo's referrals ask for: every need but money, housing and learning. */
const demoNeeds = needs.filter((need) => need !== 'money_and_benefits' && need !== 'housing' && need !== 'learning');
const referenceAlphabet = '23456789ABCDEFGHJKMNPQRSTUVWXYZ';

/**
 * Person records and referrals in every state, spread over the past weeks: some overdue, some
 * contacted, accepted, declined and withdrawn; from the person themselves and from referrers.
 * Deterministic for a seed; written in batches, so that 100,000 people take seconds.
 */
export async function generateReferrals(
  owner: Database,
  spec: ReferralSpec,
  seed: number,
): Promise<{ personIds: string[]; referralIds: string[] }> {
  const { personRecords, consents } = await import('../modules/people/schema.ts');
  const { referrals, referralProgrammes, referralEvents, contactAttempts } =
    await import('../modules/referrals/schema.ts');
  const { milestones } = await import('../modules/journey/schema.ts');
  const { programmeMembers } = await import('../modules/programmes/schema.ts');
  const { addWorkingDays, ukDay } = await import('../platform/working-days.ts');
  const random = randomFrom(seed);
  const now = spec.now ?? new Date();
  const day = 86_400_000;
  const personIds: string[] = [];
  const referralIds: string[] = [];
  const usedReferences = new Set<string>();
  const reference = () => {
    for (;;) {
      const characters = Array.from(
        { length: 8 },
        () => referenceAlphabet[Math.floor(random.next() * referenceAlphabet.length)],
      ).join('');
      const made = `${characters.slice(0, 4)}-${characters.slice(4)}`;
      if (!usedReferences.has(made)) {
        usedReferences.add(made);
        return made;
      }
    }
  };
  const batchSize = 2_000;
  for (let offset = 0; offset < spec.people; offset += batchSize) {
    const size = Math.min(batchSize, spec.people - offset);
    const records = Array.from({ length: size }, (_, index) => {
      const number = offset + index;
      const first = random.pick(firstNames);
      const last = random.pick(lastNames);
      const year = 1935 + Math.floor(random.next() * 70);
      return {
        communityId: spec.communityId,
        accountId: number === 0 && spec.linkFirstTo ? spec.linkFirstTo : null,
        preferredName: first,
        fullName: `${first} ${last}`,
        dateOfBirth:
          random.next() < 0.7
            ? `${year}-${String(1 + Math.floor(random.next() * 12)).padStart(2, '0')}-${String(1 + Math.floor(random.next() * 28)).padStart(2, '0')}`
            : null,
        phone: `07700 9${String(number % 100_000).padStart(5, '0')}`,
        phoneKey: `077009${String(number % 100_000).padStart(5, '0')}`,
        email: random.next() < 0.6 ? `${first}.${last}.${number}.r@example.org`.toLowerCase().replace(/'/g, '') : null,
        postcode: random.pick(['SE27 9NS', 'SW2 1AA', 'SE24 0AB', 'SW9 8HE', 'SE11 4PY', 'SW16 1ES']),
        contactMethod: random.pick(['phone', 'sms', 'email', 'phone'] as const),
        communicationNeeds: random.next() < 0.1 ? ['large_print'] : random.next() < 0.05 ? ['interpreter'] : [],
        interpreterLanguage: '',
        gpPractice: random.pick(
          spec.referrers.map((referrer) => referrer.organisation).concat(['Stockwell Group Practice']),
        ),
        assistedDigital: random.next() < 0.1,
        createdAt: new Date(now.getTime() - (5 + Math.floor(random.next() * 200)) * day),
      };
    });
    for (const record of records)
      if (record.communicationNeeds.includes('interpreter'))
        record.interpreterLanguage = random.pick(['Portuguese', 'Somali', 'Polish', 'Yoruba']);
    const inserted = await owner.insert(personRecords).values(records).returning({ id: personRecords.id });
    personIds.push(...inserted.map((row) => row.id));
  }

  // Referrals: open ones in the last weeks (some overdue), closed ones further back.
  for (let offset = 0; offset < spec.referrals; offset += batchSize) {
    const size = Math.min(batchSize, spec.referrals - offset);
    const rows = [];
    const extras: {
      status: 'new' | 'contacting' | 'accepted' | 'declined' | 'withdrawn';
      referrerId: string | null;
      createdAt: Date;
      personRecordId: string;
      programmeId: string | undefined;
      tellReferrer: boolean;
      evaluation: boolean;
    }[] = [];
    for (let index = 0; index < size; index += 1) {
      const number = offset + index;
      const personRecordId = personIds[number % personIds.length] as string;
      const open = number < spec.open;
      const status: 'new' | 'contacting' | 'accepted' | 'declined' | 'withdrawn' = open
        ? random.next() < 0.55
          ? 'new'
          : 'contacting'
        : random.pick(['accepted', 'accepted', 'accepted', 'declined', 'withdrawn'] as const);
      const daysAgo = open ? Math.floor(random.next() * 21) : 25 + Math.floor(random.next() * 300);
      const createdAt = new Date(now.getTime() - daysAgo * day - Math.floor(random.next() * 8) * 3_600_000);
      const referrer = random.next() < 0.6 ? random.pick(spec.referrers) : undefined;
      const urgency = random.next() < 0.1 ? 'urgent' : random.next() < 0.2 ? 'soon' : 'routine';
      const contacted = status !== 'new' && !(status === 'declined' && random.next() < 0.3);
      const firstContactedAt = contacted
        ? new Date(createdAt.getTime() + (1 + Math.floor(random.next() * 3)) * day)
        : null;
      rows.push({
        communityId: spec.communityId,
        reference: reference(),
        personRecordId,
        source: referrer ? ('professional' as const) : ('self' as const),
        referrerId: referrer?.id ?? null,
        referrerOrganisation: referrer?.organisation ?? '',
        status,
        urgency: urgency as 'routine' | 'soon' | 'urgent',
        needs: [random.pick(demoNeeds), random.pick(demoNeeds)].filter(
          (need, position, list) => list.indexOf(need) === position,
        ),
        reason: random.pick(reasons),
        risks: random.next() < 0.15 ? 'Visit in pairs at first.' : '',
        contactDueOn: addWorkingDays(ukDay(createdAt), urgency === 'urgent' ? 1 : urgency === 'soon' ? 2 : 3),
        firstContactedAt,
        statusChangedAt: firstContactedAt ?? createdAt,
        declineReason:
          status === 'declined'
            ? random.pick(['no_places', 'person_said_no', 'could_not_contact', 'better_elsewhere'] as const)
            : null,
        createdAt,
      });
      extras.push({
        status,
        referrerId: referrer?.id ?? null,
        createdAt,
        personRecordId,
        programmeId: spec.programmeIds.length ? random.pick(spec.programmeIds) : undefined,
        tellReferrer: referrer !== undefined && random.next() < 0.7,
        evaluation: random.next() < 0.8,
      });
    }
    const inserted = await owner.insert(referrals).values(rows).returning({
      id: referrals.id,
      firstContactedAt: referrals.firstContactedAt,
      statusChangedAt: referrals.statusChangedAt,
    });
    referralIds.push(...inserted.map((row) => row.id));
    const wanted = [];
    const events: (typeof referralEvents.$inferInsert)[] = [];
    const attempts = [];
    const steps = [];
    const members = [];
    const decisions = [];
    for (const [index, referral] of inserted.entries()) {
      const extra = extras[index];
      if (!extra) continue;
      const base = { communityId: spec.communityId, referralId: referral.id };
      if (extra.programmeId)
        wanted.push({
          ...base,
          programmeId: extra.programmeId,
          acceptedAt: extra.status === 'accepted' ? new Date(extra.createdAt.getTime() + 6 * day) : null,
        });
      events.push({ ...base, kind: 'received' as const, toStatus: 'new' as const, at: extra.createdAt });
      steps.push({
        communityId: spec.communityId,
        personRecordId: extra.personRecordId,
        kind: 'referral_received' as const,
        at: extra.createdAt,
        sourceType: 'referral',
        sourceId: referral.id,
      });
      decisions.push(
        {
          communityId: spec.communityId,
          personRecordId: extra.personRecordId,
          purpose: 'support' as const,
          granted: true,
          method: extra.referrerId ? ('spoken' as const) : ('online' as const),
          onBehalf: extra.referrerId !== null,
          recordedAt: extra.createdAt,
          supersededAt: null,
        },
        {
          communityId: spec.communityId,
          personRecordId: extra.personRecordId,
          purpose: 'evaluation' as const,
          granted: extra.evaluation,
          method: 'online' as const,
          onBehalf: false,
          recordedAt: extra.createdAt,
          supersededAt: null,
        },
      );
      if (extra.referrerId)
        decisions.push({
          communityId: spec.communityId,
          personRecordId: extra.personRecordId,
          purpose: 'tell_referrer' as const,
          granted: extra.tellReferrer,
          method: 'spoken' as const,
          onBehalf: true,
          recordedAt: extra.createdAt,
          supersededAt: null,
        });
      if (referral.firstContactedAt) {
        attempts.push({
          ...base,
          at: referral.firstContactedAt,
          method: 'phone' as const,
          outcome: 'spoke' as const,
          note: '',
        });
        events.push(
          { ...base, kind: 'contact_attempt' as const, at: referral.firstContactedAt, note: 'spoke' },
          {
            ...base,
            kind: 'status_changed' as const,
            fromStatus: 'new' as const,
            toStatus: 'contacting' as const,
            at: referral.firstContactedAt,
          },
        );
        steps.push({
          communityId: spec.communityId,
          personRecordId: extra.personRecordId,
          kind: 'contacted' as const,
          at: referral.firstContactedAt,
          sourceType: 'referral',
          sourceId: referral.id,
          onceKey: `referral:${referral.id}`,
        });
      }
      if (extra.status === 'accepted' || extra.status === 'declined' || extra.status === 'withdrawn') {
        const at = new Date(extra.createdAt.getTime() + 6 * day);
        events.push({
          ...base,
          kind: 'status_changed' as const,
          fromStatus: referral.firstContactedAt ? ('contacting' as const) : ('new' as const),
          toStatus: extra.status,
          at,
        });
        if (extra.status === 'accepted' && extra.programmeId) {
          members.push({
            communityId: spec.communityId,
            programmeId: extra.programmeId,
            personRecordId: extra.personRecordId,
            referralId: referral.id,
            joinedAt: at,
          });
          steps.push({
            communityId: spec.communityId,
            personRecordId: extra.personRecordId,
            kind: 'joined_programme' as const,
            at,
            programmeId: extra.programmeId,
            sourceType: 'referral',
            sourceId: referral.id,
            onceKey: `programme:${extra.programmeId}`,
          });
        }
      }
    }
    if (wanted.length) await owner.insert(referralProgrammes).values(wanted).onConflictDoNothing();
    await owner.insert(referralEvents).values(events);
    if (attempts.length) await owner.insert(contactAttempts).values(attempts);
    await owner.insert(milestones).values(steps).onConflictDoNothing();
    if (members.length) await owner.insert(programmeMembers).values(members).onConflictDoNothing();
    // One current decision per person and purpose: a person with two referrals keeps the first.
    await owner.insert(consents).values(decisions).onConflictDoNothing();
  }
  return { personIds, referralIds };
}
