// The communities' JSON API: the directory and joining under /api/v1/, and each community's
// details, memberships, invitations, audit log and outbox under /api/v1/communities/{community}.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { listAuditEvents } from '../../platform/audit.ts';
import { access } from '../../platform/auth/access.ts';
import { actorOf, communityOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, pageOf, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { fieldErrorsFrom, invalid, notFound } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import {
  type Community,
  type CommunityTransaction,
  findCommunityBySlug,
  inCommunity,
  roles,
} from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { requireConfirmedEmail } from '../accounts/service.ts';
import { rescheduleFirstContacts } from '../referrals/service.ts';
import { invitationIdParams, memberCursor, membershipParams } from './asker.ts';
import * as service from './service.ts';

const tags = ['Communities'];

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

/** The directory in the API, under /api/v1: every community (platform admins), making one, asking to join, accepting an invitation. */
export async function communitiesApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get(
    '/communities',
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
    '/communities',
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
  app.post(
    '/join-requests',
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
    '/invitations/accept',
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
}

/** One community in the API, under /api/v1/communities/{community}: its details, memberships, invitations, audit log and outbox. */
export async function communityApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  app.get(
    '',
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
    '',
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
  app.get(
    '/memberships',
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
    '/memberships/:membershipId',
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
  /** A decision on a membership: the membership as it now is. */
  const decided = async (
    request: FastifyRequest<{ Params: z.infer<typeof membershipParams> }>,
    work: (
      tx: CommunityTransaction,
      community: Community,
      actorId: string,
      membershipId: string,
    ) => Promise<service.MembershipRow>,
  ) => {
    const actorId = actorOf(request);
    return toMembership(
      await inRequestCommunity(dependencies, request, (tx, community) =>
        work(tx, community, actorId, request.params.membershipId),
      ),
    );
  };
  const decisionResponse = { 200: membershipSchema, ...problemResponses(401, 403, 404, 409, 400) };
  const rolesBody = z.object({
    roles: z
      .array(z.enum(roles))
      .min(1, 'errors.roles.missing')
      .transform((list) => [...new Set(list)]),
  });
  app.post(
    '/memberships/:membershipId/approve',
    {
      config: { access: access.roles('admin', 'coordinator') },
      schema: {
        tags,
        summary: 'Approve a request to join (admins may give roles; coordinators let people in as members)',
        params: membershipParams,
        body: rolesBody.partial(),
        response: decisionResponse,
      },
    },
    async (request) =>
      decided(request, (tx, community, actorId, id) =>
        service.approve(
          dependencies,
          tx,
          community,
          actorId,
          id,
          service.rolesToGive(request.asker, (request.body ?? {}).roles),
        ),
      ),
  );
  app.post(
    '/memberships/:membershipId/decline',
    {
      config: { access: access.roles('admin', 'coordinator') },
      schema: { tags, summary: 'Decline a request to join', params: membershipParams, response: decisionResponse },
    },
    async (request) =>
      decided(request, (tx, community, actorId, id) => service.decline(dependencies, tx, community, actorId, id)),
  );
  app.post(
    '/memberships/:membershipId/roles',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Set the roles of an active member (admins)',
        params: membershipParams,
        body: rolesBody,
        response: decisionResponse,
      },
    },
    async (request) =>
      decided(request, (tx, community, actorId, id) =>
        service.setRoles(tx, community, actorId, id, request.body.roles),
      ),
  );
  app.post(
    '/memberships/:membershipId/remove',
    {
      config: { access: access.roles('admin') },
      schema: { tags, summary: 'Remove a member (admins)', params: membershipParams, response: decisionResponse },
    },
    async (request) => decided(request, (tx, community, actorId, id) => service.remove(tx, community, actorId, id)),
  );
  app.post(
    '/invitations',
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
    '/invitations',
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
    '/invitations/:invitationId/resend',
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
    '/invitations/:invitationId/cancel',
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
    '/audit-events',
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
    '/outbox',
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
