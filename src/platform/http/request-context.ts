import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { and, eq, isNull, lt, or, sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { apiTokens } from '../db/schema.ts';
import { loadPerson, loadTokenWithPerson, type SignedInPerson } from '../auth/people.ts';
import type { PostgresSessionStore } from '../auth/session-store.ts';
import { decide, isApiRequest, routeAccess } from '../auth/access.ts';
import { hashToken } from '../auth/secrets.ts';
import { isLanguage, type Language, translator, type Translate } from '../i18n.ts';
import { type Community, type RequestAsker, type Role, runningRoles } from '../tenancy.ts';
import { DomainError, forbidden, notFound, unauthenticated } from './problems.ts';
import type { AskerRecord, HeaderFacts } from '../module.ts';

declare module 'fastify' {
  interface FastifyRequest {
    person: SignedInPerson | null;
    community: Community | null;
    membershipId: string | null;
    roles: Role[];
    language: Language;
    t: Translate;
    /** The kinds of programme the request's community runs, for its pages' header. */
    programmeKinds: readonly string[];
    /** Whether the person is in the community's hub team (the header links the hub for them). */
    inHubTeam: boolean;
    /** Who is asking, as the services take it: built once, before the handler runs. */
    asker: RequestAsker;
  }
  interface Session {
    personId?: string;
    /** Set between a correct password and a correct two-factor code. */
    pendingPersonId?: string;
    pendingNext?: string;
    flash?: string;
  }
}

function askerOf(request: FastifyRequest, askerRecord: AskerRecord): RequestAsker {
  const accountId = request.person?.id ?? null;
  const roles = request.roles;
  const communityId = request.community?.id;
  let record: string | null = null;
  return {
    accountId,
    roles,
    hasRole: (...wanted) => roles.some((role) => wanted.includes(role)),
    runsProgrammes: roles.some((role) => runningRoles.includes(role)),
    async recordIn(tx) {
      if (record || !accountId || !communityId) return record;
      record = await askerRecord(tx, communityId, accountId);
      return record;
    },
  };
}

async function personFromToken(owner: Database, header: string): Promise<SignedInPerson | null> {
  const token = header.slice('Bearer '.length).trim();
  if (!token) return null;
  const found = await loadTokenWithPerson(owner, hashToken(token));
  if (!found) return null;
  // Written at most once a minute, so that a busy program does not write on every call.
  if (!found.lastUsedAt || Date.now() - found.lastUsedAt.getTime() > 60_000) {
    await owner
      .update(apiTokens)
      .set({ lastUsedAt: new Date() })
      .where(
        and(
          eq(apiTokens.id, found.tokenId),
          or(isNull(apiTokens.lastUsedAt), lt(apiTokens.lastUsedAt, sql`now() - interval '1 minute'`)),
        ),
      );
  }
  return found.person;
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
export const requestContext = fp(
  async (
    app: FastifyInstance,
    options: {
      owner: Database;
      sessionStore: PostgresSessionStore;
      headerFacts: HeaderFacts;
      askerRecord: AskerRecord;
    },
  ) => {
    const { owner, sessionStore, headerFacts, askerRecord } = options;
    app.decorateRequest('person', null);
    app.decorateRequest('community', null);
    app.decorateRequest('membershipId', null);
    // Arrays are per request: set in the hook below, never shared between requests.
    app.decorateRequest('roles', null as unknown as Role[]);
    app.decorateRequest('language', 'en');
    app.decorateRequest('t', translator('en'));
    app.decorateRequest('programmeKinds', null as unknown as readonly string[]);
    app.decorateRequest('inHubTeam', false);
    app.decorateRequest('asker', null as unknown as RequestAsker);

    app.addHook('onRequest', async (request, reply) => {
      request.roles = [];
      const authorization = request.headers.authorization;
      if (isApiRequest(request) && authorization?.startsWith('Bearer ')) {
        request.person = await personFromToken(owner, authorization);
        if (!request.person) throw unauthenticated();
      } else if (request.session?.personId) {
        const personId = request.session.personId;
        const preloaded = sessionStore.takePerson(request.session.sessionId);
        request.person = preloaded?.id === personId ? preloaded : await loadPerson(owner, personId);
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
        // Someone who is not an active member learns nothing, not even whether the community exists.
        const membership = request.person?.memberships.find(
          (one) => one.community.slug === slug && one.status === 'active',
        );
        if (membership) {
          request.community = membership.community;
          speakLanguagesOf(request, membership.community);
          request.membershipId = membership.membershipId;
          request.roles = membership.roles;
          membershipRoles = membership.roles;
          if (!isApiRequest(request)) {
            request.programmeKinds = await headerFacts.programmeKinds(owner, membership.community.id);
            request.inHubTeam =
              request.programmeKinds.includes('hub') &&
              request.person !== null &&
              (await headerFacts.inHubTeam(owner, membership.community.id, request.person.id));
          }
        }
        request.asker = askerOf(request, askerRecord);
        const decision = decide(rule, {
          signedIn: request.person !== null,
          isPlatformAdmin: request.person?.isPlatformAdmin ?? false,
          hasTwoFactor: request.person?.hasTwoFactor ?? false,
          membershipRoles,
          communityExists: membership !== undefined,
          communityRequiresStaffTwoFactor: membership?.community.requireStaffTwoFactor ?? false,
        });
        return act(decision, request, reply);
      }
      request.asker = askerOf(request, askerRecord);
      const decision = decide(rule, {
        signedIn: request.person !== null,
        isPlatformAdmin: request.person?.isPlatformAdmin ?? false,
        hasTwoFactor: request.person?.hasTwoFactor ?? false,
        communityExists: false,
        communityRequiresStaffTwoFactor: false,
      });
      return act(decision, request, reply);
    });
  },
);

/** A community speaks the languages it chose: asked for another, its pages use the first of them. */
export function speakLanguagesOf(request: FastifyRequest, community: { languages: string[] }): void {
  const offered = community.languages.filter(isLanguage);
  const first = offered[0];
  if (first !== undefined && !offered.includes(request.language)) {
    request.language = first;
    request.t = translator(first);
  }
}

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
      return reply.redirect(
        `/account/two-factor?required=${routeAccess(request)?.kind === 'platform-admin' ? 'platform' : '1'}`,
      );
  }
}
