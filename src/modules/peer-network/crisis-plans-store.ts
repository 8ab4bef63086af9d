// The crisis plans' queries: each member's own plan, whom they show it to, and who may read it.
import { and, eq, sql } from 'drizzle-orm';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { preferredNameOf, recordsSeenSql } from '../people/service.ts';
import { crisisPlanReaders, crisisPlans } from './schema.ts';

type PlanText = Pick<
  typeof crisisPlans.$inferInsert,
  'warningSigns' | 'whatHelps' | 'whatDoesNotHelp' | 'whoToContact' | 'writtenWith'
>;
type NewReader = { communityId: string; planPersonRecordId: string } & (
  { readerPersonRecordId: string } | { groupId: string }
);

export async function planOf(tx: CommunityTransaction, personRecordId: string) {
  const [plan] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, personRecordId));
  return plan;
}

export async function readersOf(tx: CommunityTransaction, personRecordId: string) {
  return tx.select().from(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, personRecordId));
}

export async function upsertPlan(
  tx: CommunityTransaction,
  communityId: string,
  personRecordId: string,
  plan: PlanText,
  actorId: string,
) {
  await tx
    .insert(crisisPlans)
    .values({ ...plan, communityId, personRecordId, updatedBy: actorId })
    .onConflictDoUpdate({
      target: crisisPlans.personRecordId,
      set: { ...plan, updatedBy: actorId, updatedAt: sql`now()` },
    });
}

/** The plan's readers become these, as one change. */
export async function replaceReaders(tx: CommunityTransaction, personRecordId: string, readers: NewReader[]) {
  await tx.delete(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, personRecordId));
  if (readers.length) await tx.insert(crisisPlanReaders).values(readers);
}

/** Whose plans this person may read: those that name them, or a group they go to or facilitate. */
function readablePlans(readerRecordId: string) {
  return sql`(
    select c.plan_person_record_id from crisis_plan_readers c where c.reader_person_record_id = ${readerRecordId}
    union select c.plan_person_record_id from crisis_plan_readers c join peer_usual_groups u on u.group_id = c.group_id and u.person_record_id = ${readerRecordId}
      join peer_groups g on g.id = c.group_id and g.ended_at is null
      join peer_network_members m on m.programme_id = g.programme_id and m.person_record_id = u.person_record_id and m.active
    union select c.plan_person_record_id from crisis_plan_readers c join peer_group_facilitators f on f.group_id = c.group_id and f.person_record_id = ${readerRecordId})`;
}

/** The plans shared with this person, by whose they are. */
export async function plansSharedWith(tx: CommunityTransaction, readerRecordId: string) {
  const rows = await tx.execute<{ id: string; name: string }>(sql`
    select r.id, r.preferred_name as name from ${recordsSeenSql('r')}
    where r.id in ${readablePlans(readerRecordId)} and r.id <> ${readerRecordId} and exists (select 1 from crisis_plans p where p.person_record_id = r.id)
    order by lower(r.preferred_name)`);
  return rows.rows;
}

/** Whether the plan's owner chose to show it to this reader. */
export async function mayRead(tx: CommunityTransaction, readerRecordId: string, planPersonRecordId: string) {
  const allowed = await tx.execute<{ ok: boolean }>(
    sql`select ${planPersonRecordId} in ${readablePlans(readerRecordId)} as ok`,
  );
  return Boolean(allowed.rows[0]?.ok);
}

/** The plan of this community's record, with its owner's name. */
export async function planWithName(tx: CommunityTransaction, communityId: string, planPersonRecordId: string) {
  const [plan] = await tx
    .select({
      plan: crisisPlans,
      name: preferredNameOf(crisisPlans.personRecordId),
    })
    .from(crisisPlans)
    .where(and(eq(crisisPlans.communityId, communityId), eq(crisisPlans.personRecordId, planPersonRecordId)));
  return plan;
}

/**
 * One crisis plan per person: where both records have one, what each says is kept (the other
 * record's words follow the kept record's, for the person to tidy), and both sets of readers.
 */
export async function mergeCrisisPlans(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const [gone] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, fromId));
  if (!gone) return;
  const [kept] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, intoId));
  const both = (mine: string, theirs: string) =>
    !theirs.trim() || mine.includes(theirs) ? mine : mine.trim() ? `${mine}\n\n${theirs}` : theirs;
  const fields = ['warningSigns', 'whatHelps', 'whatDoesNotHelp', 'whoToContact', 'writtenWith'] as const;
  if (kept) {
    await tx
      .update(crisisPlans)
      .set(Object.fromEntries(fields.map((field) => [field, both(kept[field], gone[field])])))
      .where(eq(crisisPlans.personRecordId, intoId));
  } else {
    await tx.insert(crisisPlans).values({ ...gone, personRecordId: intoId });
  }
  await tx.execute(sql`delete from crisis_plan_readers gone using crisis_plan_readers kept
    where gone.plan_person_record_id = ${fromId} and kept.plan_person_record_id = ${intoId}
      and gone.reader_person_record_id is not distinct from kept.reader_person_record_id and gone.group_id is not distinct from kept.group_id`);
  await tx
    .update(crisisPlanReaders)
    .set({ planPersonRecordId: intoId })
    .where(eq(crisisPlanReaders.planPersonRecordId, fromId));
  await tx.delete(crisisPlans).where(eq(crisisPlans.personRecordId, fromId));
}

/** What the person wrote about their crises goes with them: the readers, and every word of the plan. */
export async function eraseCrisisPlan(tx: CommunityTransaction, id: string): Promise<void> {
  await tx.delete(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, id));
  await tx
    .update(crisisPlans)
    .set({ warningSigns: '', whatHelps: '', whatDoesNotHelp: '', whoToContact: '', writtenWith: '' })
    .where(eq(crisisPlans.personRecordId, id));
}
