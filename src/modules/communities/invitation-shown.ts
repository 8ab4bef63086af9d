// An invitation's link is shown once, to whoever sent it, on the next page: only its hash is
// kept. Where no email can be sent, that is how the person is given it.
import type { FastifyRequest } from 'fastify';
import { takeFlash } from '../../platform/http/community-request.ts';

export function showInvitationOnce(
  request: FastifyRequest,
  sent: { email: string; link: string | null; emailed: boolean },
) {
  request.session.invitationShown = { email: sent.email, link: sent.link, emailed: sent.emailed };
}

/** The invitation just sent (if any) and the flash, for the page that shows them. */
export function takeInvitationShown(request: FastifyRequest) {
  const shown = request.session.invitationShown;
  request.session.invitationShown = undefined;
  return { shown, flash: takeFlash(request) };
}

declare module 'fastify' {
  interface Session {
    /** An invitation just sent: its link, shown once on the next page to whoever sent it. */
    invitationShown?: { email: string; link: string | null; emailed: boolean };
  }
}
