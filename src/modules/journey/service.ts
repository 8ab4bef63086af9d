import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { MilestoneKind } from './schema.ts';
import * as store from './store.ts';
import { milestoneKinds } from './store.ts';

export { milestoneKinds };
export { personData } from './store.ts';
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
  await store.insertMilestones(
    tx,
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
  );
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
  const steps = await store.stepsOf(tx, personRecordId);
  return { steps, ladder: ladderFrom(steps) };
}
