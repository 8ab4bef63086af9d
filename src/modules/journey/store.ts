// The journey module's queries on milestones.
import { asc, eq, sql } from 'drizzle-orm';
import { type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { programmesSeen, programmesSeenSql } from '../programmes/service.ts';
import { milestoneKinds, milestones } from './schema.ts';

export { milestoneKinds };

/** Writes steps in one statement; a step already recorded once (by its once key) is left as it is. */
export async function insertMilestones(
  tx: CommunityTransaction,
  rows: (typeof milestones.$inferInsert)[],
): Promise<void> {
  await tx.insert(milestones).values(rows).onConflictDoNothing();
}

/** A person's steps, oldest first, with the names of the programmes they passed through. */
export function stepsOf(tx: CommunityTransaction, personRecordId: string) {
  const programme = programmesSeen('programme');
  return tx
    .select({
      id: milestones.id,
      kind: milestones.kind,
      at: milestones.at,
      programmeId: milestones.programmeId,
      programmeName: programme.name,
      sourceType: milestones.sourceType,
      sourceId: milestones.sourceId,
      detail: milestones.detail,
    })
    .from(milestones)
    .leftJoin(programme, eq(programme.id, milestones.programmeId))
    .where(eq(milestones.personRecordId, personRecordId))
    .orderBy(asc(milestones.at), asc(milestones.id));
}

export const personData: PersonDataSource[] = [
  {
    table: 'milestones',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    rows: rowsThrough(
      (record) =>
        sql`select m.*, p.name as programme from milestones m left join ${programmesSeenSql('p')} on p.id = m.programme_id where m.person_record_id = ${record} order by m.at, m.id`,
    ),
    // A step that happens once stays once: the merged-in record's copy is dropped when the kept one has it.
    merge: async (tx, fromId, intoId) => {
      await tx.execute(sql`delete from ${milestones} gone using ${milestones} kept
        where gone.person_record_id = ${fromId} and kept.person_record_id = ${intoId}
          and gone.once_key is not null and gone.once_key = kept.once_key and gone.kind = kept.kind`);
      await tx.update(milestones).set({ personRecordId: intoId }).where(eq(milestones.personRecordId, fromId));
    },
  },
  { table: 'milestones', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
];
