import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { randomUUID } from 'node:crypto';
import { actorOf, takeFlash } from '../../platform/http/community-request.ts';
import { oncePerForm } from '../../platform/http/idempotency.ts';
import { parseForm } from '../../platform/http/forms.ts';
import { cursorFields, decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import { DomainError, type FieldError } from '../../platform/http/problems.ts';
import { dateParts, plainDate, withDateFromParts } from '../../platform/fields.ts';
import { choices, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Services } from '../../services.ts';
import { activeRecordsWithAccount } from '../people/service.ts';
import { caseloadApi } from './api.ts';
import { budgetRoutes } from './budgets-routes.ts';
import * as budgets from './budgets.ts';
import {
  actionParams,
  communityParams,
  entryParams,
  flagParams,
  hubStaff,
  inHub,
  itemParams,
  meetingParams,
  team,
} from './requests.ts';
import * as service from './service.ts';

const formErrors = (error: unknown): FieldError[] | undefined =>
  error instanceof DomainError && error.status === 400
    ? error.fieldErrors.length
      ? error.fieldErrors
      : [{ field: 'form', code: 'errors.generic.invalid' }]
    : undefined;
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
export async function caseloadRoutes(parent: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/hub`;
  const within = <T>(request: FastifyRequest, work: Parameters<typeof inHub<T>>[2]) => inHub(services, request, work);

  // ——— Home ———
  app.get(
    '/c/:community/hub',
    { config: { access: team }, schema: { params: communityParams } },
    async (request, reply) => {
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
    },
  );

  // ——— The caseload ———
  app.get(
    '/c/:community/hub/caseload',
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
          ? `?${new URLSearchParams({ ...(request.query.q ? { q: request.query.q } : {}), cursor: encodeCursor({ name: last.name.toLowerCase(), id: last.id }) })}`
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
        budgets: asker.clinical ? await budgets.budgetsOf(tx, found.entry.id) : [],
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
  app.get(
    '/c/:community/hub/caseload/:entryId',
    { config: { access: team }, schema: { params: entryParams } },
    async (request, reply) => entryPage(request, reply),
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
  app.get(
    '/c/:community/hub/settings',
    { config: { access: hubStaff }, schema: { params: communityParams } },
    async (request, reply) => settingsPage(request, reply),
  );
  app.post(
    '/c/:community/hub/settings',
    { config: { access: hubStaff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const form = parseForm(service.hubSettings, body);
      if (!form.ok) return settingsPage(request, reply, body, form.errors);
      await within(request, (tx, communityId, hub, asker) =>
        service.saveHubSettings(tx, communityId, hub, asker, form.data),
      );
      request.session.flash = request.t('hub.settings.savedFlash');
      return reply.redirect(`${base(request)}/settings`, 303);
    },
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
    '/c/:community/hub/caseload/add',
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
    '/c/:community/hub/caseload',
    { config: { access: hubStaff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const form = parseForm(z.object({ personRecordId: z.uuid({ error: 'errors.hub.team.person.missing' }) }), body);
      if (!form.ok) return addPage(request, reply, String(body.q ?? ''), form.errors);
      const to = await oncePerForm(services.db, actorOf(request), body.formKey, async () => {
        const entry = await within(request, (tx, communityId, hub, asker) =>
          service.putOnCaseload(tx, communityId, hub, asker, form.data.personRecordId),
        );
        request.session.flash = request.t('hub.add.addedFlash');
        return `${base(request)}/caseload/${entry.id}`;
      });
      return reply.redirect(to, 303);
    },
  );
  const entryWrite = (
    path: string,
    flash: string,
    write: (
      request: FastifyRequest<{ Params: z.infer<typeof entryParams> }>,
      body: Record<string, unknown>,
    ) => {
      values: Record<string, unknown>;
      run?: (
        tx: Parameters<Parameters<typeof inHub>[2]>[0],
        communityId: string,
        hub: service.Hub,
        asker: service.TeamAsker,
      ) => Promise<unknown>;
      errors?: FieldError[];
    },
  ) =>
    app.post(
      `/c/:community/hub/caseload/:entryId/${path}`,
      { config: { access: team }, schema: { params: entryParams } },
      async (request, reply) => {
        const body: Record<string, unknown> = { ...(request.body as Record<string, unknown>), form: path };
        const prepared = write(request, body);
        if (prepared.errors || !prepared.run)
          return entryPage(request, reply, { ...prepared.values, form: path }, prepared.errors);
        const run = prepared.run;
        try {
          // A second press of the button (or a slow connection) does the work once.
          const to = await oncePerForm(services.db, actorOf(request), body.formKey, async () => {
            await within(request, (tx, communityId, hub, asker) => run(tx, communityId, hub, asker));
            request.session.flash = request.t(flash);
            return `${base(request)}/caseload/${request.params.entryId}`;
          });
          return reply.redirect(to, 303);
        } catch (error) {
          const errors = formErrors(error);
          if (errors) return entryPage(request, reply, { ...prepared.values, form: path }, errors);
          throw error;
        }
      },
    );
  entryWrite('close', 'hub.entry.closedFlash', (request, body) => {
    const form = parseForm(service.closing, { note: body.closeNote });
    return form.ok
      ? {
          values: body,
          run: (tx, communityId, _hub, asker) =>
            service.closeEntry(tx, communityId, request.params.entryId, asker, form.data),
        }
      : { values: body, errors: form.errors.map((error) => ({ ...error, field: 'closeNote' })) };
  });
  entryWrite('contacts', 'hub.entry.contactFlash', (request, body) => {
    const values = withDateFromParts(body, 'occurredOn');
    const form = parseForm(service.contactNote, values);
    return form.ok
      ? {
          values,
          run: (tx, communityId, _hub, asker) =>
            service.logCaseloadContact(tx, communityId, request.params.entryId, asker, form.data),
        }
      : { values, errors: form.errors };
  });
  entryWrite('actions', 'hub.action.createdFlash', (request, body) => {
    const { values, action } = actionFrom(body);
    const form = parseForm(service.newAction, action ?? {});
    return form.ok
      ? {
          values,
          run: (tx, communityId, hub, asker) =>
            service.createAction(tx, communityId, hub, request.params.entryId, asker, form.data),
        }
      : { values, errors: form.errors };
  });
  entryWrite('key-contacts', 'hub.entry.keyContactsFlash', (request, body) => {
    const ids = [body.personRecordIds ?? []].flat().map(String);
    const form = parseForm(
      z.object({
        personRecordIds: z
          .array(z.uuid({ error: 'errors.hub.keyContacts.notTeam' }))
          .max(10, 'errors.hub.keyContacts.notTeam'),
      }),
      { personRecordIds: ids },
    );
    return form.ok
      ? {
          values: body,
          run: (tx, communityId, hub, asker) =>
            service.setKeyContacts(tx, communityId, hub, request.params.entryId, asker, form.data.personRecordIds),
        }
      : { values: body, errors: form.errors };
  });
  entryWrite('risks', 'hub.risk.raisedFlash', (request, body) => {
    const values = withDateFromParts(body, 'reviewOn');
    const form = parseForm(service.newRisk, values);
    return form.ok
      ? {
          values,
          run: (tx, communityId, _hub, asker) =>
            service.raiseRisk(tx, communityId, request.params.entryId, asker, form.data),
        }
      : { values, errors: form.errors };
  });
  entryWrite('plan', 'hub.plan.addedFlash', (request, body) => {
    const form = parseForm(budgets.newGoal, body);
    return form.ok
      ? {
          values: body,
          run: (tx, communityId, _hub, asker) =>
            budgets.addPlanGoal(tx, communityId, request.params.entryId, asker, form.data),
        }
      : { values: body, errors: form.errors };
  });
  entryWrite('budgets', 'hub.budget.createdFlash', (request, body) => {
    const form = parseForm(budgets.newBudget, {
      source: body.source,
      allocatedPence: budgets.penceFromForm(body.allocated),
    });
    return form.ok
      ? {
          values: body,
          run: (tx, communityId, _hub, asker) =>
            budgets.createBudget(tx, communityId, request.params.entryId, asker, form.data),
        }
      : {
          values: body,
          errors: form.errors.map((error) =>
            error.field === 'allocatedPence' ? { ...error, field: 'allocated' } : error,
          ),
        };
  });
  app.post(
    '/c/:community/hub/risks/:flagId/close',
    { config: { access: team }, schema: { params: flagParams } },
    async (request, reply) => {
      const flag = await within(request, (tx, communityId, _hub, asker) =>
        service.closeRisk(tx, communityId, request.params.flagId, asker),
      );
      request.session.flash = request.t('hub.risk.closedFlash');
      return reply.redirect(`${base(request)}/caseload/${flag.entryId}`, 303);
    },
  );
  app.post(
    '/c/:community/hub/actions/:actionId/done',
    { config: { access: team }, schema: { params: actionParams } },
    async (request, reply) => {
      const action = await within(request, (tx, communityId, _hub, asker) =>
        service.completeAction(tx, communityId, request.params.actionId, asker),
      );
      request.session.flash = request.t('hub.action.doneFlash');
      const back =
        (request.body as Record<string, unknown> | undefined)?.back === 'home'
          ? `/c/${request.params.community}`
          : `${base(request)}/caseload/${action.entryId}`;
      return reply.redirect(back, 303);
    },
  );

  // ——— The team ———
  const teamPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, hub, asker) => {
      service.requireTeam(asker);
      const candidates = asker.staff ? await activeRecordsWithAccount(tx, communityId) : [];
      return { hub, members: await service.listTeam(tx, hub), candidates, staffView: asker.staff };
    });
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
  app.get(
    '/c/:community/hub/team',
    { config: { access: team }, schema: { params: communityParams } },
    async (request, reply) => teamPage(request, reply),
  );
  app.post(
    '/c/:community/hub/team',
    { config: { access: hubStaff }, schema: { params: communityParams } },
    async (request, reply) => {
      const form = parseForm(service.teamMemberDetails, request.body);
      if (!form.ok) return teamPage(request, reply, form.values, form.errors);
      try {
        await within(request, (tx, communityId, hub, asker) =>
          service.addTeamMember(tx, communityId, hub, asker.accountId, form.data),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return teamPage(request, reply, request.body as Record<string, unknown>, errors);
        throw error;
      }
      request.session.flash = request.t('hub.team.addedFlash');
      return reply.redirect(`${base(request)}/team`, 303);
    },
  );

  // ——— Review meetings ———
  app.post(
    '/c/:community/hub/review-meetings',
    { config: { access: team }, schema: { params: communityParams } },
    async (request, reply) => {
      const heldOn = z
        .object({ heldOn: plainDate('errors.hub.date.invalid').optional().catch(undefined) })
        .parse(request.body ?? {}).heldOn;
      const meeting = await within(request, (tx, communityId, hub, asker) =>
        service.startMeeting(tx, communityId, hub, asker, heldOn),
      );
      return reply.redirect(`${base(request)}/review-meetings/${meeting.id}`, 303);
    },
  );
  const meetingPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams>; Querystring: { find?: string; cursor?: string } }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const find = request.query.find?.trim();
    const after = decodeCursor(request.query.cursor, nameCursor);
    const page = await within(request, async (tx, communityId, hub, asker) => {
      const meeting = await service.meetingFor(tx, communityId, request.params.reviewMeetingId, asker);
      const rows = await service.agendaOf(tx, meeting.id, { limit: 51, after });
      return {
        hub,
        meeting,
        rows,
        counts: await service.agendaCounts(tx, meeting.id),
        found: find ? await service.listCaseload(tx, hub, asker, { search: find, limit: 10 }) : [],
      };
    });
    const agenda = page.rows.slice(0, 50);
    const last = agenda[agenda.length - 1];
    const next =
      page.rows.length > 50 && last
        ? `?cursor=${encodeCursor({ name: last.name.toLowerCase(), id: last.entryId })}`
        : null;
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
    '/c/:community/hub/review-meetings/:reviewMeetingId',
    { config: { access: team }, schema: { params: meetingParams, querystring: meetingQuery } },
    async (request, reply) => meetingPage(request, reply),
  );
  app.post(
    '/c/:community/hub/review-meetings/:reviewMeetingId/agenda',
    { config: { access: team }, schema: { params: meetingParams, querystring: meetingQuery } },
    async (request, reply) => {
      const form = parseForm(
        z.object({ entryId: z.uuid({ error: 'errors.hub.meeting.chooseSomeone' }) }),
        request.body,
      );
      if (!form.ok) return meetingPage(request, reply, form.values, form.errors);
      try {
        await within(request, (tx, communityId, _hub, asker) =>
          service.addToAgenda(tx, communityId, request.params.reviewMeetingId, form.data.entryId, asker),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return meetingPage(request, reply, form.data, errors);
        throw error;
      }
      request.session.flash = request.t('hub.meeting.addedFlash');
      return reply.redirect(`${base(request)}/review-meetings/${request.params.reviewMeetingId}`, 303);
    },
  );
  app.post(
    '/c/:community/hub/review-meetings/:reviewMeetingId/close',
    { config: { access: team }, schema: { params: meetingParams, querystring: meetingQuery } },
    async (request, reply) => {
      const form = parseForm(service.meetingClose, request.body);
      if (!form.ok) return meetingPage(request, reply, form.values, form.errors);
      try {
        await within(request, (tx, communityId, hub, asker) =>
          service.closeMeeting(tx, communityId, hub, request.params.reviewMeetingId, asker, form.data),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return meetingPage(request, reply, form.data, errors);
        throw error;
      }
      request.session.flash = request.t('hub.meeting.closedFlash');
      return reply.redirect(`${base(request)}/review-meetings/${request.params.reviewMeetingId}`, 303);
    },
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
    '/c/:community/hub/review-meetings/:reviewMeetingId/people/:entryId',
    { config: { access: team }, schema: { params: itemParams } },
    async (request, reply) => itemPage(request, reply, undefined),
  );
  app.post(
    '/c/:community/hub/review-meetings/:reviewMeetingId/people/:entryId',
    { config: { access: team }, schema: { params: itemParams } },
    async (request, reply) => {
      const { values, action } = actionFrom(request.body as Record<string, unknown>);
      const form = parseForm(service.itemRecord, {
        discussion: values.discussion,
        decisions: values.decisions,
        action,
      });
      const shown = (errors: FieldError[]) =>
        errors.map((error) => ({ ...error, field: error.field.replace(/^action\./, '') }));
      if (!form.ok) return itemPage(request, reply, values, shown(form.errors));
      try {
        await within(request, (tx, communityId, hub, asker) =>
          service.recordItem(
            tx,
            communityId,
            hub,
            request.params.reviewMeetingId,
            request.params.entryId,
            asker,
            form.data,
          ),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return itemPage(request, reply, values, shown(errors));
        throw error;
      }
      request.session.flash = request.t('hub.meeting.recordedFlash');
      return reply.redirect(`${base(request)}/review-meetings/${request.params.reviewMeetingId}`, 303);
    },
  );

  await caseloadApi(app, services);
  await budgetRoutes(app, services);
}
