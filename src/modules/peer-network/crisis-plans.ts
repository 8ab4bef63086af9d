// Each member's own crisis plan: what they write, whom they choose to show it to, and reading one
// shared with you.
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText } from '../../platform/fields.ts';
import { invalid, notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import * as store from './crisis-plans-store.ts';
import { facilitatorChoices, uuidList } from './service.ts';
import { groupIdsOfCommunity } from './store.ts';

export { plansSharedWith } from './crisis-plans-store.ts';

const planText = optionalText('errors.network.plan.text.tooLong', 4000);
export const crisisPlanDetails = z
  .object({
    warningSigns: planText,
    whatHelps: planText,
    whatDoesNotHelp: planText,
    whoToContact: planText,
    writtenWith: optionalText('errors.network.plan.text.tooLong', 500),
    facilitatorIds: uuidList('errors.network.plan.readers.invalid'),
    groupIds: uuidList('errors.network.plan.readers.invalid'),
  })
  .refine((plan) => Boolean(plan.warningSigns || plan.whatHelps || plan.whatDoesNotHelp || plan.whoToContact), {
    message: 'errors.network.plan.empty',
    path: ['whatHelps'],
  });
export type CrisisPlanDetails = z.infer<typeof crisisPlanDetails>;

export const crisisLines = ['999', '111', 'samaritans'] as const;

export async function ownPlan(tx: CommunityTransaction, personRecordId: string) {
  const plan = await store.planOf(tx, personRecordId);
  const readers = plan ? await store.readersOf(tx, personRecordId) : [];
  return {
    plan,
    facilitatorIds: readers.flatMap((one) => (one.readerPersonRecordId ? [one.readerPersonRecordId] : [])),
    groupIds: readers.flatMap((one) => (one.groupId ? [one.groupId] : [])),
  };
}

/** The member writes their plan and chooses who may read it; the readers are replaced as one change. */
export async function savePlan(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  personRecordId: string,
  details: CrisisPlanDetails,
) {
  const { facilitatorIds, groupIds, ...plan } = details;
  const facilitators = new Set((await facilitatorChoices(tx, communityId)).map((one) => one.id));
  if (facilitatorIds.some((id) => !facilitators.has(id)))
    throw invalid([{ field: 'facilitatorIds', code: 'errors.network.plan.readers.invalid' }]);
  if (groupIds.length) {
    const found = await groupIdsOfCommunity(tx, communityId, groupIds);
    if (found.length !== groupIds.length)
      throw invalid([{ field: 'groupIds', code: 'errors.network.plan.readers.invalid' }]);
  }
  await store.upsertPlan(tx, communityId, personRecordId, plan, actorId);
  await store.replaceReaders(tx, personRecordId, [
    ...facilitatorIds.map((id) => ({ communityId, planPersonRecordId: personRecordId, readerPersonRecordId: id })),
    ...groupIds.map((id) => ({ communityId, planPersonRecordId: personRecordId, groupId: id })),
  ]);
  await record(tx, {
    communityId,
    actorId,
    action: 'crisis_plan.saved',
    subjectType: 'crisis_plan',
    subjectId: personRecordId,
    detail: { facilitators: facilitatorIds.length, groups: groupIds.length },
  });
}

/**
 * Someone else's plan, if its owner chose to show it to this reader; otherwise it does not exist
 * for them. Each read by anyone but its owner is audited.
 */
export async function readPlan(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  readerRecordId: string | null,
  planPersonRecordId: string,
) {
  if (!readerRecordId) throw notFound();
  if (readerRecordId !== planPersonRecordId) {
    if (!(await store.mayRead(tx, readerRecordId, planPersonRecordId))) throw notFound();
  }
  const plan = await store.planWithName(tx, communityId, planPersonRecordId);
  if (!plan) throw notFound();
  if (readerRecordId !== planPersonRecordId) {
    await record(tx, {
      communityId,
      actorId,
      action: 'restricted.read',
      subjectType: 'crisis_plan',
      subjectId: planPersonRecordId,
      reason: 'shared with the reader by its owner',
    });
  }
  return plan;
}
