// The hub team's shared caseload: everyone on it is the team's; review meetings whose agenda
// builds itself; actions with owners; risk flags whose detail only the clinical team reads.
import { addDays, formatISO, parseISO } from 'date-fns';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { DomainError, invalid, notFound } from '../../platform/http/problems.ts';
import { keepingOnePer, type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction, Role } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { forgetHubTeam } from '../../platform/views/navigation.ts';
import { getPerson, listPeople } from '../people/service.ts';
import { peopleWithSupportEnding, supports } from '../peer-support/service.ts';
import { type Joining, joinProgramme } from '../programmes/service.ts';
import { programmes } from '../programmes/schema.ts';
import {
  type AgendaReason,
  agendaReasons,
  caseloadContacts,
  caseloadEntries,
  hubActions,
  hubTeamMembers,
  hubTeams,
  keyContacts,
  reviewItems,
  reviewMeetings,
  riskFlags,
  teamRoles,
} from './schema.ts';

export { agendaReasons, teamRoles };
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

/** The community's hub: its first open programme of kind `hub`, with the team's rhythm. */
export async function hubOf(tx: CommunityTransaction, communityId: string) {
  const [found] = await tx
    .select({
      id: programmes.id,
      name: programmes.name,
      reviewDays: hubTeams.reviewDays,
      quietDays: hubTeams.quietDays,
    })
    .from(programmes)
    .leftJoin(hubTeams, eq(hubTeams.programmeId, programmes.id))
    .where(and(eq(programmes.communityId, communityId), eq(programmes.kind, 'hub'), eq(programmes.status, 'open')))
    .orderBy(asc(programmes.name))
    .limit(1);
  if (!found) throw notFound();
  return {
    id: found.id,
    name: found.name,
    reviewDays: found.reviewDays ?? [1, 3, 5],
    quietDays: found.quietDays ?? 14,
  };
}
export type Hub = Awaited<ReturnType<typeof hubOf>>;

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
  await tx
    .insert(hubTeams)
    .values({ programmeId: hub.id, communityId, ...change })
    .onConflictDoUpdate({ target: hubTeams.programmeId, set: change });
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

