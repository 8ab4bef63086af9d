// The hub team's shared caseload: everyone on it is the team's; review meetings whose agenda
// builds itself; actions with owners; risk flags whose detail only the clinical team reads.
import { addDays, formatISO, parseISO } from 'date-fns';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import { type CommunityTransaction, type Role, runningRoles } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { keptFor } from '../../platform/kept.ts';
import type { Database } from '../../platform/db/index.ts';
import { activeRecordsWithAccount, getPerson, listPeople } from '../people/service.ts';
import { peopleWithSupportEnding, supports } from '../peer-support/service.ts';
import { type Joining, joinProgramme } from '../programmes/service.ts';
import type { AgendaCounts, AgendaReason, caseloadEntries, reviewMeetings } from './schema.ts';
import * as store from './store.ts';
import { agendaReasons, teamRoles } from './store.ts';

export { agendaReasons, teamRoles };
export { actionsOfEntry, actionsOwnedBy, contactsOfEntry, forgottenText, keyContactsOf, personData } from './store.ts';
export type Entry = typeof caseloadEntries.$inferSelect;
export type Meeting = typeof reviewMeetings.$inferSelect;

/** Who is asking, as the hub sees them. */
export interface TeamAsker {
  accountId: string;
  recordId: string | null;
  /** Admins and coordinators run the hub. */
  staff: boolean;
  teamRole: (typeof teamRoles)[number] | null;
  /** May read a risk's clinical detail: staff, safeguarding leads, clinicians and support workers in the team. */
  clinical: boolean;
}

const isoDay = (key: string) => plainDate(key);

// ——— What people send ———

export const teamMemberDetails = z.object({
  personRecordId: z.uuid({ error: 'errors.hub.team.person.missing' }),
  teamRole: z.enum(teamRoles, { error: 'errors.hub.team.role.missing' }),
});
export const contactNote = z.object({
  occurredOn: isoDay('errors.hub.date.invalid').refine((value) => value <= ukDay(), 'errors.hub.date.future'),
  note: requiredText('errors.hub.note.missing', 'errors.hub.text.tooLong', 4000),
});
export const newAction = z.object({
  description: requiredText('errors.hub.action.description.missing', 'errors.hub.text.tooLong', 1000),
  ownerRecordId: z.uuid({ error: 'errors.hub.action.owner.missing' }),
  dueOn: isoDay('errors.hub.action.dueOn.invalid'),
});
export const newRisk = z.object({
  detail: requiredText('errors.hub.risk.detail.missing', 'errors.hub.text.tooLong', 4000),
  agreedApproach: requiredText('errors.hub.risk.approach.missing', 'errors.hub.text.tooLong', 2000),
  reviewOn: isoDay('errors.hub.risk.reviewOn.invalid').refine(
    (value) => value >= ukDay(),
    'errors.hub.risk.reviewOn.past',
  ),
});
export const itemRecord = z.object({
  discussion: optionalText('errors.hub.text.tooLong', 8000),
  decisions: optionalText('errors.hub.text.tooLong', 4000),
  action: newAction.optional(),
});
export const meetingClose = z.object({ minutes: optionalText('errors.hub.text.tooLong', 20_000) });

// ——— The hub and its team ———

const hubTeamsKept = keptFor<ReadonlySet<string>>(30_000);

/** Whether an account is in the community's hub team, from a list kept half a minute: the header links the hub for them. */
export const inHubTeam = async (owner: Database, communityId: string, accountId: string) =>
  (await hubTeamsKept.get(communityId, () => store.hubTeamAccounts(owner, communityId))).has(accountId);
/** Someone joined or left a hub team. */
const forgetHubTeam = (communityId: string) => hubTeamsKept.forget(communityId);

/** The community's hub: its first open programme of kind `hub`, with the team's rhythm. */
export async function hubOf(tx: CommunityTransaction, communityId: string) {
  return hubFrom(await store.firstOpenHub(tx, communityId));
}
/** The hub as found, with the rhythm every hub has until its team sets its own. */
function hubFrom(
  found: { id: string; name: string; reviewDays: number[] | null; quietDays: number | null } | undefined | null,
) {
  if (!found) throw notFound();
  return {
    id: found.id,
    name: found.name,
    reviewDays: found.reviewDays ?? [1, 3, 5],
    quietDays: found.quietDays ?? 14,
  };
}
export type Hub = ReturnType<typeof hubFrom>;

