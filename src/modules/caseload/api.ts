// The hub's JSON API, under /api/v1/communities/{community}/.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, pageOf, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { plainDate } from '../../platform/fields.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { actionParams, entryParams, hubStaff, inHub, itemParams, meetingParams, team } from './asker.ts';
import * as service from './service.ts';

const caseloadItem = z.object({
  id: z.uuid(),
  personRecordId: z.uuid(),
  name: z.string(),
  joinedAt: z.string(),
  keyContacts: z.string().nullable(),
  openRiskFlags: z.number().int().describe('How many, never what'),
  openActions: z.number().int(),
  lastContact: z.string().nullable(),
});
const actionSchema = z.object({
  id: z.uuid(),
  description: z.string(),
  dueOn: z.string(),
  owner: z.string().optional(),
  done: z.boolean().optional(),
  entryId: z.uuid().optional(),
  name: z.string().optional(),
});
const riskSchema = z.object({
  id: z.uuid(),
  detail: z.string().nullable().describe('Clinical detail: null unless the asker is in the clinical team'),
  agreedApproach: z.string(),
  reviewOn: z.string(),
  raisedAt: z.date(),
  open: z.boolean(),
});
const agendaSchema = z.object({
  entryId: z.uuid(),
  personRecordId: z.uuid(),
  name: z.string(),
  reasons: z.array(z.enum(service.agendaReasons)),
  discussion: z.string(),
  decisions: z.string(),
  recorded: z.boolean(),
});
const meetingSchema = z.object({
  id: z.uuid(),
  heldOn: z.string(),
  closed: z.boolean(),
  minutes: z.string(),
  counts: z.object({
    total: z.number().int(),
    byReason: z.array(z.object({ reason: z.enum(service.agendaReasons), people: z.number().int() })),
  }),
  agenda: z.array(agendaSchema).describe('A page of the agenda by name (100 unless `limit` says otherwise)'),
  nextCursor: z.string().nullable(),
});

