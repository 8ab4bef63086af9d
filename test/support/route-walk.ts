// Walking every route: what each caller should get, and a real path for each route.
import type { RouteEntry } from '../../src/app.ts';
import type { Access } from '../../src/platform/auth/access.ts';
import type { Role } from '../../src/platform/tenancy.ts';
import type { Fixture } from './fixtures.ts';
import { assetAddresses } from '../../src/platform/http/static-files.ts';

export type Outcome = 'allow' | 'sign-in' | 'forbidden' | 'not-found';

export interface Caller {
  name: string;
  email?: string;
  roles: Role[];
  inCommunity: boolean;
  platformAdmin: boolean;
}

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

/** The values the fixture gives each path parameter. */
export function pathValues(fixture: Fixture, waitingMembershipId: string): Record<string, string> {
  return {
    community: 'alpha',
    slug: 'alpha',
    membershipId: waitingMembershipId,
    tokenId: '00000000-0000-4000-8000-000000000000',
    programmeId: fixture.alphaProgrammeId,
    supportProgrammeId: fixture.alphaSupportProgrammeId,
    recordId: fixture.alphaPersonId,
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
    contactId: fixture.alphaContactId,
    goalId: fixture.alphaGoalId,
    entryId: fixture.alphaEntryId,
    reviewMeetingId: fixture.alphaReviewMeetingId,
    actionId: fixture.alphaActionId,
    flagId: fixture.alphaFlagId,
    budgetId: fixture.alphaBudgetId,
    spendId: fixture.alphaSpendId,
    planGoalId: fixture.alphaPlanGoalId,
    plannedId: fixture.alphaPlannedId,
    invitationId: fixture.alphaInvitationId,
    token: 'not-a-real-token',
    colour: '005eb8',
  };
}

/** A route's path with the fixture's values in place of its parameters. */
export function concretePath(route: RouteEntry, values: Record<string, string>): string {
  // Fingerprinted files answer only at this release's address.
  const fingerprinted: Record<string, string> = {
    '/assets/js/:version/start.js': assetAddresses.startScript,
    '/assets/js/:version/nhsuk-frontend.min.js': assetAddresses.frontendScript,
    '/assets/css/:version/coproduce-:colour.css': assetAddresses.stylesheet('005eb8'),
  };
  const address = fingerprinted[route.url];
  if (address) return address;
  let path = route.url.replace(/:([a-zA-Z]+)/g, (_, name: string) => {
    const value = values[name];
    if (!value) throw new Error(`the access matrix has no value for :${name} in ${route.url}; add one`);
    return value;
  });
  if (path.endsWith('*')) {
    const wildcard: Record<string, string> = {
      '/public/*': 'js/start.js',
      '/assets/*': 'manifest.json',
      '/api/docs/static/*': 'index.css',
    };
    path = path.replace(/\*$/, '') + (wildcard[route.url] ?? 'x');
  }
  return path;
}
