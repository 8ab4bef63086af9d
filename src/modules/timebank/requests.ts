// What the time bank's pages and API both need from a request: who is acting, and as what.
import { sql } from 'drizzle-orm';
import type { FastifyRequest } from 'fastify';
import { actorOf } from '../../platform/http/community-request.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Services } from '../../services.ts';
import type * as service from './service.ts';

/** Coordinators and admins run the time bank; they record for members who are not online. */
export const timebankStaff = ['admin', 'coordinator'] as const;

export const isStaff = (request: FastifyRequest) => request.roles.some((role) => (timebankStaff as readonly string[]).includes(role));

/** The signed-in person's own record in this community, if they have one (nothing is made). */
export async function ownRecordId(tx: CommunityTransaction, communityId: string, accountId: string | undefined): Promise<string | null> {
  if (!accountId) return null;
  const rows = await tx.execute<{ id: string }>(sql`select id from person_records where community_id = ${communityId} and account_id = ${accountId} and status = 'active' limit 1`);
  return rows.rows[0]?.id ?? null;
}

export function exchangeContext(services: Services, request: FastifyRequest, communityId: string, actorRecordId: string | null): service.ExchangeContext {
  return {
    communityId,
    actor: { id: actorOf(request), staff: isStaff(request) },
    actorRecordId,
    notifyConfigured: services.notifyConfigured,
    publicUrl: services.publicUrl,
    communitySlug: request.community?.slug ?? '',
  };
}

/** A form's "hours" and "minutes" boxes as minutes; what was typed when it is not a number. */
export function minutesFromForm(body: Record<string, unknown>, prefix = 'time'): number | undefined {
  const hours = String(body[`${prefix}Hours`] ?? '').trim();
  const minutes = String(body[`${prefix}Minutes`] ?? '').trim();
  if (!hours && !minutes) return undefined;
  if (!/^\d{0,3}$/.test(hours) || !/^\d{0,4}$/.test(minutes)) return Number.NaN;
  return Number(hours || 0) * 60 + Number(minutes || 0);
}

