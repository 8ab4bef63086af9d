// What the hub's pages and API both need from a request: its parameters, who may use each route,
// who is asking as the team sees them, and where the hub's pages are.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { unauthenticated } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type CommunityTransaction, runningRoles } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { type Hub, hubOf, type TeamAsker, teamAsker } from './service.ts';

export const entryParams = communityParams.extend({ entryId: z.uuid() });
export const meetingParams = communityParams.extend({ reviewMeetingId: z.uuid() });
export const itemParams = meetingParams.extend({ entryId: z.uuid() });
export const actionParams = communityParams.extend({ actionId: z.uuid() });
export const flagParams = communityParams.extend({ flagId: z.uuid() });
export const budgetParams = communityParams.extend({ budgetId: z.uuid() });
export const spendParams = communityParams.extend({ spendId: z.uuid() });
export const planGoalParams = communityParams.extend({ planGoalId: z.uuid() });
export const plannedParams = communityParams.extend({ plannedId: z.uuid() });

/** The team's pages: anyone in the team (a data check), and those who run the hub; everyone else is told there is nothing there. */
export const team = access.decidedByService('the hub team, and the person a plan is for', ...runningRoles);
export const hubStaff = access.roles(...runningRoles);

/** The hub's pages in the request's community: `/c/<community>/hub`. */
export const pathIn = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/hub`;

/** Runs `work` in the request's community, with its hub and the asker as the team sees them. */
export const inHub = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, hub: Hub, asker: TeamAsker) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) => {
    const hub = await hubOf(tx, community.id);
    const { accountId, roles } = request.asker;
    if (!accountId) throw unauthenticated();
    const asker = await teamAsker(tx, hub, { accountId, recordId: await request.asker.recordIn(tx), roles });
    return work(tx, community.id, hub, asker);
  });
