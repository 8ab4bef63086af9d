import { asc, eq, sql } from 'drizzle-orm';
import { type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { programmes } from '../programmes/schema.ts';
import { type MilestoneKind, milestoneKinds, milestones } from './schema.ts';

export { milestoneKinds };
export type { MilestoneKind };

export interface MilestoneEntry {
  communityId: string;
  personRecordId: string;
  kind: MilestoneKind;
  at?: Date;
  programmeId?: string | null;
  source?: { type: string; id: string };
  detail?: Record<string, unknown>;
  /** For steps that happen once (a first attendance, joining a programme): the same key twice is one step. */
  once?: string;
  recordedBy: string | null;
}

/** The one way every programme records a step in someone's journey. */
export async function recordMilestone(tx: CommunityTransaction, entry: MilestoneEntry): Promise<void> {
  await recordMilestones(tx, [entry]);
}

/** Several steps at once (the two sides of an exchange), in one statement. */
export async function recordMilestones(tx: CommunityTransaction, entries: readonly MilestoneEntry[]): Promise<void> {
  if (entries.length === 0) return;
  await tx
    .insert(milestones)
    .values(
      entries.map((entry) => ({
        communityId: entry.communityId,
        personRecordId: entry.personRecordId,
        kind: entry.kind,
        at: entry.at ?? new Date(),
        programmeId: entry.programmeId ?? null,
        sourceType: entry.source?.type ?? null,
        sourceId: entry.source?.id ?? null,
        detail: entry.detail ?? {},
        onceKey: entry.once ?? null,
        recordedBy: entry.recordedBy,
      })),
    )
    .onConflictDoNothing();
}

/** The ladder: from being supported, to giving back, to learning, to leading. */
export const rungs = ['supported', 'contributing', 'learning', 'leading'] as const;
export type Rung = (typeof rungs)[number];

export const rungOf: Record<MilestoneKind, Rung> = {
  referral_received: 'supported',
  contacted: 'supported',
  joined_programme: 'supported',
  first_attendance: 'supported',
  hours_received: 'supported',
  hours_given: 'contributing',
  course_started: 'learning',
  course_completed: 'learning',
  became_peer_supporter: 'leading',
  became_facilitator: 'leading',
  became_coach: 'leading',
  involvement_taken_up: 'leading',
};

export interface LadderStep {
  rung: Rung;
  /** When the person first reached it; null when not yet. */
  reachedAt: Date | null;
}

/**
 * Where a person stands on the ladder: each rung and when it was first reached, and the
 * highest reached. Steps are not a queue: someone may lead before they learn.
 */
export function ladderFrom(steps: readonly { kind: MilestoneKind; at: Date }[]): {
  steps: LadderStep[];
  highest: Rung | null;
} {
  const first = new Map<Rung, Date>();
  for (const step of steps) {
    const rung = rungOf[step.kind];
    const seen = first.get(rung);
    if (!seen || step.at < seen) first.set(rung, step.at);
  }
  const ladder = rungs.map((rung) => ({ rung, reachedAt: first.get(rung) ?? null }));
  const highest = [...ladder].reverse().find((step) => step.reachedAt !== null)?.rung ?? null;
  return { steps: ladder, highest };
}

/** A person's journey, oldest step first, with the names of the programmes it passed through. */
export async function journeyOf(tx: CommunityTransaction, personRecordId: string) {
  const steps = await tx
    .select({
      id: milestones.id,
      kind: milestones.kind,
      at: milestones.at,
      programmeId: milestones.programmeId,
      programmeName: programmes.name,
      sourceType: milestones.sourceType,
      sourceId: milestones.sourceId,
      detail: milestones.detail,
    })
    .from(milestones)
    .leftJoin(programmes, eq(programmes.id, milestones.programmeId))
    .where(eq(milestones.personRecordId, personRecordId))
    .orderBy(asc(milestones.at), asc(milestones.id));
  return { steps, ladder: ladderFrom(steps) };
}

export const personData: PersonDataSource[] = [
  {
    table: 'milestones',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    rows: rowsThrough(
      (record) =>
        sql`select m.*, p.name as programme from milestones m left join programmes p on p.id = m.programme_id where m.person_record_id = ${record} order by m.at, m.id`,
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
