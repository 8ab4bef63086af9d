import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { cursorFields, decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { type FieldError, invalid } from '../../platform/http/problems.ts';
import { dateParts, plainDate, withDateFromParts } from '../../platform/fields.ts';
import { choices, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as budgets from './budgets.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import {
  actionParams,
  entryParams,
  flagParams,
  hubStaff,
  inHub,
  itemParams,
  meetingParams,
  pathIn,
  team,
} from './asker.ts';
import * as service from './service.ts';

const nameCursor = z.object({ name: cursorFields.text, id: cursorFields.id });

/** The action boxes of a form (description, owner, due date) as an action, or nothing when all are empty. */
function actionFrom(body: Record<string, unknown>) {
  const withDue = withDateFromParts(body, 'dueOn');
  const given = [withDue.description, withDue.ownerRecordId, withDue.dueOn].some(
    (value) => typeof value === 'string' && value.trim() !== '',
  );
  return {
    values: withDue,
    action: given
      ? { description: withDue.description, ownerRecordId: withDue.ownerRecordId || undefined, dueOn: withDue.dueOn }
      : undefined,
  };
}

/** The hub team's pages: the caseload, a person on it, review meetings and their agenda, actions and risk. */
export async function caseloadRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const within = <T>(request: FastifyRequest, work: Parameters<typeof inHub<T>>[2]) =>
    inHub(dependencies, request, work);

  // ——— Home ———
  app.get('', { config: { access: team }, schema: { params: communityParams } }, async (request, reply) => {
    const page = await within(request, async (tx, _communityId, hub, asker) => {
      service.requireTeam(asker);
      return {
        hub,
        mine: asker.recordId ? await service.actionsOwnedBy(tx, asker.recordId) : [],
        meetings: await service.listMeetings(tx, hub, 6),
        nextDay: service.nextReviewDay(hub.reviewDays, ukDay()),
        asker,
      };
    });
    return render(request, reply, 'caseload/views/home.njk', {
      pageTitle: page.hub.name,
      ...page,
      today: ukDay(),
      flash: takeFlash(request),
    });
  });

  // ——— The caseload ———
  app.get(
    '/caseload',
    {
      config: { access: team },
      schema: {
        params: communityParams,
        querystring: z.object({
          q: z.string().max(100).optional().catch(undefined),
          cursor: z.string().max(500).optional(),
        }),
      },
    },
    async (request, reply) => {
      const after = decodeCursor(request.query.cursor, nameCursor);
      const rows = await within(request, (tx, _communityId, hub, asker) =>
        service.listCaseload(tx, hub, asker, { search: request.query.q?.trim() || undefined, after, limit: 51 }),
      );
      const page = rows.slice(0, 50);
      const last = page[page.length - 1];
      const next =
        rows.length > 50 && last
          ? `?${new URLSearchParams({ ...(request.query.q ? { q: request.query.q } : {}), cursor: encodeCursor({ name: last.sort_name, id: last.id }) })}`
          : null;
      return render(request, reply, 'caseload/views/caseload.njk', {
        pageTitle: request.t('hub.caseload.title'),
        rows: page,
        q: request.query.q ?? '',
        next,
      });
    },
  );

  const entryPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof entryParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, hub, asker) => {
      const found = await service.entryFor(tx, communityId, request.params.entryId, asker);
      return {
        ...found,
        asker,
        keyContacts: await service.keyContactsOf(tx, found.entry.id),
        risks: await service.risksOf(tx, communityId, found.entry.id, asker),
        actions: await service.actionsOfEntry(tx, found.entry.id),
        contacts: await service.contactsOfEntry(tx, found.entry.id),
        team: await service.listTeam(tx, hub),
        plan: await budgets.planOf(tx, found.entry.id),
        budgets: await budgets.budgetsSeenBy(tx, found.entry.id, asker),
      };
    });
    const keyIds = new Set(page.keyContacts.map((one) => one.person_record_id));
    return render(
      request,
      reply,
      'caseload/views/entry.njk',
      {
        pageTitle: page.person.preferredName,
        ...page,
        // `person` is the signed-in account on every page: the record is `record`.
        record: page.person,
        values,
        ownerItems: [
          { value: '', text: request.t('hub.action.chooseOwner') },
          ...page.team.map((one) => ({
            value: one.person_record_id,
            text: `${one.name} (${request.t(`hub.teamRoles.${one.team_role}`)})`,
            selected: values.ownerRecordId === one.person_record_id,
          })),
        ],
        keyItems: page.team.map((one) => ({
          value: one.person_record_id,
          text: one.name,
          checked: keyIds.has(one.person_record_id),
        })),
        dueParts: dateParts(values.dueOn),
        contactParts: dateParts(values.occurredOn ?? ukDay()),
        reviewParts: dateParts(values.reviewOn),
        formKeys: Object.fromEntries(
          ['contacts', 'actions', 'key-contacts', 'risks', 'plan', 'budgets', 'close'].map((name) => [
            name,
            randomUUID(),
          ]),
        ),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/caseload/:entryId', { config: { access: team }, schema: { params: entryParams } }, async (request, reply) =>
    entryPage(request, reply),
  );

  // The hub's rhythm: review days and quiet days (coordinators).
  const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;
  const settingsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const hub = await within(request, async (_tx, _communityId, found) => found);
    const shown = values ?? { reviewDays: hub.reviewDays.map(String), quietDays: hub.quietDays };
    const chosen = ([] as unknown[]).concat(shown.reviewDays ?? []).map(String);
    return render(
      request,
      reply,
      'caseload/views/settings.njk',
      {
        pageTitle: request.t('hub.settings.title'),
        hub,
        values: shown,
        dayItems: weekdays.map((day) => ({
          value: String(day),
          text: request.t(`hub.settings.weekdays.${day}`),
          checked: chosen.includes(String(day)),
        })),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/settings', { config: { access: hubStaff }, schema: { params: communityParams } }, async (request, reply) =>
    settingsPage(request, reply),
  );
  app.post('/settings', { config: { access: hubStaff }, schema: { params: communityParams } }, async (request, reply) =>
    submitForm(request, reply, {
      schema: service.hubSettings,
      page: (values, errors) => settingsPage(request, reply, values, errors),
      once: { db: dependencies.db, accountId: actorOf(request) },
      save: (data) =>
        within(request, (tx, communityId, hub, asker) => service.saveHubSettings(tx, communityId, hub, asker, data)),
      flash: request.t('hub.settings.savedFlash'),
      next: `${pathIn(request)}/settings`,
    }),
  );

  // Putting someone on the caseload: find their record, then one press.
  const addPage = async (request: FastifyRequest, reply: FastifyReply, q: string, errors?: FieldError[]) => {
    const people = q
      ? await within(request, (tx, communityId, hub) => service.candidatesFor(tx, communityId, hub, q))
      : [];
    return render(
      request,
      reply,
      'caseload/views/add.njk',
      { pageTitle: request.t('hub.add.title'), q, people, searched: q !== '', formKey: randomUUID(), errors },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/caseload/add',
    {
      config: { access: hubStaff },
      schema: {
        params: communityParams,
        querystring: z.object({ q: z.string().max(100).optional().catch(undefined) }),
      },
    },
    async (request, reply) => addPage(request, reply, request.query.q?.trim() ?? ''),
  );
  app.post(
    '/caseload',
    { config: { access: hubStaff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      return submitForm(request, reply, {
        schema: z.object({ personRecordId: z.uuid({ error: 'errors.hub.team.person.missing' }) }),
        page: (_values, errors) => addPage(request, reply, String(body.q ?? ''), errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, hub, asker) =>
            service.putOnCaseload(tx, communityId, hub, asker, data.personRecordId),
          ),
        flash: request.t('hub.add.addedFlash'),
        next: (entry) => `${pathIn(request)}/caseload/${entry.id}`,
      });
    },
  );
  const entryWrite = <Schema extends z.ZodType, Form extends string>(
    route: `/caseload/:entryId/${NoInfer<Form>}`,
    path: Form,
    flash: string,
    schema: Schema,
    write: (
      request: FastifyRequest<{ Params: z.infer<typeof entryParams> }>,
      body: Record<string, unknown>,
    ) => {
      values: Record<string, unknown>;
      /** What the schema checks, made from the form's boxes. */
      input: Record<string, unknown>;
      /** The errors as the page's fields name them. */
      shown?: (errors: FieldError[]) => FieldError[];
      run: (
        tx: Parameters<Parameters<typeof inHub>[2]>[0],
        communityId: string,
        hub: service.Hub,
        asker: service.TeamAsker,
        data: z.infer<Schema>,
      ) => Promise<unknown>;
    },
  ) =>
    app.post(route, { config: { access: team }, schema: { params: entryParams } }, async (request, reply) => {
      const body: Record<string, unknown> = { ...(request.body as Record<string, unknown>), form: path };
      const prepared = write(request, body);
      return submitForm(request, reply, {
        schema,
        body: { ...prepared.input, formKey: body.formKey },
        page: (_values, errors) =>
          entryPage(request, reply, { ...prepared.values, form: path }, prepared.shown?.(errors) ?? errors),
        // A second press of the button (or a slow connection) does the work once.
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, hub, asker) => prepared.run(tx, communityId, hub, asker, data)),
        flash: request.t(flash),
        next: `${pathIn(request)}/caseload/${request.params.entryId}`,
      });
    });
  entryWrite('/caseload/:entryId/close', 'close', 'hub.entry.closedFlash', service.closing, (request, body) => ({
    values: body,
    input: { note: body.closeNote },
    shown: (errors) => errors.map((error) => ({ ...error, field: 'closeNote' })),
    run: (tx, communityId, _hub, asker, data) =>
      service.closeEntry(tx, communityId, request.params.entryId, asker, data),
  }));
  entryWrite(
    '/caseload/:entryId/contacts',
    'contacts',
    'hub.entry.contactFlash',
    service.contactNote,
    (request, body) => {
      const values = withDateFromParts(body, 'occurredOn');
      return {
        values,
        input: values,
        run: (tx, communityId, _hub, asker, data) =>
          service.logCaseloadContact(tx, communityId, request.params.entryId, asker, data),
      };
    },
  );
  entryWrite('/caseload/:entryId/actions', 'actions', 'hub.action.createdFlash', service.newAction, (request, body) => {
    const { values, action } = actionFrom(body);
    return {
      values,
      input: action ?? {},
      run: (tx, communityId, hub, asker, data) =>
        service.createAction(tx, communityId, hub, request.params.entryId, asker, data),
    };
  });
  entryWrite(
    '/caseload/:entryId/key-contacts',
    'key-contacts',
    'hub.entry.keyContactsFlash',
    z.object({
      personRecordIds: z
        .array(z.uuid({ error: 'errors.hub.keyContacts.notTeam' }))
        .max(10, 'errors.hub.keyContacts.notTeam'),
    }),
    (request, body) => ({
      values: body,
      input: { personRecordIds: [body.personRecordIds ?? []].flat().map(String) },
      run: (tx, communityId, hub, asker, data) =>
        service.setKeyContacts(tx, communityId, hub, request.params.entryId, asker, data.personRecordIds),
    }),
  );
  entryWrite('/caseload/:entryId/risks', 'risks', 'hub.risk.raisedFlash', service.newRisk, (request, body) => {
    const values = withDateFromParts(body, 'reviewOn');
    return {
      values,
      input: values,
      run: (tx, communityId, _hub, asker, data) =>
        service.raiseRisk(tx, communityId, request.params.entryId, asker, data),
    };
  });
  entryWrite('/caseload/:entryId/plan', 'plan', 'hub.plan.addedFlash', budgets.newGoal, (request, body) => ({
    values: body,
    input: body,
    run: (tx, communityId, _hub, asker, data) =>
      budgets.addPlanGoal(tx, communityId, request.params.entryId, asker, data),
  }));
  entryWrite(
    '/caseload/:entryId/budgets',
    'budgets',
    'hub.budget.createdFlash',
    budgets.newBudget,
    (request, body) => ({
      values: body,
      input: { source: body.source, allocatedPence: budgets.penceFromForm(body.allocated) },
      shown: (errors) =>
        errors.map((error) => (error.field === 'allocatedPence' ? { ...error, field: 'allocated' } : error)),
      run: (tx, communityId, _hub, asker, data) =>
        budgets.createBudget(tx, communityId, request.params.entryId, asker, data),
    }),
  );
  /** A button, with nothing to get wrong: a refusal is the error page, as it always was. */
  const pressed = <Result>(
    request: FastifyRequest,
    reply: FastifyReply,
    form: { save: () => Promise<Result>; flash: string; next: (done: Result) => string },
  ) =>
    submitForm(request, reply, {
      schema: z.object({}),
      page: (_values, errors) => {
        throw invalid(errors);
      },
      once: { db: dependencies.db, accountId: actorOf(request) },
      ...form,
    });
  app.post(
    '/risks/:flagId/close',
    { config: { access: team }, schema: { params: flagParams } },
    async (request, reply) =>
      pressed(request, reply, {
        save: () =>
          within(request, (tx, communityId, _hub, asker) =>
            service.closeRisk(tx, communityId, request.params.flagId, asker),
          ),
        flash: request.t('hub.risk.closedFlash'),
        next: (flag) => `${pathIn(request)}/caseload/${flag.entryId}`,
      }),
  );
  app.post(
    '/actions/:actionId/done',
    { config: { access: team }, schema: { params: actionParams } },
    async (request, reply) =>
      pressed(request, reply, {
        save: () =>
          within(request, (tx, communityId, _hub, asker) =>
            service.completeAction(tx, communityId, request.params.actionId, asker),
          ),
        flash: request.t('hub.action.doneFlash'),
        next: (action) =>
          (request.body as Record<string, unknown> | undefined)?.back === 'home'
            ? `/c/${request.params.community}`
            : `${pathIn(request)}/caseload/${action.entryId}`,
      }),
  );

  // ——— The team ———
  const teamPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, (tx, communityId, hub, asker) => service.teamPage(tx, communityId, hub, asker));
    return render(
      request,
      reply,
      'caseload/views/team.njk',
      {
        pageTitle: request.t('hub.team.title'),
        ...page,
        values,
        personItems: [
          { value: '', text: request.t('hub.team.choose') },
          ...page.candidates.map((one) => ({
            value: one.id,
            text: one.name,
            selected: values.personRecordId === one.id,
          })),
        ],
        roleItems: choices(request, 'hub.teamRoles', service.teamRoles, values.teamRole),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/team', { config: { access: team }, schema: { params: communityParams } }, async (request, reply) =>
    teamPage(request, reply),
  );
  app.post('/team', { config: { access: hubStaff }, schema: { params: communityParams } }, async (request, reply) =>
    submitForm(request, reply, {
      schema: service.teamMemberDetails,
      page: (values, errors) => teamPage(request, reply, values, errors),
      once: { db: dependencies.db, accountId: actorOf(request) },
      save: (data) =>
        within(request, (tx, communityId, hub, asker) =>
          service.addTeamMember(tx, communityId, hub, asker.accountId, data),
        ),
      flash: request.t('hub.team.addedFlash'),
      next: `${pathIn(request)}/team`,
    }),
  );

  // ——— Review meetings ———
  app.post(
    '/review-meetings',
    { config: { access: team }, schema: { params: communityParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: z.object({ heldOn: plainDate('errors.hub.date.invalid').optional().catch(undefined) }),
        // A day that is not a day is today's meeting: nothing to get wrong, a refusal is the error page.
        page: (_values, errors) => {
          throw invalid(errors);
        },
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: ({ heldOn }) =>
          within(request, (tx, communityId, hub, asker) => service.startMeeting(tx, communityId, hub, asker, heldOn)),
        next: (meeting) => `${pathIn(request)}/review-meetings/${meeting.id}`,
      }),
  );
  const meetingPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams>; Querystring: { find?: string; cursor?: string } }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const find = request.query.find?.trim();
    const after = decodeCursor(request.query.cursor, nameCursor);
    const page = await inRequestCommunity(dependencies, request, async (tx, community) => {
      const { asker, ...shown } = await service.meetingWithAgenda(
        tx,
        community.id,
        request.params.reviewMeetingId,
        { accountId: actorOf(request), roles: request.asker.roles },
        { limit: 51, after },
      );
      return {
        ...shown,
        found: find ? await service.listCaseload(tx, shown.hub, asker, { search: find, limit: 10 }) : [],
      };
    });
    const agenda = page.rows.slice(0, 50);
    const last = agenda[agenda.length - 1];
    const next =
      page.rows.length > 50 && last ? `?cursor=${encodeCursor({ name: last.sortName, id: last.entryId })}` : null;
    return render(
      request,
      reply,
      'caseload/views/meeting.njk',
      {
        pageTitle: request.t('hub.meeting.title', { date: page.meeting.heldOn }),
        ...page,
        agenda,
        next,
        find: find ?? '',
        values,
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  const meetingQuery = z.object({
    find: z.string().max(100).optional().catch(undefined),
    cursor: z.string().max(500).optional(),
  });
  app.get(
    '/review-meetings/:reviewMeetingId',
    {
      // The platform's three (the session with its person, begin with the scope, commit), then one statement for the meeting, its agenda and counts.
      config: { access: team, queryBudget: 4 },
      schema: { params: meetingParams, querystring: meetingQuery },
    },
    async (request, reply) => meetingPage(request, reply),
  );
  app.post(
    '/review-meetings/:reviewMeetingId/agenda',
    { config: { access: team }, schema: { params: meetingParams, querystring: meetingQuery } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: z.object({ entryId: z.uuid({ error: 'errors.hub.meeting.chooseSomeone' }) }),
        page: (values, errors) => meetingPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, _hub, asker) =>
            service.addToAgenda(tx, communityId, request.params.reviewMeetingId, data.entryId, asker),
          ),
        flash: request.t('hub.meeting.addedFlash'),
        next: `${pathIn(request)}/review-meetings/${request.params.reviewMeetingId}`,
      }),
  );
  app.post(
    '/review-meetings/:reviewMeetingId/close',
    { config: { access: team }, schema: { params: meetingParams, querystring: meetingQuery } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.meetingClose,
        page: (values, errors) => meetingPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, hub, asker) =>
            service.closeMeeting(tx, communityId, hub, request.params.reviewMeetingId, asker, data),
          ),
        flash: request.t('hub.meeting.closedFlash'),
        next: `${pathIn(request)}/review-meetings/${request.params.reviewMeetingId}`,
      }),
  );
  const itemPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof itemParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> | undefined,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, hub, asker) => {
      const meeting = await service.meetingFor(tx, communityId, request.params.reviewMeetingId, asker);
      const found = await service.entryFor(tx, communityId, request.params.entryId, asker);
      const [line] = await service.agendaOf(tx, meeting.id, { limit: 1, entryId: found.entry.id });
      return {
        meeting,
        ...found,
        line,
        team: await service.listTeam(tx, hub),
        risks: await service.risksOf(tx, communityId, found.entry.id, asker),
        actions: await service.actionsOfEntry(tx, found.entry.id),
      };
    });
    const shown = values ?? { discussion: page.line?.discussion ?? '', decisions: page.line?.decisions ?? '' };
    return render(
      request,
      reply,
      'caseload/views/item.njk',
      {
        pageTitle: page.person.preferredName,
        ...page,
        // `person` is the signed-in account on every page: the record is `record`.
        record: page.person,
        values: shown,
        ownerItems: [
          { value: '', text: request.t('hub.action.chooseOwner') },
          ...page.team.map((one) => ({
            value: one.person_record_id,
            text: `${one.name} (${request.t(`hub.teamRoles.${one.team_role}`)})`,
            selected: shown.ownerRecordId === one.person_record_id,
          })),
        ],
        dueParts: dateParts(shown.dueOn),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/review-meetings/:reviewMeetingId/people/:entryId',
    { config: { access: team }, schema: { params: itemParams } },
    async (request, reply) => itemPage(request, reply, undefined),
  );
  app.post(
    '/review-meetings/:reviewMeetingId/people/:entryId',
    { config: { access: team }, schema: { params: itemParams } },
    async (request, reply) => {
      const { values, action } = actionFrom(request.body as Record<string, unknown>);
      const shown = (errors: FieldError[]) =>
        errors.map((error) => ({ ...error, field: error.field.replace(/^action\./, '') }));
      return submitForm(request, reply, {
        schema: service.itemRecord,
        body: { discussion: values.discussion, decisions: values.decisions, action, formKey: values.formKey },
        page: (_values, errors) => itemPage(request, reply, values, shown(errors)),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, hub, asker) =>
            service.recordItem(
              tx,
              communityId,
              hub,
              request.params.reviewMeetingId,
              request.params.entryId,
              asker,
              data,
            ),
          ),
        flash: request.t('hub.meeting.recordedFlash'),
        next: `${pathIn(request)}/review-meetings/${request.params.reviewMeetingId}`,
      });
    },
  );
}