/** The hub's rhythm: the days of the week the team reviews its caseload, and how long without contact puts someone on the agenda. */
export const hubSettings = z.object({
  reviewDays: z
    .preprocess(
      (value) => (value === undefined || value === '' ? [] : Array.isArray(value) ? value : [value]),
      z.array(z.coerce.number().int().min(1, 'errors.hub.settings.days').max(7, 'errors.hub.settings.days')),
    )
    .refine((days) => days.length > 0, 'errors.hub.settings.days')
    .transform((days) => [...new Set(days)].sort((a, b) => a - b)),
  quietDays: z.coerce
    .number({ error: 'errors.hub.settings.quiet' })
    .int('errors.hub.settings.quiet')
    .min(1, 'errors.hub.settings.quiet')
    .max(90, 'errors.hub.settings.quiet'),
});

/** Coordinators change the hub's rhythm; the next review day and the agenda follow it. */
export async function saveHubSettings(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  asker: TeamAsker,
  change: z.infer<typeof hubSettings>,
): Promise<Hub> {
  if (!asker.staff) throw notFound();
  await store.saveHubRhythm(tx, communityId, hub.id, change);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.settings_changed',
    subjectType: 'programme',
    subjectId: hub.id,
    detail: change,
  });
  return hubOf(tx, communityId);
}

/**
 * Who is asking, as the team sees them: whether they run the hub (admins, coordinators), their role
 * in its team, and whether they see clinical detail (the clinical team, safeguarding leads, those who run it).
 */
export async function teamAsker(
  tx: CommunityTransaction,
  hub: Hub,
  who: { accountId: string; recordId: string | null; roles: readonly Role[] },
): Promise<TeamAsker> {
  const [member] = who.recordId ? await store.teamRoleRows(tx, hub.id, who.recordId) : [];
  return askerAs(who, member?.teamRole ?? null);
}

/** The asker as the team sees them, given their role in its team (none: null). */
function askerAs(
  who: { accountId: string; recordId: string | null; roles: readonly Role[] },
  teamRole: TeamAsker['teamRole'],
): TeamAsker {
  const staff = who.roles.some((role) => runningRoles.includes(role));
  return {
    accountId: who.accountId,
    recordId: who.recordId,
    staff,
    teamRole,
    clinical:
      staff || who.roles.includes('safeguarding_lead') || teamRole === 'clinician' || teamRole === 'support_worker',
  };
}

/** Only the team (and those who run the hub) see anything of it; everyone else is told it does not exist. */
export function requireTeam(asker: TeamAsker) {
  if (!asker.staff && !asker.teamRole) throw notFound();
}

/**
 * Review meetings, key contacts and new actions are for the team's clinical and coordinating
 * members: a peer supporter sees only the people they work with, and an agenda names everyone.
 */
export function requireWholeCaseload(asker: TeamAsker) {
  requireTeam(asker);
  if (!asker.staff && asker.teamRole === 'peer_supporter') throw notFound();
}

export async function listTeam(tx: CommunityTransaction, hub: Hub) {
  return store.teamOf(tx, hub.id);
}

/** The team page: the team's members, for the team; those who run the hub also choose from everyone with an account to add. */
export async function teamPage(tx: CommunityTransaction, communityId: string, hub: Hub, asker: TeamAsker) {
  requireTeam(asker);
  const candidates = asker.staff ? await activeRecordsWithAccount(tx, communityId) : [];
  return { hub, members: await listTeam(tx, hub), candidates, staffView: asker.staff };
}

export async function addTeamMember(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  actorId: string,
  details: z.infer<typeof teamMemberDetails>,
) {
  try {
    await getPerson(tx, communityId, details.personRecordId);
  } catch {
    throw invalid([{ field: 'personRecordId', code: 'errors.hub.team.person.missing' }]);
  }
  await store.saveTeamMember(tx, communityId, hub.id, details);
  await record(tx, {
    communityId,
    actorId,
    action: 'hub.team_member_added',
    subjectType: 'person_record',
    subjectId: details.personRecordId,
    detail: { teamRole: details.teamRole },
  });
  forgetHubTeam(communityId);
}

// ——— The caseload ———

/** Puts someone on the team's caseload (once). */
export async function addToCaseload(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string,
  referralId: string | null,
  actorId: string | null,
): Promise<Entry> {
  const made = await store.insertEntry(tx, communityId, programmeId, personRecordId, referralId);
  if (made) {
    await record(tx, {
      communityId,
      actorId,
      action: 'hub.caseload_added',
      subjectType: 'person_record',
      subjectId: personRecordId,
    });
    return made;
  }
  const existing = await store.openEntryOf(tx, programmeId, personRecordId);
  if (!existing) throw new Error('caseload entry vanished');
  return existing;
}

