// What the hub's pages and API both need from a request: its parameters and who is asking, as the team sees them.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { ownRecordId } from '../people/service.ts';
import { type Hub, hubOf, type TeamAsker, teamAsker } from './service.ts';

export const communityParams = z.object({ community: z.string().max(60) });
export const entryParams = communityParams.extend({ entryId: z.uuid() });
export const meetingParams = communityParams.extend({ reviewMeetingId: z.uuid() });
export const itemParams = meetingParams.extend({ entryId: z.uuid() });
export const actionParams = communityParams.extend({ actionId: z.uuid() });
export const flagParams = communityParams.extend({ flagId: z.uuid() });

/** The team's pages: anyone in the team (a data check), and those who run the hub; everyone else is told there is nothing there. */
export const team = access.decidedByService('the hub team, and the person a plan is for', 'admin', 'coordinator');
export const hubStaff = access.roles('admin', 'coordinator');

/** Runs `work` in the request's community, with its hub and the asker as the team sees them. */
export const inHub = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, hub: Hub, asker: TeamAsker) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) => {
    const hub = await hubOf(tx, community.id);
    const asker = await teamAsker(tx, hub, {
      accountId: actorOf(request),
      recordId: await ownRecordId(tx, community.id, request.person?.id),
      roles: request.roles,
    });
    return work(tx, community.id, hub, asker);
  });
