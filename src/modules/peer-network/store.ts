// The peer network's queries: networks and their members, groups and meetings, the register,
// ground rules, calendars and the network's own numbers. Crisis plans have theirs in crisis-plans-store.ts.
import { type AnyColumn, and, asc, eq, inArray, isNull, type SQL, sql } from 'drizzle-orm';
import type { Database } from '../../platform/db/index.ts';
import { keepingOnePer, rowsThrough } from '../../platform/person-data.ts';
import { builtOnce } from '../../platform/db/transactions.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { preferredNameOf, recordsSeenSql } from '../people/service.ts';
import { programmesSeen } from '../programmes/service.ts';
import {
  type CameBy,
  calendarFeeds,
  peerAttendance,
  peerGroundRules,
  peerGroundRulesAgreements,
  peerGroupFacilitators,
  peerGroups,
  peerMeetingReplies,
  peerMeetings,
  peerMembershipChanges,
  peerNetworkMembers,
  peerNetworks,
  peerUsualGroups,
} from './schema.ts';

export type Group = typeof peerGroups.$inferSelect;
export type Meeting = typeof peerMeetings.$inferSelect;
export type NetworkMember = typeof peerNetworkMembers.$inferSelect;
type NewGroup = Omit<typeof peerGroups.$inferInsert, 'id' | 'communityId' | 'programmeId' | 'createdAt'>;

/** How far ahead meetings are made from a group's weekly time. */
export const weeksAhead = 8;

/** Raw SQL answers carry instants as text: these fields become Dates. */
function withDates<Row extends Record<string, unknown>>(rows: Row[], ...keys: (keyof Row)[]): Row[] {
  for (const row of rows)
    for (const key of keys)
      if (row[key] !== null && row[key] !== undefined && !(row[key] instanceof Date))
        (row as Record<keyof Row, unknown>)[key] = new Date(row[key] as string);
  return rows;
}

// ——— Networks and their members ———

/** The community's peer networks (programmes of that kind), with whether people may join them themselves. */
export async function networksOf(tx: CommunityTransaction, communityId: string) {
  const programme = programmesSeen('programme');
  return tx
    .select({
      id: programme.id,
      name: programme.name,
      status: programme.status,
      whoFor: programme.whoFor,
      whereAndWhen: programme.whereAndWhen,
      selfJoin: sql<boolean>`coalesce(${peerNetworks.selfJoin}, true)`,
    })
    .from(programme)
    .leftJoin(peerNetworks, eq(peerNetworks.programmeId, programme.id))
    .where(and(eq(programme.communityId, communityId), eq(programme.kind, 'peer_network')))
    .orderBy(asc(programme.name));
}

export async function upsertNetworkSettings(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  selfJoin: boolean,
) {
  await tx
    .insert(peerNetworks)
    .values({ programmeId, communityId, selfJoin })
    .onConflictDoUpdate({
      target: peerNetworks.programmeId,
      set: { selfJoin, updatedAt: sql`now()` },
    });
}

/** A new membership, or nothing when the person is already a member of the network. */
export async function insertMember(
  tx: CommunityTransaction,
  member: {
    communityId: string;
    programmeId: string;
    personRecordId: string;
    cameBy: CameBy;
    referralId: string | null;
  },
): Promise<NetworkMember | undefined> {
  const [made] = await tx.insert(peerNetworkMembers).values(member).onConflictDoNothing().returning();
  return made;
}

export async function insertMembershipChange(
  tx: CommunityTransaction,
  change: {
    communityId: string;
    memberId: string;
    change: 'joined' | 'returned' | 'went_inactive';
    recordedBy: string | null;
  },
) {
  await tx.insert(peerMembershipChanges).values(change);
}

export async function memberRow(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
  const [found] = await tx
    .select()
    .from(peerNetworkMembers)
    .where(and(eq(peerNetworkMembers.programmeId, programmeId), eq(peerNetworkMembers.personRecordId, personRecordId)));
  return found;
}

/** Sets the membership active or not; nothing when it already was. */
export async function setMemberActive(
  tx: CommunityTransaction,
  memberId: string,
  active: boolean,
): Promise<NetworkMember | undefined> {
  const [changed] = await tx
    .update(peerNetworkMembers)
    .set({ active, changedAt: sql`now()` })
    .where(and(eq(peerNetworkMembers.id, memberId), eq(peerNetworkMembers.active, !active)))
    .returning();
  return changed;
}

/** The networks a person is in, active or not. */
export async function membershipsOf(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  const programme = programmesSeen('programme');
  return tx
    .select({
      id: peerNetworkMembers.id,
      programmeId: peerNetworkMembers.programmeId,
      name: programme.name,
      active: peerNetworkMembers.active,
      joinedAt: peerNetworkMembers.joinedAt,
      cameBy: peerNetworkMembers.cameBy,
    })
    .from(peerNetworkMembers)
    .innerJoin(programme, eq(programme.id, peerNetworkMembers.programmeId))
    .where(and(eq(peerNetworkMembers.communityId, communityId), eq(peerNetworkMembers.personRecordId, personRecordId)));
}

