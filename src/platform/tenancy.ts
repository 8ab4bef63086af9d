import { and, eq, sql } from 'drizzle-orm';
import type { Database, Transaction } from './db/index.ts';
import { communities, memberships } from './db/schema.ts';

export const roles = ['member', 'peer_supporter', 'facilitator', 'coordinator', 'referrer', 'partner', 'safeguarding_lead', 'admin'] as const;
export type Role = (typeof roles)[number];

/** Roles that see other people's records; a community can require two-factor sign-in for them. */
export const staffRoles: readonly Role[] = ['coordinator', 'referrer', 'partner', 'safeguarding_lead', 'admin'];

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
/** A transaction in which row-level security shows a person their own rows in every community. */
export type PersonTransaction = Transaction & { readonly [scoped]: 'person' };

/**
 * Runs `work` in one transaction where `app.community_id` is set, so that the row-level
 * security policies show only this community's rows even to a query that forgets to filter.
 */
export function inCommunity<T>(db: Database, scope: CommunityScope, work: (tx: CommunityTransaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('app.community_id', ${scope.communityId}, true), set_config('app.person_id', ${scope.personId ?? ''}, true)`,
    );
    return work(tx as CommunityTransaction);
  });
}

/** Runs `work` in one transaction that sees the person's own memberships in every community. */
export function asPerson<T>(db: Database, personId: string, work: (tx: PersonTransaction) => Promise<T>): Promise<T> {
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.community_id', '', true), set_config('app.person_id', ${personId}, true)`);
    return work(tx as PersonTransaction);
  });
}

export async function findCommunityBySlug(db: Database, slug: string): Promise<Community | undefined> {
  const [community] = await db.select().from(communities).where(eq(communities.slug, slug)).limit(1);
  return community;
}

export interface MembershipSummary {
  membershipId: string;
  communityId: string;
  slug: string;
  name: string;
  status: 'requested' | 'active' | 'declined' | 'removed';
  roles: Role[];
}

/** The person's memberships in every community, for the community switcher and `/api/v1/me`. */
export async function membershipsOf(db: Database, personId: string): Promise<MembershipSummary[]> {
  return asPerson(db, personId, async (tx) => {
    const rows = await tx
      .select({
        membershipId: memberships.id,
        communityId: communities.id,
        slug: communities.slug,
        name: communities.name,
        status: memberships.status,
        roles: memberships.roles,
      })
      .from(memberships)
      .innerJoin(communities, eq(communities.id, memberships.communityId))
      .where(eq(memberships.personId, personId))
      .orderBy(communities.name);
    return rows.map((row) => ({ ...row, roles: row.roles.filter(isRole) }));
  });
}

/** The active membership of a person in a community, or undefined. */
export async function activeMembership(db: Database, communityId: string, personId: string) {
  return inCommunity(db, { communityId, personId }, async (tx) => {
    const [row] = await tx
      .select({ id: memberships.id, roles: memberships.roles })
      .from(memberships)
      .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, personId), eq(memberships.status, 'active')))
      .limit(1);
    return row ? { id: row.id, roles: row.roles.filter(isRole) } : undefined;
  });
}