export const closing = z.object({
  note: requiredText('errors.hub.close.note.missing', 'errors.hub.text.tooLong', 2000),
});

/** Takes someone off the caseload (the team's clinical and coordinating members): their record and history stay; they can be put back. */
export async function closeEntry(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  close: z.infer<typeof closing>,
): Promise<Entry> {
  requireWholeCaseload(asker);
  const closed = await store.closeOpenEntry(tx, communityId, entryId, {
    closedNote: close.note,
    closedBy: asker.accountId,
  });
  if (!closed) {
    const entry = await store.entryIdOf(tx, communityId, entryId);
    if (!entry) throw notFound();
    throw new DomainError('caseload-entry-closed', 409);
  }
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.caseload_closed',
    subjectType: 'person_record',
    subjectId: closed.personRecordId,
  });
  return closed;
}

/** People the team could put on the caseload: active records matching a search, and whether each is on it now. */
export async function candidatesFor(tx: CommunityTransaction, communityId: string, hub: Hub, search: string) {
  const found = (await listPeople(tx, communityId, { search, limit: 20 })).slice(0, 20);
  if (found.length === 0) return [];
  const open = await store.openEntriesAmong(
    tx,
    hub.id,
    found.map((person) => person.id),
  );
  const entries = new Map(open.map((row) => [row.personRecordId, row.id]));
  return found.map((person) => ({
    id: person.id,
    name: person.listName,
    number: person.number,
    dateOfBirth: person.dateOfBirth,
    entryId: entries.get(person.id) ?? null,
  }));
}

/** A coordinator puts someone with a record on the caseload; once, however often it is asked. */
export async function putOnCaseload(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  asker: TeamAsker,
  personRecordId: string,
): Promise<Entry> {
  if (!asker.staff) throw notFound();
  const person = await getPerson(tx, communityId, personRecordId).catch(() => undefined);
  if (!person || person.status !== 'active')
    throw invalid([{ field: 'personRecordId', code: 'errors.hub.team.person.missing' }]);
  return addToCaseload(tx, communityId, hub.id, personRecordId, null, asker.accountId);
}

/** A referral accepted into the hub: the person joins the programme and the team's caseload. */
export async function acceptIntoHub(tx: CommunityTransaction, joining: Joining): Promise<void> {
  await joinProgramme(tx, joining);
  await addToCaseload(
    tx,
    joining.communityId,
    joining.programme.id,
    joining.personRecordId,
    joining.referralId,
    joining.actorId,
  );
}

/** What a peer supporter in the team may open: people they are key contact for, own an action for, or support. */
async function mayOpen(tx: CommunityTransaction, asker: TeamAsker, entry: Entry): Promise<boolean> {
  if (asker.staff || (asker.teamRole && asker.teamRole !== 'peer_supporter')) return true;
  if (asker.teamRole !== 'peer_supporter' || !asker.recordId) return false;
  const linked = await store.linkedToEntry(tx, entry.id, asker.recordId);
  return linked || (await supports(tx, asker.recordId, entry.personRecordId));
}

export async function entryFor(tx: CommunityTransaction, communityId: string, entryId: string, asker: TeamAsker) {
  requireTeam(asker);
  const entry = await store.entryById(tx, communityId, entryId);
  if (!entry || !(await mayOpen(tx, asker, entry))) throw notFound();
  const person = await getPerson(tx, communityId, entry.personRecordId);
  return { entry, person };
}

/** The caseload by name, with key contacts, open risk flags (how many, not what), open actions and the last contact. */
export async function listCaseload(
  tx: CommunityTransaction,
  hub: Hub,
  asker: TeamAsker,
  options: { search?: string; limit: number; after?: { name: string; id: string } },
) {
  requireTeam(asker);
  const onlyLinked = !asker.staff && asker.teamRole === 'peer_supporter';
  return store.caseloadPage(tx, hub.id, { ...options, onlyLinked, recordId: asker.recordId });
}

export async function logCaseloadContact(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  contact: z.infer<typeof contactNote>,
) {
  await entryFor(tx, communityId, entryId, asker);
  await store.insertContact(tx, { communityId, entryId, ...contact, recordedBy: asker.accountId });
}

