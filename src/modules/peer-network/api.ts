// The peer network's JSON API, under /api/v1/communities/{community}/.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, paginate, pageOf, pageQuery } from '../../platform/http/pagination.ts';
import { fieldErrorsFrom, invalid, notFound } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import {
  cancelNotice,
  groupParams,
  guides,
  inNetwork as inNetworkOf,
  meetingParams,
  networkParams,
  ownRecordOf,
  recordParams,
  registerTakers,
  rulesParams,
  staff,
} from './asker.ts';
import * as plans from './crisis-plans.ts';
import * as service from './service.ts';

const facilitatorSchema = z.object({ personRecordId: z.uuid(), name: z.string() });
const groupSchema = z.object({
  id: z.uuid(),
  programmeId: z.uuid().describe('The peer network (a programme of kind `peer_network`)'),
  name: z.string(),
  weekday: z.number().int().describe('ISO day of the week: 1 Monday … 7 Sunday'),
  startsAt: z.string().describe('Local time in London, HH:MM'),
  durationMinutes: z.number().int(),
  venue: z.string(),
  accessDetails: z.string(),
  onlineLink: z.string(),
  capacity: z.number().int().nullable(),
  ended: z.boolean(),
  facilitators: z.array(facilitatorSchema),
});
const toGroup = (
  group: service.Group,
  facilitators: { personRecordId: string; name: string }[],
): z.infer<typeof groupSchema> => ({
  id: group.id,
  programmeId: group.programmeId,
  name: group.name,
  weekday: group.weekday,
  startsAt: group.startsAt.slice(0, 5),
  durationMinutes: group.durationMinutes,
  venue: group.venue,
  accessDetails: group.accessDetails,
  onlineLink: group.onlineLink,
  capacity: group.capacity,
  ended: group.endedAt !== null,
  facilitators: facilitators.map(({ personRecordId, name }) => ({ personRecordId, name })),
});
const meetingSchema = z.object({
  id: z.uuid(),
  groupId: z.uuid(),
  startsAt: z.date(),
  durationMinutes: z.number().int(),
  cancelled: z.boolean(),
  coming: z.number().int().describe('How many said they are coming'),
  came: z.number().int().nullable().describe('How many were marked present (null for meetings to come)'),
});
const attendanceSchema = z.object({
  personRecordId: z.uuid(),
  name: z.string(),
  present: z.boolean(),
  dropIn: z.boolean(),
  coming: z.boolean().nullable(),
  usual: z.boolean(),
});
const memberSchema = z.object({
  id: z.uuid(),
  programmeId: z.uuid(),
  personRecordId: z.uuid(),
  name: z.string(),
  active: z.boolean(),
  cameBy: z.enum(['referral', 'self', 'coordinator', 'drop_in']),
  joinedAt: z.date(),
  lastCame: z.date().nullable(),
  timesCameLast90Days: z.number().int(),
});
const membershipSchema = z.object({
  programmeId: z.uuid(),
  personRecordId: z.uuid(),
  active: z.boolean(),
  change: z.enum(['joined', 'returned', 'already', 'went_inactive']),
});
const rulesSchema = z.object({
  id: z.uuid(),
  programmeId: z.uuid(),
  version: z.number().int().nullable(),
  body: z.string(),
  changeNote: z.string(),
  status: z.enum(['proposed', 'current', 'superseded', 'withdrawn']),
  agreed: z.number().int().optional(),
  iAgreed: z.boolean().optional(),
});
const planSchema = z.object({
  personRecordId: z.uuid(),
  warningSigns: z.string(),
  whatHelps: z.string(),
  whatDoesNotHelp: z.string(),
  whoToContact: z.string(),
  writtenWith: z.string(),
  updatedAt: z.date(),
  facilitatorIds: z.array(z.uuid()).optional().describe('Who the owner shows it to (the owner only sees these)'),
  groupIds: z.array(z.uuid()).optional(),
});

