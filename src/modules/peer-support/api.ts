// One-to-one peer support's JSON API, under /api/v1/communities/{community}/.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../platform/csv.ts';
import { z } from 'zod';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, paginate, pageOf, pageQuery } from '../../platform/http/pagination.ts';
import { notFound } from '../../platform/http/problems.ts';
import { plainDate } from '../../platform/fields.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import {
  contactParams,
  episodeParams,
  endingIn,
  episodeSides,
  goalParams,
  inSupport,
  programmeParams,
  supporters,
  supportStaff,
  timesheetParams,
} from './asker.ts';
import * as service from './service.ts';

const goalSchema = z.object({
  id: z.uuid(),
  text: z.string(),
  byPerson: z.boolean().describe('Added by the person themselves'),
  addedAt: z.date(),
});
const contactSchema = z.object({
  id: z.uuid(),
  occurredOn: z.string(),
  minutes: z.number().int(),
  mode: z.enum(service.contactModes),
  whatWasDone: z.string(),
  progress: z.string(),
});
/** A contact as the API shows it. */
const contactOut = ({ id, occurredOn, minutes, mode, whatWasDone, progress }: z.infer<typeof contactSchema>) => ({
  id,
  occurredOn,
  minutes,
  mode,
  whatWasDone,
  progress,
});
const episodeSchema = z.object({
  id: z.uuid(),
  programmeId: z.uuid(),
  personRecordId: z.uuid(),
  person: z.string(),
  supporterRecordId: z.uuid(),
  supporter: z.string(),
  startsOn: z.string(),
  plannedWeeks: z.number().int(),
  plannedEnd: z.string(),
  minutesPerWeek: z.number().int().describe('The hours allowed each week, in minutes'),
  status: z.enum(['active', 'ended']),
  endedOn: z.string().nullable(),
  reviewHeldOn: z.string().nullable(),
  whatChanged: z.string(),
  whereNext: z.array(z.string()),
  summaryOutcome: z
    .enum(['sent', 'no_consent', 'no_referrer', 'not_asked'])
    .nullable()
    .describe('Whether the referrer was sent the ending summary, and if not why'),
  goals: z.array(goalSchema),
});
const listItemSchema = z.object({
  id: z.uuid(),
  personRecordId: z.uuid(),
  person: z.string(),
  supporterRecordId: z.uuid(),
  supporter: z.string(),
  startsOn: z.string(),
  plannedEnd: z.string(),
  status: z.enum(['active', 'ended']),
  lastContact: z.string().nullable(),
  minutesThisWeek: z.number().int(),
});
const lineSchema = z.object({
  episodeId: z.uuid(),
  person: z.string(),
  minutesPerWeek: z.number().int(),
  minutes: z.number().int(),
  contacts: z.number().int(),
  over: z.boolean(),
});
const timesheetSchema = z.object({
  id: z.uuid(),
  supporterRecordId: z.uuid(),
  supporter: z.string(),
  weekStarting: z.string(),
  status: z.enum(['submitted', 'approved', 'returned']),
  totalMinutes: z.number().int(),
  overBudget: z.boolean(),
  note: z.string(),
  decisionNote: z.string(),
  lines: z.array(lineSchema),
});

