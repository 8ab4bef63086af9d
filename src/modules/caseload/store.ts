// The hub's queries: its team, caseload, actions, risks and review meetings.
import { and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import { keepingOnePer, type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { Database } from '../../platform/db/index.ts';
import { builtOnce } from '../../platform/db/transactions.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { recordsSeenSql } from '../people/service.ts';
import { supportedBy } from '../peer-support/service.ts';
import { programmesSeen, programmesSeenSql } from '../programmes/service.ts';
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

type TeamRole = (typeof teamRoles)[number];

/** What takes the place of words about someone who was forgotten, where something must be written. */
export const forgottenText = 'Removed: the person was forgotten';

// ——— The hub and its team ———

/** The community's first open programme of kind `hub`, by name, with the team's rhythm if set. */
export async function firstOpenHub(tx: CommunityTransaction, communityId: string) {
  const hub = programmesSeen('hub');
  const [found] = await tx
    .select({
      id: hub.id,
      name: hub.name,
      reviewDays: hubTeams.reviewDays,
      quietDays: hubTeams.quietDays,
    })
    .from(hub)
    .leftJoin(hubTeams, eq(hubTeams.programmeId, hub.id))
    .where(and(eq(hub.communityId, communityId), eq(hub.kind, 'hub'), eq(hub.status, 'open')))
    .orderBy(asc(hub.name))
    .limit(1);
  return found;
}

export async function saveHubRhythm(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  change: { reviewDays: number[]; quietDays: number },
): Promise<void> {
  await tx
    .insert(hubTeams)
    .values({ programmeId, communityId, ...change })
    .onConflictDoUpdate({ target: hubTeams.programmeId, set: change });
}

/** The record's role in the hub's team, as rows (none when they are not in it). */
export function teamRoleRows(tx: CommunityTransaction, programmeId: string, recordId: string) {
  return tx
    .select({ teamRole: hubTeamMembers.teamRole })
    .from(hubTeamMembers)
    .where(and(eq(hubTeamMembers.programmeId, programmeId), eq(hubTeamMembers.personRecordId, recordId)));
}

export async function teamOf(tx: CommunityTransaction, programmeId: string) {
  const rows = await tx.execute<{ person_record_id: string; name: string; team_role: TeamRole }>(sql`
    select t.person_record_id, r.list_name as name, t.team_role from hub_team_members t join ${recordsSeenSql('r')} on r.id = t.person_record_id
    where t.programme_id = ${programmeId} order by t.team_role, lower(r.list_name)`);
  return rows.rows;
}

export async function saveTeamMember(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  details: { personRecordId: string; teamRole: TeamRole },
): Promise<void> {
  await tx
    .insert(hubTeamMembers)
    .values({ communityId, programmeId, ...details })
    .onConflictDoUpdate({
      target: [hubTeamMembers.programmeId, hubTeamMembers.personRecordId],
      set: { teamRole: details.teamRole },
    });
}

// ——— The caseload ———

/** A new open entry; nothing when the person already has one on this caseload. */
export async function insertEntry(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string,
  referralId: string | null,
) {
  const [made] = await tx
    .insert(caseloadEntries)
    .values({ communityId, programmeId, personRecordId, referralId })
    .onConflictDoNothing()
    .returning();
  return made;
}

export async function openEntryOf(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
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
  return existing;
}

/** Closes an entry of the community that is open; nothing when there was none. */
export async function closeOpenEntry(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  closing: { closedNote: string; closedBy: string },
) {
  const [closed] = await tx
    .update(caseloadEntries)
    .set({ closedAt: new Date(), closedNote: closing.closedNote, closedBy: closing.closedBy })
    .where(
      and(
        eq(caseloadEntries.communityId, communityId),
        eq(caseloadEntries.id, entryId),
        isNull(caseloadEntries.closedAt),
      ),
    )
    .returning();
  return closed;
}

export async function entryIdOf(tx: CommunityTransaction, communityId: string, entryId: string) {
  const [entry] = await tx
    .select({ id: caseloadEntries.id })
    .from(caseloadEntries)
    .where(and(eq(caseloadEntries.communityId, communityId), eq(caseloadEntries.id, entryId)));
  return entry;
}

/** Of these records, those with an open entry on the hub's caseload, and the entry. */
export function openEntriesAmong(tx: CommunityTransaction, programmeId: string, personRecordIds: string[]) {
  return tx
    .select({ personRecordId: caseloadEntries.personRecordId, id: caseloadEntries.id })
    .from(caseloadEntries)
    .where(
      and(
        eq(caseloadEntries.programmeId, programmeId),
        isNull(caseloadEntries.closedAt),
        inArray(caseloadEntries.personRecordId, personRecordIds),
      ),
    );
}

/** Whether the record is a key contact for the entry or owns one of its actions. */
export async function linkedToEntry(tx: CommunityTransaction, entryId: string, recordId: string) {
  const [linked] = await tx
    .execute<{ ok: boolean }>(
      sql`
    select exists (select 1 from key_contacts where entry_id = ${entryId} and person_record_id = ${recordId})
        or exists (select 1 from hub_actions where entry_id = ${entryId} and owner_record_id = ${recordId}) as ok`,
    )
    .then((result) => result.rows);
  return Boolean(linked?.ok);
}

export async function entryById(tx: CommunityTransaction, communityId: string, entryId: string) {
  const [entry] = await tx
    .select()
    .from(caseloadEntries)
    .where(and(eq(caseloadEntries.communityId, communityId), eq(caseloadEntries.id, entryId)));
  return entry;
}

/**
 * A page of the open caseload by name, with key contacts, open risk flags, open actions and the
 * last contact; `onlyLinked` keeps the people `recordId` is key contact for, owns an action for or supports.
 */
export async function caseloadPage(
  tx: CommunityTransaction,
  programmeId: string,
  options: {
    search?: string;
    limit: number;
    after?: { name: string; id: string };
    onlyLinked: boolean;
    recordId: string | null;
  },
) {
  const rows = await tx.execute<{
    id: string;
    person_record_id: string;
    name: string;
    sort_name: string;
    joined_at: string;
    key_contacts: string | null;
    open_flags: number;
    open_actions: number;
    last_contact: string | null;
  }>(sql`
    select e.id, e.person_record_id, r.preferred_name as name, lower(r.preferred_name) as sort_name, e.joined_at::text,
      (select string_agg(k.list_name, ', ' order by k.list_name) from key_contacts kc join ${recordsSeenSql('k')} on k.id = kc.person_record_id where kc.entry_id = e.id) as key_contacts,
      (select count(*)::int from risk_flags f where f.entry_id = e.id and f.closed_at is null) as open_flags,
      (select count(*)::int from hub_actions a where a.entry_id = e.id and a.done_at is null) as open_actions,
      (select max(occurred_on)::text from caseload_contacts c where c.entry_id = e.id) as last_contact
    from caseload_entries e join ${recordsSeenSql('r')} on r.id = e.person_record_id
    where e.programme_id = ${programmeId} and e.closed_at is null
      ${options.search ? sql`and r.preferred_name ilike ${`%${options.search.replace(/[%_\\]/g, '\\$&')}%`}` : sql``}
      ${options.after ? sql`and (lower(r.preferred_name), e.id) > (${options.after.name}, ${options.after.id})` : sql``}
      ${options.onlyLinked ? sql`and (exists (select 1 from key_contacts kc where kc.entry_id = e.id and kc.person_record_id = ${options.recordId}) or exists (select 1 from hub_actions a where a.entry_id = e.id and a.owner_record_id = ${options.recordId}) or ${supportedBy(sql`e.person_record_id`, options.recordId)})` : sql``}
    order by lower(r.preferred_name), e.id limit ${options.limit}`);
  return rows.rows;
}

export async function insertContact(
  tx: CommunityTransaction,
  values: { communityId: string; entryId: string; occurredOn: string; note: string; recordedBy: string },
): Promise<void> {
  await tx.insert(caseloadContacts).values(values);
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
    sql`select kc.person_record_id, r.list_name as name from key_contacts kc join ${recordsSeenSql('r')} on r.id = kc.person_record_id where kc.entry_id = ${entryId} order by lower(r.list_name)`,
  );
  return rows.rows;
}

/** The entry's key contacts become exactly these records. */
export async function replaceKeyContacts(
  tx: CommunityTransaction,
  communityId: string,
  entryId: string,
  personRecordIds: readonly string[],
): Promise<void> {
  await tx.delete(keyContacts).where(eq(keyContacts.entryId, entryId));
  personRecordIds = [...new Set(personRecordIds)];
  if (personRecordIds.length)
    await tx
      .insert(keyContacts)
      .values(personRecordIds.map((personRecordId) => ({ communityId, entryId, personRecordId })));
}

// ——— Actions ———

export async function insertAction(tx: CommunityTransaction, values: typeof hubActions.$inferInsert) {
  const [made] = await tx.insert(hubActions).values(values).returning();
  return made;
}

export async function actionById(tx: CommunityTransaction, communityId: string, actionId: string) {
  const [action] = await tx
    .select()
    .from(hubActions)
    .where(and(eq(hubActions.communityId, communityId), eq(hubActions.id, actionId)));
  return action;
}

/** Marks an action done, unless it already is. */
export async function markActionDone(tx: CommunityTransaction, actionId: string, doneBy: string): Promise<void> {
  await tx
    .update(hubActions)
    .set({ doneAt: sql`now()`, doneBy })
    .where(and(eq(hubActions.id, actionId), isNull(hubActions.doneAt)));
}

/** The actions someone owns and has not done, soonest first. */
export async function actionsOwnedBy(tx: CommunityTransaction, ownerRecordId: string) {
  const rows = await tx.execute<{
    id: string;
    description: string;
    due_on: string;
    entry_id: string;
    name: string;
  }>(sql`
    select a.id, a.description, a.due_on::text, a.entry_id, r.preferred_name as name
    from hub_actions a join caseload_entries e on e.id = a.entry_id join ${recordsSeenSql('r')} on r.id = e.person_record_id
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
    select a.id, a.description, a.due_on::text, r.list_name as owner, a.done_at::text from hub_actions a join ${recordsSeenSql('r')} on r.id = a.owner_record_id
    where a.entry_id = ${entryId} order by a.done_at is not null, a.due_on`);
  return rows.rows;
}

// ——— Risk ———

export async function insertRisk(tx: CommunityTransaction, values: typeof riskFlags.$inferInsert) {
  const [made] = await tx.insert(riskFlags).values(values).returning();
  return made;
}

export async function riskById(tx: CommunityTransaction, communityId: string, flagId: string) {
  const [flag] = await tx
    .select()
    .from(riskFlags)
    .where(and(eq(riskFlags.communityId, communityId), eq(riskFlags.id, flagId)));
  return flag;
}

/** Closes a risk flag, unless it already is. */
export async function markRiskClosed(tx: CommunityTransaction, flagId: string, closedBy: string): Promise<void> {
  await tx
    .update(riskFlags)
    .set({ closedAt: sql`now()`, closedBy })
    .where(and(eq(riskFlags.id, flagId), isNull(riskFlags.closedAt)));
}

/** An entry's risk flags, open ones first, newest first. */
export function risksOfEntry(tx: CommunityTransaction, entryId: string) {
  return tx
    .select()
    .from(riskFlags)
    .where(eq(riskFlags.entryId, entryId))
    .orderBy(sql`${riskFlags.closedAt} is not null`, sql`${riskFlags.raisedAt} desc`);
}

// ——— Review meetings ———

/** A new review meeting for the day; nothing when the hub already has one that day. */
export async function insertMeeting(
  tx: CommunityTransaction,
  values: { communityId: string; programmeId: string; heldOn: string; chairId: string },
) {
  const [made] = await tx.insert(reviewMeetings).values(values).onConflictDoNothing().returning();
  return made;
}

export async function meetingOn(tx: CommunityTransaction, programmeId: string, heldOn: string) {
  const [meeting] = await tx
    .select()
    .from(reviewMeetings)
    .where(and(eq(reviewMeetings.programmeId, programmeId), eq(reviewMeetings.heldOn, heldOn)));
  return meeting;
}

/** Waits for any other change to the meeting (closing it included), and holds it until the transaction ends. */
export async function lockMeeting(tx: CommunityTransaction, communityId: string, meetingId: string): Promise<void> {
  await tx.execute(
    sql`select id from review_meetings where id = ${meetingId} and community_id = ${communityId} for no key update`,
  );
}

export async function meetingById(tx: CommunityTransaction, communityId: string, meetingId: string) {
  const [meeting] = await tx
    .select()
    .from(reviewMeetings)
    .where(and(eq(reviewMeetings.communityId, communityId), eq(reviewMeetings.id, meetingId)));
  return meeting;
}

export async function listMeetings(tx: CommunityTransaction, programmeId: string, limit: number) {
  const rows = await tx.execute<{ id: string; held_on: string; closed_at: string | null; discussed: number }>(sql`
    select m.id, m.held_on::text, m.closed_at::text, (select count(*)::int from review_items i where i.meeting_id = m.id and i.recorded_at is not null) as discussed
    from review_meetings m where m.programme_id = ${programmeId} order by m.held_on desc limit ${limit}`);
  return rows.rows;
}

/** The day of the hub's last review meeting before this day, if any. */
export async function previousMeetingDay(tx: CommunityTransaction, programmeId: string, heldOn: string) {
  const [previous] = await tx
    .execute<{ held_on: string | null }>(
      sql`select max(held_on)::text as held_on from review_meetings where programme_id = ${programmeId} and held_on < ${heldOn}`,
    )
    .then((result) => result.rows);
  return previous?.held_on ?? null;
}

/** Each open entry needing attention on the day, with every reason: one query over the open caseload. */
export async function agendaReasonRows(
  tx: CommunityTransaction,
  programmeId: string,
  days: { since: string; heldOn: string; quietSince: string; ending: readonly string[] },
) {
  const { since, heldOn, quietSince, ending } = days;
  const rows = await tx.execute<{ entry_id: string; reasons: AgendaReason[] }>(sql`
    with open as (select id, person_record_id, joined_at from caseload_entries where programme_id = ${programmeId} and closed_at is null),
    reasons as (
      select id as entry_id, 'new_referral' as reason from open where (joined_at at time zone 'Europe/London')::date >= ${since}::date
      union all select f.entry_id, 'risk_flag' from risk_flags f join open on open.id = f.entry_id where f.closed_at is null
      union all select a.entry_id, 'overdue_action' from hub_actions a join open on open.id = a.entry_id where a.done_at is null and a.due_on < ${heldOn}::date
      union all select id, 'episode_ending' from open where person_record_id = any(${`{${ending.join(',')}}`}::uuid[])
      union all select id, 'no_contact' from open where (joined_at at time zone 'Europe/London')::date < ${quietSince}::date
        and not exists (select 1 from caseload_contacts c where c.entry_id = open.id and c.occurred_on >= ${quietSince}::date)
    )
    select entry_id, array_agg(distinct reason) as reasons from reasons group by entry_id`);
  return rows.rows;
}

export function agendaItemsOf(tx: CommunityTransaction, meetingId: string) {
  return tx
    .select({ entryId: reviewItems.entryId, reasons: reviewItems.reasons, recordedAt: reviewItems.recordedAt })
    .from(reviewItems)
    .where(eq(reviewItems.meetingId, meetingId));
}

/** Writes agenda items (a thousand at a time), replacing the reasons of any already there. */
export async function upsertAgendaItems(
  tx: CommunityTransaction,
  rows: { communityId: string; meetingId: string; entryId: string; reasons: AgendaReason[] }[],
): Promise<void> {
  for (let start = 0; start < rows.length; start += 1000) {
    await tx
      .insert(reviewItems)
      .values(rows.slice(start, start + 1000))
      .onConflictDoUpdate({
        target: [reviewItems.meetingId, reviewItems.entryId],
        set: { reasons: sql`excluded.reasons` },
      });
  }
}

export async function removeAgendaItems(tx: CommunityTransaction, meetingId: string, entryIds: readonly string[]) {
  await tx
    .delete(reviewItems)
    .where(
      and(
        eq(reviewItems.meetingId, meetingId),
        sql`${reviewItems.entryId} = any(${`{${entryIds.join(',')}}`}::uuid[])`,
      ),
    );
}

/** The meeting's agenda counts, as the database keeps them whenever its items change. */
export async function keptAgendaCounts(tx: CommunityTransaction, meetingId: string) {
  const [meeting] = await tx
    .select({ counts: reviewMeetings.agendaCounts })
    .from(reviewMeetings)
    .where(eq(reviewMeetings.id, meetingId));
  return meeting?.counts;
}

/** The agenda a page at a time, by name; or one person's line. */
export async function agendaRows(
  tx: CommunityTransaction,
  meetingId: string,
  options: { limit: number; after?: { name: string; id: string }; entryId?: string },
) {
  const rows = await tx.execute<AgendaRow>(sql`
    select i.entry_id, e.person_record_id, p.preferred_name as name, i.sort_name, i.reasons, i.discussion, i.decisions, i.recorded_at::text
    from (
      select * from review_items page where page.meeting_id = ${meetingId}
        ${options.entryId ? sql`and page.entry_id = ${options.entryId}` : sql``}
        ${options.after ? sql`and (page.sort_name, page.entry_id) > (${options.after.name}::text, ${options.after.id}::uuid)` : sql``}
      order by page.sort_name, page.entry_id limit ${options.limit}) i
    join caseload_entries e on e.id = i.entry_id join ${recordsSeenSql('p')} on p.id = e.person_record_id
    order by i.sort_name, i.entry_id`);
  return rows.rows;
}

/** An agenda line as the meeting's read gives it (a column of `meetingWithAgenda`). */
export type AgendaRow = {
  entry_id: string;
  person_record_id: string;
  name: string;
  sort_name: string;
  reasons: AgendaReason[];
  discussion: string;
  decisions: string;
  recorded_at: string | null;
};

/**
 * A review meeting as its page and the API read it, in one prepared statement: the meeting with
 * its kept counts, the community's hub, the asking account's record and role in the hub's team,
 * and a page of the agenda by name. No row: there is no such meeting; no hub: `hub` is null.
 */
const meetingWithAgendaQuery = (afterName: boolean) =>
  builtOnce((db) => {
    const communityId = sql.placeholder('communityId');
    const hubId = sql`(select h.id from ${programmesSeenSql('h')} where h.community_id = ${communityId} and h.kind = 'hub' and h.status = 'open' order by h.name limit 1)`;
    const recordId = sql`(select r.id from ${recordsSeenSql('r')} where r.community_id = ${communityId} and r.account_id = ${sql.placeholder('accountId')} and r.status = 'active' limit 1)`;
    return db
      .select({
        meeting: reviewMeetings,
        hub: sql<{ id: string; name: string; reviewDays: number[] | null; quietDays: number | null } | null>`(
        select json_build_object('id', h.id, 'name', h.name, 'reviewDays', t.review_days, 'quietDays', t.quiet_days)
        from ${programmesSeenSql('h')} left join hub_teams t on t.programme_id = h.id
        where h.community_id = ${communityId} and h.kind = 'hub' and h.status = 'open' order by h.name limit 1)`,
        recordId: sql<string | null>`${recordId}`,
        teamRole: sql<TeamRole | null>`(select tm.team_role from hub_team_members tm where tm.programme_id = ${hubId} and tm.person_record_id = ${recordId})`,
        agenda: sql<AgendaRow[]>`coalesce((
        select json_agg(json_build_object('entry_id', a.entry_id, 'person_record_id', a.person_record_id, 'name', a.name,
            'sort_name', a.sort, 'reasons', a.reasons, 'discussion', a.discussion, 'decisions', a.decisions, 'recorded_at', a.recorded_at) order by a.sort, a.entry_id)
        from (
          select i.entry_id, e.person_record_id, p.preferred_name as name, i.sort_name as sort, i.reasons, i.discussion, i.decisions, i.recorded_at::text
          from (
            -- The page's items first, in order, from the index alone; then each one's row and
            -- person (by key: its limit keeps it a probe). Sorting every item of the meeting for
            -- one page was the statement's cost.
            select page.entry_id from review_items page where page.meeting_id = review_meetings.id
              ${afterName ? sql`and (page.sort_name, page.entry_id) > (${sql.placeholder('afterName')}::text, ${sql.placeholder('afterId')}::uuid)` : sql``}
            order by page.sort_name, page.entry_id limit ${sql.placeholder('limit')}) ids
          cross join lateral (select one.* from review_items one
            where one.meeting_id = review_meetings.id and one.entry_id = ids.entry_id limit 1) i
          join caseload_entries e on e.id = i.entry_id join ${recordsSeenSql('p')} on p.id = e.person_record_id) a
      ), '[]'::json)`,
      })
      .from(reviewMeetings)
      .where(and(eq(reviewMeetings.communityId, communityId), eq(reviewMeetings.id, sql.placeholder('meetingId'))))
      .prepare(afterName ? 'hub_meeting_with_agenda_after' : 'hub_meeting_with_agenda');
  });
const agendaStatements = { after: meetingWithAgendaQuery(true), first: meetingWithAgendaQuery(false) };

export async function meetingWithAgenda(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  accountId: string,
  page: { limit: number; after?: { name: string; id: string } },
) {
  const [found] = await agendaStatements[page.after !== undefined ? 'after' : 'first'](tx).execute({
    communityId,
    meetingId,
    accountId,
    limit: page.limit,
    afterName: page.after?.name,
    afterId: page.after?.id,
  });
  return found;
}

/** Puts the entry on the meeting's agenda as added by the team, keeping any other reasons. */
export async function addAgendaItem(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  entryId: string,
): Promise<void> {
  await tx
    .insert(reviewItems)
    .values({ communityId, meetingId, entryId, reasons: ['added'] })
    .onConflictDoUpdate({
      target: [reviewItems.meetingId, reviewItems.entryId],
      set: { reasons: sql`array(select distinct unnest(${reviewItems.reasons} || array['added']))` },
    });
}

export async function saveItemRecord(
  tx: CommunityTransaction,
  meetingId: string,
  entryId: string,
  item: { discussion: string; decisions: string; recordedBy: string },
): Promise<void> {
  await tx
    .update(reviewItems)
    .set({
      discussion: item.discussion,
      decisions: item.decisions,
      recordedBy: item.recordedBy,
      recordedAt: sql`now()`,
    })
    .where(and(eq(reviewItems.meetingId, meetingId), eq(reviewItems.entryId, entryId)));
}

/** Closes a meeting that is open, with its minutes; nothing when it was already closed. */
export async function closeOpenMeeting(tx: CommunityTransaction, meetingId: string, minutes: string) {
  const [closed] = await tx
    .update(reviewMeetings)
    .set({ closedAt: sql`now()`, minutes })
    .where(and(eq(reviewMeetings.id, meetingId), isNull(reviewMeetings.closedAt)))
    .returning();
  return closed;
}

// ——— Person data ———

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

/**
 * A table reached through the person's caseload entries: its rows are in their download (`query`
 * selects them for a record), and it stays when records merge, for the entry moves.
 */
export function throughEntry(table: string, query: (record: string) => SQL): PersonDataSource {
  return {
    table,
    column: 'entry_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the caseload entry, which moves' },
    rows: rowsThrough(query),
  };
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
  throughEntry(
    'caseload_contacts',
    (record) =>
      sql`select c.occurred_on, c.note from caseload_contacts c join caseload_entries e on e.id = c.entry_id where e.person_record_id = ${record} order by c.occurred_on`,
  ),
  throughEntry(
    'review_items',
    (record) =>
      sql`select m.held_on, i.discussion, i.decisions from review_items i join review_meetings m on m.id = i.meeting_id join caseload_entries e on e.id = i.entry_id where e.person_record_id = ${record} and (i.discussion <> '' or i.decisions <> '') order by m.held_on`,
  ),
  throughEntry(
    'hub_actions',
    (record) =>
      sql`select a.description, a.due_on, a.done_at from hub_actions a join caseload_entries e on e.id = a.entry_id where e.person_record_id = ${record} order by a.due_on`,
  ),
  // The approach agreed is the person's to read; what the risk is stays with the clinical team, who share it with them.
  throughEntry(
    'risk_flags',
    (record) =>
      sql`select f.agreed_approach, f.raised_at, f.review_on, f.closed_at from risk_flags f join caseload_entries e on e.id = f.entry_id where e.person_record_id = ${record} order by f.raised_at`,
  ),
  throughEntry(
    'key_contacts',
    (record) =>
      sql`select r.preferred_name as key_contact from key_contacts k join caseload_entries e on e.id = k.entry_id join ${recordsSeenSql('r')} on r.id = k.person_record_id where e.person_record_id = ${record}`,
  ),
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

/** The accounts of the people in a community's hub teams. Read through the owner: the header asks before the request's transaction. */
export async function hubTeamAccounts(owner: Database, communityId: string): Promise<ReadonlySet<string>> {
  const rows = await owner.execute<{ account_id: string }>(
    sql`select distinct r.account_id from hub_team_members t join ${recordsSeenSql('r')} on r.id = t.person_record_id where t.community_id = ${communityId} and r.account_id is not null`,
  );
  return new Set(rows.rows.map((row) => row.account_id));
}
