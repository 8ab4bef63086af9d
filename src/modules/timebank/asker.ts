// What the time bank's pages and API both need from a request: who is acting, and as what.
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/http/community-request.ts';
import type { Dependencies } from '../../dependencies.ts';
import type * as service from './service.ts';

/** Coordinators and admins run the time bank; they record for members who are not online. */
export const timebankStaff = ['admin', 'coordinator'] as const;

export const isStaff = (request: FastifyRequest) =>
  request.roles.some((role) => (timebankStaff as readonly string[]).includes(role));

export { ownRecordId } from '../people/service.ts';

export function exchangeContext(
  dependencies: Dependencies,
  request: FastifyRequest,
  communityId: string,
  actorRecordId: string | null,
): service.ExchangeContext {
  return {
    communityId,
    actor: { id: actorOf(request), staff: isStaff(request) },
    actorRecordId,
    notifyConfigured: dependencies.notifyConfigured,
    publicUrl: dependencies.publicUrl,
    communitySlug: request.community?.slug ?? '',
  };
}

export { minutesFromForm } from '../../platform/fields.ts';
