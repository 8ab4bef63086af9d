// Background checks: which level covers which work, and the one rule every path uses to refuse
// work a person is not checked for.
import { DomainError } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { checksNotExpired } from './checks-store.ts';
import type { CheckLevel } from './schema.ts';

/** The levels in order: a check satisfies its own level and every one below it. */
export const checkOrder: Record<CheckLevel, number> = { none: 0, basic: 1, enhanced: 2, enhanced_barred: 3 };

/** Whether a check of `held` level, expiring on `expiresOn`, covers work needing `needed` on `day`. */
export function checkCovers(
  needed: CheckLevel,
  held: { level: CheckLevel; expiresOn: string } | undefined,
  day: string,
): boolean {
  if (needed === 'none') return true;
  if (!held) return false;
  return held.expiresOn >= day && checkOrder[held.level] >= checkOrder[needed];
}

/** The person's best current check (the highest level not yet expired), if any. */
export async function currentCheck(tx: CommunityTransaction, personRecordId: string, day = ukDay(new Date())) {
  const checks = await checksNotExpired(tx, personRecordId, day);
  return checks.sort((a, b) => checkOrder[b.level] - checkOrder[a.level])[0];
}

/** Refuses, in plain words, work the person is not checked for. */
export async function requireCheck(
  tx: CommunityTransaction,
  personRecordId: string,
  needed: CheckLevel,
  field: string,
): Promise<void> {
  if (needed === 'none') return;
  if (!checkCovers(needed, await currentCheck(tx, personRecordId), ukDay(new Date()))) {
    throw new DomainError('timebank-check-needed', 400, [{ field, code: `errors.timebank.checkNeeded.${needed}` }], {
      checkLevel: needed,
    });
  }
}
