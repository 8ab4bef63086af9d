import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { apiTokens, people } from '../db/schema.ts';
import { decide, isApiRequest, routeAccess } from '../auth/access.ts';
import { hashToken } from '../auth/secrets.ts';
import { isLanguage, type Language, translator, type Translate } from '../i18n.ts';
import { activeMembership, type Community, findCommunityBySlug, type Role } from '../tenancy.ts';
import { DomainError, forbidden, notFound, unauthenticated } from './problems.ts';

export interface SignedInPerson {
  id: string;
  email: string;
  displayName: string;
  isPlatformAdmin: boolean;
  preferredLanguage: string;
  hasTwoFactor: boolean;
}

declare module 'fastify' {
  interface FastifyRequest {
    person: SignedInPerson | null;
    community: Community | null;
    membershipId: string | null;
    roles: Role[];
    language: Language;
    t: Translate;
  }
  interface Session {
    personId?: string;
    /** Set between a correct password and a correct two-factor code. */
    pendingPersonId?: string;
    pendingNext?: string;
    flash?: string;
  }
}

const personColumns = {
  id: people.id,
  email: people.email,
  displayName: people.displayName,
  isPlatformAdmin: people.isPlatformAdmin,
  preferredLanguage: people.preferredLanguage,
  totpEnabledAt: people.totpEnabledAt,
};

function toSignedIn(row: { totpEnabledAt: Date | null } & Omit<SignedInPerson, 'hasTwoFactor'>): SignedInPerson {
  const { totpEnabledAt, ...rest } = row;
  return { ...rest, hasTwoFactor: totpEnabledAt !== null };
}

async function personFromToken(db: Database, header: string): Promise<SignedInPerson | null> {
  const token = header.slice('Bearer '.length).trim();
  if (!token) return null;
  const [row] = await db
    .select({ ...personColumns, tokenId: apiTokens.id, lastUsedAt: apiTokens.lastUsedAt })
    .from(apiTokens)
    .innerJoin(people, eq(people.id, apiTokens.personId))
    .where(and(eq(apiTokens.tokenHash, hashToken(token)), isNull(apiTokens.revokedAt), isNull(people.erasedAt)))
    .limit(1);
  if (!row) return null;
  const { tokenId, lastUsedAt, ...person } = row;
  if (!lastUsedAt || Date.now() - lastUsedAt.getTime() > 60_000) {
    await db
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(and(eq(apiTokens.id, tokenId), or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`))));
  }
  return toSignedIn(person);
}

async function personFromSession(db: Database, personId: string): Promise<SignedInPerson | null> {
  const [row] = await db
    .select(personColumns)
    .from(people)
    .where(and(eq(people.id, personId), isNull(people.erasedAt)))
    .limit(1);
  return row ? toSignedIn(row) : null;
}

function chooseLanguage(request: FastifyRequest, reply: FastifyReply, person: SignedInPerson | null): Language {
  const asked = (request.query as Record<string, unknown> | undefined)?.lang;
  if (isLanguage(asked)) {
    reply.setCookie('lang', asked, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
    return asked;
  }
  const remembered = request.cookies.lang;
  if (isLanguage(remembered)) return remembered;
  if (person && isLanguage(person.preferredLanguage)) return person.preferredLanguage;
  return 'en';
}

/**
 * Who is asking, in which community and language, and whether the route lets them in.
 * Runs before the body is read, so a refused request is refused whatever it carries.
 */
export const requestContext = fp(async (app: FastifyInstance, options: { db: Database }) => {
  const { db } = options;
  app.decorateRequest('person', null);
  app.decorateRequest('community', null);
  app.decorateRequest('membershipId', null);
  // Arrays are per request: set in the hook below, never shared between requests.
  app.decorateRequest('roles', null as unknown as Role[]);
  app.decorateRequest('language', 'en');
  app.decorateRequest('t', translator('en'));

  app.addHook('onRequest', async (request, reply) => {
    request.roles = [];
    const authorization = request.headers.authorization;
    if (isApiRequest(request) && authorization?.startsWith('Bearer ')) {
      request.person = await personFromToken(db, authorization);
      if (!request.person) throw unauthenticated();
    } else if (request.session?.personId) {
      request.person = await personFromSession(db, request.session.personId);
    }
    request.language = chooseLanguage(request, reply, request.person);
    request.t = translator(request.language);

    const rule = routeAccess(request);
    if (!rule) {
      // A route without a declaration is a defect: the access-matrix test finds it.
      if (request.is404) return;
      throw new DomainError('access-not-declared', 500);
    }
    const slug = (request.params as Record<string, string> | undefined)?.community;
    let membershipRoles: readonly Role[] | undefined;
    if (slug !== undefined) {
      const community = await findCommunityBySlug(db, slug);
      if (community && request.person) {
        const membership = await activeMembership(db, community.id, request.person.id);
        if (membership) {
          request.community = community;
          request.membershipId = membership.id;
          request.roles = membership.roles;
          membershipRoles = membership.roles;
        }
      }
      const decision = decide(rule, {
        signedIn: request.person !== null,
        isPlatformAdmin: request.person?.isPlatformAdmin ?? false,
        hasTwoFactor: request.person?.hasTwoFactor ?? false,
        membershipRoles,
        communityExists: community !== undefined,
        communityRequiresStaffTwoFactor: community?.requireStaffTwoFactor ?? false,
      });
      return act(decision, request, reply);
    }
    const decision = decide(rule, {
      signedIn: request.person !== null,
      isPlatformAdmin: request.person?.isPlatformAdmin ?? false,
      hasTwoFactor: request.person?.hasTwoFactor ?? false,
      communityExists: false,
      communityRequiresStaffTwoFactor: false,
    });
    return act(decision, request, reply);
  });
});

async function act(decision: ReturnType<typeof decide>, request: FastifyRequest, reply: FastifyReply) {
  switch (decision) {
    case 'allow':
      return;
    case 'sign-in':
      if (isApiRequest(request)) throw unauthenticated();
      return reply.redirect(`/sign-in?next=${encodeURIComponent(request.url)}`);
    case 'forbidden':
      throw forbidden();
    case 'not-found':
      throw notFound();
    case 'two-factor-required':
      if (isApiRequest(request)) throw new DomainError('two-factor-required', 403);
      return reply.redirect('/account/two-factor?required=1');
  }
}
