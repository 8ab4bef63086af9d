// The queries of background checks: recorded, read, due for renewal, reminded.
import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeenSql } from '../people/service.ts';
import { backgroundChecks, type CheckLevel } from './schema.ts';

/** The person's checks not expired on the day, any level. */
export function checksNotExpired(tx: CommunityTransaction, personRecordId: string, day: string) {
  return tx
    .select({ level: backgroundChecks.level, expiresOn: backgroundChecks.expiresOn })
    .from(backgroundChecks)
    .where(and(eq(backgroundChecks.personRecordId, personRecordId), sql`${backgroundChecks.expiresOn} >= ${day}`));
}

export async function insertCheck(tx: CommunityTransaction, values: typeof backgroundChecks.$inferInsert) {
  const [saved] = await tx.insert(backgroundChecks).values(values).returning();
  return saved;
}

/** A person's checks, latest expiry first, with who saw each. */
export function checksOf(tx: CommunityTransaction, personRecordId: string) {
  return tx
    .select({
      id: backgroundChecks.id,
      level: backgroundChecks.level,
      certificateNumber: backgroundChecks.certificateNumber,
      issuedOn: backgroundChecks.issuedOn,
      expiresOn: backgroundChecks.expiresOn,
      seenBy: sql<string | null>`(select display_name from people where id = ${backgroundChecks.seenBy})`,
    })
    .from(backgroundChecks)
    .where(eq(backgroundChecks.personRecordId, personRecordId))
    .orderBy(desc(backgroundChecks.expiresOn));
}

/** Each active person's latest check that runs out within the warning days (or did in the last month), with no later one beyond them. */
export async function checksRunningOut(tx: CommunityTransaction, communityId: string, checkWarningDays: number) {
  const rows = await tx.execute<{ person_record_id: string; name: string; level: CheckLevel; expires_on: string }>(sql`
    select distinct on (c.person_record_id) c.person_record_id, r.preferred_name as name, c.level, c.expires_on::text
    from timebank_checks c join ${recordsSeenSql('r')} on r.id = c.person_record_id
    where c.community_id = ${communityId} and r.status = 'active'
      and not exists (select 1 from timebank_checks later where later.person_record_id = c.person_record_id and later.expires_on > current_date + ${checkWarningDays}::int)
      and c.expires_on between current_date - 31 and current_date + ${checkWarningDays}::int
    order by c.person_record_id, c.expires_on desc`);
  return rows.rows;
}

/** Marks the checks expiring within the warning days whose holders were not yet reminded, and returns them. */
export function markChecksReminded(tx: CommunityTransaction, communityId: string, checkWarningDays: number) {
  return tx
    .update(backgroundChecks)
    .set({ reminderSentAt: new Date() })
    .where(
      and(
        eq(backgroundChecks.communityId, communityId),
        isNull(backgroundChecks.reminderSentAt),
        sql`${backgroundChecks.expiresOn} between current_date and current_date + ${checkWarningDays}::int`,
      ),
    )
    .returning({ personRecordId: backgroundChecks.personRecordId, expiresOn: backgroundChecks.expiresOn });
}

/** Erasure: the certificate's number identifies the person; the level and dates stay. */
export async function forgetCertificateNumbers(tx: CommunityTransaction, personRecordId: string): Promise<void> {
  await tx.execute(sql`update timebank_checks set certificate_number = '' where person_record_id = ${personRecordId}`);
}
