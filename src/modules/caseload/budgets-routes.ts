// Support plans and personal budgets: pages and API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { randomUUID } from 'node:crypto';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson, ownRecordId } from '../people/service.ts';
import * as budgets from './budgets.ts';
import { spendStatuses } from './budgets.ts';
import { communityParams, entryParams, inHub, team } from './asker.ts';
import { entryFor } from './service.ts';

const budgetParams = communityParams.extend({ budgetId: z.uuid() });
const spendParams = communityParams.extend({ spendId: z.uuid() });
const planGoalParams = communityParams.extend({ planGoalId: z.uuid() });
const plannedParams = communityParams.extend({ plannedId: z.uuid() });
const itemSchema = z.object({
  id: z.uuid(),
  kind: z.enum(['planned', 'spend']),
  description: z.string(),
  amountPence: z.number().int(),
  planGoalId: z.uuid().nullable(),
  spentOn: z.string().nullable(),
  receipt: z.string(),
  status: z.enum(spendStatuses).nullable(),
  overspendNote: z.string(),
});
const budgetSchema = z.object({
  id: z.uuid(),
  entryId: z.uuid(),
  source: z.string(),
  allocatedPence: z.number().int(),
  approvedPence: z.number().int(),
  plannedPence: z.number().int(),
  balancePence: z
    .number()
    .int()
    .describe('Allocated less approved spends: below zero only after a recorded overspend approval'),
  items: z.array(itemSchema),
});
const goalSchema = z.object({ id: z.uuid(), goal: z.string(), steps: z.string(), whoDoesWhat: z.string() });

