import type { FastifyRequest } from 'fastify';
import type { Dependencies } from '../../dependencies.ts';
import type { Database } from '../db/index.ts';
import { type Community, type CommunityTransaction, findCommunityBySlug, inCommunity } from '../tenancy.ts';
import { notFound, unauthenticated } from './problems.ts';
import { speakLanguagesOf } from './request-context.ts';

/** The request's community; the access hook has already checked the person belongs to it. */
export function communityOf(request: FastifyRequest): Community {
  if (!request.community) throw notFound();
  return request.community;
}
export function actorOf(request: FastifyRequest): string {
  if (!request.person) throw unauthenticated();
  return request.person.id;
}
export function inRequestCommunity<T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, community: Community) => Promise<T>,
) {
  const community = communityOf(request);
  return inCommunity(dependencies.db, { communityId: community.id, personId: request.person?.id ?? null }, (tx) =>
    work(tx, community),
  );
}
export function takeFlash(request: FastifyRequest): string | undefined {
  const flash = request.session.flash;
  if (flash) request.session.flash = undefined;
  return flash;
}

/** A community's public page, for anyone: the community by its address, in one of its languages. */
export async function communityToVisit(db: Database, request: FastifyRequest, slug: string): Promise<Community> {
  const community = request.community ?? (await findCommunityBySlug(db, slug));
  if (!community) throw notFound();
  speakLanguagesOf(request, community);
  return community;
}