/** A network's members, with the groups they usually go to and when they last came. */
export async function listMembers(
  tx: CommunityTransaction,
  communityId: string,
  options: { programmeId?: string; active?: boolean; limit: number; after?: string },
) {
  const rows = await tx.execute<{
    id: string;
    programme_id: string;
    person_record_id: string;
    name: string;
    active: boolean;
    came_by: CameBy;
    joined_at: Date;
    last_came: Date | null;
    times_came: number;
  }>(sql`
    select m.id, m.programme_id, m.person_record_id, r.preferred_name as name, m.active, m.came_by, m.joined_at,
      (select max(x.starts_at) from peer_attendance a join peer_meetings x on x.id = a.meeting_id where a.person_record_id = m.person_record_id) as last_came,
      (select count(*)::int from peer_attendance a join peer_meetings x on x.id = a.meeting_id where a.person_record_id = m.person_record_id and x.starts_at > now() - interval '90 days') as times_came
    from peer_network_members m join ${recordsSeenSql('r')} on r.id = m.person_record_id
    where m.community_id = ${communityId}
      ${options.programmeId ? sql`and m.programme_id = ${options.programmeId}` : sql``}
      ${options.active === undefined ? sql`` : sql`and m.active = ${options.active}`}
      ${options.after ? sql`and m.id > ${options.after}` : sql``}
    order by m.id limit ${options.limit}`);
  return withDates(rows.rows, 'joined_at', 'last_came');
}

// ——— Groups and meetings ———

/** Makes the group's meetings for the weeks ahead from its weekly time (London time), once each. */
export async function scheduleMeetings(
  tx: CommunityTransaction | Database,
  groupId: string,
  weeks = weeksAhead,
  from?: string,
) {
  await tx.execute(sql`
    insert into peer_meetings (community_id, group_id, starts_at, duration_minutes)
    select g.community_id, g.id, ((d::date + g.starts_at) at time zone 'Europe/London'), g.duration_minutes
    from peer_groups g, generate_series(${from ?? sql`(now() at time zone 'Europe/London')::date`}::date, (now() at time zone 'Europe/London')::date + ${weeks * 7}::int, interval '1 day') d
    where g.id = ${groupId} and g.ended_at is null and extract(isodow from d) = g.weekday
    on conflict (group_id, starts_at) do nothing`);
}

/** Every night: each group's meetings for the weeks ahead. */
export async function scheduleAllMeetings(owner: Database): Promise<{ groups: number }> {
  const groups = await owner.select({ id: peerGroups.id }).from(peerGroups).where(isNull(peerGroups.endedAt));
  for (const group of groups) await scheduleMeetings(owner, group.id);
  return { groups: groups.length };
}

export async function insertGroup(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  group: NewGroup,
): Promise<Group | undefined> {
  const [made] = await tx
    .insert(peerGroups)
    .values({ ...group, communityId, programmeId })
    .returning();
  return made;
}

export async function insertFacilitators(
  tx: CommunityTransaction,
  communityId: string,
  groupId: string,
  personRecordIds: readonly string[],
) {
  await tx
    .insert(peerGroupFacilitators)
    .values(personRecordIds.map((personRecordId) => ({ communityId, groupId, personRecordId })));
}

export async function deleteFacilitators(tx: CommunityTransaction, groupId: string) {
  await tx.delete(peerGroupFacilitators).where(eq(peerGroupFacilitators.groupId, groupId));
}

export async function changeGroupRow(
  tx: CommunityTransaction,
  groupId: string,
  change: NewGroup,
): Promise<Group | undefined> {
  const [changed] = await tx.update(peerGroups).set(change).where(eq(peerGroups.id, groupId)).returning();
  return changed;
}

/** Removes the group's meetings to come that nobody has been marked at, with their replies. */
export async function deleteUnmarkedMeetingsToCome(tx: CommunityTransaction, groupId: string) {
  await tx.execute(
    sql`delete from peer_meeting_replies where meeting_id in (select id from peer_meetings m where m.group_id = ${groupId} and m.starts_at > now() and not exists (select 1 from peer_attendance a where a.meeting_id = m.id))`,
  );
  await tx.execute(
    sql`delete from peer_meetings m where m.group_id = ${groupId} and m.starts_at > now() and not exists (select 1 from peer_attendance a where a.meeting_id = m.id)`,
  );
}

export async function groupById(tx: CommunityTransaction, communityId: string, groupId: string) {
  const [found] = await tx
    .select()
    .from(peerGroups)
    .where(and(eq(peerGroups.communityId, communityId), eq(peerGroups.id, groupId)));
  return found;
}

