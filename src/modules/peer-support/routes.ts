import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../platform/csv.ts';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { DomainError, type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import { dateParts, minutesFromForm, withDateFromParts } from '../../platform/fields.ts';
import { choices, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { consentState, mayTellReferrer } from '../people/consent.ts';
import {
  contactParams,
  episodeParams,
  endingIn,
  episodeSides,
  goalParams,
  inSupport,
  pathIn,
  programmeParams,
  supporters,
  supportStaff,
  timesheetParams,
} from './asker.ts';
import * as service from './service.ts';

const lines = (value: unknown) =>
  String(value ?? '')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
/** The last twelve months, for payroll. */
const recentMonths = () =>
  Array.from({ length: 12 }, (_, back) =>
    new Date(Date.UTC(new Date().getUTCFullYear(), new Date().getUTCMonth() - back, 1)).toISOString().slice(0, 7),
  );

/** One-to-one peer support's pages: episodes, contacts, goals, endings and timesheets. */
export async function supportRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const within = <T>(request: FastifyRequest, work: Parameters<typeof inSupport<T>>[2]) =>
    inSupport(dependencies, request, work);

  // ——— Home ———
  app.get('', { config: { access: access.anyMember }, schema: { params: communityParams } }, async (request, reply) => {
    const page = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.supportHome(tx, community.id, request.asker),
    );
    return render(request, reply, 'peer-support/views/home.njk', {
      pageTitle: request.t('support.home.title'),
      ...page,
      today: ukDay(),
      flash: takeFlash(request),
    });
  });

  // ——— A programme's defaults (coordinators) ———
  const settingsPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof programmeParams> }>,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId) => {
      const programme = (await service.supportProgrammes(tx, communityId)).find(
        (one) => one.id === request.params.supportProgrammeId,
      );
      if (!programme) throw notFound();
      return { programme, settings: await service.settingsOf(tx, programme.id) };
    });
    const shown = values ?? {
      plannedWeeks: page.settings.plannedWeeks,
      timeHours: Math.floor(page.settings.minutesPerWeek / 60),
      timeMinutes: page.settings.minutesPerWeek % 60,
    };
    return render(
      request,
      reply,
      'peer-support/views/settings.njk',
      {
        pageTitle: request.t('support.settings.title', { programme: page.programme.name }),
        ...page,
        values: shown,
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/programmes/:supportProgrammeId/settings',
    { config: { access: supportStaff }, schema: { params: programmeParams } },
    async (request, reply) => settingsPage(request, reply),
  );
  app.post(
    '/programmes/:supportProgrammeId/settings',
    { config: { access: supportStaff }, schema: { params: programmeParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.settingsChange,
        body: { plannedWeeks: body.plannedWeeks, minutesPerWeek: minutesFromForm(body), formKey: body.formKey },
        page: (_values, errors) =>
          settingsPage(
            request,
            reply,
            body,
            errors.map((error) => (error.field === 'minutesPerWeek' ? { ...error, field: 'minutes' } : error)),
          ),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          within(request, (tx, communityId) =>
            service.saveSettings(tx, communityId, request.params.supportProgrammeId, actorId, data),
          ),
        flash: request.t('support.settings.savedFlash'),
        next: `${pathIn(request)}/programmes/${request.params.supportProgrammeId}/settings`,
      });
    },
  );

  // ——— Starting an episode ———
  const episodeFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId) => ({
      programmes: (await service.supportProgrammes(tx, communityId)).filter((one) => one.status === 'open'),
      waiting: await service.waitingForSupporter(tx, communityId),
      supporters: await service.supporterChoices(tx, communityId),
    }));
    const choose = { value: '', text: request.t('support.episodeForm.choose') };
    return render(
      request,
      reply,
      'peer-support/views/episode-form.njk',
      {
        pageTitle: request.t('support.episodeForm.title'),
        values,
        programmeItems: page.programmes.map((one) => ({
          value: one.id,
          text: one.name,
          checked: values.programmeId === one.id || page.programmes.length === 1,
        })),
        personItems: [
          choose,
          ...page.waiting.map((one) => ({
            value: one.person_record_id,
            text: `${one.name} (${one.programme})`,
            selected: values.personRecordId === one.person_record_id,
          })),
        ],
        supporterItems: [
          choose,
          ...page.supporters.map((one) => ({
            value: one.id,
            text: one.name,
            selected: values.supporterRecordId === one.id,
          })),
        ],
        startsOnParts: dateParts(values.startsOn),
        defaults: service.defaults,
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/episodes/new',
    {
      config: { access: supportStaff },
      schema: { params: communityParams, querystring: z.object({ person: z.uuid().optional().catch(undefined) }) },
    },
    async (request, reply) =>
      episodeFormPage(request, reply, {
        personRecordId: request.query.person,
        startsOn: ukDay(),
        plannedWeeks: String(service.defaults.plannedWeeks),
        timeHours: '2',
      }),
  );
  app.post(
    '/episodes/new',
    { config: { access: supportStaff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'startsOn');
      const input = {
        ...body,
        plannedWeeks:
          body.plannedWeeks === '' || body.plannedWeeks === undefined ? undefined : Number(body.plannedWeeks),
        minutesPerWeek: minutesFromForm(body),
        goals: lines(body.goals),
      };
      const shown = (errors: FieldError[]) =>
        errors.map((error) =>
          error.field === 'minutesPerWeek'
            ? { ...error, field: 'time' }
            : error.field.startsWith('goals')
              ? { ...error, field: 'goals' }
              : error,
        );
      return submitForm(request, reply, {
        schema: service.newEpisode,
        body: input,
        page: (_values, errors) => episodeFormPage(request, reply, body, shown(errors)),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId) => service.startEpisode(tx, communityId, actorOf(request), data)),
        flash: request.t('support.episodeForm.startedFlash'),
        next: (episode) => `${pathIn(request)}/episodes/${episode.id}`,
      });
    },
  );

  // ——— An episode ———
  const episodePage = async (
    request: FastifyRequest<{ Params: z.infer<typeof episodeParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, asker) => {
      const found = await service.episodeFor(tx, communityId, request.params.episodeId, asker);
      return {
        ...found,
        goals: await service.goalsOf(tx, found.episode.id),
        contacts: await service.contactsOf(tx, found.episode.id),
        reach: found.role === 'person' ? null : await service.contactDetailsFor(tx, communityId, found.episode),
        changeable:
          found.role === 'person' || found.episode.status !== 'active'
            ? []
            : [
                ...(await service.changeableContacts(
                  tx,
                  found.episode.supporterRecordId,
                  await service.contactsOf(tx, found.episode.id),
                )),
              ],
      };
    });
    const used = page.contacts.reduce((sum, contact) => sum + contact.minutes, 0);
    return render(
      request,
      reply,
      'peer-support/views/episode.njk',
      {
        pageTitle: request.t('support.episode.title', { name: page.person }),
        ...page,
        personName: page.person,
        used,
        values,
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/episodes/:episodeId',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) => episodePage(request, reply),
  );
  app.post(
    '/episodes/:episodeId/goals',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.newGoal,
        page: (values, errors) => episodePage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, asker) =>
            service.addGoal(tx, communityId, request.params.episodeId, asker, data),
          ),
        flash: request.t('support.episode.goalAddedFlash'),
        next: `${pathIn(request)}/episodes/${request.params.episodeId}`,
      }),
  );

  // ——— Logging a contact, and changing one (its week not sent) ———
  /** The contact form, for a contact of `found`'s episode. */
  const contactForm = (
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      title: string;
      found: Pick<Awaited<ReturnType<typeof service.episodeFor>>, 'episode' | 'person'>;
      values: Record<string, unknown>;
      formAction?: string;
      errors?: FieldError[];
    },
  ) =>
    render(
      request,
      reply,
      'peer-support/views/contact-form.njk',
      {
        pageTitle: request.t(form.title),
        episode: form.found.episode,
        personName: form.found.person,
        values: form.values,
        ...(form.formAction === undefined ? {} : { formAction: form.formAction }),
        occurredOnParts: dateParts(form.values.occurredOn),
        modeItems: choices(request, 'support.modes', service.contactModes, form.values.mode),
        formKey: randomUUID(),
        errors: form.errors,
      },
      { status: form.errors ? 400 : 200 },
    );
  /** The contact form sent: its time comes in hours and minutes, and a mistake in it is shown there. */
  const submitContact = <Result>(
    request: FastifyRequest,
    reply: FastifyReply,
    form: {
      page: (values: Record<string, unknown>, errors: FieldError[]) => Promise<FastifyReply>;
      save: (data: z.infer<typeof service.newContact>) => Promise<Result>;
      flash: string;
      next: string | ((saved: Result) => string);
    },
  ) => {
    const body = withDateFromParts(request.body, 'occurredOn');
    return submitForm(request, reply, {
      schema: service.newContact,
      body: { ...body, minutes: minutesFromForm(body) },
      page: (_values, errors) =>
        form.page(
          body,
          errors.map((error) => (error.field === 'minutes' ? { ...error, field: 'time' } : error)),
        ),
      once: { db: dependencies.db, accountId: actorOf(request) },
      save: form.save,
      flash: form.flash,
      next: form.next,
    });
  };

  const contactFormPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof episodeParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const found = await within(request, (tx, communityId, asker) =>
      service.episodeFor(tx, communityId, request.params.episodeId, asker),
    );
    if (found.role === 'person') throw new DomainError('not-found', 404);
    return contactForm(request, reply, { title: 'support.contactForm.title', found, values, errors });
  };
  app.get(
    '/episodes/:episodeId/contacts/new',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) => contactFormPage(request, reply, { occurredOn: ukDay() }),
  );
  app.post(
    '/episodes/:episodeId/contacts/new',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) =>
      submitContact(request, reply, {
        page: (values, errors) => contactFormPage(request, reply, values, errors),
        save: (data) =>
          within(request, (tx, communityId, asker) =>
            service.logContact(tx, communityId, request.params.episodeId, asker, data),
          ),
        flash: request.t('support.contactForm.loggedFlash'),
        next: `${pathIn(request)}/episodes/${request.params.episodeId}`,
      }),
  );

  const contactEditPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof contactParams> }>,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, asker) => {
      const contact = await service.contactById(tx, communityId, request.params.contactId);
      const found = await service.episodeFor(tx, communityId, contact.episodeId, asker);
      if (found.role === 'person') throw notFound();
      return { contact, found };
    });
    return contactForm(request, reply, {
      title: 'support.contactForm.changeTitle',
      found: page.found,
      values: values ?? {
        ...page.contact,
        timeHours: Math.floor(page.contact.minutes / 60),
        timeMinutes: page.contact.minutes % 60,
      },
      formAction: `${pathIn(request)}/contacts/${page.contact.id}/edit`,
      errors,
    });
  };
  app.get(
    '/contacts/:contactId/edit',
    { config: { access: episodeSides }, schema: { params: contactParams } },
    async (request, reply) => contactEditPage(request, reply),
  );
  app.post(
    '/contacts/:contactId/edit',
    { config: { access: episodeSides }, schema: { params: contactParams } },
    async (request, reply) =>
      submitContact(request, reply, {
        page: (values, errors) => contactEditPage(request, reply, values, errors),
        save: (data) =>
          within(request, (tx, communityId, asker) =>
            service.updateContact(tx, communityId, request.params.contactId, asker, data),
          ),
        flash: request.t('support.contactForm.changedFlash'),
        next: (changed) => `${pathIn(request)}/episodes/${changed.episodeId}`,
      }),
  );

  // ——— Changing a goal (in whose words it is) ———
  const goalEditPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof goalParams> }>,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, asker) => {
      const goal = await service.goalById(tx, communityId, request.params.goalId);
      const found = await service.episodeFor(tx, communityId, goal.episodeId, asker);
      if (!service.mayChangeGoal(found.role, goal)) throw notFound();
      return { goal, found };
    });
    return render(
      request,
      reply,
      'peer-support/views/goal-form.njk',
      {
        pageTitle: request.t(page.found.role === 'person' ? 'support.goalForm.ownTitle' : 'support.goalForm.title'),
        goal: page.goal,
        episode: page.found.episode,
        personName: page.found.person,
        values: values ?? { text: page.goal.text },
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/goals/:goalId/edit',
    { config: { access: episodeSides }, schema: { params: goalParams } },
    async (request, reply) => goalEditPage(request, reply),
  );
  app.post(
    '/goals/:goalId/edit',
    { config: { access: episodeSides }, schema: { params: goalParams } },
    async (request, reply) => {
      // Refused when saving, the page shows the goal as it was read (its words trimmed).
      let read: Record<string, unknown> | undefined;
      return submitForm(request, reply, {
        schema: service.newGoal,
        page: (values, errors) => goalEditPage(request, reply, read ?? values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) => {
          read = data;
          return within(request, (tx, communityId, asker) =>
            service.updateGoal(tx, communityId, request.params.goalId, asker, data),
          );
        },
        flash: request.t('support.goalForm.changedFlash'),
        next: (changed) => `${pathIn(request)}/episodes/${changed.episodeId}`,
      });
    },
  );

  // ——— Ending ———
  const endPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof episodeParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, asker) => {
      const found = await service.episodeFor(tx, communityId, request.params.episodeId, asker);
      if (found.role === 'person') throw new DomainError('not-found', 404);
      return { ...found, sharing: mayTellReferrer(await consentState(tx, found.episode.personRecordId)) };
    });
    const ticked = new Set([values.whereNext ?? []].flat().map(String));
    return render(
      request,
      reply,
      'peer-support/views/end-form.njk',
      {
        pageTitle: request.t('support.end.title', { name: page.person }),
        ...page,
        personName: page.person,
        values,
        reviewParts: dateParts(values.reviewHeldOn),
        whereNextItems: service.nextSteps.map((step) => ({
          value: step,
          text: request.t(`support.whereNext.${step}`),
          checked: ticked.has(step),
        })),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/episodes/:episodeId/end',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) => endPage(request, reply, { reviewHeldOn: ukDay() }),
  );
  app.post(
    '/episodes/:episodeId/end',
    { config: { access: episodeSides }, schema: { params: episodeParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'reviewHeldOn');
      const whereNext = [body.whereNext ?? []].flat().map(String);
      return submitForm(request, reply, {
        schema: service.ending,
        body: {
          ...body,
          whereNext,
          tellReferrer: body.tellReferrer === 'yes' ? true : body.tellReferrer === 'no' ? false : undefined,
        },
        page: (_values, errors) =>
          endPage(
            request,
            reply,
            body,
            errors.map((error) => (error.field.startsWith('whereNext') ? { ...error, field: 'whereNext' } : error)),
          ),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, asker) =>
            service.endEpisode(tx, endingIn(dependencies, request, communityId), request.params.episodeId, asker, data),
          ),
        flash: (ended) => request.t(`support.end.flash.${ended.summaryOutcome ?? 'not_asked'}`),
        next: `${pathIn(request)}/episodes/${request.params.episodeId}`,
      });
    },
  );

  // ——— Timesheets ———
  app.post(
    '/timesheets',
    { config: { access: supporters }, schema: { params: communityParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.timesheetSubmission,
        // Sent from a button on the home page, which shows no errors: a mistake is refused with a 400.
        page: (_values, errors) => {
          throw invalid(errors);
        },
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, asker) => service.submitTimesheet(tx, communityId, asker, data)),
        flash: (sheet) =>
          request.t(sheet.overBudget ? 'support.timesheet.submittedOverFlash' : 'support.timesheet.submittedFlash'),
        next: (sheet) => `${pathIn(request)}/timesheets/${sheet.id}`,
      }),
  );
  const timesheetPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof timesheetParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, asker) => ({
      ...(await service.timesheetFor(tx, communityId, request.params.timesheetId, asker)),
      staffView: asker.staff,
    }));
    return render(
      request,
      reply,
      'peer-support/views/timesheet.njk',
      {
        pageTitle: request.t('support.timesheet.title', { name: page.supporter }),
        ...page,
        values,
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/timesheets/:timesheetId',
    { config: { access: episodeSides }, schema: { params: timesheetParams } },
    async (request, reply) => timesheetPage(request, reply),
  );
  const timesheetDecision = <Action extends 'approve' | 'return'>(
    path: `/timesheets/:timesheetId/${NoInfer<Action>}`,
    action: Action,
  ) =>
    app.post(
      path,
      { config: { access: supportStaff }, schema: { params: timesheetParams } },
      async (request, reply) => {
        const body: Record<string, unknown> = { ...(request.body as Record<string, unknown>), action };
        return submitForm(request, reply, {
          schema: action === 'approve' ? service.timesheetDecision : service.timesheetReturn,
          body:
            action === 'approve'
              ? { note: body.note, approveOverBudget: body.approveOverBudget === 'yes', formKey: body.formKey }
              : { note: body.note, formKey: body.formKey },
          page: (_values, errors) => timesheetPage(request, reply, body, errors),
          once: { db: dependencies.db, accountId: actorOf(request) },
          save: (data) =>
            within(request, (tx, communityId, asker) =>
              action === 'approve'
                ? service.approveTimesheet(
                    tx,
                    communityId,
                    asker,
                    request.params.timesheetId,
                    data as z.infer<typeof service.timesheetDecision>,
                  )
                : service.returnTimesheet(
                    tx,
                    communityId,
                    asker,
                    request.params.timesheetId,
                    data as z.infer<typeof service.timesheetReturn>,
                  ),
            ),
          flash: request.t(
            action === 'approve' ? 'support.timesheet.approvedFlash' : 'support.timesheet.returnedFlash',
          ),
          next: `${pathIn(request)}/timesheets/${request.params.timesheetId}`,
        });
      },
    );
  timesheetDecision('/timesheets/:timesheetId/approve', 'approve');
  timesheetDecision('/timesheets/:timesheetId/return', 'return');
  app.get(
    '/payroll',
    {
      config: { access: supportStaff },
      schema: {
        params: communityParams,
        querystring: z.object({
          month: z
            .string()
            .regex(/^(19|2\d)\d{2}-(0[1-9]|1[0-2])$/)
            .optional()
            .catch(undefined),
        }),
      },
    },
    async (request, reply) => {
      const month = request.query.month;
      if (!month)
        return render(request, reply, 'peer-support/views/payroll.njk', {
          pageTitle: request.t('support.payroll.title'),
          monthItems: recentMonths().map((value) => ({ value, text: value })),
        });
      const [year, number] = month.split('-').map(Number);
      const last = new Date(Date.UTC(year ?? 2000, number ?? 1, 0)).toISOString().slice(0, 10);
      const rows = await within(request, (tx, communityId) =>
        service.payrollRows(tx, communityId, { from: `${month}-01`, to: last }),
      );
      const t = request.t;
      const header = [
        t('support.payroll.columns.supporter'),
        t('support.payroll.columns.number'),
        t('support.payroll.columns.week'),
        t('support.payroll.columns.minutes'),
        t('support.payroll.columns.hours'),
        t('support.payroll.columns.approvedBy'),
        t('support.payroll.columns.approvedOn'),
        t('support.payroll.columns.overBudget'),
        t('support.payroll.columns.note'),
      ];
      const lines = rows.map((row) => service.payrollLine(row, { yes: 'yes', no: 'no' }));
      return sendCsv(reply, [header, ...lines], `payroll-${month}.csv`);
    },
  );
}
