// The two buttons on an invitation still waiting: on a community's invitations page, and on the
// platform admin's page of a community it made.
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { actorOf } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type Community, inCommunity } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { showInvitationOnce } from './invitation-shown.ts';
import * as service from './service.ts';

/** The invitation a button is pressed on, and the page to go back to. */
interface Waiting {
  community: Community;
  invitationId: string;
  next: string;
}

/** Sends the invitation again; its new link is shown once on the next page. Pressed twice, sent once. */
export function resendInvitationForm(
  dependencies: Dependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  { community, invitationId, next }: Waiting,
) {
  const actorId = actorOf(request);
  return submitForm(request, reply, {
    schema: z.object({}),
    once: { db: dependencies.db, accountId: actorId },
    save: async () => {
      const sent = await inCommunity(dependencies.db, { communityId: community.id, personId: actorId }, (tx) =>
        service.resendInvitation(dependencies, tx, community, actorId, invitationId, request.language),
      );
      showInvitationOnce(request, sent);
    },
    next,
  });
}

/** Cancels the invitation: its link no longer works. */
export function cancelInvitationForm(
  dependencies: Dependencies,
  request: FastifyRequest,
  reply: FastifyReply,
  { community, invitationId, next }: Waiting,
) {
  const actorId = actorOf(request);
  return submitForm(request, reply, {
    schema: z.object({}),
    once: { db: dependencies.db, accountId: actorId },
    save: () =>
      inCommunity(dependencies.db, { communityId: community.id, personId: actorId }, (tx) =>
        service.cancelInvitation(tx, community.id, actorId, invitationId),
      ),
    flash: request.t('invitations.cancelled'),
    next,
  });
}
