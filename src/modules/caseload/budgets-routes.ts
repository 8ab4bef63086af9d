// Support plans and personal budgets: the person's own plan, a budget, changing goals and planned spending.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { randomUUID } from 'node:crypto';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, invalid } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import * as budgets from './budgets.ts';
import { budgetParams, inHub, pathIn, plannedParams, planGoalParams, spendParams, team } from './asker.ts';

/** A mistake in the amount in pence is shown at the pounds-and-pence box. */
const atAmount = (errors: FieldError[]) =>
  errors.map((error) => (error.field === 'amountPence' ? { ...error, field: 'amount' } : error));

/** The hub's pages for plans and budgets, under /c/{community}/hub. */
export async function budgetPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const within = <T>(request: FastifyRequest, work: Parameters<typeof inHub<T>>[2]) =>
    inHub(dependencies, request, work);
  /** The boxes of planned spending (a spend has them too) as the API's fields: pounds and pence become pence. */
  const plannedFrom = (body: Record<string, unknown>) => ({
    description: body.description,
    amountPence: budgets.penceFromForm(body.amount),
    planGoalId: body.planGoalId || undefined,
  });

  // ——— The person's own plan ———
  app.get(
    '/my-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const goals = await inRequestCommunity(dependencies, request, async (tx) => {
        const own = await request.asker.recordIn(tx);
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
  app.get(
    '/budgets/:budgetId',
    { config: { access: team }, schema: { params: budgetParams } },
    async (request, reply) => budgetPage(request, reply),
  );
  const budgetWrite = <Form extends 'planned' | 'spends'>(route: `/budgets/:budgetId/${NoInfer<Form>}`, path: Form) =>
    app.post(route, { config: { access: team }, schema: { params: budgetParams } }, async (request, reply) => {
      const body: Record<string, unknown> = { ...withDateFromParts(request.body, 'spentOn'), form: path };
      const input = {
        ...plannedFrom(body),
        spentOn: body.spentOn,
        receipt: body.receipt,
      };
      return submitForm(request, reply, {
        schema: path === 'planned' ? budgets.plannedItem : budgets.spendRequest,
        body: { ...input, formKey: body.formKey },
        page: (_values, errors) => budgetPage(request, reply, body, atAmount(errors)),
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
        next: `${pathIn(request)}/budgets/${request.params.budgetId}`,
      });
    });
  budgetWrite('/budgets/:budgetId/planned', 'planned');
  budgetWrite('/budgets/:budgetId/spends', 'spends');
  const spendDecision = <Action extends 'approve' | 'refuse'>(
    path: `/spends/:spendId/${NoInfer<Action>}`,
    action: Action,
  ) =>
    app.post(path, { config: { access: team }, schema: { params: spendParams } }, async (request, reply) => {
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
            if (action === 'approve') await budgets.approveSpend(tx, communityId, request.params.spendId, asker, data);
            else await budgets.refuseSpend(tx, communityId, request.params.spendId, asker);
          });
        },
        flash: request.t(action === 'approve' ? 'hub.budget.approvedFlash' : 'hub.budget.refusedFlash'),
        next: /^[0-9a-f-]{36}$/.test(budgetId) ? `${pathIn(request)}/budgets/${budgetId}` : pathIn(request),
      });
    });
  spendDecision('/spends/:spendId/approve', 'approve');
  spendDecision('/spends/:spendId/refuse', 'refuse');

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
  app.get(
    '/plan-goals/:planGoalId/edit',
    { config: { access: team }, schema: { params: planGoalParams } },
    async (request, reply) => goalEditPage(request, reply),
  );
  app.post(
    '/plan-goals/:planGoalId/edit',
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
        next: (changed) => `${pathIn(request)}/caseload/${changed.entryId}#plan`,
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
  app.get(
    '/planned/:plannedId/edit',
    { config: { access: team }, schema: { params: plannedParams } },
    async (request, reply) => plannedEditPage(request, reply),
  );
  app.post(
    '/planned/:plannedId/edit',
    { config: { access: team }, schema: { params: plannedParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return submitForm(request, reply, {
        schema: budgets.plannedItem,
        body: { ...plannedFrom(body), formKey: body.formKey },
        page: (_values, errors) => plannedEditPage(request, reply, body, atAmount(errors)),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          within(request, (tx, communityId, _hub, asker) =>
            budgets.updatePlanned(tx, communityId, request.params.plannedId, asker, data),
          ),
        flash: request.t('hub.budget.plannedChangedFlash'),
        next: (changed) => `${pathIn(request)}/budgets/${changed.budgetId}`,
      });
    },
  );
}