/** Of these groups, the ones of this community. */
export async function groupIdsOfCommunity(tx: CommunityTransaction, communityId: string, groupIds: string[]) {
  return tx
    .select({ id: peerGroups.id })
    .from(peerGroups)
    .where(and(eq(peerGroups.communityId, communityId), inArray(peerGroups.id, groupIds)));
}

export async function groupFacilitators(tx: CommunityTransaction, groupIds: readonly string[]) {
  if (!groupIds.length) return [];
  return tx
    .select({
      groupId: peerGroupFacilitators.groupId,
      personRecordId: peerGroupFacilitators.personRecordId,
      name: preferredNameOf(peerGroupFacilitators.personRecordId),
    })
    .from(peerGroupFacilitators)
    .where(inArray(peerGroupFacilitators.groupId, [...groupIds]));
}

/** The groups, each with its facilitators, its next meeting and how many usually come. */
export async function listGroups(
  tx: CommunityTransaction,
  communityId: string,
  options: { includeEnded?: boolean } = {},
) {
  const rows = await tx.execute<
    Group & { next_meeting_id: string | null; next_starts_at: Date | null; usual: number }
  >(sql`
    select g.id, g.programme_id as "programmeId", g.name, g.weekday, g.starts_at as "startsAt", g.duration_minutes as "durationMinutes", g.venue,
      g.access_details as "accessDetails", g.online_link as "onlineLink", g.capacity, g.ended_at as "endedAt", g.created_at as "createdAt", g.community_id as "communityId",
      n.id as next_meeting_id, n.starts_at as next_starts_at,
      (select count(*)::int from peer_usual_groups u join peer_network_members m on m.person_record_id = u.person_record_id and m.programme_id = g.programme_id and m.active where u.group_id = g.id) as usual
    from peer_groups g
    left join lateral (select id, starts_at from peer_meetings where group_id = g.id and starts_at + make_interval(mins => duration_minutes) > now() and cancelled_at is null order by starts_at limit 1) n on true
    where g.community_id = ${communityId} ${options.includeEnded ? sql`` : sql`and g.ended_at is null`}
    order by g.weekday, g.starts_at, g.name`);
  const facilitators = await groupFacilitators(
    tx,
    rows.rows.map((row) => row.id),
  );
  return withDates(rows.rows, 'next_starts_at', 'endedAt', 'createdAt').map((row) => ({
    ...row,
    facilitators: facilitators.filter((one) => one.groupId === row.id),
  }));
}

/** The meetings to come: of these groups, or of every group. With how many are coming, and the asker's own answer. */
export async function upcomingMeetings(
  tx: CommunityTransaction,
  communityId: string,
  options: { groupIds?: readonly string[]; personRecordId?: string | null; limit: number; from?: Date },
) {
  if (options.groupIds && options.groupIds.length === 0) return [];
  const rows = await tx.execute<{
    id: string;
    group_id: string;
    group_name: string;
    starts_at: Date;
    duration_minutes: number;
    cancelled_at: Date | null;
    venue: string;
    online_link: string;
    coming: number;
    capacity: number | null;
    my_reply: boolean | null;
  }>(sql`
    select x.id, x.group_id, g.name as group_name, x.starts_at, x.duration_minutes, x.cancelled_at, g.venue, g.online_link, g.capacity,
      (select count(*)::int from peer_meeting_replies r where r.meeting_id = x.id and r.coming) as coming,
      ${options.personRecordId ? sql`(select r.coming from peer_meeting_replies r where r.meeting_id = x.id and r.person_record_id = ${options.personRecordId})` : sql`null::boolean`} as my_reply
    from peer_meetings x join peer_groups g on g.id = x.group_id
    where x.community_id = ${communityId} and x.starts_at + make_interval(mins => x.duration_minutes) > ${options.from ?? new Date()}
      ${
        options.groupIds
          ? sql`and x.group_id in (${sql.join(
              options.groupIds.map((id) => sql`${id}`),
              sql`, `,
            )})`
          : sql``
      }
    order by x.starts_at limit ${options.limit}`);
  return withDates(rows.rows, 'starts_at', 'cancelled_at');
}

/** A meeting of this community, with its group. */
export async function meetingWithGroup(tx: CommunityTransaction, communityId: string, meetingId: string) {
  const [found] = await tx
    .select({ meeting: peerMeetings, group: peerGroups })
    .from(peerMeetings)
    .innerJoin(peerGroups, eq(peerGroups.id, peerMeetings.groupId))
    .where(and(eq(peerMeetings.communityId, communityId), eq(peerMeetings.id, meetingId)));
  return found;
}

