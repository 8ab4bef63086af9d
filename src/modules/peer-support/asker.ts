// What one-to-one peer support's pages and API both need from a request: its parameters, who may
// use each route, who is asking as peer support sees them, and where its pages are.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type CommunityTransaction, runningRoles } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { type Asker, supportAsker } from './service.ts';

export const episodeParams = communityParams.extend({ episodeId: z.uuid() });
export const timesheetParams = communityParams.extend({ timesheetId: z.uuid() });
export const programmeParams = communityParams.extend({ supportProgrammeId: z.uuid() });
export const contactParams = communityParams.extend({ contactId: z.uuid() });
export const goalParams = communityParams.extend({ goalId: z.uuid() });

export const supportStaff = access.roles(...runningRoles);
/** An episode's supporter or person, for their own; coordinators for anyone's (404 to everyone else). */
export const episodeSides = access.ownOr(...runningRoles);
export const supporters = access.roles(...runningRoles, 'peer_supporter');

/** Peer support's pages in the request's community: `/c/<community>/support`. */
export const pathIn = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/support`;

/** Runs `work` in the request's community with who is asking: their account, their record, and whether they are staff. */
export const inSupport = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, asker: Asker) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) =>
    work(tx, community.id, await supportAsker(tx, request.asker)),
  );

/** Where an episode ends, for `endEpisode`: the community (by name, for the referrer's summary) and whether messages go out. */
export const endingIn = (dependencies: Dependencies, request: FastifyRequest, communityId: string) => ({
  communityId,
  communityName: request.community?.name ?? '',
  notifyConfigured: dependencies.notifyConfigured,
});
