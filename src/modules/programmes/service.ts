import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { notFound } from '../../platform/http/problems.ts';
import { keptFor } from '../../platform/kept.ts';
import type { Database } from '../../platform/db/index.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { PersonDataSource } from '../../platform/person-data.ts';
import { recordMilestone } from '../journey/service.ts';
import {
  openProgrammeKinds,
  addMember,
  changeProgramme,
  currentProgrammesOf,
  findProgramme,
  insertProgramme,
  membershipRows,
  mergeMemberships,
  type Programme,
  programmeChoicesOf,
  type ProgrammeKind,
  programmeKinds,
  programmesByName,
} from './store.ts';

export { programmeKinds };
export type { Programme };

const text = (missing: string, tooLong: string, max: number) =>
  z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);

/** What an admin says about a programme, in plain words for the people it is for. */
export const programmeDetails = z.object({
  name: text('errors.programme.name.missing', 'errors.programme.name.tooLong', 120),
  kind: z.enum(programmeKinds, { error: 'errors.programme.kind.missing' }),
  whoFor: text('errors.programme.whoFor.missing', 'errors.programme.text.tooLong', 2000),
  howToJoin: text('errors.programme.howToJoin.missing', 'errors.programme.text.tooLong', 2000),
  whereAndWhen: z.string().trim().max(2000, 'errors.programme.text.tooLong').default(''),
  contact: z.string().trim().max(500, 'errors.programme.contact.tooLong').default(''),
  status: z.enum(['open', 'closed'], { error: 'errors.programme.status.invalid' }).default('open'),
});

export type ProgrammeDetails = z.infer<typeof programmeDetails>;

/** The names a filter offers, kept for a few seconds: the triage queue shows them on every page. */
const choicesKept = keptFor<{ id: string; name: string; kind: ProgrammeKind; status: 'open' | 'closed' }[]>(5_000);
export function programmeChoices(tx: CommunityTransaction, communityId: string) {
  return choicesKept.get(communityId, () => programmeChoicesOf(tx, communityId));
}

/** A community's programmes by name; people looking for support see only open ones. */
export async function listProgrammes(tx: CommunityTransaction, communityId: string, options: { openOnly: boolean }) {
  return programmesByName(tx, communityId, options.openOnly);
}

export async function getProgramme(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
): Promise<Programme> {
  const found = await findProgramme(tx, communityId, programmeId);
  if (!found) throw notFound();
  return found;
}

export async function createProgramme(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: ProgrammeDetails,
): Promise<Programme> {
  const created = await insertProgramme(tx, communityId, details);
  if (!created) throw new Error('programme insert returned nothing');
  choicesKept.forget(communityId);
  forgetProgrammeKinds(communityId);
  await record(tx, {
    communityId,
    actorId,
    action: 'programme.created',
    subjectType: 'programme',
    subjectId: created.id,
    detail: { kind: created.kind },
  });
  return created;
}

export async function updateProgramme(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  programmeId: string,
  details: ProgrammeDetails,
): Promise<Programme> {
  const updated = await changeProgramme(tx, communityId, programmeId, details);
  if (!updated) throw notFound();
  choicesKept.forget(communityId);
  forgetProgrammeKinds(communityId);
  await record(tx, {
    communityId,
    actorId,
    action: 'programme.updated',
    subjectType: 'programme',
    subjectId: programmeId,
  });
  return updated;
}

// ——— The header ———

const kindsKept = keptFor<readonly string[]>(30_000);

/** The kinds of programme a community runs (open ones), kept half a minute: every page's header asks. */
export const programmeKindsOf = (owner: Database, communityId: string): Promise<readonly string[]> =>
  kindsKept.get(communityId, () => openProgrammeKinds(owner, communityId));
/** A programme was added or changed: its community's header is worked out again. */
const forgetProgrammeKinds = (communityId: string) => kindsKept.forget(communityId);

// ——— Joining a programme ———

import type { AcceptanceHandler, AcceptanceHandlers, Joining } from '../../platform/module.ts';
export type { AcceptanceHandler, AcceptanceHandlers, Joining };

/** The person becomes a member of the programme (once), and their journey says so. */
export async function joinProgramme(tx: CommunityTransaction, joining: Joining): Promise<void> {
  await addMember(tx, {
    communityId: joining.communityId,
    programmeId: joining.programme.id,
    personRecordId: joining.personRecordId,
    referralId: joining.referralId,
    addedBy: joining.actorId,
  });
  await recordMilestone(tx, {
    communityId: joining.communityId,
    personRecordId: joining.personRecordId,
    kind: 'joined_programme',
    programmeId: joining.programme.id,
    source: joining.referralId ? { type: 'referral', id: joining.referralId } : undefined,
    once: `programme:${joining.programme.id}`,
    recordedBy: joining.actorId,
  });
}

/** Hands the person to the module of the programme's kind; until a kind has a module, they join the programme. */
export async function acceptInto(
  tx: CommunityTransaction,
  handlers: AcceptanceHandlers,
  joining: Joining,
): Promise<void> {
  const handler = handlers[joining.programme.kind] ?? joinProgramme;
  await handler(tx, joining);
}

/** The programmes a person is in now. */
export async function programmesOf(tx: CommunityTransaction, personRecordId: string) {
  return currentProgrammesOf(tx, personRecordId);
}

export const personData: PersonDataSource[] = [
  {
    table: 'programme_members',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    rows: membershipRows,
    // Someone in a programme under both records is in it once, from the earlier date.
    merge: mergeMemberships,
  },
  { table: 'programme_members', column: 'added_by', points: 'account', download: { excluded: 'actor' } },
];

// What other modules may use of the programmes' tables.
export {
  programmesSeen,
  programmesSeenSql,
  programmeMembersSeenSql,
  recordsInProgrammes,
  programmesByIds,
  programmeMembersSeen,
  addProgrammeMember,
} from './store.ts';