/** The meetings of a group, newest first, with how many came. */
export async function meetingsOfGroup(
  tx: CommunityTransaction,
  communityId: string,
  groupId: string,
  page: { before?: Date; after?: Date; limit: number },
) {
  const rows = await tx.execute<{
    id: string;
    starts_at: Date;
    duration_minutes: number;
    cancelled_at: Date | null;
    came: number;
    coming: number;
  }>(sql`
    select x.id, x.starts_at, x.duration_minutes, x.cancelled_at,
      (select count(*)::int from peer_attendance a where a.meeting_id = x.id) as came,
      (select count(*)::int from peer_meeting_replies r where r.meeting_id = x.id and r.coming) as coming
    from peer_meetings x where x.community_id = ${communityId} and x.group_id = ${groupId}
      ${page.before ? sql`and x.starts_at < ${page.before}` : sql``}
      ${page.after ? sql`and x.starts_at > ${page.after}` : sql``}
    order by x.starts_at ${page.after ? sql`asc` : sql`desc`} limit ${page.limit}`);
  return withDates(rows.rows, 'starts_at', 'cancelled_at');
}

/** Holds the meeting's row until the transaction ends: one reply at a time per meeting. */
export async function lockMeeting(tx: CommunityTransaction, meetingId: string) {
  await tx.execute(sql`select id from peer_meetings where id = ${meetingId} for no key update`);
}

/** How many others said they are coming to the meeting. */
export async function othersComing(tx: CommunityTransaction, meetingId: string, personRecordId: string) {
  const [counted] = await tx
    .execute<{ coming: number }>(
      sql`select count(*)::int as coming from peer_meeting_replies where meeting_id = ${meetingId} and coming and person_record_id <> ${personRecordId}`,
    )
    .then((result) => result.rows);
  return counted?.coming ?? 0;
}

export async function upsertReply(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  personRecordId: string,
  coming: boolean,
) {
  await tx
    .insert(peerMeetingReplies)
    .values({ communityId, meetingId, personRecordId, coming })
    .onConflictDoUpdate({
      target: [peerMeetingReplies.meetingId, peerMeetingReplies.personRecordId],
      set: { coming, at: sql`now()` },
    });
}

export async function addUsualGroup(
  tx: CommunityTransaction,
  communityId: string,
  groupId: string,
  personRecordId: string,
) {
  await tx.insert(peerUsualGroups).values({ communityId, groupId, personRecordId }).onConflictDoNothing();
}

export async function removeUsualGroup(tx: CommunityTransaction, groupId: string, personRecordId: string) {
  await tx
    .delete(peerUsualGroups)
    .where(and(eq(peerUsualGroups.groupId, groupId), eq(peerUsualGroups.personRecordId, personRecordId)));
}

export async function usualGroupsOf(tx: CommunityTransaction, personRecordId: string): Promise<string[]> {
  const rows = await tx
    .select({ groupId: peerUsualGroups.groupId })
    .from(peerUsualGroups)
    .where(eq(peerUsualGroups.personRecordId, personRecordId));
  return rows.map((row) => row.groupId);
}

/** Whether the group is one the person usually goes to. */
export async function isUsualGroup(tx: CommunityTransaction, groupId: string, personRecordId: string) {
  const [usual] = await tx
    .select({ groupId: peerUsualGroups.groupId })
    .from(peerUsualGroups)
    .where(and(eq(peerUsualGroups.groupId, groupId), eq(peerUsualGroups.personRecordId, personRecordId)));
  return usual !== undefined;
}

// ——— The register ———

/** Whether the record is one of the group's facilitators. */
export async function facilitates(tx: CommunityTransaction, groupId: string, personRecordId: string) {
  const [found] = await tx
    .select({ groupId: peerGroupFacilitators.groupId })
    .from(peerGroupFacilitators)
    .where(and(eq(peerGroupFacilitators.groupId, groupId), eq(peerGroupFacilitators.personRecordId, personRecordId)));
  return found !== undefined;
}

export async function markMeetingCancelled(tx: CommunityTransaction, meetingId: string, reason: string) {
  await tx
    .update(peerMeetings)
    .set({ cancelledAt: new Date(), cancelledReason: reason })
    .where(eq(peerMeetings.id, meetingId));
}

/** Everyone who said they are coming to the meeting. */
export async function comingTo(tx: CommunityTransaction, meetingId: string) {
  return tx
    .select({ personRecordId: peerMeetingReplies.personRecordId })
    .from(peerMeetingReplies)
    .where(and(eq(peerMeetingReplies.meetingId, meetingId), eq(peerMeetingReplies.coming, true)));
}

/** Tomorrow's meetings (UK days), not cancelled, with no reminder sent yet. */
export async function meetingsToRemind(owner: Database) {
  const due = await owner.execute<{ id: string; community_id: string }>(sql`
    select x.id, x.community_id from peer_meetings x
    where x.cancelled_at is null and x.reminder_sent_at is null
      and (x.starts_at at time zone 'Europe/London')::date = (now() at time zone 'Europe/London')::date + 1`);
  return due.rows;
}

/** Marks the meeting's reminder sent; nothing when another run already did. */
export async function claimReminder(tx: CommunityTransaction, meetingId: string) {
  const [claimed] = await tx
    .update(peerMeetings)
    .set({ reminderSentAt: new Date() })
    .where(and(eq(peerMeetings.id, meetingId), isNull(peerMeetings.reminderSentAt)))
    .returning({ startsAt: peerMeetings.startsAt, groupId: peerMeetings.groupId });
  return claimed;
}

