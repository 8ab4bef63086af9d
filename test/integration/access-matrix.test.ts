// Walks every registered route as anonymous, as each role, as a member of another community,
// as a platform admin and as someone in no community, and checks each answer against the
// route's declaration. A route that declares nothing fails the test.
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../src/app.ts';
import type { Access } from '../../src/platform/auth/access.ts';
import { memberships } from '../../src/platform/db/schema.ts';
import { roles, type Role } from '../../src/platform/tenancy.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { Visitor } from '../support/browser-like.ts';
import { type Fixture, fixturePassword, seedFixture } from '../support/fixtures.ts';

type Outcome = 'allow' | 'sign-in' | 'forbidden' | 'not-found';

interface Caller {
  name: string;
  email?: string;
  roles: Role[];
  inCommunity: boolean;
  platformAdmin: boolean;
}

let test: TestApp;
let fixture: Fixture;
let waitingMembershipId: string;

beforeAll(async () => {
  test = await startTestApp({ SIGN_IN_RATE_LIMIT: '100000' });
  fixture = await seedFixture(test.database.owner);
  const [waiting] = await test.database.owner
    .select({ id: memberships.id })
    .from(memberships)
    .where(and(eq(memberships.communityId, fixture.alpha.id), eq(memberships.status, 'requested')))
    .limit(1);
  if (!waiting) throw new Error('the fixture has nobody waiting');
  waitingMembershipId = waiting.id;
});
afterAll(() => test.close());

/** What a caller should get from a route with this declaration. */
export function expected(access: Access, caller: Caller): Outcome {
  if (access.kind === 'public') return 'allow';
  if (!caller.email) return 'sign-in';
  if (access.kind === 'signed-in') return 'allow';
  if (access.kind === 'platform-admin') return caller.platformAdmin ? 'allow' : 'forbidden';
  if (!caller.inCommunity) return 'not-found';
  if (access.roles === 'any-member') return 'allow';
  if (caller.roles.some((role) => (access.roles as readonly Role[]).includes(role))) return 'allow';
  return access.hidden ? 'not-found' : 'forbidden';
}

function concretePath(route: RouteEntry): string {
  const values: Record<string, string> = {
    community: 'alpha',
    slug: 'alpha',
    membershipId: waitingMembershipId,
    tokenId: '00000000-0000-4000-8000-000000000000',
    programmeId: fixture.alphaProgrammeId,
    personId: fixture.alphaPersonId,
    otherId: fixture.alphaOtherPersonId,
    section: 'contact',
    purpose: 'evaluation',
    referralId: fixture.alphaReferralId,
    step: 'name',
    concernId: fixture.alphaConcernId,
    requestId: fixture.alphaErasureRequestId,
    exchangeId: fixture.alphaExchangeId,
    postId: fixture.alphaPostId,
    responseId: fixture.alphaResponseId,
    categoryId: fixture.alphaCategoryId,
    stepId: fixture.alphaStepId,
    networkId: fixture.alphaNetworkId,
    groupId: fixture.alphaGroupId,
    meetingId: fixture.alphaMeetingId,
    rulesId: fixture.alphaRulesId,
    episodeId: fixture.alphaEpisodeId,
    timesheetId: fixture.alphaTimesheetId,
    entryId: fixture.alphaEntryId,
    reviewMeetingId: fixture.alphaReviewMeetingId,
    actionId: fixture.alphaActionId,
    flagId: fixture.alphaFlagId,
    budgetId: fixture.alphaBudgetId,
    spendId: fixture.alphaSpendId,
    token: 'not-a-real-token',
    colour: '005eb8',
  };
  let path = route.url.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`the access matrix has no value for :${name} in ${route.url}; add one`);
    return value;
  });
  if (path.endsWith('*')) {
    const wildcard: Record<string, string> = { '/public/*': 'js/start.js', '/assets/*': 'manifest.json', '/api/docs/static/*': 'index.css' };
    path = path.replace(/\*$/, '') + (wildcard[route.url] ?? 'x');
  }
  return path;
}