export async function teamAsker(
  tx: CommunityTransaction,
  hub: Hub,
  who: { accountId: string; recordId: string | null; roles: readonly Role[] },
): Promise<TeamAsker> {
  const staff = who.roles.includes('admin') || who.roles.includes('coordinator');
  const [member] = who.recordId
    ? await tx
        .select({ teamRole: hubTeamMembers.teamRole })
        .from(hubTeamMembers)
        .where(and(eq(hubTeamMembers.programmeId, hub.id), eq(hubTeamMembers.personRecordId, who.recordId)))
    : [];
  const teamRole = member?.teamRole ?? null;
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
  const rows = await tx.execute<{ person_record_id: string; name: string; team_role: (typeof teamRoles)[number] }>(sql`
    select t.person_record_id, r.list_name as name, t.team_role from hub_team_members t join person_records r on r.id = t.person_record_id
    where t.programme_id = ${hub.id} order by t.team_role, lower(r.list_name)`);
  return rows.rows;
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
  await tx
    .insert(hubTeamMembers)
    .values({ communityId, programmeId: hub.id, ...details })
    .onConflictDoUpdate({
      target: [hubTeamMembers.programmeId, hubTeamMembers.personRecordId],
      set: { teamRole: details.teamRole },
    });
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
  const [made] = await tx
    .insert(caseloadEntries)
    .values({ communityId, programmeId, personRecordId, referralId })
    .onConflictDoNothing()
    .returning();
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
  const [existing] = await tx
    .select()
    .from(caseloadEntries)
    .where(
      and(
        eq(caseloadEntries.programmeId, programmeId),
        eq(caseloadEntries.personRecordId, personRecordId),
        isNull(caseloadEntries.closedAt),
      ),
    );
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
  const [closed] = await tx
    .update(caseloadEntries)
    .set({ closedAt: new Date(), closedNote: close.note, closedBy: asker.accountId })
    .where(
      and(
        eq(caseloadEntries.communityId, communityId),
        eq(caseloadEntries.id, entryId),
        isNull(caseloadEntries.closedAt),
      ),
    )
    .returning();
  if (!closed) {
    const [entry] = await tx
      .select({ id: caseloadEntries.id })
      .from(caseloadEntries)
      .where(and(eq(caseloadEntries.communityId, communityId), eq(caseloadEntries.id, entryId)));
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
  const open = await tx
    .select({ personRecordId: caseloadEntries.personRecordId, id: caseloadEntries.id })
    .from(caseloadEntries)
    .where(
      and(
        eq(caseloadEntries.programmeId, hub.id),
        isNull(caseloadEntries.closedAt),
        inArray(
          caseloadEntries.personRecordId,
          found.map((person) => person.id),
        ),
      ),
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
  const [linked] = await tx
    .execute<{ ok: boolean }>(
      sql`
    select exists (select 1 from key_contacts where entry_id = ${entry.id} and person_record_id = ${asker.recordId})
        or exists (select 1 from hub_actions where entry_id = ${entry.id} and owner_record_id = ${asker.recordId}) as ok`,
    )
    .then((result) => result.rows);
  return Boolean(linked?.ok) || (await supports(tx, asker.recordId, entry.personRecordId));
}

export async function entryFor(tx: CommunityTransaction, communityId: string, entryId: string, asker: TeamAsker) {
  requireTeam(asker);
  const [entry] = await tx
    .select()
    .from(caseloadEntries)
    .where(and(eq(caseloadEntries.communityId, communityId), eq(caseloadEntries.id, entryId)));
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
  const rows = await tx.execute<{
    id: string;
    person_record_id: string;
    name: string;
    joined_at: string;
    key_contacts: string | null;
    open_flags: number;
    open_actions: number;
    last_contact: string | null;
  }>(sql`
    select e.id, e.person_record_id, r.preferred_name as name, e.joined_at::text,
      (select string_agg(k.list_name, ', ' order by k.list_name) from key_contacts kc join person_records k on k.id = kc.person_record_id where kc.entry_id = e.id) as key_contacts,
      (select count(*)::int from risk_flags f where f.entry_id = e.id and f.closed_at is null) as open_flags,
      (select count(*)::int from hub_actions a where a.entry_id = e.id and a.done_at is null) as open_actions,
      (select max(occurred_on)::text from caseload_contacts c where c.entry_id = e.id) as last_contact
    from caseload_entries e join person_records r on r.id = e.person_record_id
    where e.programme_id = ${hub.id} and e.closed_at is null
      ${options.search ? sql`and lower(r.preferred_name) like ${`%${options.search.toLowerCase().replace(/[%_\\]/g, '\\$&')}%`}` : sql``}
      ${options.after ? sql`and (lower(r.preferred_name), e.id) > (${options.after.name}, ${options.after.id})` : sql``}
      ${onlyLinked ? sql`and (exists (select 1 from key_contacts kc where kc.entry_id = e.id and kc.person_record_id = ${asker.recordId}) or exists (select 1 from hub_actions a where a.entry_id = e.id and a.owner_record_id = ${asker.recordId}) or exists (select 1 from support_episodes s where s.person_record_id = e.person_record_id and s.supporter_record_id = ${asker.recordId}))` : sql``}
    order by lower(r.preferred_name), e.id limit ${options.limit}`);
  return rows.rows;
}

export async function logCaseloadContact(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  asker: TeamAsker,
  contact: z.infer<typeof contactNote>,
) {
  await entryFor(tx, communityId, entryId, asker);
  await tx.insert(caseloadContacts).values({ communityId, entryId, ...contact, recordedBy: asker.accountId });
}

export async function contactsOfEntry(tx: CommunityTransaction, entryId: string) {
  return tx
    .select()
    .from(caseloadContacts)
    .where(eq(caseloadContacts.entryId, entryId))
    .orderBy(sql`${caseloadContacts.occurredOn} desc, ${caseloadContacts.createdAt} desc`)
    .limit(50);
}

export async function keyContactsOf(tx: CommunityTransaction, entryId: string) {
  const rows = await tx.execute<{ person_record_id: string; name: string }>(
    sql`select kc.person_record_id, r.list_name as name from key_contacts kc join person_records r on r.id = kc.person_record_id where kc.entry_id = ${entryId} order by lower(r.list_name)`,
  );
  return rows.rows;
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
  await tx.delete(keyContacts).where(eq(keyContacts.entryId, entryId));
  personRecordIds = [...new Set(personRecordIds)];
  if (personRecordIds.length)
    await tx
      .insert(keyContacts)
      .values(personRecordIds.map((personRecordId) => ({ communityId, entryId, personRecordId })));
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
  const [made] = await tx
    .insert(hubActions)
    .values({ communityId, entryId, meetingId, ...action, createdBy: asker.accountId })
    .returning();
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
  const [action] = await tx
    .select()
    .from(hubActions)
    .where(and(eq(hubActions.communityId, communityId), eq(hubActions.id, actionId)));
  if (!action) throw notFound();
  if (!asker.staff && action.ownerRecordId !== asker.recordId) await entryFor(tx, communityId, action.entryId, asker);
  await tx
    .update(hubActions)
    .set({ doneAt: sql`now()`, doneBy: asker.accountId })
    .where(and(eq(hubActions.id, actionId), isNull(hubActions.doneAt)));
  return action;
}

/** The actions someone owns and has not done, soonest first: for their home page. */
export async function actionsOwnedBy(tx: CommunityTransaction, ownerRecordId: string) {
  const rows = await tx.execute<{
    id: string;
    description: string;
    due_on: string;
    entry_id: string;
    name: string;
  }>(sql`
    select a.id, a.description, a.due_on::text, a.entry_id, r.preferred_name as name
    from hub_actions a join caseload_entries e on e.id = a.entry_id join person_records r on r.id = e.person_record_id
    where a.owner_record_id = ${ownerRecordId} and a.done_at is null order by a.due_on, a.created_at limit 50`);
  return rows.rows;
}

export async function actionsOfEntry(tx: CommunityTransaction, entryId: string) {
  const rows = await tx.execute<{
    id: string;
    description: string;
    due_on: string;
    owner: string;
    done_at: string | null;
  }>(sql`
    select a.id, a.description, a.due_on::text, r.list_name as owner, a.done_at::text from hub_actions a join person_records r on r.id = a.owner_record_id
    where a.entry_id = ${entryId} order by a.done_at is not null, a.due_on`);
  return rows.rows;
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
  const [made] = await tx
    .insert(riskFlags)
    .values({ communityId, entryId, ...risk, raisedBy: asker.accountId })
    .returning();
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
  const [flag] = await tx
    .select()
    .from(riskFlags)
    .where(and(eq(riskFlags.communityId, communityId), eq(riskFlags.id, flagId)));
  if (!flag || !asker.clinical) throw notFound();
  await entryFor(tx, communityId, flag.entryId, asker);
  await tx
    .update(riskFlags)
    .set({ closedAt: sql`now()`, closedBy: asker.accountId })
    .where(and(eq(riskFlags.id, flagId), isNull(riskFlags.closedAt)));
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
  const flags = await tx
    .select()
    .from(riskFlags)
    .where(eq(riskFlags.entryId, entryId))
    .orderBy(sql`${riskFlags.closedAt} is not null`, sql`${riskFlags.raisedAt} desc`);
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
  const [made] = await tx
    .insert(reviewMeetings)
    .values({ communityId, programmeId: hub.id, heldOn, chairId: asker.accountId })
    .onConflictDoNothing()
    .returning();
  const meeting =
    made ??
    (
      await tx
        .select()
        .from(reviewMeetings)
        .where(and(eq(reviewMeetings.programmeId, hub.id), eq(reviewMeetings.heldOn, heldOn)))
    )[0];
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
  if (options.forChange)
    await tx.execute(
      sql`select id from review_meetings where id = ${meetingId} and community_id = ${communityId} for no key update`,
    );
  const [meeting] = await tx
    .select()
    .from(reviewMeetings)
    .where(and(eq(reviewMeetings.communityId, communityId), eq(reviewMeetings.id, meetingId)));
  if (!meeting) throw notFound();
  return meeting;
}

export async function listMeetings(tx: CommunityTransaction, hub: Hub, limit = 20) {
  const rows = await tx.execute<{ id: string; held_on: string; closed_at: string | null; discussed: number }>(sql`
    select m.id, m.held_on::text, m.closed_at::text, (select count(*)::int from review_items i where i.meeting_id = m.id and i.recorded_at is not null) as discussed
    from review_meetings m where m.programme_id = ${hub.id} order by m.held_on desc limit ${limit}`);
  return rows.rows;
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
  const [previous] = await tx
    .execute<{ held_on: string | null }>(
      sql`select max(held_on)::text as held_on from review_meetings where programme_id = ${hub.id} and held_on < ${heldOn}`,
    )
    .then((result) => result.rows);
  const since = previous?.held_on ?? formatISO(addDays(parseISO(heldOn), -7), { representation: 'date' });
  const quietSince = formatISO(addDays(parseISO(heldOn), -hub.quietDays), { representation: 'date' });
  const ending = await peopleWithSupportEnding(
    tx,
    communityId,
    formatISO(addDays(parseISO(heldOn), 14), { representation: 'date' }),
  );
  const rows = await tx.execute<{ entry_id: string; reasons: AgendaReason[] }>(sql`
    with open as (select id, person_record_id, joined_at from caseload_entries where programme_id = ${hub.id} and closed_at is null),
    reasons as (
      select id as entry_id, 'new_referral' as reason from open where (joined_at at time zone 'Europe/London')::date >= ${since}::date
      union all select f.entry_id, 'risk_flag' from risk_flags f join open on open.id = f.entry_id where f.closed_at is null
      union all select a.entry_id, 'overdue_action' from hub_actions a join open on open.id = a.entry_id where a.done_at is null and a.due_on < ${heldOn}::date
      union all select id, 'episode_ending' from open where person_record_id = any(${`{${ending.join(',')}}`}::uuid[])
      union all select id, 'no_contact' from open where (joined_at at time zone 'Europe/London')::date < ${quietSince}::date
        and not exists (select 1 from caseload_contacts c where c.entry_id = open.id and c.occurred_on >= ${quietSince}::date)
    )
    select entry_id, array_agg(distinct reason) as reasons from reasons group by entry_id`);
  return new Map(rows.rows.map((row) => [row.entry_id, row.reasons]));
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
  const existing = await tx
    .select({ entryId: reviewItems.entryId, reasons: reviewItems.reasons, recordedAt: reviewItems.recordedAt })
    .from(reviewItems)
    .where(eq(reviewItems.meetingId, meeting.id));
  const kept = new Map(existing.map((item) => [item.entryId, item]));
  const rows = [...reasons.entries()].map(([entryId, found]) => ({
    communityId,
    meetingId: meeting.id,
    entryId,
    reasons: inOrder([...found, ...((kept.get(entryId)?.reasons ?? []).includes('added') ? (['added'] as const) : [])]),
  }));
  for (let start = 0; start < rows.length; start += 1000) {
    await tx
      .insert(reviewItems)
      .values(rows.slice(start, start + 1000))
      .onConflictDoUpdate({
        target: [reviewItems.meetingId, reviewItems.entryId],
        set: { reasons: sql`excluded.reasons` },
      });
  }
  const gone = existing
    .filter((item) => !reasons.has(item.entryId) && item.recordedAt === null && !item.reasons.includes('added'))
    .map((item) => item.entryId);
  if (gone.length)
    await tx
      .delete(reviewItems)
      .where(
        and(eq(reviewItems.meetingId, meeting.id), sql`${reviewItems.entryId} = any(${`{${gone.join(',')}}`}::uuid[])`),
      );
}

/** How many people are on the agenda for each reason, and in all. */
export async function agendaCounts(tx: CommunityTransaction, meetingId: string) {
  // A person on the agenda for two reasons counts once in the total and once under each reason.
  const rows = await tx.execute<{ reason: AgendaReason; people: number }>(sql`
    select reason, count(*)::int as people from (select unnest(reasons) as reason from review_items where meeting_id = ${meetingId}) r group by reason`);
  const [all] = (
    await tx.execute<{ people: number }>(
      sql`select count(*)::int as people from review_items where meeting_id = ${meetingId}`,
    )
  ).rows;
  const total = all?.people ?? 0;
  return {
    total,
    byReason: agendaReasons
      .map((reason) => ({ reason, people: rows.rows.find((row) => row.reason === reason)?.people ?? 0 }))
      .filter((row) => row.people > 0),
  };
}

/** The agenda a page at a time, by name; or one person's line. */
export async function agendaOf(
  tx: CommunityTransaction,
  meetingId: string,
  options: { limit: number; after?: { name: string; id: string }; entryId?: string },
): Promise<AgendaLine[]> {
  const rows = await tx.execute<{
    entry_id: string;
    person_record_id: string;
    name: string;
    reasons: AgendaReason[];
    discussion: string;
    decisions: string;
    recorded_at: string | null;
  }>(sql`
    select i.entry_id, e.person_record_id, p.preferred_name as name, i.reasons, i.discussion, i.decisions, i.recorded_at::text
    from review_items i join caseload_entries e on e.id = i.entry_id join person_records p on p.id = e.person_record_id
    where i.meeting_id = ${meetingId}
      ${options.entryId ? sql`and i.entry_id = ${options.entryId}` : sql``}
      ${options.after ? sql`and (lower(p.preferred_name), i.entry_id) > (${options.after.name}, ${options.after.id})` : sql``}
    order by lower(p.preferred_name), i.entry_id limit ${options.limit}`);
  return rows.rows.map((row) => ({
    entryId: row.entry_id,
    personRecordId: row.person_record_id,
    name: row.name,
    reasons: inOrder(row.reasons),
    discussion: row.discussion,
    decisions: row.decisions,
    recorded: row.recorded_at !== null,
  }));
}

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
  await tx
    .insert(reviewItems)
    .values({ communityId, meetingId, entryId, reasons: ['added'] })
    .onConflictDoUpdate({
      target: [reviewItems.meetingId, reviewItems.entryId],
      set: { reasons: sql`array(select distinct unnest(${reviewItems.reasons} || array['added']))` },
    });
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
  await tx
    .update(reviewItems)
    .set({
      discussion: item.discussion,
      decisions: item.decisions,
      recordedBy: asker.accountId,
      recordedAt: sql`now()`,
    })
    .where(and(eq(reviewItems.meetingId, meetingId), eq(reviewItems.entryId, entryId)));
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
  const [closed] = await tx
    .update(reviewMeetings)
    .set({ closedAt: sql`now()`, minutes: close.minutes })
    .where(and(eq(reviewMeetings.id, meetingId), isNull(reviewMeetings.closedAt)))
    .returning();
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

/** What takes the place of words about someone who was forgotten, where something must be written. */
export const forgottenText = 'Removed: the person was forgotten';

/**
 * Merging two records of one person on the same caseload: one open entry per hub. Everything
 * recorded on the other record's open entry (being in touch, actions, risks, plans, budgets,
 * key contacts, review meetings) moves to the kept one, and the other entry closes; closed
 * entries move as they are.
 */
async function mergeCaseloadEntries(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const pairs = sql`(select gone.id as gone_id, kept.id as kept_id from caseload_entries gone
    join caseload_entries kept on kept.programme_id = gone.programme_id and kept.person_record_id = ${intoId} and kept.closed_at is null
    where gone.person_record_id = ${fromId} and gone.closed_at is null)`;
  for (const table of ['caseload_contacts', 'hub_actions', 'risk_flags', 'plan_goals', 'personal_budgets']) {
    await tx.execute(
      sql`update ${sql.identifier(table)} child set entry_id = pair.kept_id from ${pairs} pair where child.entry_id = pair.gone_id`,
    );
  }
  await tx.execute(sql`delete from key_contacts gone using ${pairs} pair, key_contacts kept
    where gone.entry_id = pair.gone_id and kept.entry_id = pair.kept_id and kept.person_record_id = gone.person_record_id`);
  await tx.execute(
    sql`update key_contacts child set entry_id = pair.kept_id from ${pairs} pair where child.entry_id = pair.gone_id`,
  );
  // Discussed at the same meeting under both records: one item, with both discussions.
  await tx.execute(sql`update review_items kept set discussion = concat_ws(E'\n\n', nullif(kept.discussion, ''), nullif(gone.discussion, '')),
      decisions = concat_ws(E'\n\n', nullif(kept.decisions, ''), nullif(gone.decisions, '')), reasons = array(select distinct unnest(kept.reasons || gone.reasons))
    from ${pairs} pair, review_items gone where gone.entry_id = pair.gone_id and kept.entry_id = pair.kept_id and kept.meeting_id = gone.meeting_id`);
  await tx.execute(sql`delete from review_items gone using ${pairs} pair, review_items kept
    where gone.entry_id = pair.gone_id and kept.entry_id = pair.kept_id and kept.meeting_id = gone.meeting_id`);
  await tx.execute(
    sql`update review_items child set entry_id = pair.kept_id from ${pairs} pair where child.entry_id = pair.gone_id`,
  );
  await tx.execute(
    sql`update caseload_entries set closed_at = now() where id in (select pair.gone_id from ${pairs} pair)`,
  );
  await tx.execute(sql`update caseload_entries set person_record_id = ${intoId} where person_record_id = ${fromId}`);
}

export const personData: PersonDataSource[] = [
  // In the team under both records: the kept record's role stands.
  {
    table: 'hub_team_members',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('hub_team_members', 'person_record_id', ['programme_id']),
  },
  {
    table: 'caseload_entries',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: mergeCaseloadEntries,
    // Erased: what the team wrote about them goes (notes, discussions, actions, risks, goals, what spends were for); dates, amounts and who did what stay.
    erase: async (tx, id) => {
      const theirs = sql`(select id from caseload_entries where person_record_id = ${id})`;
      await tx.execute(sql`update caseload_entries set closed_note = '' where person_record_id = ${id}`);
      await tx.execute(sql`update caseload_contacts set note = '' where entry_id in ${theirs}`);
      await tx.execute(sql`update review_items set discussion = '', decisions = '' where entry_id in ${theirs}`);
      await tx.execute(sql`update hub_actions set description = ${forgottenText} where entry_id in ${theirs}`);
      await tx.execute(
        sql`update risk_flags set detail = ${forgottenText}, agreed_approach = ${forgottenText} where entry_id in ${theirs}`,
      );
      await tx.execute(
        sql`update plan_goals set goal = ${forgottenText}, steps = '', who_does_what = '' where entry_id in ${theirs}`,
      );
      await tx.execute(
        sql`update budget_items set description = ${forgottenText}, receipt = '', overspend_note = '' where budget_id in (select id from personal_budgets where entry_id in ${theirs})`,
      );
    },
  },
  {
    table: 'key_contacts',
    column: 'person_record_id',
    points: 'record',
    download: { excluded: 'whose key contact the person is: other people’s records' },
    merge: keepingOnePer('key_contacts', 'person_record_id', ['entry_id']),
  },
  { table: 'caseload_contacts', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'caseload_entries', column: 'closed_by', points: 'account', download: { excluded: 'actor' } },
  // Reached through the person's caseload entries: what the team recorded about them.
  {
    table: 'caseload_contacts',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select c.occurred_on, c.note from caseload_contacts c join caseload_entries e on e.id = c.entry_id where e.person_record_id = ${record} order by c.occurred_on`,
    ),
  },
  {
    table: 'review_items',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select m.held_on, i.discussion, i.decisions from review_items i join review_meetings m on m.id = i.meeting_id join caseload_entries e on e.id = i.entry_id where e.person_record_id = ${record} and (i.discussion <> '' or i.decisions <> '') order by m.held_on`,
    ),
  },
  {
    table: 'hub_actions',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select a.description, a.due_on, a.done_at from hub_actions a join caseload_entries e on e.id = a.entry_id where e.person_record_id = ${record} order by a.due_on`,
    ),
  },
  // The approach agreed is the person's to read; what the risk is stays with the clinical team, who share it with them.
  {
    table: 'risk_flags',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select f.agreed_approach, f.raised_at, f.review_on, f.closed_at from risk_flags f join caseload_entries e on e.id = f.entry_id where e.person_record_id = ${record} order by f.raised_at`,
    ),
  },
  {
    table: 'key_contacts',
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select r.preferred_name as key_contact from key_contacts k join caseload_entries e on e.id = k.entry_id join person_records r on r.id = k.person_record_id where e.person_record_id = ${record}`,
    ),
  },
  { table: 'review_meetings', column: 'chair_id', points: 'account', download: { excluded: 'actor' } },
  { table: 'review_items', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'hub_actions',
    column: 'owner_record_id',
    points: 'record',
    download: { excluded: 'actions the person owns as a member of the team: about other people' },
    merge: 'move',
  },
  { table: 'hub_actions', column: 'done_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'hub_actions', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'risk_flags', column: 'raised_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'risk_flags', column: 'closed_by', points: 'account', download: { excluded: 'actor' } },
];
