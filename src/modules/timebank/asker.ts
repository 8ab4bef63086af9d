// What the time bank's pages and API share from a request: who may use each route, where the
// time bank's pages are and the ids in their paths, the request's transaction, and the asker as the time bank's rules see them.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type CommunityTransaction, runningRoles } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { actingAs, type ExchangeContext } from './exchanges.ts';

/** Those who run the time bank: its coordinators and admins. */
export const staff = access.roles(...runningRoles);
/** A side of it (an exchange, a post, a conversation, an account), or those who run the time bank. */
export const sideOrStaff = access.ownOr(...runningRoles);
/** Who reads reports: those who run the time bank, with names; partners (funders, commissioners), without. */
export const reportReaders = access.roles(...runningRoles, 'partner');

/** The ids in the paths, read the same by the pages and the API. */
export const exchangeParams = communityParams.extend({ exchangeId: z.uuid() });
export const recordParams = communityParams.extend({ recordId: z.uuid() });
export const postParams = communityParams.extend({ postId: z.uuid() });
export const conversationParams = communityParams.extend({ responseId: z.uuid() });

/** The time bank's pages in the request's community. */
export const pathIn = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/timebank`;

/** Work in the request's community, in one transaction, with the asker's own record there (null when they have none). */
export const timebankWork =
  (dependencies: Dependencies) =>
  <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ): Promise<T> =>
    inRequestCommunity(dependencies, request, async (tx, community) =>
      work(tx, community.id, await request.asker.recordIn(tx)),
    );

/** The asker as the time bank's rules take them: who acts, as what, and how the people told are reached. */
export function exchangeContext(
  dependencies: Dependencies,
  request: FastifyRequest,
  communityId: string,
  actorRecordId: string | null,
): ExchangeContext {
  return {
    communityId,
    actor: actingAs(request.asker, actorOf(request)),
    actorRecordId,
    notifyConfigured: dependencies.notifyConfigured,
    publicUrl: dependencies.publicUrl,
    communitySlug: request.community?.slug ?? '',
  };
}

/** `exchangeContext` with the dependencies given once, as a routes plugin calls it: (request, community id, own record). */
export const exchangeContexts =
  (dependencies: Dependencies) =>
  (request: FastifyRequest, communityId: string, actorRecordId: string | null): ExchangeContext =>
    exchangeContext(dependencies, request, communityId, actorRecordId);
