import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEvents, listPlatformAuditEvents } from '../../platform/audit.ts';
import { access } from '../../platform/auth/access.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, pageOf, pageQuery, paginate } from '../../platform/http/pagination.ts';
import {
  type DomainError,
  type FieldError,
  fieldErrorsFrom,
  forbidden,
  invalid,
  notFound,
} from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import {
  type Community,
  type CommunityTransaction,
  findCommunityBySlug,
  inCommunity,
  roles,
  staffRoles,
} from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import { membershipList } from '../../platform/auth/people.ts';
import {
  actorOf,
  communityOf,
  communityToVisit,
  inRequestCommunity,
  takeFlash,
} from '../../platform/http/community-request.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as service from './service.ts';
import { showInvitationOnce, takeInvitationShown } from './invitation-shown.ts';
import { waitingFor } from './home.ts';
import { queueCounts, rescheduleFirstContacts } from '../referrals/service.ts';
import { requireConfirmedEmail } from '../accounts/service.ts';
import { ukDay } from '../../platform/working-days.ts';

const communityParams = z.object({ community: z.string().max(60) });
const membershipParams = communityParams.extend({ membershipId: z.uuid() });
const slugParams = z.object({ slug: z.string().max(60) });

const communitySchema = z.object({
  slug: z.string(),
  name: z.string(),
  description: z.string(),
  contactEmail: z.string().nullable(),
  contactPhone: z.string().nullable(),
  brandColour: z.string().nullable(),
  languages: z.array(z.string()),
  requireStaffTwoFactor: z.boolean(),
  contactWithinWorkingDays: z.number().int(),
  referralRetentionMonths: z.number().int(),
});
const membershipSchema = z.object({
  id: z.uuid(),
  person: z.object({ id: z.uuid(), displayName: z.string(), email: z.string() }),
  status: z.enum(service.membershipStatuses),
  roles: z.array(z.enum(roles)),
  requestMessage: z.string().nullable(),
  requestedAt: z.date(),
  decidedAt: z.date().nullable(),
});
const auditEventSchema = z.object({
  id: z.number().int(),
  at: z.date(),
  action: z.string(),
  subjectType: z.string(),
  subjectId: z.string().nullable(),
  reason: z.string().nullable(),
  actor: z.object({ id: z.uuid(), displayName: z.string().nullable() }).nullable(),
  detail: z.unknown(),
});
const outboxSchema = z.object({
  id: z.uuid(),
  channel: z.enum(['email', 'sms']),
  template: z.string(),
  recipient: z.string(),
  subject: z.string(),
  body: z.string(),
  status: z.enum(['queued', 'sent', 'failed', 'not_sent']),
  createdAt: z.date(),
  sentAt: z.date().nullable(),
});

const toCommunity = (community: Community) => ({
  slug: community.slug,
  name: community.name,
  description: community.description,
  contactEmail: community.contactEmail,
  contactPhone: community.contactPhone,
  brandColour: community.brandColour,
  languages: community.languages,
  requireStaffTwoFactor: community.requireStaffTwoFactor,
  contactWithinWorkingDays: community.contactWithinWorkingDays,
  referralRetentionMonths: community.referralRetentionMonths,
});
const toMembership = (row: service.MembershipRow) => ({
  id: row.id,
  person: { id: row.personId, displayName: row.displayName, email: row.email },
  status: row.status,
  roles: row.roles,
  requestMessage: row.requestMessage,
  requestedAt: row.requestedAt,
  decidedAt: row.decidedAt,
});

function roleItems(request: FastifyRequest, checked: readonly string[]) {
  return roles.map((role) => ({
    value: role,
    text: request.t(`roles.${role}.name`),
    hint: { text: request.t(`roles.${role}.hint`) },
    checked: checked.includes(role),
  }));
}
function settingsItems(request: FastifyRequest, community: Partial<Community> & Record<string, unknown>) {
  const chosen = (community.languages as string[] | undefined) ?? ['en'];
  return languages.map((language) => ({
    value: language,
    text: request.t(`languages.${language}`),
    checked: chosen.includes(language),
  }));
}

const invitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  roles: z.array(z.enum(roles)),
  createdAt: z.date(),
  expiresAt: z.date(),
  invitedByName: z.string().nullable(),
  state: z.enum(['waiting', 'expired']),
});
const sentInvitationSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  roles: z.array(z.enum(roles)),
  expiresAt: z.date(),
  link: z
    .string()
    .nullable()
    .describe(
      'The link to give the person, shown this once (null when this was a repeat of a sending within the last minutes)',
    ),
  emailed: z.boolean().describe('Whether an email goes to the person (false where email sending is not set up)'),
});

/** Communities: the directory, joining, invitations, members and roles, settings, audit log and outbox. */
export async function communityRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  // ——— The directory, joining and switching ———
  app.get('/communities', { config: { access: access.public } }, async (request, reply) => {
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
  app.get('/communities/mine', { config: { access: access.signedIn } }, async (request, reply) => {
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
    '/communities/:slug/invitations/waiting/:invitationId/accept',
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
    '/communities/:slug/join',
    { config: { access: access.signedIn }, schema: { params: slugParams } },
    async (request, reply) => {
      const community = await communityToVisit(dependencies.db, request, request.params.slug);
      return confirmFirst(request, reply, community.slug) ?? joinPage(request, reply, community);
    },
  );
  app.post(
    '/communities/:slug/join',
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
    '/communities/:slug/join/sent',
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
    '/communities/:slug/invitations/:token',
    { config: { access: access.public }, schema: { params: invitationParams } },
    async (request, reply) => invitationPage(request, reply, request.params.slug, request.params.token),
  );
  app.post(
    '/communities/:slug/invitations/:token',
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

  // ——— A community's home: what each role does next ———
  app.get(
    '/c/:community',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const held = request.roles;
      const triage = held.includes('admin') || held.includes('coordinator');
      const waiting = triage
        ? await inRequestCommunity(dependencies, request, (tx, community) =>
            service.keptCountByStatus(tx, community.id),
          )
        : undefined;
      const referralCounts = triage
        ? await inRequestCommunity(dependencies, request, (tx, community) => queueCounts(tx, community.id))
        : undefined;
      const mine = membershipList(request.person).filter((membership) => membership.status === 'active');
      // What waits for this person now, from each part of the community they take part in.
      const waiting_ = await inRequestCommunity(dependencies, request, (tx, community) =>
        waitingFor(tx, community.id, {
          accountId: actorOf(request),
          roles: held,
          programmeKinds: request.programmeKinds ?? [],
          inHubTeam: request.inHubTeam,
        }),
      );
      return render(request, reply, 'communities/views/home.njk', {
        ...waiting_,
        today: ukDay(),
        programmeKinds: request.programmeKinds ?? [],
        pageTitle: request.t('home.title'),
        held,
        heldNames: held.map((role) => request.t(`roles.${role}.name`)).join(', '),
        counts: waiting,
        referralCounts,
        otherCommunities: mine.filter((membership) => membership.slug !== request.community?.slug),
        isStaff: held.some((role) => staffRoles.includes(role)),
        flash: takeFlash(request),
      });
    },
  );

  // ——— Members ———
  const membersQuery = z.object({
    status: z.enum(service.membershipStatuses).optional().catch(undefined),
    cursor: z.string().max(500).optional(),
  });
  const memberCursor = z.object({ name: cursorFields.text, id: cursorFields.id });
  app.get(
    '/c/:community/members',
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
        canManage: request.roles.includes('admin'),
        errors,
        flash: takeFlash(request),
      },
      { status },
    );
  };
  app.get(
    '/c/:community/members/:membershipId',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: membershipParams } },
    async (request, reply) => memberPage(request, reply, request.params.membershipId),
  );
  const memberAction = (action: 'approve' | 'decline' | 'roles' | 'remove', allowed: ReturnType<typeof access.roles>) =>
    app.post(
      `/c/:community/members/:membershipId/${action}`,
      { config: { access: allowed }, schema: { params: membershipParams } },
      async (request, reply) => {
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
      },
    );
  memberAction('approve', access.roles('admin', 'coordinator'));
  memberAction('decline', access.roles('admin', 'coordinator'));
  memberAction('roles', access.roles('admin'));
  memberAction('remove', access.roles('admin'));

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
    '/c/:community/invitations/new',
    {
      config: { access: access.roles('admin') },
      schema: { params: communityParams, querystring: z.object({ role: z.enum(roles).optional().catch(undefined) }) },
    },
    async (request, reply) =>
      invitePage(request, reply, undefined, request.query.role ? { roles: [request.query.role] } : {}),
  );
  app.post(
    '/c/:community/invitations/new',
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
    '/c/:community/invitations',
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
  const invitationIdParams = communityParams.extend({ invitationId: z.uuid() });
  app.post(
    '/c/:community/invitations/:invitationId/resend',
    { config: { access: access.roles('admin') }, schema: { params: invitationIdParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        once: { db: dependencies.db, accountId: actorId },
        save: async () => {
          const sent = await inRequestCommunity(dependencies, request, (tx, community) =>
            service.resendInvitation(
              dependencies,
              tx,
              community,
              actorId,
              request.params.invitationId,
              request.language,
            ),
          );
          showInvitationOnce(request, sent);
        },
        next: `/c/${request.params.community}/invitations`,
      });
    },
  );
  app.post(
    '/c/:community/invitations/:invitationId/cancel',
    { config: { access: access.roles('admin') }, schema: { params: invitationIdParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        once: { db: dependencies.db, accountId: actorId },
        save: () =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.cancelInvitation(tx, community.id, actorId, request.params.invitationId),
          ),
        flash: request.t('invitations.cancelled'),
        next: `/c/${request.params.community}/invitations`,
      });
    },
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
        languageItems: settingsItems(request, values),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  app.get(
    '/c/:community/settings',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => settingsPage(request, reply, { ...communityOf(request) }),
  );
  app.post(
    '/c/:community/settings',
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
  const auditQuery = z.object({
    action: z
      .string()
      .max(100)
      .optional()
      .transform((value) => value || undefined),
    from: z.iso.date().optional().catch(undefined),
    to: z.iso.date().optional().catch(undefined),
    before: z.coerce.number().int().positive().optional().catch(undefined),
  });
  app.get(
    '/c/:community/audit',
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
  // The platform's audit log: every community's events and the platform's own, for platform admins.
  app.get(
    '/platform/audit',
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
  app.get(
    '/c/:community/outbox',
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

  // ——— Platform: communities ———
  app.get('/platform/communities', { config: { access: access.platformAdmin } }, async (request, reply) =>
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
      { pageTitle: request.t('platformNew.title'), values, languageItems: settingsItems(request, values), errors },
      { status: errors ? 400 : 200 },
    );
  app.get('/platform/communities/new', { config: { access: access.platformAdmin } }, async (request, reply) =>
    newCommunityPage(request, reply),
  );
  app.post('/platform/communities/new', { config: { access: access.platformAdmin } }, async (request, reply) => {
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
    '/platform/communities/:slug',
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
  app.post(
    '/platform/communities/:slug/invitations/:invitationId/resend',
    { config: { access: access.platformAdmin }, schema: { params: platformInvitationParams } },
    async (request, reply) => {
      const community = await platformCommunity(request.params.slug);
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        once: { db: dependencies.db, accountId: actorId },
        save: async () => {
          const sent = await inCommunity(dependencies.db, { communityId: community.id, personId: actorId }, (tx) =>
            service.resendInvitation(
              dependencies,
              tx,
              community,
              actorId,
              request.params.invitationId,
              request.language,
            ),
          );
          showInvitationOnce(request, sent);
        },
        next: `/platform/communities/${community.slug}`,
      });
    },
  );
  app.post(
    '/platform/communities/:slug/invitations/:invitationId/cancel',
    { config: { access: access.platformAdmin }, schema: { params: platformInvitationParams } },
    async (request, reply) => {
      const community = await platformCommunity(request.params.slug);
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        once: { db: dependencies.db, accountId: actorId },
        save: () =>
          inCommunity(dependencies.db, { communityId: community.id, personId: actorId }, (tx) =>
            service.cancelInvitation(tx, community.id, actorId, request.params.invitationId),
          ),
        flash: request.t('invitations.cancelled'),
        next: `/platform/communities/${community.slug}`,
      });
    },
  );
  app.get('/platform/outbox', { config: { access: access.platformAdmin } }, async (request, reply) =>
    render(request, reply, 'communities/views/outbox.njk', {
      pageTitle: request.t('outbox.title'),
      messages: await service.listPlatformOutbox(dependencies.owner, 100),
      platform: true,
    }),
  );

  // ——— The API ———
  const tags = ['Communities'];
  app.get(
    '/api/v1/communities',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags,
        summary: 'Every community (platform admins)',
        querystring: pageQuery,
        response: { 200: pageOf(communitySchema), ...problemResponses(401, 403) },
      },
    },
    async (request) => {
      const all = (await service.listAllCommunities(dependencies.db)).sort((a, b) => (a.slug < b.slug ? -1 : 1));
      const after = decodeCursor(request.query.cursor, z.object({ slug: cursorFields.text }));
      const rest = after ? all.filter((community) => community.slug > after.slug) : all;
      return paginate(rest.slice(0, request.query.limit + 1), request.query.limit, toCommunity, (community) => ({
        slug: community.slug,
      }));
    },
  );
  app.post(
    '/api/v1/communities',
    {
      config: { access: access.platformAdmin },
      schema: {
        tags,
        summary: 'Create a community (platform admins)',
        body: service.newCommunity,
        response: { 201: communitySchema, ...problemResponses(401, 403, 409, 400) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: toCommunity(
          (await service.createCommunity(dependencies, actorOf(request), request.body, request.language)).community,
        ),
      })),
  );
  app.get(
    '/api/v1/communities/:community',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'A community you belong to',
        params: communityParams,
        response: { 200: communitySchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => toCommunity(communityOf(request)),
  );
  app.patch(
    '/api/v1/communities/:community',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Change a community’s details (admins): send only what changes',
        params: communityParams,
        body: service.communityPatch,
        response: { 200: communitySchema, ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      const current = communityOf(request);
      const merged = service.communityDetails.safeParse({
        name: current.name,
        description: current.description,
        contactEmail: current.contactEmail ?? '',
        contactPhone: current.contactPhone ?? '',
        brandColour: current.brandColour ?? '',
        languages: current.languages,
        requireStaffTwoFactor: current.requireStaffTwoFactor,
        contactWithinWorkingDays: current.contactWithinWorkingDays,
        referralRetentionMonths: current.referralRetentionMonths,
        ...Object.fromEntries(Object.entries(request.body).map(([key, value]) => [key, value ?? ''])),
      });
      if (!merged.success) throw invalid(fieldErrorsFrom(merged.error));
      return toCommunity(
        await inRequestCommunity(dependencies, request, async (tx, community) => {
          const updated = await service.updateCommunity(dependencies, tx, community, actorId, merged.data);
          await rescheduleFirstContacts(tx, updated);
          return updated;
        }),
      );
    },
  );
  app.post(
    '/api/v1/join-requests',
    {
      config: { access: access.signedIn },
      schema: {
        tags,
        summary: 'Ask to join a community',
        description: 'Asking again while a request waits returns the same request.',
        body: z.object({ community: z.string().max(60) }).extend(service.joinRequest.shape),
        response: { 201: membershipSchema, ...problemResponses(401, 403, 404, 409, 400) },
      },
    },
    async (request, reply) => {
      const person = request.person;
      const community = await findCommunityBySlug(dependencies.db, request.body.community);
      if (!community || !person) throw notFound();
      requireConfirmedEmail(person);
      return once(dependencies.db, request, reply, async () => {
        const saved = await service.requestToJoin(dependencies, community, person, request.body.message);
        const row = await inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, (tx) =>
          service.getMembership(tx, community.id, saved.id),
        );
        return { status: 201, body: toMembership(row) };
      });
    },
  );
  app.post(
    '/api/v1/invitations/accept',
    {
      config: { access: access.signedIn },
      schema: {
        tags,
        summary: 'Accept an invitation',
        body: z.object({ community: z.string().max(60), token: z.string().max(200) }),
        response: { 200: membershipSchema, ...problemResponses(401, 403, 404, 410) },
      },
    },
    async (request) => {
      const person = request.person;
      const community = await findCommunityBySlug(dependencies.db, request.body.community);
      if (!community || !person) throw notFound();
      return inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, async (tx) => {
        const saved = await service.acceptInvitation(tx, community, person, request.body.token);
        return toMembership(await service.getMembership(tx, community.id, saved.id));
      });
    },
  );
  app.get(
    '/api/v1/communities/:community/memberships',
    {
      config: { access: access.roles('admin', 'coordinator') },
      schema: {
        tags,
        summary: 'Memberships, by name',
        params: communityParams,
        querystring: pageQuery.extend({ status: z.enum(service.membershipStatuses).optional() }),
        response: { 200: pageOf(membershipSchema), ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, memberCursor);
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listMemberships(tx, community.id, { status: request.query.status, after, limit: request.query.limit }),
      );
      return paginate(rows, request.query.limit, toMembership, (row) => ({ name: row.displayName, id: row.id }));
    },
  );
  app.get(
    '/api/v1/communities/:community/memberships/:membershipId',
    {
      config: { access: access.roles('admin', 'coordinator') },
      schema: {
        tags,
        summary: 'One membership',
        params: membershipParams,
        response: { 200: membershipSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      toMembership(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.getMembership(tx, community.id, request.params.membershipId),
        ),
      ),
  );
  const membershipAction = (
    path: string,
    summary: string,
    allowed: ReturnType<typeof access.roles>,
    work: (
      tx: CommunityTransaction,
      community: Community,
      actorId: string,
      membershipId: string,
      body: { roles?: service.MembershipRow['roles'] },
      held: readonly string[],
    ) => Promise<service.MembershipRow>,
    body?: z.ZodType,
  ) =>
    app.post(
      `/api/v1/communities/:community/memberships/:membershipId/${path}`,
      {
        config: { access: allowed },
        schema: {
          tags,
          summary,
          params: membershipParams,
          ...(body ? { body } : {}),
          response: { 200: membershipSchema, ...problemResponses(401, 403, 404, 409, 400) },
        },
      },
      async (request) => {
        const actorId = actorOf(request);
        return toMembership(
          await inRequestCommunity(dependencies, request, (tx, community) =>
            work(
              tx,
              community,
              actorId,
              request.params.membershipId,
              (request.body ?? {}) as { roles?: service.MembershipRow['roles'] },
              request.roles,
            ),
          ),
        );
      },
    );
  const rolesBody = z.object({
    roles: z
      .array(z.enum(roles))
      .min(1, 'errors.roles.missing')
      .transform((list) => [...new Set(list)]),
  });
  membershipAction(
    'approve',
    'Approve a request to join (admins may give roles; coordinators let people in as members)',
    access.roles('admin', 'coordinator'),
    (tx, community, actorId, id, body, held) => {
      const grant = body.roles ?? ['member'];
      // Only admins give roles: a coordinator lets people in as members.
      if (!held.includes('admin') && (grant.length !== 1 || grant[0] !== 'member')) throw forbidden();
      return service.approve(dependencies, tx, community, actorId, id, grant);
    },
    rolesBody.partial(),
  );
  membershipAction(
    'decline',
    'Decline a request to join',
    access.roles('admin', 'coordinator'),
    (tx, community, actorId, id) => service.decline(dependencies, tx, community, actorId, id),
  );
  membershipAction(
    'roles',
    'Set the roles of an active member (admins)',
    access.roles('admin'),
    (tx, community, actorId, id, body) => service.setRoles(tx, community, actorId, id, body.roles ?? []),
    rolesBody,
  );
  membershipAction('remove', 'Remove a member (admins)', access.roles('admin'), (tx, community, actorId, id) =>
    service.remove(tx, community, actorId, id),
  );
  app.post(
    '/api/v1/communities/:community/invitations',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Invite someone by email (admins)',
        params: communityParams,
        body: z.object({ email: service.invitation.shape.email, roles: rolesBody.shape.roles }),
        response: { 201: sentInvitationSchema, ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      return once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inRequestCommunity(dependencies, request, (tx, community) =>
          service.createInvitation(dependencies, tx, community, actorId, request.body, request.language),
        ),
      }));
    },
  );
  app.get(
    '/api/v1/communities/:community/invitations',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Invitations nobody has accepted or cancelled, newest first, waiting or expired (admins)',
        params: communityParams,
        response: { 200: z.object({ items: z.array(invitationSchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => ({
      items: await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listInvitations(tx, community.id),
      ),
    }),
  );
  app.post(
    '/api/v1/communities/:community/invitations/:invitationId/resend',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary:
          'Send an invitation again with a new link; the old link stops working, and a cancelled invitation opens again (admins)',
        params: invitationIdParams,
        response: { 200: sentInvitationSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, (tx, community) =>
        service.resendInvitation(dependencies, tx, community, actorId, request.params.invitationId, request.language),
      );
    },
  );
  app.post(
    '/api/v1/communities/:community/invitations/:invitationId/cancel',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Cancel an invitation: its link stops working (admins)',
        params: invitationIdParams,
        response: { 204: z.null(), ...problemResponses(401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      await inRequestCommunity(dependencies, request, (tx, community) =>
        service.cancelInvitation(tx, community.id, actorId, request.params.invitationId),
      );
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/v1/communities/:community/audit-events',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'The audit log, newest first (admins)',
        params: communityParams,
        querystring: pageQuery.extend({
          action: z.string().max(100).optional(),
          from: z.iso.datetime({ offset: true }).optional(),
          to: z.iso.datetime({ offset: true }).optional(),
        }),
        response: { 200: pageOf(auditEventSchema), ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const { limit, action, from, to } = request.query;
      const after = decodeCursor(request.query.cursor, z.object({ id: cursorFields.integer }));
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        listAuditEvents(tx, community.id, {
          action,
          from: from ? new Date(from) : undefined,
          to: to ? new Date(to) : undefined,
          before: after?.id,
          limit: limit + 1,
        }),
      );
      return paginate(
        rows,
        limit,
        (row) => ({ ...row, actor: row.actorId ? { id: row.actorId, displayName: row.actorName } : null }),
        (row) => ({ id: row.id }),
      );
    },
  );
  app.get(
    '/api/v1/communities/:community/outbox',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Messages this community sent or would send (admins)',
        params: communityParams,
        querystring: pageQuery,
        response: { 200: pageOf(outboxSchema), ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const before = decodeCursor(
        request.query.cursor,
        z.object({ createdAt: cursorFields.instant, id: cursorFields.id }),
      );
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listOutbox(tx, community.id, { before, limit: request.query.limit }),
      );
      return paginate(
        rows,
        request.query.limit,
        ({ createdAtExact: _exact, ...message }) => message,
        (row) => ({ createdAt: row.createdAtExact, id: row.id }),
      );
    },
  );
}
