import type { FastifyReply, FastifyRequest } from 'fastify';
import { type Role, staffRoles } from '../tenancy.ts';

/**
 * Who may use a route. Every route declares one in `config.access`; a route without one
 * answers 500, and the access-matrix test fails.
 */
export type Access =
  | { kind: 'public'; checkedBy?: string }
  | { kind: 'signed-in' }
  | { kind: 'platform-admin' }
  | {
      kind: 'community';
      roles: readonly Role[] | 'any-member';
      hidden?: true;
      anyonesFor?: readonly Role[];
      /** Who else may: the service decides, for this reason, and answers 404 to the rest. */
      decidedBy?: string;
    };

export const access = {
  /** Anyone, signed in or not. */
  public: { kind: 'public' } as Access,
  /** No session or role: the handler checks a token of its own (`because` says which). */
  byToken: (because: string): Access => ({ kind: 'public', checkedBy: because }),
  /** Anyone signed in. */
  signedIn: { kind: 'signed-in' } as Access,
  /** A platform admin. */
  platformAdmin: { kind: 'platform-admin' } as Access,
  /** Any active member of the community named in the path. */
  anyMember: { kind: 'community', roles: 'any-member' } as Access,
  /** An active member of the community named in the path holding one of these roles. */
  roles: (...allowed: Role[]): Access => ({ kind: 'community', roles: allowed }),
  /** As `roles`, but any other member is told it does not exist (404): restricted records. */
  restricted: (...allowed: Role[]): Access => ({ kind: 'community', roles: allowed, hidden: true }),
  /**
   * Any member, for what is theirs (an exchange they took part in, their own account); these
   * roles for anyone's. The route checks what is whose and answers 404 for what is not.
   */
  ownOr: (...allowed: Role[]): Access => ({ kind: 'community', roles: 'any-member', anyonesFor: allowed }),
  /**
   * Any member may ask; the service decides who else sees it, because of something only it knows
   * (`because`: e.g. who is in the hub team), and answers 404 to the rest; these roles see anyone's.
   */
  decidedByService: (because: string, ...allowed: Role[]): Access => ({
    kind: 'community',
    roles: 'any-member',
    anyonesFor: allowed,
    decidedBy: because,
  }),
};

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: Access;
  }
}

export type AccessDecision = 'allow' | 'sign-in' | 'forbidden' | 'not-found' | 'two-factor-required';

export interface Asker {
  signedIn: boolean;
  isPlatformAdmin: boolean;
  hasTwoFactor: boolean;
  /** Undefined when the route names no community or the asker is not an active member of it. */
  membershipRoles?: readonly Role[];
  communityExists: boolean;
  communityRequiresStaffTwoFactor: boolean;
}

/** The rule, kept apart from HTTP so it can be tested on its own. */
export function decide(rule: Access, asker: Asker): AccessDecision {
  if (rule.kind === 'public') return 'allow';
  if (!asker.signedIn) return 'sign-in';
  if (rule.kind === 'signed-in') return 'allow';
  // A platform admin creates communities and reads across them: always with two-step sign-in.
  if (rule.kind === 'platform-admin')
    return !asker.isPlatformAdmin ? 'forbidden' : asker.hasTwoFactor ? 'allow' : 'two-factor-required';
  // A community that does not exist and one the asker is not in look the same: never reveal it.
  if (!asker.communityExists || !asker.membershipRoles) return 'not-found';
  const held = asker.membershipRoles;
  const allowed = rule.roles === 'any-member' || held.some((role) => rule.roles.includes(role));
  if (!allowed) return rule.hidden ? 'not-found' : 'forbidden';
  if (asker.communityRequiresStaffTwoFactor && !asker.hasTwoFactor && held.some((role) => staffRoles.includes(role))) {
    return 'two-factor-required';
  }
  return 'allow';
}

/** A request from a program (the JSON API or FHIR): token sign-in, no redirects, no pages. */
export function isApiRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/api/') || isFhirRequest(request);
}

export function isFhirRequest(request: FastifyRequest): boolean {
  return request.url.startsWith('/fhir/');
}

export function routeAccess(request: FastifyRequest): Access | undefined {
  return request.routeOptions.config.access;
}

export type { FastifyReply };
