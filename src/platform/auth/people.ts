import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { accounts, apiTokens, communities, memberships, sessions } from '../db/schema.ts';
import { type Community, isRole, type Role } from '../tenancy.ts';

/** A membership of the person asking, with its community. */
export interface PersonMembership {
  membershipId: string;
  status: 'requested' | 'active' | 'declined' | 'removed';
  roles: Role[];
  community: Community;
}

export interface SignedInPerson {
  id: string;
  email: string;
  displayName: string;
  isPlatformAdmin: boolean;
  preferredLanguage: string;
  hasTwoFactor: boolean;
  /** Whether they followed the link sent to their email address (until then they join nothing). */
  emailVerified: boolean;
  /** Every membership, in every community, by community name. */
  memberships: PersonMembership[];
}

const personColumns = {
  id: accounts.id,
  email: accounts.email,
  displayName: accounts.displayName,
  isPlatformAdmin: accounts.isPlatformAdmin,
  preferredLanguage: accounts.preferredLanguage,
  totpEnabledAt: accounts.totpEnabledAt,
  emailVerifiedAt: accounts.emailVerifiedAt,
  membershipId: memberships.id,
  status: memberships.status,
  roles: memberships.roles,
  community: communities,
};

interface PersonRow {
  id: string | null;
  email: string | null;
  displayName: string | null;
  isPlatformAdmin: boolean | null;
  preferredLanguage: string | null;
  totpEnabledAt: Date | null;
  emailVerifiedAt: Date | null;
  membershipId: string | null;
  status: PersonMembership['status'] | null;
  roles: string[] | null;
  community: Community | null;
}

/** One row per membership (or one row with no membership) becomes one person. */
export function personFromRows(rows: PersonRow[]): SignedInPerson | null {
  const first = rows[0];
  if (!first?.id || first.email === null || first.displayName === null) return null;
  return {
    id: first.id,
    email: first.email,
    displayName: first.displayName,
    isPlatformAdmin: first.isPlatformAdmin ?? false,
    preferredLanguage: first.preferredLanguage ?? 'en',
    hasTwoFactor: first.totpEnabledAt !== null,
    emailVerified: first.emailVerifiedAt !== null,
    memberships: rows.flatMap((row) =>
      row.membershipId && row.status && row.roles && row.community
        ? [
            {
              membershipId: row.membershipId,
              status: row.status,
              roles: row.roles.filter(isRole),
              community: row.community,
            },
          ]
        : [],
    ),
  };
}

const prepared = new WeakMap<
  Database,
  {
    byId: ReturnType<typeof personById>;
    bySession: ReturnType<typeof sessionWithPerson>;
    byToken: ReturnType<typeof tokenWithPerson>;
  }
>();

function personById(owner: Database) {
  return owner
    .select(personColumns)
    .from(accounts)
    .leftJoin(memberships, eq(memberships.personId, accounts.id))
    .leftJoin(communities, eq(communities.id, memberships.communityId))
    .where(and(eq(accounts.id, sql.placeholder('personId')), isNull(accounts.erasedAt)))
    .orderBy(communities.name)
    .prepare('load_person');
}

function sessionWithPerson(owner: Database) {
  return owner
    .select({ sessionData: sessions.data, expiresAt: sessions.expiresAt, ...personColumns })
    .from(sessions)
    .leftJoin(accounts, and(eq(accounts.id, sessions.personId), isNull(accounts.erasedAt)))
    .leftJoin(memberships, eq(memberships.personId, accounts.id))
    .leftJoin(communities, eq(communities.id, memberships.communityId))
    .where(eq(sessions.id, sql.placeholder('sessionId')))
    .orderBy(communities.name)
    .prepare('read_session_with_person');
}

function tokenWithPerson(owner: Database) {
  return owner
    .select({ tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt, ...personColumns })
    .from(apiTokens)
    .innerJoin(accounts, and(eq(accounts.id, apiTokens.personId), isNull(accounts.erasedAt)))
    .leftJoin(memberships, eq(memberships.personId, accounts.id))
    .leftJoin(communities, eq(communities.id, memberships.communityId))
    .where(and(eq(apiTokens.tokenHash, sql.placeholder('tokenHash')), isNull(apiTokens.revokedAt)))
    .orderBy(communities.name)
    .prepare('read_token_with_person');
}

function queriesFor(owner: Database) {
  let queries = prepared.get(owner);
  if (!queries) {
    queries = { byId: personById(owner), bySession: sessionWithPerson(owner), byToken: tokenWithPerson(owner) };
    prepared.set(owner, queries);
  }
  return queries;
}

/**
 * The person and all their memberships in one query. It runs before the request is known to
 * belong to any community, so it reads through the owner connection, like the session does;
 * everything the route itself reads goes through the application's role.
 */
export async function loadPerson(owner: Database, personId: string): Promise<SignedInPerson | null> {
  return personFromRows(await queriesFor(owner).byId.execute({ personId }));
}

/** An API token that is not revoked and the person it acts for, in one query (it runs on every API call). */
export async function loadTokenWithPerson(owner: Database, tokenHash: string) {
  const rows = await queriesFor(owner).byToken.execute({ tokenHash });
  const first = rows[0];
  const person = personFromRows(rows);
  if (!first || !person) return undefined;
  return { tokenId: first.tokenId, lastUsedAt: first.lastUsedAt, person };
}

/** A session and the person signed in to it, in one query (it runs on every request). */
export async function loadSession(owner: Database, sessionIdHash: string) {
  const rows = await queriesFor(owner).bySession.execute({ sessionId: sessionIdHash });
  const first = rows[0];
  if (!first) return undefined;
  return { data: first.sessionData, expiresAt: first.expiresAt, person: personFromRows(rows) };
}

/** The person's memberships as the pages and the API list them. */
export function membershipList(person: SignedInPerson | null) {
  return (person?.memberships ?? []).map((membership) => ({
    slug: membership.community.slug,
    name: membership.community.name,
    status: membership.status,
    roles: membership.roles,
  }));
}