/** What a reminder says of the group, and its community's address and first language. */
export async function groupForReminder(tx: CommunityTransaction, groupId: string) {
  const found = await tx.execute<{ name: string; venue: string; slug: string; language: string }>(sql`
        select g.name, g.venue, c.slug, c.languages[1] as language from peer_groups g join communities c on c.id = g.community_id where g.id = ${groupId}`);
  return found.rows[0];
}

/** Everyone who said they are coming, and the group's usual members who have not said they are not. */
export async function peopleToRemind(tx: CommunityTransaction, meetingId: string, groupId: string) {
  const people = await tx.execute<{ person_record_id: string }>(sql`
        select person_record_id from peer_meeting_replies where meeting_id = ${meetingId} and coming
        union
        select u.person_record_id from peer_usual_groups u where u.group_id = ${groupId}
          and not exists (select 1 from peer_meeting_replies r where r.meeting_id = ${meetingId} and r.person_record_id = u.person_record_id and not r.coming)`);
  return people.rows;
}

export interface RegisterLine {
  personRecordId: string;
  name: string;
  present: boolean;
  dropIn: boolean;
  coming: boolean | null;
  usual: boolean;
}

/**
 * The register: the group's usual members, anyone who said they were coming and anyone already
 * marked, by name. One query.
 */
export async function registerOf(
  tx: CommunityTransaction,
  meetingId: string,
  group: Pick<Group, 'id' | 'programmeId'>,
): Promise<RegisterLine[]> {
  const rows = await tx.execute<{
    person_record_id: string;
    name: string;
    present: boolean;
    drop_in: boolean;
    coming: boolean | null;
    usual: boolean;
  }>(sql`
    with listed as (
      select u.person_record_id from peer_usual_groups u join peer_network_members m on m.person_record_id = u.person_record_id and m.programme_id = ${group.programmeId} and m.active
        where u.group_id = ${group.id}
      union select person_record_id from peer_meeting_replies where meeting_id = ${meetingId} and coming
      union select person_record_id from peer_attendance where meeting_id = ${meetingId}
    )
    select l.person_record_id, r.preferred_name as name, a.person_record_id is not null as present, coalesce(a.drop_in, false) as drop_in, rp.coming,
      exists (select 1 from peer_usual_groups u where u.group_id = ${group.id} and u.person_record_id = l.person_record_id) as usual
    from listed l join ${recordsSeenSql('r')} on r.id = l.person_record_id
    left join peer_attendance a on a.meeting_id = ${meetingId} and a.person_record_id = l.person_record_id
    left join peer_meeting_replies rp on rp.meeting_id = ${meetingId} and rp.person_record_id = l.person_record_id
    order by lower(r.preferred_name), l.person_record_id`);
  return rows.rows.map((row) => ({
    personRecordId: row.person_record_id,
    name: row.name,
    present: row.present,
    dropIn: row.drop_in,
    coming: row.coming,
    usual: row.usual,
  }));
}

/** The lines of a register as one JSON array, in the register's order (a column of `registerPage`). */
const registerLinesJson = (meetingId: SQL | AnyColumn, groupId: SQL | AnyColumn, programmeId: SQL | AnyColumn) => sql<
  RegisterLine[]
>`coalesce((
    with listed as (
      select u.person_record_id from peer_usual_groups u join peer_network_members m on m.person_record_id = u.person_record_id and m.programme_id = ${programmeId} and m.active
        where u.group_id = ${groupId}
      union select person_record_id from peer_meeting_replies where meeting_id = ${meetingId} and coming
      union select person_record_id from peer_attendance where meeting_id = ${meetingId}
    )
    select json_agg(json_build_object('personRecordId', l.person_record_id, 'name', r.preferred_name, 'present', a.person_record_id is not null,
        'dropIn', coalesce(a.drop_in, false), 'coming', rp.coming,
        'usual', exists (select 1 from peer_usual_groups u where u.group_id = ${groupId} and u.person_record_id = l.person_record_id))
      order by lower(r.preferred_name), l.person_record_id)
    from listed l join ${recordsSeenSql('r')} on r.id = l.person_record_id
    left join peer_attendance a on a.meeting_id = ${meetingId} and a.person_record_id = l.person_record_id
    left join peer_meeting_replies rp on rp.meeting_id = ${meetingId} and rp.person_record_id = l.person_record_id
  ), '[]'::json)`;

/** The network's other active members as one JSON array, by name (a column of `registerPage`). */
const dropInChoicesJson = (meetingId: SQL | AnyColumn, groupId: SQL | AnyColumn, programmeId: SQL | AnyColumn) => sql<
  { id: string; name: string }[]