/** The peer network's JSON API, under /api/v1/communities/{community}. */
export async function networkApi(
  app: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Peer network'];
  const inNetwork = <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ) => inNetworkOf(dependencies, request, work);
  const readGroup = async (tx: CommunityTransaction, communityId: string, groupId: string) => {
    const group = await service.getGroup(tx, communityId, groupId);
    return toGroup(group, await service.groupFacilitators(tx, [group.id]));
  };

  // ——— Groups ———
  api.get(
    '/groups',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'The peer network’s groups that still meet, by day and time',
        params: communityParams,
        response: { 200: z.object({ items: z.array(groupSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => ({
        items: (await service.listGroups(tx, communityId)).map((group) => toGroup(group, group.facilitators)),
      })),
  );
  api.post(
    '/groups',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Start a weekly group (coordinators); its meetings are made eight weeks ahead',
        description: 'Send an `Idempotency-Key`.',
        params: communityParams,
        body: service.groupDetails.extend({ programmeId: z.uuid() }),
        response: { 201: groupSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inNetwork(request, async (tx, communityId) => {
          const { programmeId, ...details } = request.body;
          const group = await service.createGroup(tx, communityId, actorOf(request), programmeId, details);
          return readGroup(tx, communityId, group.id);
        }),
      })),
  );
  api.get(
    '/groups/:groupId',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'One group',
        params: groupParams,
        response: { 200: groupSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => inNetwork(request, (tx, communityId) => readGroup(tx, communityId, request.params.groupId)),
  );
  api.put(
    '/groups/:groupId',
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Change a group (coordinators); a new time moves the meetings to come, `ended: true` ends it',
        params: groupParams,
        body: service.groupDetails.extend({ ended: z.boolean().default(false) }),
        response: { 200: groupSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => {
        await service.updateGroup(tx, communityId, actorOf(request), request.params.groupId, request.body);
        return readGroup(tx, communityId, request.params.groupId);
      }),
  );
  api.get(
    '/groups/:groupId/meetings',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'A group’s meetings: those to come (`when=upcoming`, soonest first) or past ones (newest first)',
        params: groupParams,
        querystring: pageQuery.extend({ when: z.enum(['upcoming', 'past']).default('upcoming') }),
        response: { 200: pageOf(meetingSchema), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => {
        await service.getGroup(tx, communityId, request.params.groupId);
        const position = decodeCursor(request.query.cursor, z.object({ at: cursorFields.instant }));
        const upcoming = request.query.when === 'upcoming';
        const now = new Date();
        const at = position ? new Date(position.at) : undefined;
        const rows = await service.meetingsOfGroup(
          tx,
          communityId,
          request.params.groupId,
          upcoming
            ? { after: at ?? new Date(now.getTime() - 12 * 3_600_000), limit: request.query.limit + 1 }
            : { before: at ?? now, limit: request.query.limit + 1 },
        );
        return paginate(
          rows,
          request.query.limit,
          (row) => ({
            id: row.id,
            groupId: request.params.groupId,
            startsAt: row.starts_at,
            durationMinutes: row.duration_minutes,
            cancelled: row.cancelled_at !== null,
            coming: row.coming,
            came: row.starts_at <= now ? row.came : null,
          }),
          (last) => ({ at: last.starts_at.toISOString() }),
        );
      }),
  );

  // ——— Meetings ———
  api.put(
    '/meetings/:meetingId/reply',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Say whether you are coming (members of the network); a full meeting refuses another yes',
        params: meetingParams,
        body: z.object({ coming: z.boolean() }),
        response: { 204: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await inNetwork(request, async (tx, communityId, ownId) => {
        if (!ownId) throw notFound();
        await service.replyToMeeting(tx, communityId, request.params.meetingId, ownId, request.body.coming);
      });
      return reply.code(204).send(null);
    },
  );
  api.post(
    '/meetings/:meetingId/cancel',
    {
      config: { access: registerTakers },
      schema: {
        tags,
        summary:
          'Cancel a meeting not yet started, saying why (the group’s facilitators, and staff); everyone who said they were coming is told',
        params: meetingParams,
        body: service.cancelling,
        response: {
          200: z.object({
            id: z.uuid(),
            told: z.number().int().describe('How many people who said they were coming were sent a message'),
          }),
          ...problemResponses(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const told = await inNetwork(request, (tx, communityId) =>
        service.cancelMeeting(tx, communityId, request.asker, request.params.meetingId, request.body, {
          notifyConfigured: dependencies.notifyConfigured,
          message: cancelNotice(request, request.body.reason),
        }),
      );
      return { id: request.params.meetingId, told };
    },
  );
  const withRegister = <T>(
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    work: (
      tx: CommunityTransaction,
      communityId: string,
      meeting: Awaited<ReturnType<typeof service.getMeeting>>,
    ) => Promise<T>,
  ) =>
    inNetwork(request, async (tx, communityId) => {
      const found = await service.getMeeting(tx, communityId, request.params.meetingId);
      if (!(await service.mayTakeRegister(tx, found.group.id, request.asker))) throw notFound();
      return work(tx, communityId, found);
    });
  const attendanceList = z.object({ meetingId: z.uuid(), here: z.number().int(), items: z.array(attendanceSchema) });
  const registerNow = async (tx: CommunityTransaction, found: Awaited<ReturnType<typeof service.getMeeting>>) => {
    const lines = await service.registerOf(tx, found.meeting.id, found.group);
    return { meetingId: found.meeting.id, here: lines.filter((line) => line.present).length, items: lines };
  };
  api.get(
    '/meetings/:meetingId/attendance',
    {
      // The platform's three (the token with its person, begin with the scope, commit), then one statement for the whole register.
      config: { access: registerTakers, queryBudget: 4 },
      schema: {
        tags,
        summary:
          'The register: usual members, those coming and those marked (coordinators and the group’s facilitators)',
        params: meetingParams,
        response: { 200: attendanceList, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inRequestCommunity(dependencies, request, async (tx, community) => {
        const { meeting, lines } = await service.registerFor(
          tx,
          community.id,
          request.params.meetingId,
          request.asker,
          {
            withDropIns: false,
          },
        );
        return { meetingId: meeting.id, here: lines.filter((line) => line.present).length, items: lines };
      }),
  );
  api.post(
    '/meetings/:meetingId/attendance',
    {
      config: { access: registerTakers },
      schema: {
        tags,
        summary:
          'Mark someone present or not present; or add a drop-in: another member (`personRecordId`) or someone new (`newName`, who joins the network)',
        description: 'Marking twice marks once. The register opens a day before the meeting.',
        params: meetingParams,
        body: z.object({
          personRecordId: z.string().optional(),
          present: z.boolean().optional(),
          newName: z.string().optional(),
          dropIn: z.boolean().optional(),
        }),
        response: { 200: attendanceList, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      withRegister(request, async (tx, communityId, found) => {
        const body = request.body as Record<string, unknown>;
        if (body.dropIn === true) {
          const who = service.dropIn.safeParse({ personRecordId: body.personRecordId, newName: body.newName });
          if (!who.success) throw invalid(fieldErrorsFrom(who.error));
          await service.addDropIn(tx, communityId, actorOf(request), found.meeting.id, who.data);
        } else {
          const mark = service.attendanceMark.safeParse(body);
          if (!mark.success) throw invalid(fieldErrorsFrom(mark.error));
          await service.markAttendance(tx, communityId, actorOf(request), found.meeting.id, mark.data);
        }
        return registerNow(tx, found);
      }),
  );

  // ——— Members ———
  api.get(
    '/network-members',
    {
      config: { access: guides },
      schema: {
        tags,
        summary: 'The network’s members, active and stepped back (coordinators and facilitators)',
        params: communityParams,
        querystring: pageQuery.extend({ active: z.enum(['true', 'false']).optional() }),
        response: { 200: pageOf(memberSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => {
        const after = decodeCursor(request.query.cursor, z.object({ id: cursorFields.id }));
        const rows = await service.listMembers(tx, communityId, {
          active: request.query.active === undefined ? undefined : request.query.active === 'true',
          after: after?.id,
          limit: request.query.limit + 1,
        });
        return paginate(
          rows,
          request.query.limit,
          (row) => ({
            id: row.id,
            programmeId: row.programme_id,
            personRecordId: row.person_record_id,
            name: row.name,
            active: row.active,
            cameBy: row.came_by,
            joinedAt: row.joined_at,
            lastCame: row.last_came,
            timesCameLast90Days: row.times_came,
          }),
          (last) => ({ id: last.id }),
        );
      }),
  );
  api.post(
    '/networks/:networkId/members',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary:
          'Join the network: yourself (where it allows joining without a referral; 409 otherwise), or someone else by `personRecordId` (coordinators). A member who stepped back is welcomed back',
        params: networkParams,
        body: z.object({ personRecordId: z.uuid().optional() }).default({}),
        response: { 200: membershipSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => {
        const someoneElse = request.body.personRecordId;
        if (someoneElse && !service.mayJoinSomeoneElse(request.asker)) throw notFound();
        if (someoneElse) {
          await getPerson(tx, communityId, someoneElse);
          const outcome = await service.joinNetwork(tx, {
            communityId,
            programmeId: (await service.getNetwork(tx, communityId, request.params.networkId)).id,
            personRecordId: someoneElse,
            cameBy: 'coordinator',
            actorId: actorOf(request),
          });
          return {
            programmeId: request.params.networkId,
            personRecordId: someoneElse,
            active: true,
            change: outcome.change,
          };
        }
        const ownId = await ownRecordOf(tx, communityId, request);
        const outcome = await service.joinByThemselves(
          tx,
          communityId,
          request.params.networkId,
          ownId,
          actorOf(request),
        );
        return { programmeId: request.params.networkId, personRecordId: ownId, active: true, change: outcome.change };
      }),
  );
  api.post(
    '/networks/:networkId/members/step-back',
    {
      config: { access: access.ownOr() },
      schema: {
        tags,
        summary:
          'Step back from the network (only the member can): never a discharge, and coming back needs no referral',
        params: networkParams,
        response: { 200: membershipSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId, ownId) => {
        if (!ownId) throw notFound();
        await service.stepBack(tx, communityId, request.params.networkId, ownId, actorOf(request));
        return {
          programmeId: request.params.networkId,
          personRecordId: ownId,
          active: false,
          change: 'went_inactive' as const,
        };
      }),
  );

  // ——— Ground rules ———
  const toRules = (rules: {
    id: string;
    programmeId: string;
    version: number | null;
    body: string;
    changeNote: string;
    status: 'proposed' | 'current' | 'superseded' | 'withdrawn';
  }) => ({
    id: rules.id,
    programmeId: rules.programmeId,
    version: rules.version,
    body: rules.body,
    changeNote: rules.changeNote,
    status: rules.status,
  });
  api.get(
    '/networks/:networkId/ground-rules',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'The current ground rules and the changes proposed, with how many agree',
        params: networkParams,
        response: {
          200: z.object({ current: rulesSchema.nullable(), proposals: z.array(rulesSchema) }),
          ...problemResponses(401, 404),
        },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId, ownId) => {
        const network = await service.getNetwork(tx, communityId, request.params.networkId);
        const found = await service.groundRules(tx, communityId, network.id, ownId);
        const shape = (row: (typeof found.proposals)[number]) => ({
          id: row.id,
          programmeId: network.id,
          version: row.version,
          body: row.body,
          changeNote: row.change_note,
          status: row.status as 'current' | 'proposed',
          agreed: row.agreed,
          iAgreed: row.i_agreed,
        });
        return { current: found.current ? shape(found.current) : null, proposals: found.proposals.map(shape) };
      }),
  );
  api.post(
    '/networks/:networkId/ground-rules',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary:
          'Propose a change to the ground rules: the whole new text and what it changes. Send an `Idempotency-Key`',
        params: networkParams,
        body: service.rulesProposal,
        response: { 201: rulesSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: toRules(
          await inNetwork(request, (tx, communityId, ownId) =>
            service.proposeRules(tx, communityId, actorOf(request), request.params.networkId, ownId, request.body, {
              guide: service.guidesTheNetwork(request.asker),
            }),
          ),
        ),
      })),
  );
  api.post(
    '/ground-rules/:rulesId/agreements',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary:
          'Say you agree with the current ground rules or a proposed change (members of the network); twice counts once',
        params: rulesParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await inNetwork(request, async (tx, communityId, ownId) =>
        service.agreeToRules(
          tx,
          communityId,
          request.params.rulesId,
          ownId ?? (await ownRecordOf(tx, communityId, request)),
        ),
      );
      return reply.code(204).send(null);
    },
  );
  api.post(
    '/ground-rules/:rulesId/adopt',
    {
      config: { access: guides },
      schema: {
        tags,
        summary:
          'Adopt a proposed change: it becomes the next version and is shown at every meeting (facilitators and coordinators)',
        params: rulesParams,
        response: { 200: rulesSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      toRules(
        await inNetwork(request, (tx, communityId) =>
          service.adoptRules(tx, communityId, actorOf(request), request.params.rulesId),
        ),
      ),
  );

  // ——— Crisis plans ———
  api.get(
    '/crisis-plan',
    {
      config: { access: access.ownOr() },
      schema: {
        tags,
        summary: 'Your own crisis plan, and who you show it to (404 until you write one)',
        params: communityParams,
        response: { 200: planSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, _communityId, ownId) => {
        if (!ownId) throw notFound();
        const own = await plans.ownPlan(tx, ownId);
        if (!own.plan) throw notFound();
        return { ...own.plan, facilitatorIds: own.facilitatorIds, groupIds: own.groupIds };
      }),
  );
  api.put(
    '/crisis-plan',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Write your crisis plan and choose who may read it: facilitators by their person record, and groups',
        params: communityParams,
        body: plans.crisisPlanDetails,
        response: { 200: planSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId) => {
        const ownId = await ownRecordOf(tx, communityId, request);
        await plans.savePlan(tx, communityId, actorOf(request), ownId, request.body);
        const own = await plans.ownPlan(tx, ownId);
        if (!own.plan) throw new Error('plan vanished');
        return { ...own.plan, facilitatorIds: own.facilitatorIds, groupIds: own.groupIds };
      }),
  );
  api.get(
    '/crisis-plans/:recordId',
    {
      config: { access: access.decidedByService('the person chose the facilitators and groups who may read it') },
      schema: {
        tags,
        summary: 'Someone’s crisis plan, if they show it to you (404 otherwise); every read is audited',
        params: recordParams,
        response: { 200: planSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inNetwork(request, async (tx, communityId, ownId) => {
        const found = await plans.readPlan(tx, communityId, actorOf(request), ownId, request.params.recordId);
        const { communityId: _community, updatedBy: _by, ...plan } = found.plan;
        return plan;
      }),
  );
}
