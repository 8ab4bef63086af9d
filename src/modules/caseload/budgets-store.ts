// The caseload's queries on support plans and personal budgets.
import { and, asc, eq, sql } from 'drizzle-orm';
import { type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { budgetItems, caseloadEntries, personalBudgets, planGoals, spendStatuses } from './schema.ts';
import { throughEntry } from './store.ts';

export { spendStatuses };

type NewPlanGoal = Pick<typeof planGoals.$inferInsert, 'goal' | 'steps' | 'whoDoesWhat'>;

// ——— Plans ———

export function planGoalsOf(tx: CommunityTransaction, entryId: string) {
  return tx.select().from(planGoals).where(eq(planGoals.entryId, entryId)).orderBy(asc(planGoals.createdAt));
}

export async function insertPlanGoal(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  goal: NewPlanGoal,
  createdBy: string,
) {
  const [made] = await tx
    .insert(planGoals)
    .values({ communityId, entryId, ...goal, createdBy })
    .returning();
  return made;
}

export async function planGoalById(tx: CommunityTransaction, communityId: string, planGoalId: string) {
  const [goal] = await tx
    .select()
    .from(planGoals)
    .where(and(eq(planGoals.communityId, communityId), eq(planGoals.id, planGoalId)));
  return goal;
}

export async function changePlanGoal(tx: CommunityTransaction, planGoalId: string, change: NewPlanGoal) {
  const [changed] = await tx.update(planGoals).set(change).where(eq(planGoals.id, planGoalId)).returning();
  return changed;
}

/** The goals of a person's open caseload entries, oldest first. */
export async function openPlanGoalsOf(tx: CommunityTransaction, personRecordId: string) {
  const rows = await tx.execute<{ goal: string; steps: string; who_does_what: string }>(sql`
    select g.goal, g.steps, g.who_does_what from plan_goals g join caseload_entries e on e.id = g.entry_id
    where e.person_record_id = ${personRecordId} and e.closed_at is null order by g.created_at`);
  return rows.rows;
}

/** Whether a goal belongs to this caseload entry. */
export async function goalOfEntry(tx: CommunityTransaction, entryId: string, planGoalId: string) {
  const [goal] = await tx
    .select({ id: planGoals.id })
    .from(planGoals)
    .where(and(eq(planGoals.id, planGoalId), eq(planGoals.entryId, entryId)));
  return goal;
}

// ——— Budgets ———

/** An entry's budgets with what is approved, planned and waiting on each. */
export async function budgetTotalsOf(tx: CommunityTransaction, entryId: string) {
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
  return rows.rows;
}

export async function insertBudget(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  budget: { source: string; allocatedPence: number },
  createdBy: string,
) {
  const [made] = await tx
    .insert(personalBudgets)
    .values({ communityId, entryId, ...budget, createdBy })
    .returning();
  return made;
}

/** A budget of the community with its caseload entry. */
export async function budgetWithEntry(tx: CommunityTransaction, communityId: string, budgetId: string) {
  const [budget] = await tx
    .select({ budget: personalBudgets, entry: caseloadEntries })
    .from(personalBudgets)
    .innerJoin(caseloadEntries, eq(caseloadEntries.id, personalBudgets.entryId))
    .where(and(eq(personalBudgets.communityId, communityId), eq(personalBudgets.id, budgetId)));
  return budget;
}

export function itemsOfBudget(tx: CommunityTransaction, budgetId: string) {
  return tx.select().from(budgetItems).where(eq(budgetItems.budgetId, budgetId)).orderBy(asc(budgetItems.createdAt));
}

export async function insertBudgetItem(tx: CommunityTransaction, values: typeof budgetItems.$inferInsert) {
  const [made] = await tx.insert(budgetItems).values(values).returning();
  return made;
}

export async function plannedItemById(tx: CommunityTransaction, communityId: string, itemId: string) {
  const [item] = await tx
    .select()
    .from(budgetItems)
    .where(and(eq(budgetItems.communityId, communityId), eq(budgetItems.id, itemId), eq(budgetItems.kind, 'planned')));
  return item;
}

export async function changePlannedItem(
  tx: CommunityTransaction,
  itemId: string,
  change: { description: string; amountPence: number; planGoalId: string | null },
) {
  const [changed] = await tx.update(budgetItems).set(change).where(eq(budgetItems.id, itemId)).returning();
  return changed;
}

export async function spendById(tx: CommunityTransaction, communityId: string, spendId: string) {
  const [spend] = await tx
    .select()
    .from(budgetItems)
    .where(and(eq(budgetItems.communityId, communityId), eq(budgetItems.id, spendId), eq(budgetItems.kind, 'spend')));
  return spend;
}

/** Waits for any other change to the budget's spends, and holds them until the transaction ends. */
export async function lockBudget(tx: CommunityTransaction, budgetId: string): Promise<void> {
  await tx.execute(sql`select id from personal_budgets where id = ${budgetId} for no key update`);
}

/** The same lock as lockBudget, reached through one of the budget's spends. */
export async function lockBudgetOfSpend(tx: CommunityTransaction, communityId: string, spendId: string): Promise<void> {
  await tx.execute(
    sql`select b.id from personal_budgets b join budget_items i on i.budget_id = b.id where i.id = ${spendId} and i.community_id = ${communityId} for no key update of b`,
  );
}

/** Approves a spend still waiting; returns nothing when it was not. */
export async function markSpendApproved(
  tx: CommunityTransaction,
  spendId: string,
  decidedBy: string,
  overspendNote: string,
) {
  const [approved] = await tx
    .update(budgetItems)
    .set({
      status: 'approved',
      decidedBy,
      decidedAt: sql`now()`,
      overspendNote,
    })
    .where(and(eq(budgetItems.id, spendId), eq(budgetItems.status, 'requested')))
    .returning({ id: budgetItems.id });
  return approved;
}

/** Refuses a spend of the community still waiting; returns nothing when there was none. */
export async function markSpendRefused(
  tx: CommunityTransaction,
  communityId: string,
  spendId: string,
  decidedBy: string,
) {
  const [refused] = await tx
    .update(budgetItems)
    .set({ status: 'refused', decidedBy, decidedAt: sql`now()` })
    .where(
      and(
        eq(budgetItems.communityId, communityId),
        eq(budgetItems.id, spendId),
        eq(budgetItems.kind, 'spend'),
        eq(budgetItems.status, 'requested'),
      ),
    )
    .returning();
  return refused;
}

export const personData: PersonDataSource[] = [
  { table: 'plan_goals', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  // Reached through the person's caseload entries: their support plan and personal budgets.
  throughEntry(
    'plan_goals',
    (record) =>
      sql`select g.goal, g.steps, g.who_does_what, g.created_at from plan_goals g join caseload_entries e on e.id = g.entry_id where e.person_record_id = ${record} order by g.created_at`,
  ),
  throughEntry(
    'personal_budgets',
    (record) =>
      sql`select b.source, b.allocated_pence, b.created_at from personal_budgets b join caseload_entries e on e.id = b.entry_id where e.person_record_id = ${record} order by b.created_at`,
  ),
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