>`coalesce((
    select json_agg(json_build_object('id', o.id, 'name', o.name) order by o.n) from (
      select r.id, r.preferred_name as name, row_number() over (order by lower(r.preferred_name)) as n
      from peer_network_members m join ${recordsSeenSql('r')} on r.id = m.person_record_id
      where m.programme_id = ${programmeId} and m.active
        and not exists (select 1 from peer_usual_groups u where u.group_id = ${groupId} and u.person_record_id = m.person_record_id)
        and not exists (select 1 from peer_attendance a where a.meeting_id = ${meetingId} and a.person_record_id = m.person_record_id)
      order by lower(r.preferred_name) limit 500) o
  ), '[]'::json)`;

/**
 * Everything the register's page (or its API) shows, in one prepared statement: the meeting and
 * its group, whether the asking account holds the active record of one of the group's
 * facilitators, the register's lines and, for the page, the members who might drop in.
 */
const registerPageQuery = (withDropIns: boolean) =>
  builtOnce((db) => {
    const meetingId = sql.placeholder('meetingId');
    return db
      .select({
        meeting: peerMeetings,
        group: peerGroups,
        facilitates: sql<boolean>`exists (select 1 from peer_group_facilitators f join ${recordsSeenSql('fr')} on fr.id = f.person_record_id
        where f.group_id = ${peerGroups.id} and fr.community_id = ${sql.placeholder('communityId')} and fr.account_id = ${sql.placeholder('accountId')} and fr.status = 'active')`,
        lines: registerLinesJson(peerMeetings.id, peerGroups.id, peerGroups.programmeId),
        others: withDropIns
          ? dropInChoicesJson(peerMeetings.id, peerGroups.id, peerGroups.programmeId)
          : sql<{ id: string; name: string }[]>`'[]'::json`,
      })
      .from(peerMeetings)
      .innerJoin(peerGroups, eq(peerGroups.id, peerMeetings.groupId))
      .where(and(eq(peerMeetings.communityId, sql.placeholder('communityId')), eq(peerMeetings.id, meetingId)))
      .prepare(withDropIns ? 'peer_register_page' : 'peer_register');
  });
const registerStatements = { withDropIns: registerPageQuery(true), without: registerPageQuery(false) };

export async function registerPage(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  askerAccountId: string | null,
  options: { withDropIns: boolean },
) {
  const [found] = await registerStatements[options.withDropIns ? 'withDropIns' : 'without'](tx).execute({
    communityId,
    meetingId,
    accountId: askerAccountId,
  });
  return found;
}

export async function removeAttendance(tx: CommunityTransaction, meetingId: string, personRecordId: string) {
  await tx
    .delete(peerAttendance)
    .where(and(eq(peerAttendance.meetingId, meetingId), eq(peerAttendance.personRecordId, personRecordId)));
}

export async function insertAttendance(
  tx: CommunityTransaction,
  attendance: { communityId: string; meetingId: string; personRecordId: string; dropIn: boolean; recordedBy: string },
) {
  await tx.insert(peerAttendance).values(attendance).onConflictDoNothing();
}

// ——— Ground rules ———

/** The network's current rules and open proposals, newest first, with who proposed them and who agreed. */
export async function rulesOf(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string | null,
) {
  const rows = await tx.execute<{
    id: string;
    version: number | null;
    body: string;
    change_note: string;
    status: string;
    proposed_at: Date;
    adopted_at: Date | null;
    proposed_by: string | null;
    agreed: number;
    i_agreed: boolean;
  }>(sql`
    select g.id, g.version, g.body, g.change_note, g.status, g.proposed_at, g.adopted_at, r.preferred_name as proposed_by,
      (select count(*)::int from peer_ground_rules_agreements a where a.rules_id = g.id) as agreed,
      ${personRecordId ? sql`exists (select 1 from peer_ground_rules_agreements a where a.rules_id = g.id and a.person_record_id = ${personRecordId})` : sql`false`} as i_agreed
    from peer_ground_rules g left join ${recordsSeenSql('r')} on r.id = g.proposed_by
    where g.community_id = ${communityId} and g.programme_id = ${programmeId} and g.status in ('current', 'proposed')
    order by g.status = 'current' desc, g.proposed_at desc`);
  return withDates(rows.rows, 'proposed_at', 'adopted_at');
}

export async function currentRules(tx: CommunityTransaction, programmeId: string) {
  const [current] = await tx
    .select()
    .from(peerGroundRules)
    .where(and(eq(peerGroundRules.programmeId, programmeId), eq(peerGroundRules.status, 'current')));
  return current;
}

export async function rulesById(tx: CommunityTransaction, communityId: string, rulesId: string) {
  const [found] = await tx
    .select()
    .from(peerGroundRules)
    .where(and(eq(peerGroundRules.communityId, communityId), eq(peerGroundRules.id, rulesId)));
  return found;
}

export async function insertRules(
  tx: CommunityTransaction,
  rules: { communityId: string; programmeId: string; body: string; changeNote: string; proposedBy: string | null },
) {
  const [made] = await tx.insert(peerGroundRules).values(rules).returning();
  return made;
}

