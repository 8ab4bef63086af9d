// One-to-one peer support's queries: settings, episodes with their goals and contacts, timesheets,
// reminders, payroll, and a person's data.
import { and, asc, desc, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import { keepingOnePer, rowsThrough } from '../../platform/person-data.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { preferredNameOf, recordsSeenSql } from '../people/service.ts';
import { programmeMembersSeenSql, programmesSeen, programmesSeenSql } from '../programmes/service.ts';
import {
  contactModes,
  episodeContacts,
  episodeGoals,
  nextSteps,
  peerSupportSettings,
  supportEpisodes,
  timesheetReminders,
  timesheets,
} from './schema.ts';

export { contactModes, nextSteps };
export type Episode = typeof supportEpisodes.$inferSelect;
export type Timesheet = typeof timesheets.$inferSelect;
type NewContact = Pick<
  typeof episodeContacts.$inferInsert,
  'occurredOn' | 'minutes' | 'mode' | 'whatWasDone' | 'progress'
>;

// ——— Settings ———

export async function settingsRow(tx: CommunityTransaction, programmeId: string) {
  const [found] = await tx.select().from(peerSupportSettings).where(eq(peerSupportSettings.programmeId, programmeId));
  return found;
}

export async function upsertSettings(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  change: { plannedWeeks: number; minutesPerWeek: number },
) {
  await tx
    .insert(peerSupportSettings)
    .values({ programmeId, communityId, ...change })
    .onConflictDoUpdate({ target: peerSupportSettings.programmeId, set: change });
}

/** The community's one-to-one peer support programme. */
export async function supportProgrammes(tx: CommunityTransaction, communityId: string) {
  const programme = programmesSeen('programme');
  return tx
    .select({ id: programme.id, name: programme.name, status: programme.status })
    .from(programme)
    .where(and(eq(programme.communityId, communityId), eq(programme.kind, 'peer_support')))
    .orderBy(asc(programme.name));
}

/** A peer support programme of this community, if it is one. */
export async function supportProgrammeOf(tx: CommunityTransaction, communityId: string, programmeId: string) {
  const seen = programmesSeen('programme');
  const [programme] = await tx
    .select()
    .from(seen)
    .where(and(eq(seen.communityId, communityId), eq(seen.id, programmeId), eq(seen.kind, 'peer_support')));
  return programme;
}

/** People in a peer support programme with no episode under way: they are waiting for a supporter. */
export async function waitingForSupporter(tx: CommunityTransaction, communityId: string) {
  const rows = await tx.execute<{
    person_record_id: string;
    name: string;
    programme_id: string;
    programme: string;
    joined_at: string;
    referral_id: string | null;
  }>(sql`
    select pm.person_record_id, r.preferred_name as name, p.id as programme_id, p.name as programme, pm.joined_at::text, pm.referral_id
    from ${programmeMembersSeenSql('pm')} join ${programmesSeenSql('p')} on p.id = pm.programme_id join ${recordsSeenSql('r')} on r.id = pm.person_record_id
    where pm.community_id = ${communityId} and p.kind = 'peer_support' and pm.left_at is null and r.status = 'active'
      and not exists (select 1 from support_episodes e where e.programme_id = pm.programme_id and e.person_record_id = pm.person_record_id)
    order by pm.joined_at`);
  return rows.rows;
}

// ——— Episodes ———

/** The referral that brought the person into the programme, if they are in it now. */
export async function membershipOf(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
  const [membership] = await tx
    .execute<{ referral_id: string | null }>(
      sql`select referral_id from ${programmeMembersSeenSql('membership')} where programme_id = ${programmeId} and person_record_id = ${personRecordId} and left_at is null`,
    )
    .then((result) => result.rows);
  return membership;
}

/** A new episode, or nothing when the person already has one in the programme. */
export async function insertEpisode(tx: CommunityTransaction, episode: typeof supportEpisodes.$inferInsert) {
  const [made] = await tx.insert(supportEpisodes).values(episode).onConflictDoNothing().returning();
  return made;
}

export async function insertGoals(
  tx: CommunityTransaction,
  communityId: string,
  episodeId: string,
  texts: readonly string[],
  addedBy: string,
) {
  await tx.insert(episodeGoals).values(texts.map((text) => ({ communityId, episodeId, text, addedBy })));
}

/** The episode, with the names of the person, their supporter and the programme. */
export async function episodeWithNames(tx: CommunityTransaction, communityId: string, episodeId: string) {
  const programme = programmesSeen('programme');
  const [found] = await tx
    .select({
      episode: supportEpisodes,
      person: preferredNameOf(supportEpisodes.personRecordId),
      supporter: preferredNameOf(supportEpisodes.supporterRecordId),
      programme: programme.name,
    })
    .from(supportEpisodes)
    .innerJoin(programme, eq(programme.id, supportEpisodes.programmeId))
    .where(and(eq(supportEpisodes.communityId, communityId), eq(supportEpisodes.id, episodeId)));
  return found;
}

export async function goalsOf(tx: CommunityTransaction, episodeId: string) {
  return tx.select().from(episodeGoals).where(eq(episodeGoals.episodeId, episodeId)).orderBy(asc(episodeGoals.addedAt));
}

export async function contactsOf(tx: CommunityTransaction, episodeId: string) {
  return tx
    .select()
    .from(episodeContacts)
    .where(eq(episodeContacts.episodeId, episodeId))
    .orderBy(desc(episodeContacts.occurredOn), desc(episodeContacts.createdAt));
}

/** The episodes a coordinator sees (all), or those where the record is the supporter or the person. */
export async function episodeRows(
  tx: CommunityTransaction,
  communityId: string,
  asker: { staff: boolean; recordId: string | null },
  options: { status?: 'active' | 'ended'; limit: number; after?: string },
) {
  const rows = await tx.execute<{
    id: string;
    person_record_id: string;
    person: string;
    supporter_record_id: string;
    supporter: string;
    starts_on: string;
    planned_weeks: number;
    minutes_per_week: number;
    status: 'active' | 'ended';
    ended_on: string | null;
    last_contact: string | null;
    minutes_this_week: number;
  }>(sql`
    select e.id, e.person_record_id, p.preferred_name as person, e.supporter_record_id, s.preferred_name as supporter, e.starts_on::text, e.planned_weeks, e.minutes_per_week, e.status, e.ended_on::text,
      (select max(occurred_on)::text from episode_contacts c where c.episode_id = e.id) as last_contact,
      (select coalesce(sum(minutes), 0)::int from episode_contacts c where c.episode_id = e.id and c.occurred_on >= date_trunc('week', (now() at time zone 'Europe/London'))::date) as minutes_this_week
    from support_episodes e join ${recordsSeenSql('p')} on p.id = e.person_record_id join ${recordsSeenSql('s')} on s.id = e.supporter_record_id
    where e.community_id = ${communityId}
      ${asker.staff ? sql`` : sql`and (e.supporter_record_id = ${asker.recordId} or e.person_record_id = ${asker.recordId})`}
      ${options.status ? sql`and e.status = ${options.status}` : sql``}
      ${options.after ? sql`and e.id > ${options.after}` : sql``}
    order by e.status, e.id limit ${options.limit}`);
  return rows.rows;
}

/** One change at a time to a supporter's week: a contact logged while the week is sent waits, then sees it sent. */
export async function lockWeek(tx: CommunityTransaction, supporterRecordId: string, weekStarting: string) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`week:${supporterRecordId}:${weekStarting}`}, 0))`,
  );
}

/** The status of the supporter's timesheet for the week, if there is one. */
export async function timesheetStatus(tx: CommunityTransaction, supporterRecordId: string, weekStarting: string) {
  const [sheet] = await tx
    .select({ status: timesheets.status })
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, supporterRecordId), eq(timesheets.weekStarting, weekStarting)));
  return sheet?.status;
}

export async function insertContact(
  tx: CommunityTransaction,
  communityId: string,
  episodeId: string,
  contact: NewContact,
  recordedBy: string,
) {
  const [made] = await tx
    .insert(episodeContacts)
    .values({ ...contact, communityId, episodeId, recordedBy })
    .returning();
  return made;
}

export async function contactRow(tx: CommunityTransaction, communityId: string, contactId: string) {
  const [found] = await tx
    .select()
    .from(episodeContacts)
    .where(and(eq(episodeContacts.communityId, communityId), eq(episodeContacts.id, contactId)));
  return found;
}

export async function goalRow(tx: CommunityTransaction, communityId: string, goalId: string) {
  const [found] = await tx
    .select()
    .from(episodeGoals)
    .where(and(eq(episodeGoals.communityId, communityId), eq(episodeGoals.id, goalId)));
  return found;
}

export async function changeContact(tx: CommunityTransaction, contactId: string, contact: NewContact) {
  const [changed] = await tx.update(episodeContacts).set(contact).where(eq(episodeContacts.id, contactId)).returning();
  return changed;
}

export async function changeGoalText(tx: CommunityTransaction, goalId: string, text: string) {
  const [changed] = await tx.update(episodeGoals).set({ text }).where(eq(episodeGoals.id, goalId)).returning();
  return changed;
}

/** The weeks the supporter has sent timesheets for (not counting those returned). */
export async function sentWeeks(tx: CommunityTransaction, supporterRecordId: string) {
  const sent = await tx
    .select({ week: timesheets.weekStarting })
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, supporterRecordId), sql`${timesheets.status} <> 'returned'`));
  return sent.map((row) => row.week);
}

export async function insertGoal(
  tx: CommunityTransaction,
  goal: { communityId: string; episodeId: string; text: string; byPerson: boolean; addedBy: string },
) {
  const [made] = await tx.insert(episodeGoals).values(goal).returning();
  return made;
}

/** Ends the episode, if it is still under way, with its review. */
export async function endEpisodeRow(
  tx: CommunityTransaction,
  episodeId: string,
  ending: Pick<
    typeof supportEpisodes.$inferInsert,
    'endedOn' | 'reviewHeldOn' | 'whatChanged' | 'whereNext' | 'whereNextNote' | 'summaryOutcome'
  >,
) {
  const [ended] = await tx
    .update(supportEpisodes)
    .set({ status: 'ended', ...ending })
    .where(and(eq(supportEpisodes.id, episodeId), eq(supportEpisodes.status, 'active')))
    .returning();
  return ended;
}

// ——— Timesheets ———

export interface TimesheetLine {
  episodeId: string;
  person: string;
  minutesPerWeek: number;
  minutes: number;
  contacts: number;
  over: boolean;
}

/** A supporter's week, from their contacts: minutes per episode against each episode's hours allowed. */
export async function weekOfContacts(
  tx: CommunityTransaction,
  supporterRecordId: string,
  weekStarting: string,
): Promise<TimesheetLine[]> {
  const rows = await tx.execute<{
    episode_id: string;
    person: string;
    minutes_per_week: number;
    minutes: number;
    contacts: number;
  }>(sql`
    select e.id as episode_id, p.preferred_name as person, e.minutes_per_week, sum(c.minutes)::int as minutes, count(*)::int as contacts
    from episode_contacts c join support_episodes e on e.id = c.episode_id join ${recordsSeenSql('p')} on p.id = e.person_record_id
    where e.supporter_record_id = ${supporterRecordId} and c.occurred_on between ${weekStarting}::date and ${weekStarting}::date + 6
    group by e.id, p.preferred_name, e.minutes_per_week order by lower(p.preferred_name)`);
  return rows.rows.map((row) => ({
    episodeId: row.episode_id,
    person: row.person,
    minutesPerWeek: row.minutes_per_week,
    minutes: row.minutes,
    contacts: row.contacts,
    over: row.minutes > row.minutes_per_week,
  }));
}

/** A new timesheet for the week, or a returned one sent again; nothing when the week's is already in. */
export async function upsertTimesheet(
  tx: CommunityTransaction,
  sheet: {
    communityId: string;
    supporterRecordId: string;
    weekStarting: string;
    totalMinutes: number;
    overBudget: boolean;
    note: string;
  },
) {
  const [made] = await tx
    .insert(timesheets)
    .values(sheet)
    .onConflictDoUpdate({
      target: [timesheets.supporterRecordId, timesheets.weekStarting],
      set: {
        status: 'submitted',
        totalMinutes: sheet.totalMinutes,
        overBudget: sheet.overBudget,
        note: sheet.note,
        submittedAt: sql`now()`,
        decidedAt: null,
        decidedBy: null,
      },
      setWhere: sql`${timesheets.status} = 'returned'`,
    })
    .returning();
  return made;
}

export async function timesheetOfWeek(tx: CommunityTransaction, supporterRecordId: string, weekStarting: string) {
  const [existing] = await tx
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, supporterRecordId), eq(timesheets.weekStarting, weekStarting)));
  return existing;
}

/** The timesheet, with its supporter's name. */
export async function timesheetWithName(tx: CommunityTransaction, communityId: string, timesheetId: string) {
  const [found] = await tx
    .select({
      sheet: timesheets,
      supporter: preferredNameOf(timesheets.supporterRecordId),
    })
    .from(timesheets)
    .where(and(eq(timesheets.communityId, communityId), eq(timesheets.id, timesheetId)));
  return found;
}

/** Approves or returns a timesheet still waiting for a decision; nothing when it is not waiting. */
export async function decideTimesheet(
  tx: CommunityTransaction,
  timesheetId: string,
  decision: { status: 'approved' | 'returned'; decidedBy: string; decisionNote: string },
) {
  const [decided] = await tx
    .update(timesheets)
    .set({
      status: decision.status,
      decidedAt: sql`now()`,
      decidedBy: decision.decidedBy,
      decisionNote: decision.decisionNote,
    })
    .where(and(eq(timesheets.id, timesheetId), eq(timesheets.status, 'submitted')))
    .returning();
  return decided;
}

/** The timesheets a coordinator sees (all), or the supporter's own, waiting ones first. */
export async function timesheetRows(
  tx: CommunityTransaction,
  communityId: string,
  asker: { staff: boolean; recordId: string | null },
  options: { status?: 'submitted' | 'approved' | 'returned'; limit: number },
) {
  const rows = await tx.execute<{
    id: string;
    supporter: string;
    supporter_record_id: string;
    week_starting: string;
    status: 'submitted' | 'approved' | 'returned';
    total_minutes: number;
    over_budget: boolean;
    decision_note: string;
  }>(sql`
    select t.id, r.preferred_name as supporter, t.supporter_record_id, t.week_starting::text, t.status, t.total_minutes, t.over_budget, t.decision_note
    from timesheets t join ${recordsSeenSql('r')} on r.id = t.supporter_record_id
    where t.community_id = ${communityId}
      ${asker.staff ? sql`` : sql`and t.supporter_record_id = ${asker.recordId}`}
      ${options.status ? sql`and t.status = ${options.status}` : sql``}
    order by t.status = 'submitted' desc, t.week_starting desc, lower(r.preferred_name) limit ${options.limit}`);
  return rows.rows;
}

/** The supporter's weeks with contacts and no timesheet yet (or one returned), most recent first. */
export async function weeksToSubmit(tx: CommunityTransaction, supporterRecordId: string) {
  const rows = await tx.execute<{ week_starting: string; minutes: number }>(sql`
    select date_trunc('week', c.occurred_on)::date::text as week_starting, sum(c.minutes)::int as minutes
    from episode_contacts c join support_episodes e on e.id = c.episode_id
    where e.supporter_record_id = ${supporterRecordId}
      and not exists (select 1 from timesheets t where t.supporter_record_id = ${supporterRecordId} and t.week_starting = date_trunc('week', c.occurred_on)::date and t.status <> 'returned')
    group by 1 order by 1 desc limit 12`);
  return rows.rows;
}

/** Across communities: each supporter's past weeks with contacts, no timesheet in and no reminder yet. */
export async function unsentWeeks(owner: Database) {
  const rows = await owner.execute<{
    community_id: string;
    slug: string;
    language: string;
    supporter_record_id: string;
    week_starting: string;
  }>(sql`
    select distinct e.community_id, c.slug, c.languages[1] as language, e.supporter_record_id, date_trunc('week', x.occurred_on)::date::text as week_starting
    from episode_contacts x join support_episodes e on e.id = x.episode_id join communities c on c.id = e.community_id
    where x.occurred_on < date_trunc('week', (now() at time zone 'Europe/London'))::date
      and not exists (select 1 from timesheets t where t.supporter_record_id = e.supporter_record_id and t.week_starting = date_trunc('week', x.occurred_on)::date and t.status <> 'returned')
      and not exists (select 1 from timesheet_reminders r where r.supporter_record_id = e.supporter_record_id and r.week_starting = date_trunc('week', x.occurred_on)::date)`);
  return rows.rows;
}

/** Notes the reminders as sent; returns the weeks not reminded before. */
export async function insertReminders(
  tx: CommunityTransaction,
  reminders: { communityId: string; supporterRecordId: string; weekStarting: string }[],
) {
  return tx
    .insert(timesheetReminders)
    .values(reminders)
    .onConflictDoNothing()
    .returning({ week: timesheetReminders.weekStarting });
}

export type PayrollRow = {
  supporter: string;
  supporter_number: number;
  week_starting: string;
  minutes: number;
  approved_by: string | null;
  approved_on: string;
  over_budget: boolean;
  note: string;
};

/** Approved hours for payroll: one row per supporter and week. */
export async function payrollRows(tx: CommunityTransaction, communityId: string, range: { from: string; to: string }) {
  const rows = await tx.execute<PayrollRow>(sql`
    select r.preferred_name as supporter, r.number as supporter_number, t.week_starting::text, t.total_minutes as minutes, p.display_name as approved_by,
      (t.decided_at at time zone 'Europe/London')::date::text as approved_on, t.over_budget, t.decision_note as note
    from timesheets t join ${recordsSeenSql('r')} on r.id = t.supporter_record_id left join people p on p.id = t.decided_by
    where t.community_id = ${communityId} and t.status = 'approved' and t.week_starting between ${range.from}::date and ${range.to}::date
    order by t.week_starting, lower(r.preferred_name)`);
  return rows.rows;
}

/** The people whose support under way is planned to end by this day (for a hub's review agenda). */
export async function peopleWithSupportEnding(
  tx: CommunityTransaction,
  communityId: string,
  byDay: string,
): Promise<string[]> {
  const rows = await tx.execute<{ person_record_id: string }>(sql`
    select distinct person_record_id from support_episodes
    where community_id = ${communityId} and status = 'active' and starts_on + planned_weeks * 7 - 1 <= ${byDay}::date`);
  return rows.rows.map((row) => row.person_record_id);
}

/** Whether this supporter supports (or supported) this person. */
export async function supports(
  tx: CommunityTransaction,
  supporterRecordId: string,
  personRecordId: string,
): Promise<boolean> {
  const [found] = await tx
    .select({ id: supportEpisodes.id })
    .from(supportEpisodes)
    .where(
      and(eq(supportEpisodes.supporterRecordId, supporterRecordId), eq(supportEpisodes.personRecordId, personRecordId)),
    )
    .limit(1);
  return found !== undefined;
}

// ——— A person's data: download, erasure and merge ———

/**
 * Merging two records of one person supported under both: their episodes move to the kept
 * record. Only one can be under way per programme, so where both were, the other one ends,
 * saying why; with the same supporter its goals and contacts join the kept episode. With
 * another supporter they stay on it: contacts are that supporter's paid hours.
 */
export async function mergeEpisodes(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const pairs = sql`(select gone.id as gone_id, kept.id as kept_id, gone.supporter_record_id = kept.supporter_record_id as same_supporter from support_episodes gone
    join support_episodes kept on kept.programme_id = gone.programme_id and kept.person_record_id = ${intoId} and kept.status = 'active'
    where gone.person_record_id = ${fromId} and gone.status = 'active')`;
  for (const table of ['episode_goals', 'episode_contacts']) {
    await tx.execute(
      sql`update ${sql.identifier(table)} child set episode_id = pair.kept_id from ${pairs} pair where child.episode_id = pair.gone_id and pair.same_supporter`,
    );
  }
  await tx.execute(sql`update support_episodes set status = 'ended', ended_on = current_date, where_next_note = 'Two records of the same person were merged: this support continues in the other episode'
    where id in (select pair.gone_id from ${pairs} pair)`);
  await tx.execute(sql`update support_episodes set person_record_id = ${intoId} where person_record_id = ${fromId}`);
}

/**
 * A supporter with two records: one timesheet a week. Where both records have the same week,
 * the kept one counts both weeks' minutes and goes back to waiting for approval, with the other's
 * note; the rest move.
 */
export async function mergeTimesheets(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update timesheets kept set total_minutes = kept.total_minutes + gone.total_minutes, over_budget = kept.over_budget or gone.over_budget,
      note = concat_ws(E'\n\n', nullif(kept.note, ''), nullif(gone.note, '')), status = 'submitted', decided_at = null, decided_by = null
    from timesheets gone where kept.supporter_record_id = ${intoId} and gone.supporter_record_id = ${fromId} and kept.week_starting = gone.week_starting`);
  await keepingOnePer('timesheets', 'supporter_record_id', ['week_starting'])(tx, fromId, intoId);
}

