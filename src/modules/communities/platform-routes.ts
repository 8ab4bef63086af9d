import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listPlatformAuditEvents } from '../../platform/audit.ts';
import { access } from '../../platform/auth/access.ts';
import { actorOf, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, notFound } from '../../platform/http/problems.ts';
import { findCommunityBySlug, inCommunity } from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { auditQuery, languageItems, slugParams } from './asker.ts';
import { cancelInvitationForm, resendInvitationForm } from './invitation-forms.ts';
import { showInvitationOnce, takeInvitationShown } from './invitation-shown.ts';
import * as service from './service.ts';

/** The platform admin's pages, under /platform: every community, making one, the platform's audit log and outbox. */
export async function platformPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  // The platform's audit log: every community's events and the platform's own, for platform admins.
  app.get(
    '/audit',
    { config: { access: access.platformAdmin }, schema: { querystring: auditQuery } },
    async (request, reply) => {
      const { action, from, to, before } = request.query;
      const events = await listPlatformAuditEvents(dependencies.owner, {
        action,
        from: from ? new Date(`${from}T00:00:00Z`) : undefined,
        to: to ? new Date(`${to}T23:59:59.999Z`) : undefined,
        before,
        limit: 51,
      });
      const shown = events.slice(0, 50);
      const nextQuery = new URLSearchParams({
        ...(action ? { action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        before: String(shown.at(-1)?.id ?? ''),
      });
      return render(request, reply, 'communities/views/audit.njk', {
        pageTitle: request.t('audit.platformTitle'),
        events: shown,
        filter: { action, from, to },
        formAction: '/platform/audit',
        showCommunity: true,
        nextHref: events.length > 50 ? `?${nextQuery}` : null,
      });
    },
  );
  // ——— Communities ———
  app.get('/communities', { config: { access: access.platformAdmin } }, async (request, reply) =>
    render(request, reply, 'communities/views/platform-communities.njk', {
      pageTitle: request.t('platform.title'),
      communities: await service.listAllCommunities(dependencies.db),
      flash: takeFlash(request),
    }),
  );
  const newCommunityPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> = { languages: ['en'] },
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'communities/views/platform-new.njk',
      { pageTitle: request.t('platformNew.title'), values, languageItems: languageItems(request, values), errors },
      { status: errors ? 400 : 200 },
    );
  app.get('/communities/new', { config: { access: access.platformAdmin } }, async (request, reply) =>
    newCommunityPage(request, reply),
  );
  app.post('/communities/new', { config: { access: access.platformAdmin } }, async (request, reply) => {
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: service.newCommunity,
      page: (values, errors) => newCommunityPage(request, reply, values, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: async (data) => {
        const created = await service.createCommunity(dependencies, actorId, data, request.language);
        if (created.invitation) showInvitationOnce(request, created.invitation);
        return created;
      },
      flash: (created) => request.t('platformNew.created', { name: created.community.name }),
      next: (created) => `/platform/communities/${created.community.slug}`,
      // The address taken, say (a 409): the form again, saying so.
      refused: (error) =>
        error.fieldErrors.length
          ? newCommunityPage(request, reply, request.body as Record<string, unknown>, error.fieldErrors)
          : undefined,
    });
  });
  // A platform admin sees a community it made, who runs it, and its invitations (to send again or cancel).
  const platformCommunity = async (slug: string) => {
    const community = await findCommunityBySlug(dependencies.db, slug);
    if (!community) throw notFound();
    return community;
  };
  app.get(
    '/communities/:slug',
    { config: { access: access.platformAdmin }, schema: { params: slugParams } },
    async (request, reply) => {
      const community = await platformCommunity(request.params.slug);
      const page = await inCommunity(
        dependencies.db,
        { communityId: community.id, personId: actorOf(request) },
        async (tx) => ({
          invitations: await service.listInvitations(tx, community.id),
          admins: await service.adminsOf(tx, community.id),
        }),
      );
      return render(request, reply, 'communities/views/platform-community.njk', {
        pageTitle: community.name,
        target: community,
        ...page,
        base: `/platform/communities/${community.slug}/invitations`,
        ...takeInvitationShown(request),
      });
    },
  );
  const platformInvitationParams = slugParams.extend({ invitationId: z.uuid() });
  /** The invitation a button on a community's page is pressed on. */
  const waitingOn = async (params: z.infer<typeof platformInvitationParams>) => {
    const community = await platformCommunity(params.slug);
    return { community, invitationId: params.invitationId, next: `/platform/communities/${community.slug}` };
  };
  app.post(
    '/communities/:slug/invitations/:invitationId/resend',
    { config: { access: access.platformAdmin }, schema: { params: platformInvitationParams } },
    async (request, reply) => resendInvitationForm(dependencies, request, reply, await waitingOn(request.params)),
  );
  app.post(
    '/communities/:slug/invitations/:invitationId/cancel',
    { config: { access: access.platformAdmin }, schema: { params: platformInvitationParams } },
    async (request, reply) => cancelInvitationForm(dependencies, request, reply, await waitingOn(request.params)),
  );
  app.get('/outbox', { config: { access: access.platformAdmin } }, async (request, reply) =>
    render(request, reply, 'communities/views/outbox.njk', {
      pageTitle: request.t('outbox.title'),
      messages: await service.listPlatformOutbox(dependencies.owner, 100),
      platform: true,
    }),
  );
}
