// Co-produced support plans and personal budgets for people on the hub's caseload.
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import * as store from './budgets-store.ts';
import { entryFor, type TeamAsker } from './service.ts';

export { personData, spendStatuses } from './budgets-store.ts';

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
  return store.planGoalsOf(tx, entryId);
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
  const made = await store.insertPlanGoal(tx, communityId, entryId, goal, asker.accountId);
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
  const goal = await store.planGoalById(tx, communityId, planGoalId);
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
  const changed = await store.changePlanGoal(tx, goal.id, change);
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
  return store.openPlanGoalsOf(tx, personRecordId);
}

// ——— Budgets ———

export async function budgetsOf(tx: CommunityTransaction, entryId: string) {
  const rows = await store.budgetTotalsOf(tx, entryId);
  return rows.map((row) => ({ ...row, balance_pence: row.allocated_pence - row.approved_pence }));
}

/** Only coordinators and the clinical team (not peer supporters) hold the budget. */
function requireBudgetHolder(asker: TeamAsker) {
  if (!asker.clinical) throw notFound();
}

/** A person's budgets as the asker sees them: those who hold budgets see them all, anyone else none. */
export async function budgetsSeenBy(tx: CommunityTransaction, entryId: string, asker: TeamAsker) {
  return asker.clinical ? budgetsOf(tx, entryId) : [];
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
  const made = await store.insertBudget(tx, communityId, entryId, budget, asker.accountId);
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
  const budget = await store.budgetWithEntry(tx, communityId, budgetId);
  if (!budget) throw notFound();
  await entryFor(tx, communityId, budget.entry.id, asker);
  requireBudgetHolder(asker);
  const items = await store.itemsOfBudget(tx, budgetId);
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

async function checkGoal(tx: CommunityTransaction, entryId: string, planGoalId: string | null | undefined) {
  if (!planGoalId) return;
  const goal = await store.goalOfEntry(tx, entryId, planGoalId);
  if (!goal) throw invalid([{ field: 'planGoalId', code: 'errors.hub.budget.goal.invalid' }]);
}

/** An item of a budget its holder sees, tied to one of the plan's goals when it names one. */
async function addItem(
  tx: CommunityTransaction,
  communityId: string,
  budgetId: string,
  asker: TeamAsker,
  item: Omit<Parameters<typeof store.insertBudgetItem>[1], 'communityId' | 'budgetId' | 'createdBy'>,
) {
  const found = await budgetFor(tx, communityId, budgetId, asker);
  await checkGoal(tx, found.entry.id, item.planGoalId);
  return store.insertBudgetItem(tx, { communityId, budgetId, ...item, createdBy: asker.accountId });
}

export async function addPlanned(
  tx: CommunityTransaction,
  communityId: string,
  budgetId: string,
  asker: TeamAsker,
  item: z.infer<typeof plannedItem>,
) {
  return addItem(tx, communityId, budgetId, asker, { kind: 'planned', ...item });
}

/** A planned item, with its budget as its holder sees it. */
export async function plannedFor(tx: CommunityTransaction, communityId: string, itemId: string, asker: TeamAsker) {
  const item = await store.plannedItemById(tx, communityId, itemId);
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
  const changed = await store.changePlannedItem(tx, item.id, {
    description: change.description,
    amountPence: change.amountPence,
    planGoalId: change.planGoalId ?? null,
  });
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
  const made = await addItem(tx, communityId, budgetId, asker, { kind: 'spend', status: 'requested', ...spend });
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
  const spend = await store.spendById(tx, communityId, spendId);
  if (!spend) throw notFound();
  // Separation of duties: whoever asked for a spend does not approve it.
  if (spend.createdBy === asker.accountId) throw new DomainError('spend-own-request', 403);
  await store.lockBudget(tx, spend.budgetId);
  const found = await budgetFor(tx, communityId, spend.budgetId, asker);
  const current = found.items.find((item) => item.id === spendId);
  if (current?.status !== 'requested') throw invalid([{ field: 'overspend', code: 'errors.hub.budget.notWaiting' }]);
  const problem = approvalProblem(found.balancePence, spend.amountPence, approval);
  if (problem) throw invalid([problem]);
  const overspent = spend.amountPence > found.balancePence;
  const approved = await store.markSpendApproved(tx, spendId, asker.accountId, overspent ? approval.note : '');
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
  await store.lockBudgetOfSpend(tx, communityId, spendId);
  const refused = await store.markSpendRefused(tx, communityId, spendId, asker.accountId);
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
