// What the peer network's pages and API both need from a request: its parameters, who may use
// each route, the asker's own record, and where the network's pages are.
import type { FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type CommunityTransaction, runningRoles } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { ownRecord } from '../people/service.ts';
import { guideRoles } from './service.ts';

export const networkParams = communityParams.extend({ networkId: z.uuid() });
export const groupParams = communityParams.extend({ groupId: z.uuid() });
export const meetingParams = communityParams.extend({ meetingId: z.uuid() });
export const rulesParams = communityParams.extend({ rulesId: z.uuid() });
export const recordParams = communityParams.extend({ recordId: z.uuid() });

/** Coordinators and admins set the network up; facilitators take registers and adopt agreed ground rules. */
export const staff = access.roles(...runningRoles);
export const guides = access.roles(...guideRoles);
/** The register: coordinators, and the facilitators of that group (others are told it does not exist). */
export const registerTakers = access.restricted(...guideRoles);

/** The network's pages in the request's community: `/c/<community>/network`. */
export const pathIn = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/network`;

/** Runs `work` in the request's community with the asker's own record, if they have one. */
export const inNetwork = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) =>
    work(tx, community.id, await request.asker.recordIn(tx)),
  );

/** The signed-in person's record, made from their account when they first need one. */
export async function ownRecordOf(
  tx: CommunityTransaction,
  communityId: string,
  request: FastifyRequest,
): Promise<string> {
  const person = request.person;
  if (!person) throw notFound();
  return (await ownRecord(tx, communityId, { id: person.id, displayName: person.displayName, email: person.email })).id;
}

/** What people who said they were coming are told when a meeting is cancelled, in the canceller's language. */
export const cancelNotice =
  (request: FastifyRequest, reason: string) => (meeting: { startsAt: Date; groupName: string }) => {
    const when = DateTime.fromJSDate(meeting.startsAt, { zone: 'Europe/London' })
      .setLocale(request.language)
      .toFormat('cccc d MMMM, HH:mm');
    return {
      subject: request.t('network.cancel.messageSubject', { group: meeting.groupName }),
      body: request.t('network.cancel.messageBody', { group: meeting.groupName, when, reason }),
    };
  };
