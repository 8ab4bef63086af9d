// The seeded, deterministic data generator: demo data for `npm start`, fixtures for tests and
// communities of any size for benchmarks. The same seed always gives the same people.
import { sql } from 'drizzle-orm';
import type { Database } from '../src/platform/db/index.ts';
import { auditEvents, communities, memberships, outbox, people } from '../src/platform/db/schema.ts';
import { hashPassword } from '../src/platform/auth/secrets.ts';
import type { Role } from '../src/platform/tenancy.ts';
import { programmes } from '../src/modules/programmes/schema.ts';

export const demoPassword = 'demo-password-1';

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

const firstNames = ['Amara', 'Ben', 'Chloe', 'Daniel', 'Esther', 'Femi', 'Grace', 'Hassan', 'Isla', 'Jamal', 'Kemi', 'Liam', 'Maya', 'Nadia', 'Omar', 'Patrice', 'Rosa', 'Sean', 'Tariq', 'Una', 'Victor', 'Winston', 'Yusuf', 'Zainab', 'Agnes', 'Bernard', 'Doris', 'Errol', 'Gwen', 'Harold', 'Iris', 'Joyce', 'Kwame', 'Lorna', 'Mohammed', 'Norma', 'Pearl', 'Ravi', 'Sheila', 'Trevor'];
const lastNames = ['Adeyemi', 'Brown', 'Campbell', 'Davies', 'Evans', 'Francis', 'Green', 'Hughes', 'Ibrahim', 'Johnson', 'Khan', 'Lewis', 'Mensah', 'Nguyen', "O'Brien", 'Patel', 'Quinn', 'Roberts', 'Smith', 'Thomas', 'Usman', 'Walker', 'Williams', 'Young', 'Ahmed', 'Baker', 'Clarke', 'Edwards', 'Foster', 'Gordon'];

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
export async function generateCommunity(owner: Database, spec: CommunitySpec, seed: number, passwordHash: string): Promise<GeneratedCommunity> {
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
    const [existing] = await owner.select({ id: people.id }).from(people).where(sql`lower(${people.email}) = lower(${account.email})`);
    const personId =
      existing?.id ??
      (await owner.insert(people).values({ email: account.email, displayName: account.displayName, passwordHash }).returning({ id: people.id }))[0]?.id;
    if (!personId) throw new Error('person insert returned nothing');
    await owner.insert(memberships).values({ communityId: community.id, personId, status: 'active', roles: account.roles, decidedAt: new Date() });
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
    const inserted = await owner.insert(people).values(batch).returning({ id: people.id, createdAt: people.createdAt });
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
          requestMessage: isWaiting ? random.pick(['My GP suggested I get in touch.', 'A friend told me about the group.', 'I would like to give some of my time.', '']) || null : null,
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
      { email: 'peer@example.org', displayName: 'Dev Sharma', roles: ['peer_supporter', 'member'] },
      { email: 'facilitator@example.org', displayName: 'Grace Okafor', roles: ['facilitator', 'member'] },
      { email: 'referrer@example.org', displayName: 'Dr Helen Carter', roles: ['referrer'] },
      { email: 'safeguarding@example.org', displayName: 'Joan Williams', roles: ['safeguarding_lead', 'member'] },
    ],
  },
  croydon: {
    slug: 'croydon',
    name: 'Croydon Connect',
    description: 'A peer network in Croydon for people living with personality disorders. Self-referral, no discharge: members choose how much support they want.',
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
    ],
  },
} satisfies Record<string, CommunitySpec>;

/** The demo: Lambeth Together, Croydon Connect, a platform admin, and some history to look at. */
export async function generateDemo(owner: Database): Promise<void> {
  const passwordHash = await hashPassword(demoPassword);
  const lambeth = await generateCommunity(owner, demoCommunities.lambeth, 1, passwordHash);
  const croydon = await generateCommunity(owner, demoCommunities.croydon, 2, passwordHash);
  await owner.insert(people).values({ email: 'platform@example.org', displayName: 'Priya Shah', passwordHash, isPlatformAdmin: true });
  await owner.insert(programmes).values([
    {
      communityId: lambeth.id,
      name: 'Lambeth Time Bank',
      kind: 'timebank',
      whoFor: 'Anyone who lives near the surgery and would like to give and get a hand. One hour of help earns one hour, whatever the task.',
      howToJoin: 'Ask your GP to refer you, or refer yourself on this website. A broker will call you for a chat.',
      whereAndWhen: 'Exchanges at times that suit you. Coffee morning on Thursdays, 10am, at the surgery.',
      contact: 'Sam Patel, 020 7946 0000',
    },
    {
      communityId: lambeth.id,
      name: 'Missing Link peer support',
      kind: 'peer_support',
      whoFor: 'People the Living Well hub refers, who would like someone with their own experience alongside them for up to 12 weeks.',
      howToJoin: 'Your hub worker refers you.',
      whereAndWhen: 'Two hours a week, where you choose.',
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
      whoFor: 'Adults in Croydon living with a personality disorder diagnosis, or who think they may have one. You are never discharged.',
      howToJoin: 'Refer yourself. A facilitator will call you before your first group.',
      whereAndWhen: 'Four groups a week at the community centre, St James Road.',
      contact: 'hello.croydon@example.org',
    },
  ]);
  for (const community of [lambeth, croydon]) {
    await owner.insert(auditEvents).values({ communityId: community.id, actorId: null, action: 'community.created', subjectType: 'community', subjectId: community.id, detail: { demo: true } });
  }
  // Some history for the audit log: the admin let people in and gave one of them a role.
  const [admin] = await owner.select({ id: people.id }).from(people).where(sql`${people.email} = 'admin@example.org'`);
  const approved = await owner
    .select({ id: memberships.id, roles: memberships.roles })
    .from(memberships)
    .where(sql`${memberships.communityId} = ${lambeth.id} and ${memberships.status} = 'active' and ${memberships.personId} <> ${admin?.id ?? null}`)
    .limit(4);
  for (const membership of approved) {
    await owner.insert(auditEvents).values({ communityId: lambeth.id, actorId: admin?.id ?? null, action: 'membership.approved', subjectType: 'membership', subjectId: membership.id, detail: { roles: ['member'] } });
  }
  const promoted = approved[0];
  if (promoted) {
    await owner.insert(auditEvents).values({ communityId: lambeth.id, actorId: admin?.id ?? null, action: 'membership.roles-changed', subjectType: 'membership', subjectId: promoted.id, detail: { from: ['member'], to: promoted.roles } });
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
}

/** True when the database has no communities yet: the first start. */
export async function isEmpty(owner: Database): Promise<boolean> {
  const result = await owner.execute<{ found: boolean }>(sql`select exists(select 1 from communities) as found`);
  return !result.rows[0]?.found;
}