async function outcomeOf(visitor: Visitor, route: RouteEntry, csrf: string | undefined): Promise<{ outcome: Outcome | 'csrf-refused'; status: number }> {
  const path = concretePath(route);
  const api = path.startsWith('/api/');
  const response =
    route.method === 'GET'
      ? await visitor.get(path)
      : api
        ? await visitor.request(route.method, path, { json: {} })
        : await visitor.request(route.method, path, { form: csrf ? { _csrf: csrf } : {} });
  const status = response.statusCode;
  if (status === 401 || (status === 302 && String(response.headers.location).startsWith('/sign-in?'))) return { outcome: 'sign-in', status };
  if (status === 403) {
    const refusedForm = api ? response.json<{ code?: string }>().code === 'csrf' : response.body.includes('This form has expired');
    return { outcome: refusedForm ? 'csrf-refused' : 'forbidden', status };
  }
  if (status === 404 && route.access?.kind === 'community') return { outcome: 'not-found', status };
  return { outcome: 'allow', status };
}

describe('the access matrix', () => {
  it('every route declares who may use it', () => {
    const undeclared = test.app.routeCatalogue.filter((route) => !route.access).map((route) => `${route.method} ${route.url}`);
    expect(undeclared).toEqual([]);
  });

  it('the declarations are the ones recorded in docs/access.md (a change to who may use a route is a reviewed change)', async () => {
    const describe = (access: Access) =>
      access.kind === 'community'
        ? access.anyonesFor
          ? `any member for their own (404 otherwise); ${access.anyonesFor.join(', ')} for anyone's`
          : access.roles === 'any-member'
            ? 'any member of the community'
            : `${access.roles.join(', ')}${access.hidden ? ' (404 to other members)' : ''}`
        : access.kind;
    const rows = test.app.routeCatalogue
      .filter((route) => route.access)
      .map((route) => `| ${route.method} | \`${route.url}\` | ${describe(route.access as Access)} |`)
      .sort();
    const table = ['# Who may use each route', '', 'Generated by `test/integration/access-matrix.test.ts`; update with `npx vitest run test/integration/access-matrix.test.ts -u`.', '', '| method | path | who |', '| --- | --- | --- |', ...rows, ''].join('\n');
    await expect(table).toMatchFileSnapshot('../../docs/access.md');
  });

  it('every route answers each caller as its declaration says', async () => {
    const callers: Caller[] = [
      { name: 'anonymous', roles: [], inCommunity: false, platformAdmin: false },
      ...roles.map((role) => ({ name: role, email: fixture.emailFor(role), roles: [role], inCommunity: true, platformAdmin: false })),
      { name: 'member of another community', email: fixture.otherCommunityMember, roles: [], inCommunity: false, platformAdmin: false },
      { name: 'platform admin', email: fixture.platformAdmin, roles: [], inCommunity: false, platformAdmin: true },
      { name: 'in no community', email: fixture.noMembership, roles: [], inCommunity: false, platformAdmin: false },
    ];
    // Signing out ends the caller's session, so it goes last.
    const routes = [...test.app.routeCatalogue].sort((a, b) => Number(a.url === '/sign-out') - Number(b.url === '/sign-out'));
    expect(routes.length).toBeGreaterThan(50);
    const mismatches: string[] = [];
    let checked = 0;
    for (const caller of callers) {
      const visitor = new Visitor(test.app);
      if (caller.email) await visitor.signIn(caller.email, fixturePassword);
      const csrf = await visitor.csrfFrom(caller.email ? '/account' : '/sign-in');
      for (const route of routes) {
        if (!route.access) continue;
        const want = expected(route.access, caller);
        const got = await outcomeOf(visitor, route, csrf);
        checked += 1;
        // A route for members' own things: whether the fixture's thing is this member's decides
        // between an answer and 404 (tested route by route); the roles that see anyone's get an answer.
        const ownThing = route.access.kind === 'community' && route.access.anyonesFor && want === 'allow' && !caller.roles.some((role) => route.access?.kind === 'community' && route.access.anyonesFor?.includes(role));
        if (ownThing && got.outcome === 'not-found') continue;
        if (got.outcome !== want) mismatches.push(`${route.method} ${route.url} as ${caller.name}: expected ${want}, got ${got.outcome} (${got.status})`);
      }
    }
    expect(mismatches).toEqual([]);
    expect(checked).toBeGreaterThan(routes.length * callers.length * 0.9);
  }, 180_000); // every route for every caller: some 2,500 requests

});