/** The hub's JSON API, under /api/v1/communities/{community}: the caseload, risk, actions and review meetings. */
export async function caseloadApi(
  app: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Hub caseload'];
  const agendaCursor = z.object({ name: cursorFields.text, id: cursorFields.id });
  /** A meeting, its counts and a page of its agenda (one more line read than shown, to tell whether there is a next). */
  const meetingAnswer = (
    meeting: { id: string; heldOn: string; closedAt: Date | null; minutes: string },
    rows: service.AgendaLine[],
    limit: number,
    counts: Awaited<ReturnType<typeof service.agendaCounts>>,
  ) => {
    const page = paginate(
      rows,
      limit,
      ({ sortName: _sortName, ...line }) => line,
      // The name as the database orders the agenda by, so that no one is skipped between pages.
      (last) => ({ name: last.sortName, id: last.entryId }),
    );
    return {
      id: meeting.id,
      heldOn: meeting.heldOn,
      closed: meeting.closedAt !== null,
      minutes: meeting.minutes,
      counts,
      agenda: page.items,
      nextCursor: page.nextCursor,
    };
  };
  const readMeeting = async (
    ...[tx, communityId, asker, meetingId, page]: [
      Parameters<Parameters<typeof inHub>[2]>[0],
      string,
      service.TeamAsker,
      string,
      { cursor?: string; limit: number },
    ]
  ) => {
    const meeting = await service.meetingFor(tx, communityId, meetingId, asker);
    const after = decodeCursor(page.cursor, agendaCursor);
    const rows = await service.agendaOf(tx, meeting.id, { limit: page.limit + 1, after });
    return meetingAnswer(meeting, rows, page.limit, await service.agendaCounts(tx, meeting.id));
  };
  const firstPage = { limit: 100 };

  api.get(
    '/caseload',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'The team’s caseload by name (the team; a peer supporter in it sees the people they work with)',
        params: communityParams,
        querystring: pageQuery.extend({ q: z.string().max(100).optional() }),
        response: { 200: pageOf(caseloadItem), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, _communityId, hub, asker) => {
        const after = decodeCursor(request.query.cursor, z.object({ name: cursorFields.text, id: cursorFields.id }));
        const rows = await service.listCaseload(tx, hub, asker, {
          search: request.query.q,
          after,
          limit: request.query.limit + 1,
        });
        return paginate(
          rows,
          request.query.limit,
          (row) => ({
            id: row.id,
            personRecordId: row.person_record_id,
            name: row.name,
            joinedAt: row.joined_at,
            keyContacts: row.key_contacts,
            openRiskFlags: row.open_flags,
            openActions: row.open_actions,
            lastContact: row.last_contact,
          }),
          // The cursor is PostgreSQL's own sort key, so the next page starts where this one ended.
          (last) => ({ name: last.sort_name, id: last.id }),
        );
      }),
  );
  api.post(
    '/caseload',
    {
      config: { access: hubStaff },
      schema: {
        tags,
        summary: 'Put someone on the team’s caseload (coordinators); once',
        params: communityParams,
        body: z.object({ personRecordId: z.uuid() }),
        response: {
          200: z.object({ id: z.uuid(), personRecordId: z.uuid() }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        const entry = await service.putOnCaseload(tx, communityId, hub, asker, request.body.personRecordId);
        return { id: entry.id, personRecordId: entry.personRecordId };
      }),
  );
  const settingsSchema = z.object({
    reviewDays: z.array(z.number().int()).describe('ISO days of the week (1 is Monday) the team reviews its caseload'),
    quietDays: z.number().int().describe('Days without contact that put someone on the agenda'),
  });
  api.get(
    '/hub/settings',
    {
      config: { access: hubStaff },
      schema: {
        tags,
        summary: 'The hub’s review days and quiet days (coordinators)',
        params: communityParams,
        response: { 200: settingsSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (_tx, _communityId, hub) => ({
        reviewDays: hub.reviewDays,
        quietDays: hub.quietDays,
      })),
  );
  api.put(
    '/hub/settings',
    {
      config: { access: hubStaff },
      schema: {
        tags,
        summary: 'Change the hub’s review days and quiet days (coordinators)',
        params: communityParams,
        body: service.hubSettings,
        response: { 200: settingsSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        const saved = await service.saveHubSettings(tx, communityId, hub, asker, request.body);
        return { reviewDays: saved.reviewDays, quietDays: saved.quietDays };
      }),
  );
  api.get(
    '/caseload/:entryId/risks',
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'A person’s risk flags: the clinical team reads the detail, a peer supporter the agreed approach; every read is audited',
        params: entryParams,
        response: { 200: z.object({ items: z.array(riskSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, _hub, asker) => ({
        items: await service.risksOf(tx, communityId, request.params.entryId, asker),
      })),
  );
  api.post(
    '/caseload/:entryId/risks',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Raise a risk flag with the approach agreed and a review date (the clinical team)',
        params: entryParams,
        body: service.newRisk,
        response: { 201: z.object({ id: z.uuid() }), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const flag = await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        service.raiseRisk(tx, communityId, request.params.entryId, asker, request.body),
      );
      return reply.code(201).send({ id: flag.id });
    },
  );
  api.post(
    '/caseload/:entryId/close',
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'Take someone off the caseload, saying why (the team’s clinical and coordinating members); their history stays',
        params: entryParams,
        body: service.closing,
        response: {
          200: z.object({ id: z.uuid(), personRecordId: z.uuid(), closedAt: z.date() }),
          ...problemResponses(400, 401, 404, 409),
        },
      },
    },
    async (request) => {
      const closed = await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        service.closeEntry(tx, communityId, request.params.entryId, asker, request.body),
      );
      return { id: closed.id, personRecordId: closed.personRecordId, closedAt: closed.closedAt ?? new Date() };
    },
  );
  api.post(
    '/caseload/:entryId/contacts',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Record that someone in the team was in touch',
        params: entryParams,
        body: service.contactNote,
        response: { 204: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        service.logCaseloadContact(tx, communityId, request.params.entryId, asker, request.body),
      );
      return reply.code(204).send(null);
    },
  );

  // ——— Actions ———
  api.get(
    '/actions',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Your actions not done yet, soonest first',
        params: communityParams,
        response: { 200: z.object({ items: z.array(actionSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, _communityId, _hub, asker) => {
        service.requireTeam(asker);
        return {
          items: asker.recordId
            ? (await service.actionsOwnedBy(tx, asker.recordId)).map((row) => ({
                id: row.id,
                description: row.description,
                dueOn: row.due_on,
                entryId: row.entry_id,
                name: row.name,
              }))
            : [],
        };
      }),
  );
  api.post(
    '/actions',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'An action for anyone in the team, for a person on the caseload. Send an `Idempotency-Key`',
        params: communityParams,
        body: service.newAction.extend({ entryId: z.uuid() }),
        response: { 201: actionSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => {
        const { entryId, ...action } = request.body;
        const made = await inHub(dependencies, request, (tx, communityId, hub, asker) =>
          service.createAction(tx, communityId, hub, entryId, asker, action),
        );
        return {
          status: 201,
          body: { id: made.id, description: made.description, dueOn: made.dueOn, entryId: made.entryId, done: false },
        };
      }),
  );
  api.post(
    '/actions/:actionId/done',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Mark an action done (its owner, or the team)',
        params: actionParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        service.completeAction(tx, communityId, request.params.actionId, asker),
      );
      return reply.code(204).send(null);
    },
  );

  // ——— Review meetings ———
  api.get(
    '/review-meetings',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'The team’s review meetings, newest first',
        params: communityParams,
        response: {
          200: z.object({
            items: z.array(
              z.object({ id: z.uuid(), heldOn: z.string(), closed: z.boolean(), discussed: z.number().int() }),
            ),
            nextReviewDay: z.string(),
          }),
          ...problemResponses(401, 404),
        },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, _communityId, hub, asker) => {
        service.requireTeam(asker);
        return {
          items: (await service.listMeetings(tx, hub, 50)).map((row) => ({
            id: row.id,
            heldOn: row.held_on,
            closed: row.closed_at !== null,
            discussed: row.discussed,
          })),
          nextReviewDay: service.nextReviewDay(hub.reviewDays, new Date().toISOString().slice(0, 10)),
        };
      }),
  );
  api.post(
    '/review-meetings',
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'Open the review meeting for a day (today unless given): its agenda builds itself; a second call finds the same meeting and brings its agenda up to date',
        params: communityParams,
        body: z.object({ heldOn: plainDate('errors.hub.date.invalid').optional() }).default({}),
        response: { 200: meetingSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        const meeting = await service.startMeeting(tx, communityId, hub, asker, request.body.heldOn);
        return readMeeting(tx, communityId, asker, meeting.id, firstPage);
      }),
  );
  api.get(
    '/review-meetings/:reviewMeetingId',
    {
      // The platform's three (the token with its person, begin with the scope, commit), then one statement for the meeting, its agenda and counts.
      config: { access: team, queryBudget: 4 },
      schema: {
        tags,
        summary:
          'A review meeting: how many people for each reason, and its agenda page by page (built when the meeting is opened; opening it again brings it up to date)',
        params: meetingParams,
        querystring: pageQuery,
        response: { 200: meetingSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inRequestCommunity(dependencies, request, async (tx, community) => {
        const { cursor, limit } = request.query;
        const who = { accountId: actorOf(request), roles: request.asker.roles };
        let after;
        try {
          after = decodeCursor(cursor, agendaCursor);
        } catch (error) {
          // Someone who may not see the meeting is told it does not exist, whatever the cursor.
          await service.meetingWithAgenda(tx, community.id, request.params.reviewMeetingId, who, { limit: 0 });
          throw error;
        }
        const shown = await service.meetingWithAgenda(tx, community.id, request.params.reviewMeetingId, who, {
          limit: limit + 1,
          after,
        });
        return meetingAnswer(shown.meeting, shown.rows, limit, shown.counts);
      }),
  );
  api.post(
    '/review-meetings/:reviewMeetingId/agenda',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Add someone on the caseload to the agenda',
        params: meetingParams,
        body: z.object({ entryId: z.uuid() }),
        response: { 200: meetingSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        await service.addToAgenda(tx, communityId, request.params.reviewMeetingId, request.body.entryId, asker);
        return readMeeting(tx, communityId, asker, request.params.reviewMeetingId, firstPage);
      }),
  );
  api.put(
    '/review-meetings/:reviewMeetingId/people/:entryId',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Record what was discussed and decided about one person, and an action if any, in one change',
        params: itemParams,
        body: service.itemRecord,
        response: { 200: meetingSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        await service.recordItem(
          tx,
          communityId,
          hub,
          request.params.reviewMeetingId,
          request.params.entryId,
          asker,
          request.body,
        );
        return readMeeting(tx, communityId, asker, request.params.reviewMeetingId, firstPage);
      }),
  );
  api.post(
    '/review-meetings/:reviewMeetingId/close',
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Close the meeting with its minutes: the agenda is kept as it stood',
        params: meetingParams,
        body: service.meetingClose,
        response: { 200: meetingSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, hub, asker) => {
        await service.closeMeeting(tx, communityId, hub, request.params.reviewMeetingId, asker, request.body);
        return readMeeting(tx, communityId, asker, request.params.reviewMeetingId, firstPage);
      }),
  );
}
