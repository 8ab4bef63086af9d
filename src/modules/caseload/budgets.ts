// Co-produced support plans and personal budgets for people on the hub's caseload.
import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import { type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { budgetItems, caseloadEntries, personalBudgets, planGoals } from './schema.ts';
import { entryFor, type TeamAsker } from './service.ts';

const pence = (key: string) => z.number({ error: key }).int(key).min(1, key).max(10_000_000, key);

export const newGoal = z.object({
  goal: requiredText('errors.hub.plan.goal.missing', 'errors.hub.text.tooLong', 500),
  steps: optionalText('errors.hub.text.tooLong', 2000),
  whoDoesWhat: optionalText('errors.hub.text.tooLong', 2000),
});
export const newBudget = z.object({
  source: requiredText('errors.hub.budget.source.missing', 'errors.hub.text.tooLong', 200),
  allocatedPence: pence('errors.hub.budget.amount.invalid'),
});
export const plannedItem = z.object({
  description: requiredText('errors.hub.budget.description.missing', 'errors.hub.text.tooLong', 500),
  amountPence: pence('errors.hub.budget.amount.invalid'),
  planGoalId: z.uuid({ error: 'errors.hub.budget.goal.invalid' }).optional(),
});
export const spendRequest = plannedItem.extend({
  spentOn: plainDate('errors.hub.date.invalid').refine((value) => value <= ukDay(), 'errors.hub.date.future'),
  receipt: optionalText('errors.hub.text.tooLong', 500),
});
export const spendApproval = z.object({
  /** Approving a spend the balance does not cover needs this, and a note saying why. */
  overspend: z.boolean().default(false),
  note: optionalText('errors.hub.text.tooLong', 2000),
});

/** A pounds-and-pence box ("120", "45.50", "£1,200") as pence; NaN when it is not money. */
export function penceFromForm(value: unknown): number | undefined {
  const typed = String(value ?? '')
    .trim()
    .replace(/^£/, '')
    .replace(/,/g, '');
  if (!typed) return undefined;
  if (!/^\d{1,6}(\.\d{1,2})?$/.test(typed)) return Number.NaN;
  const [pounds, fraction = ''] = typed.split('.');
  return Number(pounds) * 100 + Number(fraction.padEnd(2, '0'));
}

/**
 * The rule for approving a spend: within the balance it is approved; beyond it only with an
 * explicit overspend approval and a note saying why. Returns the field error, if any.
 */
export function approvalProblem(
  balancePence: number,
  amountPence: number,
  approval: { overspend: boolean; note: string },
): { field: string; code: string } | null {
  if (amountPence <= balancePence) return null;
  if (!approval.overspend) return { field: 'overspend', code: 'errors.hub.budget.overspend' };
  if (!approval.note.trim()) return { field: 'note', code: 'errors.hub.budget.overspendNote' };
  return null;
}

// ——— Plans ———

export async function planOf(tx: CommunityTransaction, entryId: string) {
  return tx.select().from(planGoals).where(eq(planGoals.entryId, entryId)).orderBy(asc(planGoals.createdAt));
}

/** Anyone in the team who may open the person adds a goal, in the person's words. */
export async function addPlanGoal(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  goal: z.infer<typeof newGoal>,
) {
  await entryFor(tx, communityId, entryId, asker);
  const [made] = await tx
    .insert(planGoals)
    .values({ communityId, entryId, ...goal, createdBy: asker.accountId })
    .returning();
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.plan_goal_added',
    subjectType: 'caseload_entry',
    subjectId: entryId,
  });
  return made;
}

/** A goal as it is, and the entry it belongs to, for whoever in the team may open the person. */
export async function planGoalFor(tx: CommunityTransaction, communityId: string, planGoalId: string, asker: TeamAsker) {
  const [goal] = await tx
    .select()
    .from(planGoals)
    .where(and(eq(planGoals.communityId, communityId), eq(planGoals.id, planGoalId)));
  if (!goal) throw notFound();
  const { person } = await entryFor(tx, communityId, goal.entryId, asker);
  return { goal, personName: person.preferredName };
}

/** The team changes a goal's words, steps or who does what as the person's plan moves on. */
export async function updatePlanGoal(
  tx: CommunityTransaction,
  communityId: string,
  planGoalId: string,
  asker: TeamAsker,
  change: z.infer<typeof newGoal>,
) {
  const { goal } = await planGoalFor(tx, communityId, planGoalId, asker);
  const [changed] = await tx.update(planGoals).set(change).where(eq(planGoals.id, goal.id)).returning();
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.plan_goal_changed',
    subjectType: 'caseload_entry',
    subjectId: goal.entryId,
  });
  return changed ?? goal;
}

/** The person's own plan: their goals on every caseload they are on. */
export async function ownPlan(tx: CommunityTransaction, personRecordId: string) {
  const rows = await tx.execute<{ goal: string; steps: string; who_does_what: string }>(sql`
    select g.goal, g.steps, g.who_does_what from plan_goals g join caseload_entries e on e.id = g.entry_id
    where e.person_record_id = ${personRecordId} and e.closed_at is null order by g.created_at`);
  return rows.rows;
}

