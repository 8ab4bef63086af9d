// What one-to-one peer support's pages and API both need from a request.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { ownRecordId } from '../people/service.ts';
import type { Asker } from './service.ts';

export const communityParams = z.object({ community: z.string().max(60) });
export const episodeParams = communityParams.extend({ episodeId: z.uuid() });
export const timesheetParams = communityParams.extend({ timesheetId: z.uuid() });
export const programmeParams = communityParams.extend({ supportProgrammeId: z.uuid() });
export const contactParams = communityParams.extend({ contactId: z.uuid() });
export const goalParams = communityParams.extend({ goalId: z.uuid() });

const supportStaffRoles = ['admin', 'coordinator'] as const;
export const isSupportStaff = (request: FastifyRequest) =>
  request.roles.some((role) => (supportStaffRoles as readonly string[]).includes(role));
export const supportStaff = access.roles(...supportStaffRoles);
/** An episode's supporter or person, for their own; coordinators for anyone's (404 to everyone else). */
export const episodeSides = access.ownOr(...supportStaffRoles);
export const supporters = access.roles('admin', 'coordinator', 'peer_supporter');

/** Runs `work` in the request's community with who is asking: their account, their record, and whether they are staff. */
export const inSupport = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, asker: Asker) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) =>
    work(tx, community.id, {
      accountId: actorOf(request),
      staff: isSupportStaff(request),
      recordId: await ownRecordId(tx, community.id, request.person?.id),
    }),
  );
