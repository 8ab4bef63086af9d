// What the peer network's pages and API both need from a request: its parameters, who is
// acting and as what, and the asker's own record.
import type { FastifyRequest } from 'fastify';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { ownRecord } from '../people/service.ts';
import { ownRecordId } from '../people/service.ts';

export const communityParams = z.object({ community: z.string().max(60) });
export const networkParams = communityParams.extend({ networkId: z.uuid() });
export const groupParams = communityParams.extend({ groupId: z.uuid() });
export const meetingParams = communityParams.extend({ meetingId: z.uuid() });
export const rulesParams = communityParams.extend({ rulesId: z.uuid() });
export const recordParams = communityParams.extend({ recordId: z.uuid() });

/** Coordinators and admins set the network up; facilitators take registers and adopt agreed ground rules. */
const networkStaff = ['admin', 'coordinator'] as const;
const networkGuides = ['admin', 'coordinator', 'facilitator'] as const;
export const isNetworkStaff = (request: FastifyRequest) =>
  request.roles.some((role) => (networkStaff as readonly string[]).includes(role));
export const isGuide = (request: FastifyRequest) =>
  request.roles.some((role) => (networkGuides as readonly string[]).includes(role));
export const staff = access.roles(...networkStaff);
export const guides = access.roles(...networkGuides);
/** The register: coordinators, and the facilitators of that group (others are told it does not exist). */
export const registerTakers = access.restricted(...networkGuides);

/** Runs `work` in the request's community with the asker's own record, if they have one. */
export const inNetwork = <T>(
  dependencies: Dependencies,
  request: FastifyRequest,
  work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) =>
    work(tx, community.id, await ownRecordId(tx, community.id, request.person?.id)),
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