/** Key contacts are chosen from the team. */
export async function setKeyContacts(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  entryId: string,
  asker: TeamAsker,
  personRecordIds: readonly string[],
) {
  await entryFor(tx, communityId, entryId, asker);
  requireWholeCaseload(asker);
  const team = new Set((await listTeam(tx, hub)).map((one) => one.person_record_id));
  if (personRecordIds.some((id) => !team.has(id)))
    throw invalid([{ field: 'personRecordIds', code: 'errors.hub.keyContacts.notTeam' }]);
  await store.replaceKeyContacts(tx, communityId, entryId, personRecordIds);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.key_contacts_changed',
    subjectType: 'caseload_entry',
    subjectId: entryId,
  });
}

// ——— Actions ———

/** An action for anyone in the team, a peer supporter included. */
export async function createAction(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  entryId: string,
  asker: TeamAsker,
  action: z.infer<typeof newAction>,
  meetingId: string | null = null,
) {
  await entryFor(tx, communityId, entryId, asker);
  requireWholeCaseload(asker);
  if (!(await listTeam(tx, hub)).some((one) => one.person_record_id === action.ownerRecordId))
    throw invalid([{ field: 'ownerRecordId', code: 'errors.hub.action.owner.notTeam' }]);
  const made = await store.insertAction(tx, {
    communityId,
    entryId,
    meetingId,
    ...action,
    createdBy: asker.accountId,
  });
  if (!made) throw new Error('action insert returned nothing');
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.action_created',
    subjectType: 'caseload_entry',
    subjectId: entryId,
    detail: { actionId: made.id },
  });
  return made;
}

export async function completeAction(
  tx: CommunityTransaction,
  communityId: string,
  actionId: string,
  asker: TeamAsker,
) {
  const action = await store.actionById(tx, communityId, actionId);
  if (!action) throw notFound();
  if (!asker.staff && action.ownerRecordId !== asker.recordId) await entryFor(tx, communityId, action.entryId, asker);
  await store.markActionDone(tx, actionId, asker.accountId);
  return action;
}

// ——— Risk ———

export async function raiseRisk(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  risk: z.infer<typeof newRisk>,
) {
  await entryFor(tx, communityId, entryId, asker);
  if (!asker.clinical) throw notFound();
  const made = await store.insertRisk(tx, { communityId, entryId, ...risk, raisedBy: asker.accountId });
  if (!made) throw new Error('risk insert returned nothing');
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.risk_raised',
    subjectType: 'risk_flag',
    subjectId: made.id,
  });
  return made;
}

export async function closeRisk(tx: CommunityTransaction, communityId: string, flagId: string, asker: TeamAsker) {
  const flag = await store.riskById(tx, communityId, flagId);
  if (!flag || !asker.clinical) throw notFound();
  await entryFor(tx, communityId, flag.entryId, asker);
  await store.markRiskClosed(tx, flagId, asker.accountId);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.risk_closed',
    subjectType: 'risk_flag',
    subjectId: flagId,
  });
  return flag;
}

/**
 * A person's risk flags. The clinical team reads the detail; a peer supporter reads that there is a
 * flag, when it is reviewed and the approach agreed. Every read is audited, saying which.
 */
export async function risksOf(tx: CommunityTransaction, communityId: string, entryId: string, asker: TeamAsker) {
  await entryFor(tx, communityId, entryId, asker);
  const flags = await store.risksOfEntry(tx, entryId);
  if (flags.length) {
    await record(
      tx,
      flags.map((flag) => ({
        communityId,
        actorId: asker.accountId,
        action: 'restricted.read',
        subjectType: 'risk_flag',
        subjectId: flag.id,
        reason: asker.clinical
          ? 'risk detail and agreed approach, as a member of the clinical team'
          : 'agreed approach only',
      })),
    );
  }
  return flags.map((flag) => ({
    id: flag.id,
    detail: asker.clinical ? flag.detail : null,
    agreedApproach: flag.agreedApproach,
    reviewOn: flag.reviewOn,
    raisedAt: flag.raisedAt,
    open: flag.closedAt === null,
  }));
}

// ——— Review meetings ———

/**
 * Opens the team's review meeting for a day, and builds its agenda. Opening it again (the same
 * day) finds the same meeting and brings its agenda up to date.
 */
