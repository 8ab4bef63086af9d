// Support plans and personal budgets: the hub's JSON API for them, under /api/v1/communities/{community}.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as budgets from './budgets.ts';
import { spendStatuses } from './budgets.ts';
import { budgetParams, entryParams, inHub, plannedParams, planGoalParams, spendParams, team } from './asker.ts';
import { entryFor } from './service.ts';

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

/** Plans and personal budgets in the JSON API: goals in the person's words, budgets, planned spending and spends. */
export async function budgetApi(app: FastifyInstance, { dependencies }: { dependencies: Dependencies }): Promise<void> {
  const api = app.withTypeProvider<ZodTypeProvider>();
  const tags = ['Hub caseload'];
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
  api.get(
    '/plans/:entryId',
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
    '/plans/:entryId',
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
    '/plan-goals/:planGoalId',
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
    '/planned/:plannedId',
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
    '/me/plan',
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
      inRequestCommunity(dependencies, request, async (tx) => {
        const own = await request.asker.recordIn(tx);
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
    '/caseload/:entryId/budgets',
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
    '/budgets/:budgetId',
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
    '/budgets/:budgetId/planned',
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
    '/budgets/:budgetId/spends',
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
    '/spends/:spendId/approve',
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
    '/spends/:spendId/refuse',
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
