import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { membershipList } from '../../platform/auth/people.ts';
import { communityToVisit, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type DomainError, type FieldError, notFound } from '../../platform/http/problems.ts';
import { type Community, type CommunityTransaction, findCommunityBySlug, inCommunity } from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { slugParams } from './asker.ts';
import * as service from './service.ts';

/**
 * The directory of communities, under /communities: finding one, asking to join, and accepting
 * an invitation (by its link, or one waiting for the signed-in person's confirmed address).
 */
export async function directoryPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  // ——— The directory, joining and switching ———
  app.get('', { config: { access: access.public } }, async (request, reply) => {
    const all = await service.listAllCommunities(dependencies.db);
    const mine = membershipList(request.person);
    const statusBySlug = Object.fromEntries(mine.map((membership) => [membership.slug, membership.status]));
    return render(request, reply, 'communities/views/directory.njk', {
      pageTitle: request.t('directory.title'),
      communities: all,
      statusBySlug,
      invitationsForYou: await invitationsForYou(request),
      flash: takeFlash(request),
    });
  });
  app.get('/mine', { config: { access: access.signedIn } }, async (request, reply) => {
    const mine = membershipList(request.person);
    return render(request, reply, 'communities/views/mine.njk', {
      pageTitle: request.t('mine.title'),
      memberships: mine,
      invitationsForYou: await invitationsForYou(request),
      flash: takeFlash(request),
    });
  });
  /** Invitations to the signed-in person's confirmed address: found without the emailed link. */
  const invitationsForYou = async (request: FastifyRequest) =>
    request.person?.emailVerified
      ? (await service.invitationsWaitingFor(dependencies.owner, request.person.email)).map((one) => ({
          ...one,
          roleNames: one.roles.map((role) => request.t(`roles.${role}.name`)).join(', '),
        }))
      : [];
  /** Accepting an invitation by pressing its button: into the community, once, and home. */
  const acceptInvitation = async (
    request: FastifyRequest<{ Params: { slug: string } }>,
    reply: FastifyReply,
    accept: (
      tx: CommunityTransaction,
      community: Community,
      person: NonNullable<FastifyRequest['person']>,
    ) => Promise<unknown>,
    refused?: (error: DomainError) => Promise<FastifyReply> | undefined,
  ) => {
    const community = await findCommunityBySlug(dependencies.db, request.params.slug);
    const person = request.person;
    if (!community || !person) throw notFound();
    return submitForm(request, reply, {
      schema: z.object({}),
      once: { db: dependencies.db, accountId: person.id },
      save: () =>
        inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, (tx) =>
          accept(tx, community, person),
        ),
      flash: request.t('invitation.accepted', { community: community.name }),
      next: `/c/${community.slug}`,
      refused,
    });
  };
  app.post(
    '/:slug/invitations/waiting/:invitationId/accept',
    { config: { access: access.signedIn }, schema: { params: slugParams.extend({ invitationId: z.uuid() }) } },
    async (request, reply) => {
      return acceptInvitation(request, reply, (tx, community, person) =>
        service.acceptInvitationForConfirmedEmail(tx, community, person, request.params.invitationId),
      );
    },
  );
  const joinPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    community: Community,
    errors?: FieldError[],
    values?: Record<string, unknown>,
  ) =>
    render(
      request,
      reply,
      'communities/views/join.njk',
      { pageTitle: request.t('join.title', { community: community.name }), target: community, errors, values },
      { status: errors ? 400 : 200, brandedAs: community },
    );
  // Joining needs a confirmed email address: first the link sent to it, then back here.
  const confirmFirst = (request: FastifyRequest, reply: FastifyReply, slug: string) =>
    request.person?.emailVerified
      ? undefined
      : reply.redirect(`/account/confirm-email?next=${encodeURIComponent(`/communities/${slug}/join`)}`, 303);
  app.get(
    '/:slug/join',
    { config: { access: access.signedIn }, schema: { params: slugParams } },
    async (request, reply) => {
      const community = await communityToVisit(dependencies.db, request, request.params.slug);
      return confirmFirst(request, reply, community.slug) ?? joinPage(request, reply, community);
    },
  );
  app.post(
    '/:slug/join',
    { config: { access: access.signedIn }, schema: { params: slugParams } },
    async (request, reply) => {
      const community = await findCommunityBySlug(dependencies.db, request.params.slug);
      const person = request.person;
      if (!community || !person) throw notFound();
      const unconfirmed = confirmFirst(request, reply, community.slug);
      if (unconfirmed) return unconfirmed;
      return submitForm(request, reply, {
        schema: service.joinRequest,
        page: (values, errors) => joinPage(request, reply, community, errors, values),
        once: { db: dependencies.db, accountId: person.id },
        save: (data) => service.requestToJoin(dependencies, community, person, data.message),
        next: `/communities/${community.slug}/join/sent`,
        // A member already: their community's home.
        refused: (error) => (error.code === 'already-member' ? `/c/${community.slug}` : undefined),
      });
    },
  );
  app.get(
    '/:slug/join/sent',
    { config: { access: access.signedIn }, schema: { params: slugParams } },
    async (request, reply) => {
      const community = await communityToVisit(dependencies.db, request, request.params.slug);
      return render(
        request,
        reply,
        'communities/views/join-sent.njk',
        { pageTitle: request.t('joinSent.title'), target: community },
        { brandedAs: community },
      );
    },
  );
  const invitationPage = async (request: FastifyRequest, reply: FastifyReply, slug: string, token: string) => {
    const community = await communityToVisit(dependencies.db, request, slug);
    const found = await inCommunity(
      dependencies.db,
      { communityId: community.id, personId: request.person?.id ?? null },
      (tx) => service.findInvitation(tx, community.id, token),
    );
    if (!found)
      return render(
        request,
        reply,
        'communities/views/invitation-expired.njk',
        { pageTitle: request.t('invitationExpired.title') },
        { status: 410 },
      );
    const sameEmail = found.email.toLowerCase() === request.person?.email.toLowerCase();
    return render(
      request,
      reply,
      'communities/views/invitation.njk',
      {
        pageTitle: request.t('invitation.title', { community: community.name }),
        target: community,
        invitation: found,
        sameEmail,
        token,
        // Someone not signed in makes an account with the invited address filled in, and comes back here.
        invitationPath: `/communities/${community.slug}/invitations/${token}`,
        registerQuery: new URLSearchParams({
          email: found.email,
          next: `/communities/${community.slug}/invitations/${token}`,
        }).toString(),
        invitedRoles: found.roles.map((role) => request.t(`roles.${role}.name`)).join(', '),
      },
      { brandedAs: community },
    );
  };
  const invitationParams = slugParams.extend({ token: z.string().max(200) });
  app.get(
    '/:slug/invitations/:token',
    { config: { access: access.public }, schema: { params: invitationParams } },
    async (request, reply) => invitationPage(request, reply, request.params.slug, request.params.token),
  );
  app.post(
    '/:slug/invitations/:token',
    { config: { access: access.signedIn }, schema: { params: invitationParams } },
    async (request, reply) => {
      return acceptInvitation(
        request,
        reply,
        (tx, community, person) => service.acceptInvitation(tx, community, person, request.params.token),
        // Expired, or for another address: the invitation's page says so.
        (error) =>
          error.code === 'invitation-expired' || error.code === 'invitation-other-email'
            ? invitationPage(request, reply, request.params.slug, request.params.token)
            : undefined,
      );
    },
  );
}
