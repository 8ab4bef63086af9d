import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roles, staffRoles } from '../tenancy.ts';
import { type Access, type Asker, decide } from './access.ts';

const role = fc.constantFrom(...roles);
const rule: fc.Arbitrary<Access> = fc.oneof(
  fc.constant<Access>({ kind: 'public' }),
  fc.constant<Access>({ kind: 'signed-in' }),
  fc.constant<Access>({ kind: 'platform-admin' }),
  fc.constant<Access>({ kind: 'community', roles: 'any-member' }),
  fc.uniqueArray(role, { minLength: 1 }).map((allowed): Access => ({ kind: 'community', roles: allowed })),
  fc
    .uniqueArray(role, { minLength: 1 })
    .map((allowed): Access => ({ kind: 'community', roles: allowed, hidden: true })),
);
const asker: fc.Arbitrary<Asker> = fc.record({
  signedIn: fc.boolean(),
  isPlatformAdmin: fc.boolean(),
  hasTwoFactor: fc.boolean(),
  membershipRoles: fc.option(fc.uniqueArray(role), { nil: undefined }),
  communityExists: fc.boolean(),
  communityRequiresStaffTwoFactor: fc.boolean(),
});

describe('who may use a route', () => {
  it('a restricted route answers "not found" to a member without the role, never "forbidden"', () => {
    fc.assert(
      fc.property(fc.uniqueArray(role, { minLength: 1 }), asker, (allowed, someone) => {
        const decision = decide({ kind: 'community', roles: allowed, hidden: true }, someone);
        expect(decision).not.toBe('forbidden');
        if (
          someone.signedIn &&
          someone.communityExists &&
          someone.membershipRoles &&
          !someone.membershipRoles.some((held) => allowed.includes(held))
        )
          expect(decision).toBe('not-found');
      }),
    );
  });

  it('a public route lets everyone in', () => {
    fc.assert(fc.property(asker, (someone) => decide({ kind: 'public' }, someone) === 'allow'));
  });

  it('nobody signed out gets past a route that is not public', () => {
    fc.assert(
      fc.property(rule, asker, (declared, someone) => {
        fc.pre(declared.kind !== 'public');
        return decide(declared, { ...someone, signedIn: false }) === 'sign-in';
      }),
    );
  });

  it('someone outside a community always gets "not found" from its routes, platform admins included', () => {
    fc.assert(
      fc.property(rule, asker, (declared, someone) => {
        fc.pre(declared.kind === 'community' && someone.signedIn);
        return (
          decide(declared, { ...someone, membershipRoles: undefined }) === 'not-found' &&
          decide(declared, { ...someone, communityExists: false }) === 'not-found'
        );
      }),
    );
  });

  it('a member is let in exactly when they hold one of the route’s roles', () => {
    fc.assert(
      fc.property(fc.uniqueArray(role, { minLength: 1 }), fc.uniqueArray(role), (allowed, held) => {
        const decision = decide(
          { kind: 'community', roles: allowed },
          {
            signedIn: true,
            isPlatformAdmin: false,
            hasTwoFactor: true,
            membershipRoles: held,
            communityExists: true,
            communityRequiresStaffTwoFactor: false,
          },
        );
        return decision === (held.some((one) => allowed.includes(one)) ? 'allow' : 'forbidden');
      }),
    );
  });

  it('where the community requires it, staff without two-step sign-in are sent to turn it on; members are not', () => {
    const base = {
      signedIn: true,
      isPlatformAdmin: false,
      hasTwoFactor: false,
      communityExists: true,
      communityRequiresStaffTwoFactor: true,
    };
    for (const staff of staffRoles)
      expect(decide({ kind: 'community', roles: 'any-member' }, { ...base, membershipRoles: [staff] })).toBe(
        'two-factor-required',
      );
    expect(
      decide({ kind: 'community', roles: 'any-member' }, { ...base, membershipRoles: ['member', 'peer_supporter'] }),
    ).toBe('allow');
    expect(
      decide({ kind: 'community', roles: 'any-member' }, { ...base, hasTwoFactor: true, membershipRoles: ['admin'] }),
    ).toBe('allow');
  });

  it('a platform admin route lets in exactly the platform admins who sign in with two steps; others without it are sent to turn it on', () => {
    fc.assert(
      fc.property(asker, (someone) => {
        fc.pre(someone.signedIn);
        const decision = decide({ kind: 'platform-admin' }, someone);
        return (
          decision === (!someone.isPlatformAdmin ? 'forbidden' : someone.hasTwoFactor ? 'allow' : 'two-factor-required')
        );
      }),
    );
  });
});