// ——— Budgets ———

export async function budgetsOf(tx: CommunityTransaction, entryId: string) {
  const rows = await tx.execute<{
    id: string;
    source: string;
    allocated_pence: number;
    approved_pence: number;
    planned_pence: number;
    requested: number;
  }>(sql`
    select b.id, b.source, b.allocated_pence,
      coalesce((select sum(amount_pence) from budget_items i where i.budget_id = b.id and i.kind = 'spend' and i.status = 'approved'), 0)::int as approved_pence,
      coalesce((select sum(amount_pence) from budget_items i where i.budget_id = b.id and i.kind = 'planned'), 0)::int as planned_pence,
      (select count(*)::int from budget_items i where i.budget_id = b.id and i.kind = 'spend' and i.status = 'requested') as requested
    from personal_budgets b where b.entry_id = ${entryId} order by b.created_at`);
  return rows.rows.map((row) => ({ ...row, balance_pence: row.allocated_pence - row.approved_pence }));
}

/** Only coordinators and the clinical team (not peer supporters) hold the budget. */
function requireBudgetHolder(asker: TeamAsker) {
  if (!asker.clinical) throw notFound();
}

export async function createBudget(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  budget: z.infer<typeof newBudget>,
) {
  await entryFor(tx, communityId, entryId, asker);
  requireBudgetHolder(asker);
  const [made] = await tx
    .insert(personalBudgets)
    .values({ communityId, entryId, ...budget, createdBy: asker.accountId })
    .returning();
  if (!made) throw new Error('budget insert returned nothing');
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.budget_created',
    subjectType: 'personal_budget',
    subjectId: made.id,
    detail: { allocatedPence: budget.allocatedPence },
  });
  return made;
}

export async function budgetFor(tx: CommunityTransaction, communityId: string, budgetId: string, asker: TeamAsker) {
  const [budget] = await tx
    .select({ budget: personalBudgets, entry: caseloadEntries })
    .from(personalBudgets)
    .innerJoin(caseloadEntries, eq(caseloadEntries.id, personalBudgets.entryId))
    .where(and(eq(personalBudgets.communityId, communityId), eq(personalBudgets.id, budgetId)));
  if (!budget) throw notFound();
  await entryFor(tx, communityId, budget.entry.id, asker);
  requireBudgetHolder(asker);
  const items = await tx
    .select()
    .from(budgetItems)
    .where(eq(budgetItems.budgetId, budgetId))
    .orderBy(asc(budgetItems.createdAt));
  const approved = items
    .filter((item) => item.kind === 'spend' && item.status === 'approved')
    .reduce((sum, item) => sum + item.amountPence, 0);
  return {
    ...budget,
    items,
    approvedPence: approved,
    balancePence: budget.budget.allocatedPence - approved,
    plannedPence: items.filter((item) => item.kind === 'planned').reduce((sum, item) => sum + item.amountPence, 0),
  };
}

async function checkGoal(tx: CommunityTransaction, entryId: string, planGoalId: string | undefined) {
  if (!planGoalId) return;
  const [goal] = await tx
    .select({ id: planGoals.id })
    .from(planGoals)
    .where(and(eq(planGoals.id, planGoalId), eq(planGoals.entryId, entryId)));
  if (!goal) throw invalid([{ field: 'planGoalId', code: 'errors.hub.budget.goal.invalid' }]);
}

export async function addPlanned(
  tx: CommunityTransaction,
  communityId: string,
  budgetId: string,
  asker: TeamAsker,
  item: z.infer<typeof plannedItem>,
) {
  const found = await budgetFor(tx, communityId, budgetId, asker);
  await checkGoal(tx, found.entry.id, item.planGoalId);
  const [made] = await tx
    .insert(budgetItems)
    .values({ communityId, budgetId, kind: 'planned', ...item, createdBy: asker.accountId })
    .returning();
  return made;
}

/** A planned item, with its budget as its holder sees it. */
export async function plannedFor(tx: CommunityTransaction, communityId: string, itemId: string, asker: TeamAsker) {
  const [item] = await tx
    .select()
    .from(budgetItems)
    .where(and(eq(budgetItems.communityId, communityId), eq(budgetItems.id, itemId), eq(budgetItems.kind, 'planned')));
  if (!item) throw notFound();
  return { item, budget: await budgetFor(tx, communityId, item.budgetId, asker) };
}

/** Planned spending changes as plans do; spends themselves change only by approval or refusal. */
export async function updatePlanned(
  tx: CommunityTransaction,
  communityId: string,
  itemId: string,
  asker: TeamAsker,
  change: z.infer<typeof plannedItem>,
) {
  const { item, budget } = await plannedFor(tx, communityId, itemId, asker);
  await checkGoal(tx, budget.entry.id, change.planGoalId);
  const [changed] = await tx
    .update(budgetItems)
    .set({ description: change.description, amountPence: change.amountPence, planGoalId: change.planGoalId ?? null })
    .where(eq(budgetItems.id, item.id))
    .returning();
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.planned_changed',
    subjectType: 'personal_budget',
    subjectId: item.budgetId,
    detail: { amountPence: change.amountPence },
  });
  return changed ?? item;
}