export async function budgetRoutes(app: FastifyInstance, dependencies: Dependencies): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/hub`;
  const within = <T>(request: FastifyRequest, work: Parameters<typeof inHub<T>>[2]) =>
    inHub(dependencies, request, work);
  const readBudget = async (
    ...[tx, communityId, budgetId, asker]: Parameters<typeof budgets.budgetFor>
  ): Promise<z.infer<typeof budgetSchema>> => {
    const found = await budgets.budgetFor(tx, communityId, budgetId, asker);
    return {
      id: found.budget.id,
      entryId: found.entry.id,
      source: found.budget.source,
      allocatedPence: found.budget.allocatedPence,
      approvedPence: found.approvedPence,
      plannedPence: found.plannedPence,
      balancePence: found.balancePence,
      items: found.items.map((item) => ({
        id: item.id,
        kind: item.kind,
        description: item.description,
        amountPence: item.amountPence,
        planGoalId: item.planGoalId,
        spentOn: item.spentOn,
        receipt: item.receipt,
        status: item.status,
        overspendNote: item.overspendNote,
      })),
    };
  };
  const money = (body: Record<string, unknown>, name: string) => budgets.penceFromForm(body[name]);

  // ——— The person's own plan ———
  api.get(
    '/c/:community/hub/my-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const goals = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const own = await ownRecordId(tx, community.id, request.person?.id);
        return own ? budgets.ownPlan(tx, own) : [];
      });
      return render(request, reply, 'caseload/views/my-plan.njk', {
        pageTitle: request.t('hub.plan.mineTitle'),
        goals,
      });
    },
  );

  // ——— A budget ———
  const budgetPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof budgetParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, _hub, asker) => {
      const found = await budgets.budgetFor(tx, communityId, request.params.budgetId, asker);
      const person = (await getPerson(tx, communityId, found.entry.personRecordId)).preferredName;
      return { ...found, personName: person, goals: await budgets.planOf(tx, found.entry.id), staffView: asker.staff };
    });
    const goalItems = [
      { value: '', text: request.t('hub.budget.noGoal') },
      ...page.goals.map((goal) => ({ value: goal.id, text: goal.goal, selected: values.planGoalId === goal.id })),
    ];
    return render(
      request,
      reply,
      'caseload/views/budget.njk',
      {
        pageTitle: request.t('hub.budget.title', { name: page.personName }),
        ...page,
        values,
        goalItems,
        spentParts: dateParts(values.spentOn ?? ukDay()),
        formKeys: { spends: randomUUID(), planned: randomUUID() },
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  api.get(
    '/c/:community/hub/budgets/:budgetId',
    { config: { access: team }, schema: { params: budgetParams } },
    async (request, reply) => budgetPage(request, reply),
  );
  const budgetWrite = (path: 'planned' | 'spends') =>
    api.post(
      `/c/:community/hub/budgets/:budgetId/${path}`,
      { config: { access: team }, schema: { params: budgetParams } },
      async (request, reply) => {
        const body: Record<string, unknown> = { ...withDateFromParts(request.body, 'spentOn'), form: path };
        const input = {
          description: body.description,
          amountPence: money(body, 'amount'),
          planGoalId: body.planGoalId || undefined,
          spentOn: body.spentOn,
          receipt: body.receipt,
        };
        const shown = (errors: FieldError[]) =>
          errors.map((error) => (error.field === 'amountPence' ? { ...error, field: 'amount' } : error));
        return submitForm(request, reply, {
          schema: path === 'planned' ? budgets.plannedItem : budgets.spendRequest,
          body: { ...input, formKey: body.formKey },
          page: (_values, errors) => budgetPage(request, reply, body, shown(errors)),
          once: { db: dependencies.db, accountId: actorOf(request) },
          save: (data) =>
            within(request, (tx, communityId, _hub, asker) =>
              path === 'planned'
                ? budgets.addPlanned(tx, communityId, request.params.budgetId, asker, data)
                : budgets.requestSpend(
                    tx,
                    communityId,
                    request.params.budgetId,
                    asker,
                    data as z.infer<typeof budgets.spendRequest>,
                  ),
            ),
          flash: request.t(path === 'planned' ? 'hub.budget.plannedFlash' : 'hub.budget.requestedFlash'),
          next: `${base(request)}/budgets/${request.params.budgetId}`,
        });
      },
    );
  budgetWrite('planned');
  budgetWrite('spends');
  for (const action of ['approve', 'refuse'] as const) {
    api.post(
      `/c/:community/hub/spends/:spendId/${action}`,
      { config: { access: team }, schema: { params: spendParams } },
      async (request, reply) => {
        const body = (request.body ?? {}) as Record<string, unknown>;
        const budgetId = String(body.budgetId ?? '');
        // A note too long is refused on the error page; a refusal of the approval itself shows the budget again.
        let saving = false;
        return submitForm(request, reply, {
          schema: budgets.spendApproval,
          body: { overspend: body.overspend === 'yes', note: body.note, formKey: body.formKey },
          page: (_values, errors) => {
            if (!saving || !/^[0-9a-f-]{36}$/.test(budgetId)) throw invalid(errors);
            const params = { community: request.params.community, budgetId };
            return budgetPage(
              Object.assign(request, { params }) as unknown as FastifyRequest<{ Params: z.infer<typeof budgetParams> }>,
              reply,
              { ...body, form: `spend-${request.params.spendId}` },
              errors,
            );
          },
          once: { db: dependencies.db, accountId: actorOf(request) },
          save: (data) => {
            saving = true;
            return within(request, async (tx, communityId, _hub, asker) => {
              if (action === 'approve')
                await budgets.approveSpend(tx, communityId, request.params.spendId, asker, data);
              else await budgets.refuseSpend(tx, communityId, request.params.spendId, asker);
            });
          },
          flash: request.t(action === 'approve' ? 'hub.budget.approvedFlash' : 'hub.budget.refusedFlash'),
          next: /^[0-9a-f-]{36}$/.test(budgetId) ? `${base(request)}/budgets/${budgetId}` : base(request),
        });
      },
    );
  }

  // ——— Changing a goal of the plan, or planned spending ———
  const goalEditPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof planGoalParams> }>,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const found = await within(request, (tx, communityId, _hub, asker) =>
      budgets.planGoalFor(tx, communityId, request.params.planGoalId, asker),
    );
    return render(
      request,
      reply,
      'caseload/views/plan-goal-form.njk',
      {
        pageTitle: request.t('hub.plan.changeTitle'),
        goal: found.goal,
        personName: found.personName,
        values: values ?? found.goal,
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  api.get(
    '/c/:community/hub/plan-goals/:planGoalId/edit',
    { config: { access: team }, schema: { params: planGoalParams } },
    async (request, reply) => goalEditPage(request, reply),
  );
  api.post(
    '/c/:community/hub/plan-goals/:planGoalId/edit',
    { config: { access: team }, schema: { params: planGoalParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: budgets.newGoal,
        page: (values, errors) => goalEditPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, _hub, asker) =>
            budgets.updatePlanGoal(tx, communityId, request.params.planGoalId, asker, data),
          ),
        flash: request.t('hub.plan.changedFlash'),
        next: (changed) => `${base(request)}/caseload/${changed.entryId}#plan`,
      }),
  );
  const plannedEditPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof plannedParams> }>,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await within(request, async (tx, communityId, _hub, asker) => {
      const found = await budgets.plannedFor(tx, communityId, request.params.plannedId, asker);
      return { ...found, goals: await budgets.planOf(tx, found.budget.entry.id) };
    });
    const shown = values ?? {
      description: page.item.description,
      amount: (page.item.amountPence / 100).toFixed(2),
      planGoalId: page.item.planGoalId ?? '',
    };
    const goalItems = [
      { value: '', text: request.t('hub.budget.noGoal') },
      ...page.goals.map((goal) => ({ value: goal.id, text: goal.goal, selected: shown.planGoalId === goal.id })),
    ];
    return render(
      request,
      reply,
      'caseload/views/planned-form.njk',
      {
        pageTitle: request.t('hub.budget.changePlannedTitle'),
        item: page.item,
        budget: page.budget.budget,
        values: shown,
        goalItems,
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  api.get(
    '/c/:community/hub/planned/:plannedId/edit',
    { config: { access: team }, schema: { params: plannedParams } },
    async (request, reply) => plannedEditPage(request, reply),
  );
  api.post(
    '/c/:community/hub/planned/:plannedId/edit',
    { config: { access: team }, schema: { params: plannedParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const shown = (errors: FieldError[]) =>
        errors.map((error) => (error.field === 'amountPence' ? { ...error, field: 'amount' } : error));
      return submitForm(request, reply, {
        schema: budgets.plannedItem,
        body: {
          description: body.description,
          amountPence: money(body, 'amount'),
          planGoalId: body.planGoalId || undefined,
          formKey: body.formKey,
        },
        page: (_values, errors) => plannedEditPage(request, reply, body, shown(errors)),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, _hub, asker) =>
            budgets.updatePlanned(tx, communityId, request.params.plannedId, asker, data),
          ),
        flash: request.t('hub.budget.plannedChangedFlash'),
        next: (changed) => `${base(request)}/budgets/${changed.budgetId}`,
      });
    },
  );

  // ——— API ———
  const tags = ['Hub caseload'];
  const path = '/api/v1/communities/:community';
  api.get(
    `${path}/plans/:entryId`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'A person’s co-produced support plan: goals in their words, steps, who does what',
        params: entryParams,
        response: { 200: z.object({ items: z.array(goalSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, _hub, asker) => {
        const { entry } = await entryFor(tx, communityId, request.params.entryId, asker);
        return {
          items: (await budgets.planOf(tx, entry.id)).map(({ id, goal, steps, whoDoesWhat }) => ({
            id,
            goal,
            steps,
            whoDoesWhat,
          })),
        };
      }),
  );
  api.post(
    `${path}/plans/:entryId`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Add a goal to the plan',
        params: entryParams,
        body: budgets.newGoal,
        response: { 201: goalSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const made = await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        budgets.addPlanGoal(tx, communityId, request.params.entryId, asker, request.body),
      );
      if (!made) throw notFound();
      return reply.code(201).send({ id: made.id, goal: made.goal, steps: made.steps, whoDoesWhat: made.whoDoesWhat });
    },
  );
  api.put(
    `${path}/plan-goals/:planGoalId`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Change a goal of a person’s plan: its words, steps, who does what',
        params: planGoalParams,
        body: budgets.newGoal,
        response: { 200: goalSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const changed = await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        budgets.updatePlanGoal(tx, communityId, request.params.planGoalId, asker, request.body),
      );
      return { id: changed.id, goal: changed.goal, steps: changed.steps, whoDoesWhat: changed.whoDoesWhat };
    },
  );
  api.put(
    `${path}/planned/:plannedId`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Change planned spending (the clinical team, coordinators); spends change only by approval or refusal',
        params: plannedParams,
        body: budgets.plannedItem,
        response: { 200: budgetSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, _hub, asker) => {
        const changed = await budgets.updatePlanned(tx, communityId, request.params.plannedId, asker, request.body);
        return readBudget(tx, communityId, changed.budgetId, asker);
      }),
  );
  api.get(
    `${path}/me/plan`,
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Your own support plan',
        params: communityParams,
        response: { 200: z.object({ items: z.array(goalSchema.omit({ id: true })) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inRequestCommunity(dependencies, request, async (tx, community) => {
        const own = await ownRecordId(tx, community.id, request.person?.id);
        return {
          items: (own ? await budgets.ownPlan(tx, own) : []).map((row) => ({
            goal: row.goal,
            steps: row.steps,
            whoDoesWhat: row.who_does_what,
          })),
        };
      }),
  );
  api.post(
    `${path}/caseload/:entryId/budgets`,
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'Give a person a personal budget: its source and allocation in pence (the clinical team, coordinators)',
        params: entryParams,
        body: budgets.newBudget,
        response: { 201: budgetSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const body = await inHub(dependencies, request, async (tx, communityId, _hub, asker) =>
        readBudget(
          tx,
          communityId,
          (await budgets.createBudget(tx, communityId, request.params.entryId, asker, request.body)).id,
          asker,
        ),
      );
      return reply.code(201).send(body);
    },
  );
  api.get(
    `${path}/budgets/:budgetId`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'A personal budget: allocation, planned spend tied to goals, spends with receipts, balance',
        params: budgetParams,
        response: { 200: budgetSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        readBudget(tx, communityId, request.params.budgetId, asker),
      ),
  );
  api.post(
    `${path}/budgets/:budgetId/planned`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Plan spend for a goal',
        params: budgetParams,
        body: budgets.plannedItem,
        response: { 200: budgetSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, _hub, asker) => {
        await budgets.addPlanned(tx, communityId, request.params.budgetId, asker, request.body);
        return readBudget(tx, communityId, request.params.budgetId, asker);
      }),
  );
  api.post(
    `${path}/budgets/:budgetId/spends`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Ask for a spend, with its receipt noted; it counts once approved',
        params: budgetParams,
        body: budgets.spendRequest,
        response: { 200: budgetSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, async (tx, communityId, _hub, asker) => {
        await budgets.requestSpend(tx, communityId, request.params.budgetId, asker, request.body);
        return readBudget(tx, communityId, request.params.budgetId, asker);
      }),
  );
  api.post(
    `${path}/spends/:spendId/approve`,
    {
      config: { access: team },
      schema: {
        tags,
        summary:
          'Approve a spend (coordinators; never the person who asked for it: 403 `spend-own-request`). Beyond the balance it needs `overspend: true` and a `note`: otherwise 400 and nothing changes',
        params: spendParams,
        body: budgets.spendApproval,
        response: { 200: z.object({ overspent: z.boolean() }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) =>
      inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        budgets.approveSpend(tx, communityId, request.params.spendId, asker, request.body),
      ),
  );
  api.post(
    `${path}/spends/:spendId/refuse`,
    {
      config: { access: team },
      schema: {
        tags,
        summary: 'Refuse a spend (coordinators)',
        params: spendParams,
        response: { 204: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      await inHub(dependencies, request, (tx, communityId, _hub, asker) =>
        budgets.refuseSpend(tx, communityId, request.params.spendId, asker),
      );
      return reply.code(204).send(null);
    },
  );
}