export async function insertAgreement(
  tx: CommunityTransaction,
  communityId: string,
  rulesId: string,
  personRecordId: string,
) {
  await tx.insert(peerGroundRulesAgreements).values({ communityId, rulesId, personRecordId }).onConflictDoNothing();
}

/** One adoption at a time per network, so versions do not collide. */
export async function lockRulesOf(tx: CommunityTransaction, programmeId: string) {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rules:${programmeId}`}, 0))`);
}

/** The proposal becomes the network's current rules, as the next version; the current ones are superseded. */
export async function adoptRulesRow(tx: CommunityTransaction, programmeId: string, rulesId: string, actorId: string) {
  await tx
    .update(peerGroundRules)
    .set({ status: 'superseded' })
    .where(and(eq(peerGroundRules.programmeId, programmeId), eq(peerGroundRules.status, 'current')));
  const [adopted] = await tx
    .update(peerGroundRules)
    .set({
      status: 'current',
      adoptedAt: sql`now()`,
      adoptedBy: actorId,
      version: sql`(select coalesce(max(version), 0) + 1 from peer_ground_rules where programme_id = ${programmeId})`,
    })
    .where(and(eq(peerGroundRules.id, rulesId), eq(peerGroundRules.status, 'proposed')))
    .returning();
  return adopted;
}

// ——— Calendars ———

type FeedSubject = { personRecordId: string } | { groupId: string };

const feedOf = (subject: FeedSubject) =>
  'personRecordId' in subject
    ? eq(calendarFeeds.personRecordId, subject.personRecordId)
    : eq(calendarFeeds.groupId, subject.groupId);

export async function revokeFeeds(tx: CommunityTransaction, subject: FeedSubject) {
  await tx
    .update(calendarFeeds)
    .set({ revokedAt: sql`now()` })
    .where(and(feedOf(subject), isNull(calendarFeeds.revokedAt)));
}

/** The token of the subject's feed still in use, if there is one. */
export async function liveFeedToken(tx: CommunityTransaction, subject: FeedSubject) {
  const [found] = await tx
    .select({ token: calendarFeeds.token })
    .from(calendarFeeds)
    .where(and(feedOf(subject), isNull(calendarFeeds.revokedAt)));
  return found?.token;
}

export async function insertFeed(tx: CommunityTransaction, communityId: string, token: string, subject: FeedSubject) {
  await tx.insert(calendarFeeds).values({ communityId, token, ...subject });
}

/** Which feed a token opens, across communities (the feed's address names none). */
export async function feedByToken(owner: Database, token: string) {
  const [found] = await owner
    .select({
      communityId: calendarFeeds.communityId,
      personRecordId: calendarFeeds.personRecordId,
      groupId: calendarFeeds.groupId,
    })
    .from(calendarFeeds)
    .where(and(eq(calendarFeeds.token, token), isNull(calendarFeeds.revokedAt)));
  return found;
}

/** The meetings a feed shows: the member's usual groups and any they said they would come to; or the group's. */
export async function feedMeetings(
  tx: CommunityTransaction,
  communityId: string,
  feed: { personRecordId: string | null; groupId: string | null },
) {
  const rows = await tx.execute<{
    id: string;
    group_name: string;
    starts_at: Date;
    duration_minutes: number;
    cancelled_at: Date | null;
    venue: string;
    access_details: string;
    online_link: string;
  }>(sql`
    select x.id, g.name as group_name, x.starts_at, x.duration_minutes, x.cancelled_at, g.venue, g.access_details, g.online_link
    from peer_meetings x join peer_groups g on g.id = x.group_id
    where x.community_id = ${communityId} and x.starts_at > now() - interval '30 days'
      and ${
        feed.groupId
          ? sql`x.group_id = ${feed.groupId}`
          : sql`(x.group_id in (select group_id from peer_usual_groups where person_record_id = ${feed.personRecordId})
               or x.id in (select meeting_id from peer_meeting_replies where person_record_id = ${feed.personRecordId} and coming))`
      }
    order by x.starts_at limit 200`);
  return withDates(rows.rows, 'starts_at', 'cancelled_at');
}

// ——— The network's own numbers ———