/** A spend is asked for with its receipt noted; it counts once a coordinator approves it. */
export async function requestSpend(
  tx: CommunityTransaction,
  communityId: string,
  budgetId: string,
  asker: TeamAsker,
  spend: z.infer<typeof spendRequest>,
) {
  const found = await budgetFor(tx, communityId, budgetId, asker);
  await checkGoal(tx, found.entry.id, spend.planGoalId);
  const [made] = await tx
    .insert(budgetItems)
    .values({ communityId, budgetId, kind: 'spend', status: 'requested', ...spend, createdBy: asker.accountId })
    .returning();
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.spend_requested',
    subjectType: 'personal_budget',
    subjectId: budgetId,
    detail: { amountPence: spend.amountPence },
  });
  return made;
}

/**
 * A coordinator approves a spend. The budget is locked while its balance is worked out, so two
 * approvals at once cannot both spend the last of it; beyond the balance, only an explicit,
 * recorded overspend approval passes.
 */
export async function approveSpend(
  tx: CommunityTransaction,
  communityId: string,
  spendId: string,
  asker: TeamAsker,
  approval: z.infer<typeof spendApproval>,
) {
  if (!asker.staff) throw notFound();
  const [spend] = await tx
    .select()
    .from(budgetItems)
    .where(and(eq(budgetItems.communityId, communityId), eq(budgetItems.id, spendId), eq(budgetItems.kind, 'spend')));
  if (!spend) throw notFound();
  // Separation of duties: whoever asked for a spend does not approve it.
  if (spend.createdBy === asker.accountId) throw new DomainError('spend-own-request', 403);
  await tx.execute(sql`select id from personal_budgets where id = ${spend.budgetId} for no key update`);
  const found = await budgetFor(tx, communityId, spend.budgetId, asker);
  const current = found.items.find((item) => item.id === spendId);
  if (current?.status !== 'requested') throw invalid([{ field: 'overspend', code: 'errors.hub.budget.notWaiting' }]);
  const problem = approvalProblem(found.balancePence, spend.amountPence, approval);
  if (problem) throw invalid([problem]);
  const overspent = spend.amountPence > found.balancePence;
  const [approved] = await tx
    .update(budgetItems)
    .set({
      status: 'approved',
      decidedBy: asker.accountId,
      decidedAt: sql`now()`,
      overspendNote: overspent ? approval.note : '',
    })
    .where(and(eq(budgetItems.id, spendId), eq(budgetItems.status, 'requested')))
    .returning({ id: budgetItems.id });
  if (!approved) throw invalid([{ field: 'overspend', code: 'errors.hub.budget.notWaiting' }]);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: overspent ? 'hub.spend_approved_over_budget' : 'hub.spend_approved',
    subjectType: 'personal_budget',
    subjectId: spend.budgetId,
    reason: overspent ? approval.note : null,
    detail: { amountPence: spend.amountPence, balancePence: found.balancePence },
  });
  return { overspent };
}

export async function refuseSpend(tx: CommunityTransaction, communityId: string, spendId: string, asker: TeamAsker) {
  if (!asker.staff) throw notFound();
  // The same lock as approving: a refusal and an approval of one spend do not cross.
  await tx.execute(
    sql`select b.id from personal_budgets b join budget_items i on i.budget_id = b.id where i.id = ${spendId} and i.community_id = ${communityId} for no key update of b`,
  );
  const [refused] = await tx
    .update(budgetItems)
    .set({ status: 'refused', decidedBy: asker.accountId, decidedAt: sql`now()` })
    .where(
      and(
        eq(budgetItems.communityId, communityId),
        eq(budgetItems.id, spendId),
        eq(budgetItems.kind, 'spend'),
        eq(budgetItems.status, 'requested'),
      ),
    )
    .returning();
  if (!refused) throw invalid([{ field: 'overspend', code: 'errors.hub.budget.notWaiting' }]);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.spend_refused',
    subjectType: 'personal_budget',
    subjectId: refused.budgetId,
  });
  return refused;
}

export const personData: PersonDataSource[] = [
  { table: 'plan_goals', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  // Reached through the person's caseload entries: their support plan and personal budgets.
  {
    table: 'plan_goals',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select g.goal, g.steps, g.who_does_what, g.created_at from plan_goals g join caseload_entries e on e.id = g.entry_id where e.person_record_id = ${record} order by g.created_at`,
    ),
  },
  {
    table: 'personal_budgets',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select b.source, b.allocated_pence, b.created_at from personal_budgets b join caseload_entries e on e.id = b.entry_id where e.person_record_id = ${record} order by b.created_at`,
    ),
  },
  {
    table: 'budget_items',
    column: 'budget_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the personal budget, whose entry moves' },
    rows: rowsThrough(
      (record) =>
        sql`select i.kind, i.description, i.amount_pence, i.spent_on, i.status, i.receipt from budget_items i join personal_budgets b on b.id = i.budget_id join caseload_entries e on e.id = b.entry_id where e.person_record_id = ${record} order by i.created_at`,
    ),
  },
  { table: 'personal_budgets', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'budget_items', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'budget_items', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
];
