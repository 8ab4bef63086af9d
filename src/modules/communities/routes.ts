import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEvents } from '../../platform/audit.ts';
import { access } from '../../platform/auth/access.ts';
import { membershipList } from '../../platform/auth/people.ts';
import { actorOf, communityOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { decodeCursor, paginate } from '../../platform/http/pagination.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { roles } from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { rescheduleFirstContacts } from '../referrals/service.ts';
import { auditQuery, invitationIdParams, languageItems, memberCursor, membershipParams, roleItems } from './asker.ts';
import { homeFor } from './home.ts';
import { cancelInvitationForm, resendInvitationForm } from './invitation-forms.ts';
import { showInvitationOnce, takeInvitationShown } from './invitation-shown.ts';
import * as service from './service.ts';

/** A community's own pages, under /c/:community: its home, members, invitations, settings, audit log and outbox. */
export async function communityPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  // ——— A community's home: what each role does next ———
  app.get(
    '',
    {
      // The platform's three (the session with its person, begin with the scope, commit), the asker's
      // record, then one read for each part of the community a member may be in (time bank, groups,
      // support, hub, referrals).
      config: { access: access.anyMember, queryBudget: 14 },
      schema: { params: communityParams },
    },
    async (request, reply) => {
      const home = await inRequestCommunity(dependencies, request, (tx, community) =>
        homeFor(tx, community.id, request.asker, {
          programmeKinds: request.programmeKinds ?? [],
          inHubTeam: request.inHubTeam,
        }),
      );
      const mine = membershipList(request.person).filter((membership) => membership.status === 'active');
      return render(request, reply, 'communities/views/home.njk', {
        ...home.waiting,
        today: ukDay(),
        programmeKinds: request.programmeKinds ?? [],
        pageTitle: request.t('home.title'),
        held: home.held,
        heldNames: home.held.map((role) => request.t(`roles.${role}.name`)).join(', '),
        counts: home.counts,
        referralCounts: home.referralCounts,
        otherCommunities: mine.filter((membership) => membership.slug !== request.community?.slug),
        isStaff: home.isStaff,
        flash: takeFlash(request),
      });
    },
  );

  // ——— Members ———
  const membersQuery = z.object({
    status: z.enum(service.membershipStatuses).optional().catch(undefined),
    cursor: z.string().max(500).optional(),
  });
  app.get(
    '/members',
    {
      config: { access: access.roles('admin', 'coordinator') },
      schema: { params: communityParams, querystring: membersQuery },
    },
    async (request, reply) => {
      const status = request.query.status ?? 'active';
      const after = decodeCursor(request.query.cursor, memberCursor);
      const { rows, counts } = await inRequestCommunity(dependencies, request, async (tx, community) => ({
        rows: await service.listMemberships(tx, community.id, { status, after, limit: 50 }),
        counts: await service.countByStatus(tx, community.id),
      }));
      const page = paginate(
        rows,
        50,
        (row) => row,
        (row) => ({ name: row.displayName, id: row.id }),
      );
      return render(request, reply, 'communities/views/members.njk', {
        pageTitle: request.t('members.title'),
        status,
        statuses: service.membershipStatuses,
        counts,
        members: page.items.map((member) => ({
          ...member,
          roleNames: member.roles.map((role) => request.t(`roles.${role}.name`)).join(', '),
        })),
        nextHref: page.nextCursor ? `?status=${status}&cursor=${page.nextCursor}` : null,
        flash: takeFlash(request),
      });
    },
  );
  const memberPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    membershipId: string,
    errors?: FieldError[],
    status = 200,
  ) => {
    const membership = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.getMembership(tx, community.id, membershipId),
    );
    return render(
      request,
      reply,
      'communities/views/member.njk',
      {
        pageTitle: membership.displayName,
        membership,
        roleNames: membership.roles.map((role) => request.t(`roles.${role}.name`)).join(', '),
        roleItems: roleItems(request, membership.roles),
        canManage: service.managesMembers(request.asker),
        errors,
        flash: takeFlash(request),
      },
      { status },
    );
  };
  app.get(
    '/members/:membershipId',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: membershipParams } },
    async (request, reply) => memberPage(request, reply, request.params.membershipId),
  );
  /** Deciding a request to join, changing a member's roles, removing a member: one form each, the same way. */
  const memberAction = (
    request: FastifyRequest<{ Params: z.infer<typeof membershipParams> }>,
    reply: FastifyReply,
    action: 'approve' | 'decline' | 'roles' | 'remove',
  ) => {
    const actorId = actorOf(request);
    const { membershipId } = request.params;
    return submitForm(request, reply, {
      schema: action === 'roles' ? z.object({ roles: service.formRoles }) : z.object({}),
      page: (_values, errors) => memberPage(request, reply, membershipId, errors, 400),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inRequestCommunity(dependencies, request, (tx, community) => {
          if (action === 'approve') return service.approve(dependencies, tx, community, actorId, membershipId);
          if (action === 'decline') return service.decline(dependencies, tx, community, actorId, membershipId);
          if (action === 'roles')
            return service.setRoles(tx, community, actorId, membershipId, 'roles' in data ? data.roles : []);
          return service.remove(tx, community, actorId, membershipId);
        }),
      flash: (changed) => request.t(`member.done.${action}`, { name: changed.displayName }),
      next:
        action === 'approve' || action === 'decline'
          ? `/c/${request.params.community}/members?status=requested`
          : `/c/${request.params.community}/members/${membershipId}`,
      // Not waiting or not active any more, or the last admin: the member's page says so (a 409).
      refused: (error) =>
        error.status === 409
          ? memberPage(
              request,
              reply,
              membershipId,
              error.fieldErrors.length
                ? error.fieldErrors
                : [{ field: 'roles', code: `errors.membership.${error.code}` }],
              409,
            )
          : undefined,
    });
  };
  app.post(
    '/members/:membershipId/approve',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: membershipParams } },
    async (request, reply) => memberAction(request, reply, 'approve'),
  );
  app.post(
    '/members/:membershipId/decline',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: membershipParams } },
    async (request, reply) => memberAction(request, reply, 'decline'),
  );
  app.post(
    '/members/:membershipId/roles',
    { config: { access: access.roles('admin') }, schema: { params: membershipParams } },
    async (request, reply) => memberAction(request, reply, 'roles'),
  );
  app.post(
    '/members/:membershipId/remove',
    { config: { access: access.roles('admin') }, schema: { params: membershipParams } },
    async (request, reply) => memberAction(request, reply, 'remove'),
  );

  // ——— Invitations ———
  const invitePage = (
    request: FastifyRequest,
    reply: FastifyReply,
    errors?: FieldError[],
    values: Record<string, unknown> = {},
  ) => {
    const chosen = Array.isArray(values.roles)
      ? (values.roles as string[])
      : typeof values.roles === 'string'
        ? [values.roles]
        : ['member'];
    return render(
      request,
      reply,
      'communities/views/invite.njk',
      { pageTitle: request.t('invite.title'), roleItems: roleItems(request, chosen), errors, values },
      { status: errors ? 400 : 200 },
    );
  };
  // The getting-started list asks for a role: the form comes with it chosen.
  app.get(
    '/invitations/new',
    {
      config: { access: access.roles('admin') },
      schema: { params: communityParams, querystring: z.object({ role: z.enum(roles).optional().catch(undefined) }) },
    },
    async (request, reply) =>
      invitePage(request, reply, undefined, request.query.role ? { roles: [request.query.role] } : {}),
  );
  app.post(
    '/invitations/new',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.invitation,
        page: (values, errors) => invitePage(request, reply, errors, values),
        once: { db: dependencies.db, accountId: actorId },
        save: async (data) => {
          const sent = await inRequestCommunity(dependencies, request, (tx, community) =>
            service.createInvitation(dependencies, tx, community, actorId, data, request.language),
          );
          showInvitationOnce(request, sent);
        },
        next: `/c/${request.params.community}/invitations`,
      });
    },
  );
  app.get(
    '/invitations',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const waiting = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listInvitations(tx, community.id),
      );
      return render(request, reply, 'communities/views/invitations.njk', {
        pageTitle: request.t('invitations.title'),
        invitations: waiting,
        base: `/c/${request.params.community}/invitations`,
        ...takeInvitationShown(request),
      });
    },
  );
  /** The invitation a button on the invitations page is pressed on. */
  const waitingOn = (request: FastifyRequest<{ Params: z.infer<typeof invitationIdParams> }>) => ({
    community: communityOf(request),
    invitationId: request.params.invitationId,
    next: `/c/${request.params.community}/invitations`,
  });
  app.post(
    '/invitations/:invitationId/resend',
    { config: { access: access.roles('admin') }, schema: { params: invitationIdParams } },
    async (request, reply) => resendInvitationForm(dependencies, request, reply, waitingOn(request)),
  );
  app.post(
    '/invitations/:invitationId/cancel',
    { config: { access: access.roles('admin') }, schema: { params: invitationIdParams } },
    async (request, reply) => cancelInvitationForm(dependencies, request, reply, waitingOn(request)),
  );

  // ——— Settings ———
  const settingsPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'communities/views/settings.njk',
      {
        pageTitle: request.t('settings.title'),
        values,
        languageItems: languageItems(request, values),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  app.get(
    '/settings',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => settingsPage(request, reply, { ...communityOf(request) }),
  );
  app.post(
    '/settings',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.communityDetails,
        page: (values, errors) => settingsPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inRequestCommunity(dependencies, request, async (tx, community) => {
            const updated = await service.updateCommunity(dependencies, tx, community, actorId, data);
            await rescheduleFirstContacts(tx, updated);
          }),
        flash: request.t('settings.saved'),
        next: `/c/${request.params.community}/settings`,
      });
    },
  );

  // ——— Audit log and outbox ———
  app.get(
    '/audit',
    { config: { access: access.roles('admin') }, schema: { params: communityParams, querystring: auditQuery } },
    async (request, reply) => {
      const { action, from, to, before } = request.query;
      const events = await inRequestCommunity(dependencies, request, (tx, community) =>
        listAuditEvents(tx, community.id, {
          action,
          from: from ? new Date(`${from}T00:00:00Z`) : undefined,
          to: to ? new Date(`${to}T23:59:59.999Z`) : undefined,
          before,
          limit: 51,
        }),
      );
      const more = events.length > 50;
      const shown = events.slice(0, 50);
      const last = shown[shown.length - 1];
      const nextQuery = new URLSearchParams({
        ...(action ? { action } : {}),
        ...(from ? { from } : {}),
        ...(to ? { to } : {}),
        before: String(last?.id ?? ''),
      });
      return render(request, reply, 'communities/views/audit.njk', {
        pageTitle: request.t('audit.title'),
        events: shown,
        filter: { action, from, to },
        formAction: `/c/${request.params.community}/audit`,
        nextHref: more ? `?${nextQuery}` : null,
      });
    },
  );
  app.get(
    '/outbox',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const messages = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listOutbox(tx, community.id, { limit: 50 }),
      );
      return render(request, reply, 'communities/views/outbox.njk', {
        pageTitle: request.t('outbox.title'),
        messages: messages.slice(0, 50),
      });
    },
  );
}