/** Attendance by month and group, new members and returners by month, and who came how often. */
export async function networkNumbers(
  tx: CommunityTransaction,
  communityId: string,
  range: { from: string; to: string },
) {
  const byMonth = await tx.execute<{
    month: string;
    group_id: string;
    group_name: string;
    attendances: number;
    people: number;
    meetings: number;
  }>(sql`
    select to_char(date_trunc('month', x.starts_at at time zone 'Europe/London'), 'YYYY-MM') as month, g.id as group_id, g.name as group_name,
      count(a.person_record_id)::int as attendances, count(distinct a.person_record_id)::int as people, count(distinct x.id)::int as meetings
    from peer_meetings x join peer_groups g on g.id = x.group_id left join peer_attendance a on a.meeting_id = x.id
    where x.community_id = ${communityId} and x.cancelled_at is null and x.starts_at <= now()
      and (x.starts_at at time zone 'Europe/London')::date between ${range.from}::date and ${range.to}::date
    group by 1, 2, 3 order by 1, 3`);
  const changes = await tx.execute<{ month: string; joined: number; returned: number; went_inactive: number }>(sql`
    select to_char(date_trunc('month', c.at at time zone 'Europe/London'), 'YYYY-MM') as month,
      count(*) filter (where c.change = 'joined')::int as joined, count(*) filter (where c.change = 'returned')::int as returned,
      count(*) filter (where c.change = 'went_inactive')::int as went_inactive
    from peer_membership_changes c where c.community_id = ${communityId} and (c.at at time zone 'Europe/London')::date between ${range.from}::date and ${range.to}::date
    group by 1 order by 1`);
  const [totals] = await tx
    .execute<{ active: number; inactive: number }>(
      sql`
    select count(*) filter (where active)::int as active, count(*) filter (where not active)::int as inactive from peer_network_members where community_id = ${communityId}`,
    )
    .then((result) => result.rows);
  const byMember = await tx.execute<{
    person_record_id: string;
    name: string;
    active: boolean;
    times: number;
    last_came: Date | null;
  }>(sql`
    select m.person_record_id, r.preferred_name as name, m.active, count(x.id)::int as times, max(x.starts_at) as last_came
    from peer_network_members m join ${recordsSeenSql('r')} on r.id = m.person_record_id
    left join peer_attendance a on a.person_record_id = m.person_record_id
    left join peer_meetings x on x.id = a.meeting_id and (x.starts_at at time zone 'Europe/London')::date between ${range.from}::date and ${range.to}::date
    where m.community_id = ${communityId}
    group by 1, 2, 3 order by times desc, lower(r.preferred_name)`);
  return {
    byMonth: byMonth.rows,
    changes: changes.rows,
    totals: totals ?? { active: 0, inactive: 0 },
    byMember: withDates(byMember.rows, 'last_came'),
  };
}

// ——— A person's data: download and merge ———

/**
 * Merging two records of one member: one network membership per network (active if either
 * was, from the earlier joining, with both histories of pauses and returns).
 */
export async function mergeNetworkMembers(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update peer_network_members kept set joined_at = least(kept.joined_at, gone.joined_at), active = kept.active or gone.active
    from peer_network_members gone where kept.person_record_id = ${intoId} and gone.person_record_id = ${fromId} and kept.programme_id = gone.programme_id`);
  await tx.execute(sql`update peer_membership_changes change set member_id = kept.id
    from peer_network_members gone, peer_network_members kept
    where change.member_id = gone.id and gone.person_record_id = ${fromId} and kept.person_record_id = ${intoId} and kept.programme_id = gone.programme_id`);
  await keepingOnePer('peer_network_members', 'person_record_id', ['programme_id'])(tx, fromId, intoId);
}

/** One calendar address per person: the kept record's stands, the other's stops working. */
export async function mergeCalendarFeeds(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(
    sql`update calendar_feeds set revoked_at = coalesce(revoked_at, now()) where person_record_id = ${fromId} and exists (select 1 from calendar_feeds kept where kept.person_record_id = ${intoId} and kept.revoked_at is null)`,
  );
  await tx.execute(sql`update calendar_feeds set person_record_id = ${intoId} where person_record_id = ${fromId}`);
}

/** A person's download: the changes to their memberships. */
export const membershipChangeRows = rowsThrough(
  (record) =>
    sql`select c.change, c.at from peer_membership_changes c join peer_network_members m on m.id = c.member_id where m.person_record_id = ${record} order by c.at`,
);

/** A person's download: the groups they facilitate. */
export const facilitatorRows = rowsThrough(
  (record) =>
    sql`select f.*, g.name as group_name from peer_group_facilitators f join peer_groups g on g.id = f.group_id where f.person_record_id = ${record}`,
);

/** A person's download: the groups they usually go to. */
export const usualGroupRows = rowsThrough(
  (record) =>
    sql`select u.*, g.name as group_name from peer_usual_groups u join peer_groups g on g.id = u.group_id where u.person_record_id = ${record}`,
);

/** A person's download: their replies to meetings. */
export const replyRows = rowsThrough(
  (record) =>
    sql`select r.*, g.name as group_name, m.starts_at from peer_meeting_replies r join peer_meetings m on m.id = r.meeting_id join peer_groups g on g.id = m.group_id where r.person_record_id = ${record} order by m.starts_at`,
);

/** A person's download: the meetings they were at. */
export const attendanceRows = rowsThrough(
  (record) =>
    sql`select a.*, g.name as group_name, m.starts_at from peer_attendance a join peer_meetings m on m.id = a.meeting_id join peer_groups g on g.id = m.group_id where a.person_record_id = ${record} order by m.starts_at`,
);
