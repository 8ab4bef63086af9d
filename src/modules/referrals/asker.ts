// What the referral pages, the API and FHIR share: their parameters, who may use them, and the
// rules' context for the community in the path.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { communityToVisit } from '../../platform/http/community-request.ts';
import { cursorFields } from '../../platform/http/pagination.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type Community, inCommunity } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { listProgrammes } from '../programmes/service.ts';
import * as service from './service.ts';
import { needWords, offeredNeeds } from './support-needs.ts';

export const referralParams = communityParams.extend({ referralId: z.uuid() });

/** Who works the triage queue. */
export const triage = access.roles('coordinator', 'admin');
/** Who may refer someone: referrers, and coordinators taking a referral by phone. */
export const referrers = access.roles(...service.referringRoles);
/** Who reads referrals: coordinators any, in full; a referrer their own, as the person allows. */
export const readers = access.roles('coordinator', 'admin', 'referrer');

/** Where a page of the queue ends: the next starts after it. */
export const queueCursor = z.object({
  priority: cursorFields.integer.min(0).max(2),
  createdAt: cursorFields.instant,
  id: cursorFields.id,
});
export const queueCursorOf = (row: { priority: number; createdAtExact: string; id: string }) => ({
  priority: row.priority,
  createdAt: row.createdAtExact,
  id: row.id,
});
/** Where a page of a referrer's own referrals ends. */
export const referrerCursor = z.object({ createdAt: cursorFields.instant, id: cursorFields.id });
export const referrerCursorOf = (row: { createdAtExact: string; id: string }) => ({
  createdAt: row.createdAtExact,
  id: row.id,
});

/** What the referral rules need from the running service, for one community and whoever acts. */
export const referralContext = <Actor extends string | null>(
  dependencies: Dependencies,
  community: Community,
  actorId: Actor,
): service.Context & { actorId: Actor } => ({
  community,
  actorId,
  notifyConfigured: dependencies.notifyConfigured,
  publicUrl: dependencies.publicUrl,
  acceptance: dependencies.acceptance,
});

/** What the referral pages and the API share: the rules' context, the community in the path and what it offers. */
export function referralHttp(dependencies: Dependencies) {
  const contextFor = (community: Community, actorId: string | null) =>
    referralContext(dependencies, community, actorId);
  /** The community in the path: a member's own, or looked up for someone not (yet) in it. */
  const communityFor = (request: FastifyRequest, slug: string): Promise<Community> =>
    communityToVisit(dependencies.db, request, slug);
  const inCommunityOf = <T>(
    community: Community,
    request: FastifyRequest,
    work: Parameters<typeof inCommunity<T>>[2],
  ) => inCommunity(dependencies.db, { communityId: community.id, personId: request.person?.id ?? null }, work);
  const openProgrammes = (community: Community, request: FastifyRequest) =>
    inCommunityOf(community, request, (tx) => listProgrammes(tx, community.id, { openOnly: true }));
  /** The support the community lists, and its words for each in the reader's language. */
  const supportFor = async (community: Community, request: FastifyRequest) => {
    const list = await inCommunityOf(community, request, (tx) => offeredNeeds(tx, community.id));
    return { list, words: needWords(list, request.language, request.t) };
  };
  return { contextFor, communityFor, inCommunityOf, openProgrammes, supportFor };
}

/** How many self-referrals one address may send in an hour, through the pages or the API. */
export const selfReferralLimit = (dependencies: Dependencies) => ({
  rateLimit: { max: dependencies.config.selfReferralRateLimit, timeWindow: 3_600_000, hook: 'preHandler' as const },
});