/** Erased: goals, what each contact was and the review's words go; dates, minutes and outcomes stay for payroll and the numbers. */
export async function eraseEpisodes(tx: CommunityTransaction, id: string): Promise<void> {
  const theirs = sql`(select id from support_episodes where person_record_id = ${id})`;
  await tx.execute(sql`update episode_goals set text = '' where episode_id in ${theirs}`);
  await tx.execute(sql`update episode_contacts set what_was_done = '', progress = '' where episode_id in ${theirs}`);
  await tx.execute(
    sql`update support_episodes set what_changed = '', where_next_note = '' where person_record_id = ${id}`,
  );
}

/** A person's download: the goals of their episodes. */
export const goalRows = rowsThrough(
  (record) =>
    sql`select g.text as goal, g.by_person, g.added_at from episode_goals g join support_episodes e on e.id = g.episode_id where e.person_record_id = ${record} order by g.added_at`,
);

/** A person's download: each contact of their episodes. */
export const contactRows = rowsThrough(
  (record) =>
    sql`select c.occurred_on, c.minutes, c.mode, c.what_was_done, c.progress from episode_contacts c join support_episodes e on e.id = c.episode_id where e.person_record_id = ${record} order by c.occurred_on`,
);

/** Whether the supporter has ever been this person's peer supporter, as a condition of another module's query. */
export const supportedBy = (personRecordId: SQL | AnyColumn, supporterRecordId: string | null) =>
  sql<boolean>`exists (select 1 from support_episodes s where s.person_record_id = ${personRecordId} and s.supporter_record_id = ${supporterRecordId})`;