export async function startMeeting(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  asker: TeamAsker,
  heldOn = ukDay(),
): Promise<Meeting> {
  requireWholeCaseload(asker);
  const made = await store.insertMeeting(tx, { communityId, programmeId: hub.id, heldOn, chairId: asker.accountId });
  const meeting = made ?? (await store.meetingOn(tx, hub.id, heldOn));
  if (!meeting) throw new Error('meeting vanished');
  if (!meeting.closedAt) await buildAgenda(tx, communityId, hub, meeting);
  return meeting;
}

export async function meetingFor(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  asker: TeamAsker,
  options: { forChange?: boolean } = {},
) {
  requireWholeCaseload(asker);
  // A change waits for any other change to the meeting (closing it included), then sees it.
  if (options.forChange) await store.lockMeeting(tx, communityId, meetingId);
  const meeting = await store.meetingById(tx, communityId, meetingId);
  if (!meeting) throw notFound();
  return meeting;
}

export async function listMeetings(tx: CommunityTransaction, hub: Hub, limit = 20) {
  return store.listMeetings(tx, hub.id, limit);
}

/** The next day the team meets to review, from today (today included). */
export function nextReviewDay(reviewDays: readonly number[], from: string): string {
  for (let ahead = 0; ahead < 7; ahead += 1) {
    const day = addDays(parseISO(from), ahead);
    const iso = ((day.getDay() + 6) % 7) + 1;
    if (reviewDays.includes(iso)) return formatISO(day, { representation: 'date' });
  }
  return from;
}

export interface AgendaLine {
  entryId: string;
  personRecordId: string;
  name: string;
  /** The name the agenda is in the order of (kept by the database): a next page's cursor. */
  sortName: string;
  reasons: AgendaReason[];
  discussion: string;
  decisions: string;
  recorded: boolean;
}

/**
 * Who needs the team's attention on the meeting's day: new referrals since the last meeting,
 * open risk flags, overdue actions, support ending within two weeks, and nobody in touch for
 * the team's quiet days. One query over the open caseload; each person once, with every reason.
 */
export async function agendaReasonsFor(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  heldOn: string,
): Promise<Map<string, AgendaReason[]>> {
  const previous = await store.previousMeetingDay(tx, hub.id, heldOn);
  const since = previous ?? formatISO(addDays(parseISO(heldOn), -7), { representation: 'date' });
  const quietSince = formatISO(addDays(parseISO(heldOn), -hub.quietDays), { representation: 'date' });
  const ending = await peopleWithSupportEnding(
    tx,
    communityId,
    formatISO(addDays(parseISO(heldOn), 14), { representation: 'date' }),
  );
  const rows = await store.agendaReasonRows(tx, hub.id, { since, heldOn, quietSince, ending });
  return new Map(rows.map((row) => [row.entry_id, row.reasons]));
}

const reasonOrder = new Map(agendaReasons.map((reason, index) => [reason, index]));
const inOrder = (reasons: readonly AgendaReason[]) =>
  [...new Set(reasons)].sort((a, b) => (reasonOrder.get(a) ?? 0) - (reasonOrder.get(b) ?? 0));

/**
 * Writes the agenda into the meeting's items: each person with their reasons now. Someone the team
 * added, or already discussed, stays; someone no longer needing attention and not yet discussed goes.
 */
async function buildAgenda(tx: CommunityTransaction, communityId: string, hub: Hub, meeting: Meeting) {
  const reasons = await agendaReasonsFor(tx, communityId, hub, meeting.heldOn);
  const existing = await store.agendaItemsOf(tx, meeting.id);
  const kept = new Map(existing.map((item) => [item.entryId, item]));
  const rows = [...reasons.entries()].map(([entryId, found]) => ({
    communityId,
    meetingId: meeting.id,
    entryId,
    reasons: inOrder([...found, ...((kept.get(entryId)?.reasons ?? []).includes('added') ? (['added'] as const) : [])]),
  }));
  await store.upsertAgendaItems(tx, rows);
  const gone = existing
    .filter((item) => !reasons.has(item.entryId) && item.recordedAt === null && !item.reasons.includes('added'))
    .map((item) => item.entryId);
  if (gone.length) await store.removeAgendaItems(tx, meeting.id, gone);
}

/**
 * How many people are on the agenda for each reason, and in all. The database keeps them on the
 * meeting whenever its items change (migration 0038): reading a meeting counts nothing.
 */