/** One-to-one peer support's JSON API, under /api/v1/communities/{community}. */
export async function supportApi(
  app: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['One-to-one peer support'];
  const readEpisode = async (
    tx: CommunityTransaction,
    communityId: string,
    episodeId: string,
    asker: service.Asker,
  ): Promise<z.infer<typeof episodeSchema>> => {
    const found = await service.episodeFor(tx, communityId, episodeId, asker);
    const { episode } = found;
    return {
      id: episode.id,
      programmeId: episode.programmeId,
      personRecordId: episode.personRecordId,
      person: found.person,
      supporterRecordId: episode.supporterRecordId,
      supporter: found.supporter,
      startsOn: episode.startsOn,
      plannedWeeks: episode.plannedWeeks,
      plannedEnd: found.plannedEnd,
      minutesPerWeek: episode.minutesPerWeek,
      status: episode.status,
      endedOn: episode.endedOn,
      reviewHeldOn: episode.reviewHeldOn,
      whatChanged: episode.whatChanged,
      whereNext: episode.whereNext,
      summaryOutcome: episode.summaryOutcome,
      goals: (await service.goalsOf(tx, episode.id)).map(({ id, text, byPerson, addedAt }) => ({
        id,
        text,
        byPerson,
        addedAt,
      })),
    };
  };
  const readTimesheet = async (
    tx: CommunityTransaction,
    communityId: string,
    timesheetId: string,
    asker: service.Asker,
  ): Promise<z.infer<typeof timesheetSchema>> => {
    const found = await service.timesheetFor(tx, communityId, timesheetId, asker);
    const { sheet } = found;
    return {
      id: sheet.id,
      supporterRecordId: sheet.supporterRecordId,
      supporter: found.supporter,
      weekStarting: sheet.weekStarting,
      status: sheet.status,
      totalMinutes: sheet.totalMinutes,
      overBudget: sheet.overBudget,
      note: sheet.note,
      decisionNote: sheet.decisionNote,
      lines: found.lines,
    };
  };

  // ——— Episodes ———
  api.get(
    '/episodes',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'Episodes: all for coordinators; a supporter’s own people; a person’s own',
        params: communityParams,
        querystring: pageQuery.extend({ status: z.enum(['active', 'ended']).optional() }),
        response: { 200: pageOf(listItemSchema), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        const after = decodeCursor(request.query.cursor, z.object({ id: cursorFields.id }));
        const rows = await service.listEpisodes(tx, communityId, asker, {
          status: request.query.status,
          after: after?.id,
          limit: request.query.limit + 1,
        });
        return paginate(
          rows,
          request.query.limit,
          (row) => ({
            id: row.id,
            personRecordId: row.person_record_id,
            person: row.person,
            supporterRecordId: row.supporter_record_id,
            supporter: row.supporter,
            startsOn: row.starts_on,
            plannedEnd: row.planned_end,
            status: row.status,
            lastContact: row.last_contact,
            minutesThisWeek: row.minutes_this_week,
          }),
          (last) => ({ id: last.id }),
        );
      }),
  );
  api.post(
    '/episodes',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary:
          'Start an episode: a person and a peer supporter (coordinators). Weeks and hours default to the programme’s (12 weeks, 2 hours a week). Send an `Idempotency-Key`',
        params: communityParams,
        body: service.newEpisode,
        response: { 201: episodeSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inSupport(dependencies, request, async (tx, communityId, asker) =>
          readEpisode(
            tx,
            communityId,
            (await service.startEpisode(tx, communityId, asker.accountId, request.body)).id,
            asker,
          ),
        ),
      })),
  );
  api.put(
    '/episode-contacts/:contactId',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'Correct a contact (its supporter, coordinators) while its week is not sent',
        params: contactParams,
        body: service.newContact,
        response: { 200: contactSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, (tx, communityId, asker) =>
        service.updateContact(tx, communityId, request.params.contactId, asker, request.body),
      ),
  );
  api.put(
    '/episode-goals/:goalId',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'Change a goal’s words: the person any of theirs; the supporter and coordinators the ones they wrote',
        params: goalParams,
        body: service.newGoal,
        response: { 200: goalSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, (tx, communityId, asker) =>
        service.updateGoal(tx, communityId, request.params.goalId, asker, request.body),
      ),
  );
  const settingsSchema = z.object({ plannedWeeks: z.number().int(), minutesPerWeek: z.number().int() });
  api.get(
    '/support-programmes/:supportProgrammeId/settings',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary: 'A peer support programme’s defaults for new episodes (coordinators)',
        params: programmeParams,
        response: { 200: settingsSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId) => {
        if (
          !(await service.supportProgrammes(tx, communityId)).some(
            (one) => one.id === request.params.supportProgrammeId,
          )
        )
          throw notFound();
        return service.settingsOf(tx, request.params.supportProgrammeId);
      }),
  );
  api.put(
    '/support-programmes/:supportProgrammeId/settings',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary: 'Change a peer support programme’s defaults (coordinators); episodes under way keep theirs',
        params: programmeParams,
        body: service.settingsChange,
        response: { 200: settingsSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, (tx, communityId, asker) =>
        service.saveSettings(tx, communityId, request.params.supportProgrammeId, asker.accountId, request.body),
      ),
  );
  api.get(
    '/episodes/:episodeId',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'One episode with its goals (its person, its supporter, coordinators)',
        params: episodeParams,
        response: { 200: episodeSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, (tx, communityId, asker) =>
        readEpisode(tx, communityId, request.params.episodeId, asker),
      ),
  );
  api.get(
    '/episodes/:episodeId/contacts',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'The contacts logged, newest first',
        params: episodeParams,
        response: { 200: z.object({ items: z.array(contactSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        // The supporter's notes are not the person's to read: their goals are.
        if ((await service.episodeFor(tx, communityId, request.params.episodeId, asker)).role === 'person')
          throw notFound();
        return {
          items: (await service.contactsOf(tx, request.params.episodeId)).map(contactOut),
        };
      }),
  );
  api.post(
    '/episodes/:episodeId/contacts',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary:
          'Log a contact (the supporter, coordinators). A week whose timesheet is in takes no more. Send an `Idempotency-Key`',
        params: episodeParams,
        body: service.newContact,
        response: { 201: contactSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => {
        const made = await inSupport(dependencies, request, (tx, communityId, asker) =>
          service.logContact(tx, communityId, request.params.episodeId, asker, request.body),
        );
        return {
          status: 201,
          body: contactOut(made),
        };
      }),
  );
  api.post(
    '/episodes/:episodeId/goals',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'Add a goal: the person (marked as theirs), their supporter or a coordinator',
        params: episodeParams,
        body: service.newGoal,
        response: { 200: episodeSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        await service.addGoal(tx, communityId, request.params.episodeId, asker, request.body);
        return readEpisode(tx, communityId, request.params.episodeId, asker);
      }),
  );
  api.post(
    '/episodes/:episodeId/end',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary:
          'End an episode: the review, what changed, where next; `tellReferrer` sends the referrer a summary only when the person agreed (see `summaryOutcome`)',
        params: episodeParams,
        body: service.ending,
        response: { 200: episodeSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        await service.endEpisode(
          tx,
          endingIn(dependencies, request, communityId),
          request.params.episodeId,
          asker,
          request.body,
        );
        return readEpisode(tx, communityId, request.params.episodeId, asker);
      }),
  );

  // ——— Timesheets ———
  api.get(
    '/timesheets',
    {
      config: { access: supporters },
      schema: {
        tags,
        summary: 'Timesheets: a supporter’s own; everyone’s for coordinators (waiting ones first)',
        params: communityParams,
        querystring: z.object({ status: z.enum(['submitted', 'approved', 'returned']).optional() }),
        response: {
          200: z.object({ items: z.array(timesheetSchema.omit({ lines: true, note: true })) }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => ({
        items: (await service.listTimesheets(tx, communityId, asker, { status: request.query.status, limit: 200 })).map(
          (row) => ({
            id: row.id,
            supporterRecordId: row.supporter_record_id,
            supporter: row.supporter,
            weekStarting: row.week_starting,
            status: row.status,
            totalMinutes: row.total_minutes,
            overBudget: row.over_budget,
            decisionNote: row.decision_note,
          }),
        ),
      })),
  );
  api.post(
    '/timesheets',
    {
      config: { access: supporters },
      schema: {
        tags,
        summary:
          'Submit a week (Monday) of your contacts as a timesheet; a returned week is submitted again; twice is once',
        params: communityParams,
        body: service.timesheetSubmission,
        response: { 200: timesheetSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        const sheet = await service.submitTimesheet(tx, communityId, asker, request.body);
        return readTimesheet(tx, communityId, sheet.id, asker);
      }),
  );
  api.get(
    '/timesheets/:timesheetId',
    {
      config: { access: episodeSides },
      schema: {
        tags,
        summary: 'One timesheet with its lines per person and the hours each allows',
        params: timesheetParams,
        response: { 200: timesheetSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, (tx, communityId, asker) =>
        readTimesheet(tx, communityId, request.params.timesheetId, asker),
      ),
  );
  api.post(
    '/timesheets/:timesheetId/approve',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary:
          'Approve a timesheet (coordinators). One over budget needs `approveOverBudget: true` and a `note` saying why',
        params: timesheetParams,
        body: service.timesheetDecision,
        response: { 200: timesheetSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        await service.approveTimesheet(tx, communityId, asker, request.params.timesheetId, request.body);
        return readTimesheet(tx, communityId, request.params.timesheetId, asker);
      }),
  );
  api.post(
    '/timesheets/:timesheetId/return',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary: 'Return a timesheet to its supporter with the reason (coordinators)',
        params: timesheetParams,
        body: service.timesheetReturn,
        response: { 200: timesheetSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inSupport(dependencies, request, async (tx, communityId, asker) => {
        await service.returnTimesheet(tx, communityId, asker, request.params.timesheetId, request.body);
        return readTimesheet(tx, communityId, request.params.timesheetId, asker);
      }),
  );
  api.get(
    '/timesheets/payroll',
    {
      config: { access: supportStaff },
      schema: {
        tags,
        summary: 'Approved hours for payroll as CSV: one row per supporter and week starting in the range',
        params: communityParams,
        querystring: z.object({
          from: plainDate('errors.support.date.invalid'),
          to: plainDate('errors.support.date.invalid'),
        }),
        response: { 200: z.string().describe('text/csv'), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const rows = await inSupport(dependencies, request, (tx, communityId) =>
        service.payrollRows(tx, communityId, request.query),
      );
      if (!rows) throw notFound();
      const header = [
        'supporter',
        'supporter_number',
        'week_starting',
        'minutes',
        'hours',
        'approved_by',
        'approved_on',
        'over_budget',
        'note',
      ];
      return sendCsv(reply, [header, ...rows.map((row) => service.payrollLine(row, { yes: 1, no: '' }))]);
    },
  );
}
