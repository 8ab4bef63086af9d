import { eq, sql } from 'drizzle-orm';
import type { Database, Transaction } from './db/index.ts';
import { communities } from './db/schema.ts';
import { inTransactionBegunWith } from './db/transactions.ts';

export const roles = [
  'member',
  'peer_supporter',
  'facilitator',
  'coordinator',
  'referrer',
  'partner',
  'safeguarding_lead',
  'admin',
] as const;
export type Role = (typeof roles)[number];

/** Roles that see other people's records; a community can require two-factor sign-in for them. */
export const staffRoles: readonly Role[] = ['coordinator', 'referrer', 'partner', 'safeguarding_lead', 'admin'];

/** Those who run the community's programmes, and act for members who are not online. */
export const runningRoles: readonly Role[] = ['admin', 'coordinator'];

/** Who takes part in programmes: a referrer or safeguarding lead who is only that has no use for their pages. */
export const takingPart: readonly Role[] = [
  'member',
  'peer_supporter',
  'facilitator',
  'coordinator',
  'partner',
  'admin',
];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (roles as readonly string[]).includes(value);
}

export type Community = typeof communities.$inferSelect;

/** The community a request is in, and who is asking. Every community query takes one. */
export interface CommunityScope {
  readonly communityId: string;
  readonly personId: string | null;
}

declare const scoped: unique symbol;
/** A transaction in which row-level security shows only one community's rows. */
export type CommunityTransaction = Transaction & { readonly [scoped]: true };

/**
 * Runs `work` in one transaction where `app.community_id` is set, so that the row-level
 * security policies show only this community's rows even to a query that forgets to filter.
 */
export async function inCommunity<T>(
  db: Database,
  scope: CommunityScope,
  work: (tx: CommunityTransaction) => Promise<T>,
): Promise<T> {
  return inTransactionBegunWith(db, beginInCommunity(scope), (tx) => work(tx as CommunityTransaction));
}

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * `begin` and the community's settings as one simple query (one round trip, not two). A simple
 * query takes no parameters, so each value is checked to be a UUID before it is written in.
 */
export function beginInCommunity(scope: CommunityScope): string {
  const { communityId, personId } = scope;
  if (!uuid.test(communityId) || (personId !== null && !uuid.test(personId)))
    throw new Error('a community transaction is scoped only by UUIDs');
  return `begin; select set_config('app.community_id', '${communityId}', true), set_config('app.person_id', '${personId ?? ''}', true)`;
}

/**
 * The one place a transaction is scoped to a community: for work that must begin before the
 * community is known (creating it) or that walks every community (nightly jobs). Lint forbids
 * setting `app.community_id` or casting to `CommunityTransaction` anywhere else.
 */
export async function scopeToCommunity(tx: Transaction, scope: CommunityScope): Promise<CommunityTransaction> {
  await tx.execute(
    sql`select set_config('app.community_id', ${scope.communityId}, true), set_config('app.person_id', ${scope.personId ?? ''}, true)`,
  );
  return tx as CommunityTransaction;
}

export async function findCommunityBySlug(db: Database, slug: string): Promise<Community | undefined> {
  const [community] = await db.select().from(communities).where(eq(communities.slug, slug)).limit(1);
  return community;
}

/** The person asking, in the request's community: what a service needs to decide what they may see and do. */
export interface RequestAsker {
  /** Their account; null when nobody is signed in. */
  accountId: string | null;
  /** Their roles in the request's community (none outside one). */
  roles: readonly Role[];
  hasRole(...roles: Role[]): boolean;
  /** Whether they run the community's programmes (admin, coordinator): they act for people who are not online. */
  runsProgrammes: boolean;
  /**
   * Their record in the request's community, read in the request's transaction (a record made
   * earlier in the same request is found); null when they have none.
   */
  recordIn(tx: CommunityTransaction): Promise<string | null>;
}