export async function agendaCounts(tx: CommunityTransaction, meetingId: string) {
  return countsFrom(await store.keptAgendaCounts(tx, meetingId));
}
/** A person on the agenda for two reasons counts once in the total and once under each reason. */
function countsFrom(kept: AgendaCounts | undefined) {
  return {
    total: kept?.total ?? 0,
    byReason: agendaReasons
      .map((reason) => ({ reason, people: kept?.byReason[reason] ?? 0 }))
      .filter((row) => row.people > 0),
  };
}

/**
 * A review meeting as its page and the API show it, in one statement: the hub, the asker as the
 * team sees them, the meeting with its kept counts and a page of its agenda by name. Only the
 * team's clinical and coordinating members see it; everyone else is told it does not exist.
 */
export async function meetingWithAgenda(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  who: { accountId: string; roles: readonly Role[] },
  page: { limit: number; after?: { name: string; id: string } },
) {
  const found = await store.meetingWithAgenda(tx, communityId, meetingId, who.accountId, page);
  const hub = hubFrom(found?.hub);
  const asker = askerAs({ ...who, recordId: found?.recordId ?? null }, found?.teamRole ?? null);
  requireWholeCaseload(asker);
  if (!found) throw notFound();
  return {
    hub,
    asker,
    meeting: found.meeting,
    rows: found.agenda.map(lineOf),
    counts: countsFrom(found.meeting.agendaCounts),
  };
}

/** The agenda a page at a time, by name; or one person's line. */
export async function agendaOf(
  tx: CommunityTransaction,
  meetingId: string,
  options: { limit: number; after?: { name: string; id: string }; entryId?: string },
): Promise<AgendaLine[]> {
  const rows = await store.agendaRows(tx, meetingId, options);
  return rows.map(lineOf);
}
const lineOf = (row: store.AgendaRow): AgendaLine => ({
  entryId: row.entry_id,
  personRecordId: row.person_record_id,
  name: row.name,
  sortName: row.sort_name,
  reasons: inOrder(row.reasons),
  discussion: row.discussion,
  decisions: row.decisions,
  recorded: row.recorded_at !== null,
});

/** The team adds someone to the agenda. */
export async function addToAgenda(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  entryId: string,
  asker: TeamAsker,
) {
  const meeting = await meetingFor(tx, communityId, meetingId, asker, { forChange: true });
  if (meeting.closedAt) throw invalid([{ field: 'entryId', code: 'errors.hub.meeting.closed' }]);
  await entryFor(tx, communityId, entryId, asker);
  await store.addAgendaItem(tx, communityId, meetingId, entryId);
}

/** The chair records, for one person, what was discussed and decided, and any action, in one change. */
export async function recordItem(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  meetingId: string,
  entryId: string,
  asker: TeamAsker,
  item: z.infer<typeof itemRecord>,
) {
  const meeting = await meetingFor(tx, communityId, meetingId, asker, { forChange: true });
  if (meeting.closedAt) throw invalid([{ field: 'discussion', code: 'errors.hub.meeting.closed' }]);
  const [line] = await agendaOf(tx, meetingId, { limit: 1, entryId });
  if (!line) throw invalid([{ field: 'entryId', code: 'errors.hub.meeting.notOnAgenda' }]);
  await entryFor(tx, communityId, entryId, asker);
  await store.saveItemRecord(tx, meetingId, entryId, {
    discussion: item.discussion,
    decisions: item.decisions,
    recordedBy: asker.accountId,
  });
  const action = item.action
    ? await createAction(tx, communityId, hub, entryId, asker, item.action, meetingId)
    : undefined;
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.review_recorded',
    subjectType: 'caseload_entry',
    subjectId: entryId,
    detail: { meetingId },
  });
  return { action };
}

/** Closing keeps the agenda as it stands, with the minutes; a closed meeting changes no more. */
export async function closeMeeting(
  tx: CommunityTransaction,
  communityId: string,
  hub: Hub,
  meetingId: string,
  asker: TeamAsker,
  close: z.infer<typeof meetingClose>,
) {
  const meeting = await meetingFor(tx, communityId, meetingId, asker, { forChange: true });
  if (meeting.closedAt) throw invalid([{ field: 'minutes', code: 'errors.hub.meeting.closed' }]);
  const { total } = await agendaCounts(tx, meetingId);
  const closed = await store.closeOpenMeeting(tx, meetingId, close.minutes);
  if (!closed) throw invalid([{ field: 'minutes', code: 'errors.hub.meeting.closed' }]);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'hub.review_closed',
    subjectType: 'review_meeting',
    subjectId: meetingId,
    detail: { people: total },
  });
  return closed;
}
