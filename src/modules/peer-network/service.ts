// The peer network: groups that meet every week, members who are never discharged, ground rules
// written together, each member's own crisis plan, and the register that gives the network its numbers.
import { addDays, formatISO, parseISO } from 'date-fns';
import { and, asc, eq, inArray, isNull, sql } from 'drizzle-orm';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { conflict, invalid, notFound } from '../../platform/http/problems.ts';
import { keepingOnePer, type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import { type CommunityTransaction, inCommunity } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { tellPerson } from '../people/consent.ts';
import { createPerson, personDetails, recordsHoldingRole } from '../people/service.ts';
import { type Joining, joinProgramme } from '../programmes/service.ts';
import { programmes } from '../programmes/schema.ts';
import {
  type CameBy,
  calendarFeeds,
  crisisPlanReaders,
  crisisPlans,
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

// ——— What people send ———

const uuidList = (invalidCode: string) =>
  z
    .preprocess(
      (value) => (value === undefined || value === null || value === '' ? [] : Array.isArray(value) ? value : [value]),
      z.array(z.uuid({ error: invalidCode }), { error: invalidCode }).max(50, invalidCode),
    )
    .transform((list) => [...new Set(list)]);

export const groupDetails = z.object({
  name: requiredText('errors.network.group.name.missing', 'errors.network.group.name.tooLong', 120),
  weekday: z.coerce
    .number({ error: 'errors.network.group.weekday.missing' })
    .int('errors.network.group.weekday.missing')
    .min(1, 'errors.network.group.weekday.missing')
    .max(7, 'errors.network.group.weekday.missing'),
  startsAt: z
    .string({ error: 'errors.network.group.startsAt.invalid' })
    .trim()
    .regex(/^([01]?\d|2[0-3]):[0-5]\d$/, 'errors.network.group.startsAt.invalid'),
  durationMinutes: z.coerce
    .number({ error: 'errors.network.group.duration.invalid' })
    .int('errors.network.group.duration.invalid')
    .min(15, 'errors.network.group.duration.invalid')
    .max(480, 'errors.network.group.duration.invalid'),
  venue: requiredText('errors.network.group.venue.missing', 'errors.network.group.text.tooLong', 300),
  accessDetails: optionalText('errors.network.group.text.tooLong', 2000),
  onlineLink: optionalText('errors.network.group.onlineLink.invalid', 500).refine(
    (value) => value === '' || /^https:\/\/[^\s]+$/.test(value),
    'errors.network.group.onlineLink.invalid',
  ),
  capacity: z.preprocess(
    (value) => (value === '' || value === undefined ? null : value),
    z.coerce
      .number({ error: 'errors.network.group.capacity.invalid' })
      .int('errors.network.group.capacity.invalid')
      .min(1, 'errors.network.group.capacity.invalid')
      .max(500, 'errors.network.group.capacity.invalid')
      .nullable(),
  ),
  facilitatorIds: uuidList('errors.network.group.facilitators.invalid'),
});
export type GroupDetails = z.infer<typeof groupDetails>;

export const networkSettings = z.object({ selfJoin: tickbox });

export const meetingReply = z.object({
  coming: z.preprocess(
    (value) => (value === 'yes' ? true : value === 'no' ? false : value),
    z.boolean({ error: 'errors.network.reply.missing' }),
  ),
});

export const attendanceMark = z.object({
  personRecordId: z.uuid({ error: 'errors.network.register.person.invalid' }),
  present: z.preprocess(
    (value) => (value === 'yes' ? true : value === 'no' ? false : value),
    z.boolean({ error: 'errors.network.register.present.invalid' }),
  ),
});

/** Someone at a meeting who is not on its list: another member, or someone new. */
export const dropIn = z
  .object({
    personRecordId: z.preprocess(
      (value) => (value === '' ? undefined : value),
      z.uuid({ error: 'errors.network.register.person.invalid' }).optional(),
    ),
    newName: optionalText('errors.network.register.newName.tooLong', 100),
  })
  .refine((value) => Boolean(value.personRecordId) !== Boolean(value.newName), {
    message: 'errors.network.register.dropIn.missing',
    path: ['personRecordId'],
  });

export const rulesProposal = z.object({
  body: requiredText('errors.network.rules.body.missing', 'errors.network.rules.body.tooLong', 10_000),
  changeNote: requiredText('errors.network.rules.changeNote.missing', 'errors.network.rules.changeNote.tooLong', 2000),
});

const planText = optionalText('errors.network.plan.text.tooLong', 4000);
export const crisisPlanDetails = z
  .object({
    warningSigns: planText,
    whatHelps: planText,
    whatDoesNotHelp: planText,
    whoToContact: planText,
    writtenWith: optionalText('errors.network.plan.text.tooLong', 500),
    facilitatorIds: uuidList('errors.network.plan.readers.invalid'),
    groupIds: uuidList('errors.network.plan.readers.invalid'),
  })
  .refine((plan) => Boolean(plan.warningSigns || plan.whatHelps || plan.whatDoesNotHelp || plan.whoToContact), {
    message: 'errors.network.plan.empty',
    path: ['whatHelps'],
  });
export type CrisisPlanDetails = z.infer<typeof crisisPlanDetails>;

// ——— Networks and their members ———

/** The community's peer networks (programmes of that kind), with whether people may join them themselves. */
export async function listNetworks(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({
      id: programmes.id,
      name: programmes.name,
      status: programmes.status,
      whoFor: programmes.whoFor,
      whereAndWhen: programmes.whereAndWhen,
      selfJoin: sql<boolean>`coalesce(${peerNetworks.selfJoin}, true)`,
    })
    .from(programmes)
    .leftJoin(peerNetworks, eq(peerNetworks.programmeId, programmes.id))
    .where(and(eq(programmes.communityId, communityId), eq(programmes.kind, 'peer_network')))
    .orderBy(asc(programmes.name));
}

export async function getNetwork(tx: CommunityTransaction, communityId: string, programmeId: string) {
  const found = (await listNetworks(tx, communityId)).find((network) => network.id === programmeId);
  if (!found) throw notFound();
  return found;
}

export async function saveNetworkSettings(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  programmeId: string,
  settings: z.infer<typeof networkSettings>,
) {
  await getNetwork(tx, communityId, programmeId);
  await tx
    .insert(peerNetworks)
    .values({ programmeId, communityId, selfJoin: settings.selfJoin })
    .onConflictDoUpdate({
      target: peerNetworks.programmeId,
      set: { selfJoin: settings.selfJoin, updatedAt: sql`now()` },
    });
  await record(tx, {
    communityId,
    actorId,
    action: 'network.settings_changed',
    subjectType: 'programme',
    subjectId: programmeId,
    detail: settings,
  });
}

interface Joiner {
  communityId: string;
  programmeId: string;
  personRecordId: string;
  cameBy: CameBy;
  referralId?: string | null;
  actorId: string | null;
}

/**
 * The person is a member of the network from now on. Someone already a member stays one; someone
 * who had stepped back is welcomed back, with no new referral.
 */
export async function joinNetwork(
  tx: CommunityTransaction,
  joiner: Joiner,
): Promise<{ member: NetworkMember; change: 'joined' | 'returned' | 'already' }> {
  const [made] = await tx
    .insert(peerNetworkMembers)
    .values({
      communityId: joiner.communityId,
      programmeId: joiner.programmeId,
      personRecordId: joiner.personRecordId,
      cameBy: joiner.cameBy,
      referralId: joiner.referralId ?? null,
    })
    .onConflictDoNothing()
    .returning();
  if (made) {
    await tx
      .insert(peerMembershipChanges)
      .values({ communityId: joiner.communityId, memberId: made.id, change: 'joined', recordedBy: joiner.actorId });
    await record(tx, {
      communityId: joiner.communityId,
      actorId: joiner.actorId,
      action: 'network.joined',
      subjectType: 'person_record',
      subjectId: joiner.personRecordId,
      detail: { programmeId: joiner.programmeId, cameBy: joiner.cameBy },
    });
    return { member: made, change: 'joined' };
  }
  const existing = await memberRow(tx, joiner.programmeId, joiner.personRecordId);
  if (!existing) throw new Error('network member vanished');
  if (existing.active) return { member: existing, change: 'already' };
  return { member: await setActive(tx, existing, true, joiner.actorId), change: 'returned' };
}

async function memberRow(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
  const [found] = await tx
    .select()
    .from(peerNetworkMembers)
    .where(and(eq(peerNetworkMembers.programmeId, programmeId), eq(peerNetworkMembers.personRecordId, personRecordId)));
  return found;
}

async function setActive(
  tx: CommunityTransaction,
  member: NetworkMember,
  active: boolean,
  actorId: string | null,
): Promise<NetworkMember> {
  const [changed] = await tx
    .update(peerNetworkMembers)
    .set({ active, changedAt: sql`now()` })
    .where(and(eq(peerNetworkMembers.id, member.id), eq(peerNetworkMembers.active, !active)))
    .returning();
  if (!changed) return { ...member, active };
  await tx.insert(peerMembershipChanges).values({
    communityId: member.communityId,
    memberId: member.id,
    change: active ? 'returned' : 'went_inactive',
    recordedBy: actorId,
  });
  await record(tx, {
    communityId: member.communityId,
    actorId,
    action: active ? 'network.returned' : 'network.went_inactive',
    subjectType: 'person_record',
    subjectId: member.personRecordId,
    detail: { programmeId: member.programmeId },
  });
  return changed;
}

/** A referral accepted into a peer network: the person is a member of it (and of the programme). */
export async function acceptIntoNetwork(tx: CommunityTransaction, joining: Joining): Promise<void> {
  await joinProgramme(tx, joining);
  await joinNetwork(tx, {
    communityId: joining.communityId,
    programmeId: joining.programme.id,
    personRecordId: joining.personRecordId,
    cameBy: joining.referralId ? 'referral' : 'coordinator',
    referralId: joining.referralId,
    actorId: joining.actorId,
  });
}

/** A member joins by themselves, where the network allows it: the lowest barrier there is. */
export async function joinByThemselves(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string,
  actorId: string,
) {
  const network = await getNetwork(tx, communityId, programmeId);
  const existing = await memberRow(tx, programmeId, personRecordId);
  if (!existing && (!network.selfJoin || network.status !== 'open')) throw conflict('network-join-by-referral');
  const [programme] = await tx.select().from(programmes).where(eq(programmes.id, programmeId));
  if (programme && !existing)
    await joinProgramme(tx, { communityId, programme, personRecordId, referralId: null, actorId });
  return joinNetwork(tx, { communityId, programmeId, personRecordId, cameBy: 'self', actorId });
}

/** Only the member steps back; nobody is discharged. */
export async function stepBack(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  personRecordId: string,
  actorId: string,
) {
  const member = await memberRow(tx, programmeId, personRecordId);
  if (!member || member.communityId !== communityId) throw notFound();
  return setActive(tx, member, false, actorId);
}

/** The networks a person is in, active or not. */
export async function membershipsOf(tx: CommunityTransaction, communityId: string, personRecordId: string) {
  return tx
    .select({
      id: peerNetworkMembers.id,
      programmeId: peerNetworkMembers.programmeId,
      name: programmes.name,
      active: peerNetworkMembers.active,
      joinedAt: peerNetworkMembers.joinedAt,
      cameBy: peerNetworkMembers.cameBy,
    })
    .from(peerNetworkMembers)
    .innerJoin(programmes, eq(programmes.id, peerNetworkMembers.programmeId))
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
    from peer_network_members m join person_records r on r.id = m.person_record_id
    where m.community_id = ${communityId}
      ${options.programmeId ? sql`and m.programme_id = ${options.programmeId}` : sql``}
      ${options.active === undefined ? sql`` : sql`and m.active = ${options.active}`}
      ${options.after ? sql`and m.id > ${options.after}` : sql``}
    order by m.id limit ${options.limit}`);
  return withDates(rows.rows, 'joined_at', 'last_came');
}

// ——— Groups and meetings ———

async function checkFacilitators(tx: CommunityTransaction, communityId: string, ids: readonly string[]) {
  if (!ids.length) return;
  const known = new Set((await facilitatorChoices(tx, communityId)).map((one) => one.id));
  if (ids.some((id) => !known.has(id)))
    throw invalid([{ field: 'facilitatorIds', code: 'errors.network.group.facilitators.invalid' }]);
}

/** The people who may facilitate: the community's members holding the facilitator role, by their records. */
export const facilitatorChoices = (tx: CommunityTransaction, communityId: string) =>
  recordsHoldingRole(tx, communityId, 'facilitator');

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

export async function createGroup(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  programmeId: string,
  details: GroupDetails,
): Promise<Group> {
  await getNetwork(tx, communityId, programmeId);
  await checkFacilitators(tx, communityId, details.facilitatorIds);
  const { facilitatorIds, ...group } = details;
  const [made] = await tx
    .insert(peerGroups)
    .values({ ...group, communityId, programmeId })
    .returning();
  if (!made) throw new Error('group insert returned nothing');
  if (facilitatorIds.length)
    await tx
      .insert(peerGroupFacilitators)
      .values(facilitatorIds.map((personRecordId) => ({ communityId, groupId: made.id, personRecordId })));
  await scheduleMeetings(tx, made.id);
  await record(tx, {
    communityId,
    actorId,
    action: 'network.group_created',
    subjectType: 'peer_group',
    subjectId: made.id,
  });
  return made;
}

/** A new weekly time moves the meetings still to come; those past stay as they were. */
export async function updateGroup(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  groupId: string,
  details: GroupDetails & { ended?: boolean },
): Promise<Group> {
  const before = await getGroup(tx, communityId, groupId);
  await checkFacilitators(tx, communityId, details.facilitatorIds);
  const { facilitatorIds, ended, ...group } = details;
  const [changed] = await tx
    .update(peerGroups)
    .set({ ...group, endedAt: ended ? (before.endedAt ?? new Date()) : null })
    .where(eq(peerGroups.id, groupId))
    .returning();
  if (!changed) throw notFound();
  await tx.delete(peerGroupFacilitators).where(eq(peerGroupFacilitators.groupId, groupId));
  if (facilitatorIds.length)
    await tx
      .insert(peerGroupFacilitators)
      .values(facilitatorIds.map((personRecordId) => ({ communityId, groupId, personRecordId })));
  const moved =
    before.weekday !== changed.weekday ||
    before.startsAt !== changed.startsAt ||
    before.durationMinutes !== changed.durationMinutes ||
    Boolean(ended);
  if (moved) {
    // Meetings to come nobody has been marked at are made again at the new time.
    await tx.execute(
      sql`delete from peer_meeting_replies where meeting_id in (select id from peer_meetings m where m.group_id = ${groupId} and m.starts_at > now() and not exists (select 1 from peer_attendance a where a.meeting_id = m.id))`,
    );
    await tx.execute(
      sql`delete from peer_meetings m where m.group_id = ${groupId} and m.starts_at > now() and not exists (select 1 from peer_attendance a where a.meeting_id = m.id)`,
    );
    await scheduleMeetings(tx, groupId);
  }
  await record(tx, {
    communityId,
    actorId,
    action: 'network.group_changed',
    subjectType: 'peer_group',
    subjectId: groupId,
    detail: { moved },
  });
  return changed;
}

export async function getGroup(tx: CommunityTransaction, communityId: string, groupId: string): Promise<Group> {
  const [found] = await tx
    .select()
    .from(peerGroups)
    .where(and(eq(peerGroups.communityId, communityId), eq(peerGroups.id, groupId)));
  if (!found) throw notFound();
  return found;
}

export async function groupFacilitators(tx: CommunityTransaction, groupIds: readonly string[]) {
  if (!groupIds.length) return [];
  return tx
    .select({
      groupId: peerGroupFacilitators.groupId,
      personRecordId: peerGroupFacilitators.personRecordId,
      name: sql<string>`(select preferred_name from person_records where id = ${peerGroupFacilitators.personRecordId})`,
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

export async function getMeeting(tx: CommunityTransaction, communityId: string, meetingId: string) {
  const [found] = await tx
    .select({ meeting: peerMeetings, group: peerGroups })
    .from(peerMeetings)
    .innerJoin(peerGroups, eq(peerGroups.id, peerMeetings.groupId))
    .where(and(eq(peerMeetings.communityId, communityId), eq(peerMeetings.id, meetingId)));
  if (!found) throw notFound();
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

async function activeMemberOf(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
  const member = await memberRow(tx, programmeId, personRecordId);
  return member?.active ? member : undefined;
}

/** A member says whether they are coming. A full meeting takes no more "yes". */
export async function replyToMeeting(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  personRecordId: string,
  coming: boolean,
) {
  const { meeting, group } = await getMeeting(tx, communityId, meetingId);
  if (!(await activeMemberOf(tx, group.programmeId, personRecordId))) throw notFound();
  if (meeting.startsAt.getTime() + meeting.durationMinutes * 60_000 < Date.now())
    throw invalid([{ field: 'coming', code: 'errors.network.reply.past' }]);
  if (coming && group.capacity !== null) {
    // One reply at a time per meeting, so two last places are not both given.
    await tx.execute(sql`select id from peer_meetings where id = ${meetingId} for no key update`);
    const [counted] = await tx
      .execute<{ coming: number }>(
        sql`select count(*)::int as coming from peer_meeting_replies where meeting_id = ${meetingId} and coming and person_record_id <> ${personRecordId}`,
      )
      .then((result) => result.rows);
    if ((counted?.coming ?? 0) >= group.capacity)
      throw invalid([{ field: 'coming', code: 'errors.network.reply.full' }]);
  }
  await tx
    .insert(peerMeetingReplies)
    .values({ communityId, meetingId, personRecordId, coming })
    .onConflictDoUpdate({
      target: [peerMeetingReplies.meetingId, peerMeetingReplies.personRecordId],
      set: { coming, at: sql`now()` },
    });
}

/** Adds or removes a group from the member's usual ones. */
export async function setUsualGroup(
  tx: CommunityTransaction,
  communityId: string,
  groupId: string,
  personRecordId: string,
  usual: boolean,
) {
  const group = await getGroup(tx, communityId, groupId);
  if (!(await activeMemberOf(tx, group.programmeId, personRecordId))) throw notFound();
  if (usual) await tx.insert(peerUsualGroups).values({ communityId, groupId, personRecordId }).onConflictDoNothing();
  else
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

// ——— The register ———

/** Whether this person may take the group's register: a coordinator, or one of its facilitators. */
export async function mayTakeRegister(
  tx: CommunityTransaction,
  groupId: string,
  asker: { staff: boolean; recordId: string | null },
): Promise<boolean> {
  if (asker.staff) return true;
  if (!asker.recordId) return false;
  const [found] = await tx
    .select({ groupId: peerGroupFacilitators.groupId })
    .from(peerGroupFacilitators)
    .where(and(eq(peerGroupFacilitators.groupId, groupId), eq(peerGroupFacilitators.personRecordId, asker.recordId)));
  return found !== undefined;
}

export const cancelling = z.object({
  reason: requiredText('errors.network.cancel.reason.missing', 'errors.network.text.tooLong', 500),
});

/**
 * A facilitator (or staff) cancels a meeting not yet started: it stays on the calendar marked
 * cancelled with the reason, and everyone who said they were coming is told. Returns how many were told.
 */
export async function cancelMeeting(
  tx: CommunityTransaction,
  communityId: string,
  asker: { accountId: string; staff: boolean; recordId: string | null },
  meetingId: string,
  cancel: z.infer<typeof cancelling>,
  notice: {
    notifyConfigured: boolean;
    message: (meeting: { startsAt: Date; groupName: string }) => { subject: string; body: string };
  },
): Promise<number> {
  const { meeting, group } = await getMeeting(tx, communityId, meetingId);
  if (!(await mayTakeRegister(tx, group.id, asker))) throw notFound();
  if (meeting.cancelledAt) throw conflict('meeting-cancelled');
  if (meeting.startsAt.getTime() <= Date.now())
    throw invalid([{ field: 'reason', code: 'errors.network.cancel.started' }]);
  await tx
    .update(peerMeetings)
    .set({ cancelledAt: new Date(), cancelledReason: cancel.reason })
    .where(eq(peerMeetings.id, meetingId));
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'network.meeting_cancelled',
    subjectType: 'peer_meeting',
    subjectId: meetingId,
  });
  const coming = await tx
    .select({ personRecordId: peerMeetingReplies.personRecordId })
    .from(peerMeetingReplies)
    .where(and(eq(peerMeetingReplies.meetingId, meetingId), eq(peerMeetingReplies.coming, true)));
  let told = 0;
  const message = {
    template: 'network-meeting-cancelled',
    ...notice.message({ startsAt: meeting.startsAt, groupName: group.name }),
  };
  for (const one of coming)
    if ((await tellPerson(tx, notice.notifyConfigured, one.personRecordId, message)) === 'queued') told += 1;
  return told;
}

/**
 * Every morning: tomorrow's meetings (UK days) remind, once, everyone who said they are coming
 * and the group's usual members who have not said they are not, in the community's first language.
 */
export async function remindTomorrowsMeetings(
  owner: Database,
  publicUrl: string,
  notifyConfigured: boolean,
): Promise<{ meetings: number; reminded: number }> {
  const due = await owner.execute<{ id: string; community_id: string }>(sql`
    select x.id, x.community_id from peer_meetings x
    where x.cancelled_at is null and x.reminder_sent_at is null
      and (x.starts_at at time zone 'Europe/London')::date = (now() at time zone 'Europe/London')::date + 1`);
  let reminded = 0;
  for (const meeting of due.rows) {
    await inCommunity(owner, { communityId: meeting.community_id, personId: null }, async (tx) => {
      const [claimed] = await tx
        .update(peerMeetings)
        .set({ reminderSentAt: new Date() })
        .where(and(eq(peerMeetings.id, meeting.id), isNull(peerMeetings.reminderSentAt)))
        .returning({ startsAt: peerMeetings.startsAt, groupId: peerMeetings.groupId });
      if (!claimed) return;
      const found = await tx.execute<{ name: string; venue: string; slug: string; language: string }>(sql`
        select g.name, g.venue, c.slug, c.languages[1] as language from peer_groups g join communities c on c.id = g.community_id where g.id = ${claimed.groupId}`);
      const group = found.rows[0];
      if (!group) return;
      const people = await tx.execute<{ person_record_id: string }>(sql`
        select person_record_id from peer_meeting_replies where meeting_id = ${meeting.id} and coming
        union
        select u.person_record_id from peer_usual_groups u where u.group_id = ${claimed.groupId}
          and not exists (select 1 from peer_meeting_replies r where r.meeting_id = ${meeting.id} and r.person_record_id = u.person_record_id and not r.coming)`);
      const t = translator(isLanguage(group.language) ? group.language : 'en');
      const time = DateTime.fromJSDate(claimed.startsAt, { zone: 'Europe/London' }).toFormat('HH:mm');
      for (const one of people.rows) {
        const outcome = await tellPerson(tx, notifyConfigured, one.person_record_id, {
          template: 'network-meeting-reminder',
          subject: t('messages.meetingReminder.subject', { group: group.name }),
          body: t('messages.meetingReminder.body', {
            group: group.name,
            time,
            venue: group.venue,
            link: `${publicUrl}/c/${group.slug}/network/meetings/${meeting.id}`,
          }),
        });
        if (outcome === 'queued') reminded += 1;
      }
    });
  }
  return { meetings: due.rows.length, reminded };
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
    from listed l join person_records r on r.id = l.person_record_id
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

/** The network's other active members, for adding one who dropped in. */
export async function dropInChoices(
  tx: CommunityTransaction,
  meetingId: string,
  group: Pick<Group, 'id' | 'programmeId'>,
) {
  const rows = await tx.execute<{ id: string; name: string }>(sql`
    select r.id, r.preferred_name as name from peer_network_members m join person_records r on r.id = m.person_record_id
    where m.programme_id = ${group.programmeId} and m.active
      and not exists (select 1 from peer_usual_groups u where u.group_id = ${group.id} and u.person_record_id = m.person_record_id)
      and not exists (select 1 from peer_attendance a where a.meeting_id = ${meetingId} and a.person_record_id = m.person_record_id)
    order by lower(r.preferred_name) limit 500`);
  return rows.rows;
}

/**
 * The register opens on the day before the meeting (UK time) and never closes: a facilitator can
 * take it the evening before, during the meeting, or complete it afterwards.
 */
export function registerOpensOn(startsAt: Date): string {
  return formatISO(addDays(parseISO(ukDay(startsAt)), -1), { representation: 'date' });
}

export function registerIsOpen(startsAt: Date, today = ukDay()): boolean {
  return today >= registerOpensOn(startsAt);
}

function checkRegisterOpen(meeting: Meeting) {
  if (!registerIsOpen(meeting.startsAt))
    throw invalid([{ field: 'personRecordId', code: 'errors.network.register.notYet' }]);
  if (meeting.cancelledAt) throw invalid([{ field: 'personRecordId', code: 'errors.network.register.cancelled' }]);
}

/** One tap: here, or not here after all. Only a member of the network can be marked. */
export async function markAttendance(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  meetingId: string,
  mark: z.infer<typeof attendanceMark>,
) {
  const { meeting, group } = await getMeeting(tx, communityId, meetingId);
  checkRegisterOpen(meeting);
  const member = await memberRow(tx, group.programmeId, mark.personRecordId);
  if (!member) throw invalid([{ field: 'personRecordId', code: 'errors.network.register.person.invalid' }]);
  if (!mark.present) {
    await tx
      .delete(peerAttendance)
      .where(and(eq(peerAttendance.meetingId, meetingId), eq(peerAttendance.personRecordId, mark.personRecordId)));
    return;
  }
  const [usual] = await tx
    .select({ groupId: peerUsualGroups.groupId })
    .from(peerUsualGroups)
    .where(and(eq(peerUsualGroups.groupId, group.id), eq(peerUsualGroups.personRecordId, mark.personRecordId)));
  await tx
    .insert(peerAttendance)
    .values({ communityId, meetingId, personRecordId: mark.personRecordId, dropIn: !usual, recordedBy: actorId })
    .onConflictDoNothing();
  // Coming to a meeting is coming back: someone who had stepped back is active again.
  if (!member.active) await setActive(tx, member, true, actorId);
}

/** Someone not on the list: another member of the network, or someone new, who joins the network there and then. */
export async function addDropIn(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  meetingId: string,
  who: z.infer<typeof dropIn>,
) {
  const { meeting, group } = await getMeeting(tx, communityId, meetingId);
  checkRegisterOpen(meeting);
  let personRecordId = who.personRecordId;
  if (!personRecordId) {
    const person = await createPerson(
      tx,
      communityId,
      { id: actorId, onBehalf: true },
      personDetails.parse({ preferredName: who.newName }),
    );
    personRecordId = person.id;
    const [programme] = await tx.select().from(programmes).where(eq(programmes.id, group.programmeId));
    if (programme) await joinProgramme(tx, { communityId, programme, personRecordId, referralId: null, actorId });
    await joinNetwork(tx, { communityId, programmeId: group.programmeId, personRecordId, cameBy: 'drop_in', actorId });
  }
  await markAttendance(tx, communityId, actorId, meetingId, { personRecordId, present: true });
  return personRecordId;
}

// ——— Ground rules ———

export async function groundRules(
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
    from peer_ground_rules g left join person_records r on r.id = g.proposed_by
    where g.community_id = ${communityId} and g.programme_id = ${programmeId} and g.status in ('current', 'proposed')
    order by g.status = 'current' desc, g.proposed_at desc`);
  withDates(rows.rows, 'proposed_at', 'adopted_at');
  const [current] = rows.rows.filter((row) => row.status === 'current');
  return { current, proposals: rows.rows.filter((row) => row.status === 'proposed') };
}

export async function currentRules(tx: CommunityTransaction, programmeId: string) {
  const [current] = await tx
    .select()
    .from(peerGroundRules)
    .where(and(eq(peerGroundRules.programmeId, programmeId), eq(peerGroundRules.status, 'current')));
  return current;
}

export async function getRules(tx: CommunityTransaction, communityId: string, rulesId: string) {
  const [found] = await tx
    .select()
    .from(peerGroundRules)
    .where(and(eq(peerGroundRules.communityId, communityId), eq(peerGroundRules.id, rulesId)));
  if (!found) throw notFound();
  return found;
}

/** Any member proposes a change; the proposal is the whole new text, with what it changes. */
export async function proposeRules(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  programmeId: string,
  proposerRecordId: string | null,
  proposal: z.infer<typeof rulesProposal>,
  options: { guide: boolean } = { guide: false },
) {
  await getNetwork(tx, communityId, programmeId);
  const member = proposerRecordId ? await activeMemberOf(tx, programmeId, proposerRecordId) : undefined;
  // Members propose; facilitators and coordinators may too, but only members' agreement counts.
  if (!member && !options.guide) throw invalid([{ field: 'body', code: 'errors.network.rules.notMember' }]);
  const [made] = await tx
    .insert(peerGroundRules)
    .values({
      communityId,
      programmeId,
      body: proposal.body,
      changeNote: proposal.changeNote,
      proposedBy: proposerRecordId,
    })
    .returning();
  if (!made) throw new Error('ground rules insert returned nothing');
  if (member && proposerRecordId)
    await tx
      .insert(peerGroundRulesAgreements)
      .values({ communityId, rulesId: made.id, personRecordId: proposerRecordId })
      .onConflictDoNothing();
  await record(tx, {
    communityId,
    actorId,
    action: 'network.rules_proposed',
    subjectType: 'peer_ground_rules',
    subjectId: made.id,
  });
  return made;
}

/** A member of the network says they agree: to the current rules, or to a proposal. */
export async function agreeToRules(
  tx: CommunityTransaction,
  communityId: string,
  rulesId: string,
  personRecordId: string,
) {
  const rules = await getRules(tx, communityId, rulesId);
  if (rules.status !== 'current' && rules.status !== 'proposed')
    throw invalid([{ field: 'rulesId', code: 'errors.network.rules.notOpen' }]);
  if (!(await activeMemberOf(tx, rules.programmeId, personRecordId)))
    throw invalid([{ field: 'rulesId', code: 'errors.network.rules.notMember' }]);
  await tx.insert(peerGroundRulesAgreements).values({ communityId, rulesId, personRecordId }).onConflictDoNothing();
}

/** A facilitator or coordinator adopts a proposal the members have agreed: it becomes the next version. */
export async function adoptRules(tx: CommunityTransaction, communityId: string, actorId: string, rulesId: string) {
  const rules = await getRules(tx, communityId, rulesId);
  if (rules.status !== 'proposed') throw invalid([{ field: 'rulesId', code: 'errors.network.rules.notOpen' }]);
  // One adoption at a time per network, so versions do not collide.
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`rules:${rules.programmeId}`}, 0))`);
  await tx
    .update(peerGroundRules)
    .set({ status: 'superseded' })
    .where(and(eq(peerGroundRules.programmeId, rules.programmeId), eq(peerGroundRules.status, 'current')));
  const [adopted] = await tx
    .update(peerGroundRules)
    .set({
      status: 'current',
      adoptedAt: sql`now()`,
      adoptedBy: actorId,
      version: sql`(select coalesce(max(version), 0) + 1 from peer_ground_rules where programme_id = ${rules.programmeId})`,
    })
    .where(and(eq(peerGroundRules.id, rulesId), eq(peerGroundRules.status, 'proposed')))
    .returning();
  if (!adopted) throw invalid([{ field: 'rulesId', code: 'errors.network.rules.notOpen' }]);
  await record(tx, {
    communityId,
    actorId,
    action: 'network.rules_adopted',
    subjectType: 'peer_ground_rules',
    subjectId: rulesId,
    detail: { version: adopted.version },
  });
  return adopted;
}

// ——— Crisis plans ———

export const crisisLines = ['999', '111', 'samaritans'] as const;

export async function ownPlan(tx: CommunityTransaction, personRecordId: string) {
  const [plan] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, personRecordId));
  const readers = plan
    ? await tx.select().from(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, personRecordId))
    : [];
  return {
    plan,
    facilitatorIds: readers.flatMap((one) => (one.readerPersonRecordId ? [one.readerPersonRecordId] : [])),
    groupIds: readers.flatMap((one) => (one.groupId ? [one.groupId] : [])),
  };
}

/** The member writes their plan and chooses who may read it; the readers are replaced as one change. */
export async function savePlan(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  personRecordId: string,
  details: CrisisPlanDetails,
) {
  const { facilitatorIds, groupIds, ...plan } = details;
  const facilitators = new Set((await facilitatorChoices(tx, communityId)).map((one) => one.id));
  if (facilitatorIds.some((id) => !facilitators.has(id)))
    throw invalid([{ field: 'facilitatorIds', code: 'errors.network.plan.readers.invalid' }]);
  if (groupIds.length) {
    const found = await tx
      .select({ id: peerGroups.id })
      .from(peerGroups)
      .where(and(eq(peerGroups.communityId, communityId), inArray(peerGroups.id, groupIds)));
    if (found.length !== groupIds.length)
      throw invalid([{ field: 'groupIds', code: 'errors.network.plan.readers.invalid' }]);
  }
  await tx
    .insert(crisisPlans)
    .values({ ...plan, communityId, personRecordId, updatedBy: actorId })
    .onConflictDoUpdate({
      target: crisisPlans.personRecordId,
      set: { ...plan, updatedBy: actorId, updatedAt: sql`now()` },
    });
  await tx.delete(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, personRecordId));
  const readers = [
    ...facilitatorIds.map((id) => ({ communityId, planPersonRecordId: personRecordId, readerPersonRecordId: id })),
    ...groupIds.map((id) => ({ communityId, planPersonRecordId: personRecordId, groupId: id })),
  ];
  if (readers.length) await tx.insert(crisisPlanReaders).values(readers);
  await record(tx, {
    communityId,
    actorId,
    action: 'crisis_plan.saved',
    subjectType: 'crisis_plan',
    subjectId: personRecordId,
    detail: { facilitators: facilitatorIds.length, groups: groupIds.length },
  });
}

/** Whose plans this person may read: those that name them, or a group they go to or facilitate. */
function readablePlans(readerRecordId: string) {
  return sql`(
    select c.plan_person_record_id from crisis_plan_readers c where c.reader_person_record_id = ${readerRecordId}
    union select c.plan_person_record_id from crisis_plan_readers c join peer_usual_groups u on u.group_id = c.group_id and u.person_record_id = ${readerRecordId}
      join peer_groups g on g.id = c.group_id and g.ended_at is null
      join peer_network_members m on m.programme_id = g.programme_id and m.person_record_id = u.person_record_id and m.active
    union select c.plan_person_record_id from crisis_plan_readers c join peer_group_facilitators f on f.group_id = c.group_id and f.person_record_id = ${readerRecordId})`;
}

/** The plans shared with this person, by whose they are. */
export async function plansSharedWith(tx: CommunityTransaction, readerRecordId: string) {
  const rows = await tx.execute<{ id: string; name: string }>(sql`
    select r.id, r.preferred_name as name from person_records r
    where r.id in ${readablePlans(readerRecordId)} and r.id <> ${readerRecordId} and exists (select 1 from crisis_plans p where p.person_record_id = r.id)
    order by lower(r.preferred_name)`);
  return rows.rows;
}

/**
 * Someone else's plan, if its owner chose to show it to this reader; otherwise it does not exist
 * for them. Each read by anyone but its owner is audited.
 */
export async function readPlan(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  readerRecordId: string | null,
  planPersonRecordId: string,
) {
  if (!readerRecordId) throw notFound();
  if (readerRecordId !== planPersonRecordId) {
    const allowed = await tx.execute<{ ok: boolean }>(
      sql`select ${planPersonRecordId} in ${readablePlans(readerRecordId)} as ok`,
    );
    if (!allowed.rows[0]?.ok) throw notFound();
  }
  const [plan] = await tx
    .select({
      plan: crisisPlans,
      name: sql<string>`(select preferred_name from person_records where id = ${crisisPlans.personRecordId})`,
    })
    .from(crisisPlans)
    .where(and(eq(crisisPlans.communityId, communityId), eq(crisisPlans.personRecordId, planPersonRecordId)));
  if (!plan) throw notFound();
  if (readerRecordId !== planPersonRecordId) {
    await record(tx, {
      communityId,
      actorId,
      action: 'restricted.read',
      subjectType: 'crisis_plan',
      subjectId: planPersonRecordId,
      reason: 'shared with the reader by its owner',
    });
  }
  return plan;
}

// ——— Calendars ———

const newFeedToken = () => randomBytes(24).toString('base64url');

/** The private calendar address of a member's meetings, or of a group's; made the first time it is asked for. */
export async function feedToken(
  tx: CommunityTransaction,
  communityId: string,
  subject: { personRecordId: string } | { groupId: string },
  renew = false,
): Promise<string> {
  const condition =
    'personRecordId' in subject
      ? eq(calendarFeeds.personRecordId, subject.personRecordId)
      : eq(calendarFeeds.groupId, subject.groupId);
  if (renew)
    await tx
      .update(calendarFeeds)
      .set({ revokedAt: sql`now()` })
      .where(and(condition, isNull(calendarFeeds.revokedAt)));
  else {
    const [found] = await tx
      .select({ token: calendarFeeds.token })
      .from(calendarFeeds)
      .where(and(condition, isNull(calendarFeeds.revokedAt)));
    if (found) return found.token;
  }
  const token = newFeedToken();
  await tx.insert(calendarFeeds).values({ communityId, token, ...subject });
  return token;
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
    from peer_network_members m join person_records r on r.id = m.person_record_id
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

/** Every night: each group's meetings for the weeks ahead. */
export async function scheduleAllMeetings(owner: Database): Promise<{ groups: number }> {
  const groups = await owner.select({ id: peerGroups.id }).from(peerGroups).where(isNull(peerGroups.endedAt));
  for (const group of groups) await scheduleMeetings(owner, group.id);
  return { groups: groups.length };
}

/**
 * Merging two records of one member: one network membership per network (active if either
 * was, from the earlier joining, with both histories of pauses and returns).
 */
async function mergeNetworkMembers(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update peer_network_members kept set joined_at = least(kept.joined_at, gone.joined_at), active = kept.active or gone.active
    from peer_network_members gone where kept.person_record_id = ${intoId} and gone.person_record_id = ${fromId} and kept.programme_id = gone.programme_id`);
  await tx.execute(sql`update peer_membership_changes change set member_id = kept.id
    from peer_network_members gone, peer_network_members kept
    where change.member_id = gone.id and gone.person_record_id = ${fromId} and kept.person_record_id = ${intoId} and kept.programme_id = gone.programme_id`);
  await keepingOnePer('peer_network_members', 'person_record_id', ['programme_id'])(tx, fromId, intoId);
}

/**
 * One crisis plan per person: where both records have one, what each says is kept (the other
 * record's words follow the kept record's, for the person to tidy), and both sets of readers.
 */
async function mergeCrisisPlans(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  const [gone] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, fromId));
  if (!gone) return;
  const [kept] = await tx.select().from(crisisPlans).where(eq(crisisPlans.personRecordId, intoId));
  const both = (mine: string, theirs: string) =>
    !theirs.trim() || mine.includes(theirs) ? mine : mine.trim() ? `${mine}\n\n${theirs}` : theirs;
  const fields = ['warningSigns', 'whatHelps', 'whatDoesNotHelp', 'whoToContact', 'writtenWith'] as const;
  if (kept) {
    await tx
      .update(crisisPlans)
      .set(Object.fromEntries(fields.map((field) => [field, both(kept[field], gone[field])])))
      .where(eq(crisisPlans.personRecordId, intoId));
  } else {
    await tx.insert(crisisPlans).values({ ...gone, personRecordId: intoId });
  }
  await tx.execute(sql`delete from crisis_plan_readers gone using crisis_plan_readers kept
    where gone.plan_person_record_id = ${fromId} and kept.plan_person_record_id = ${intoId}
      and gone.reader_person_record_id is not distinct from kept.reader_person_record_id and gone.group_id is not distinct from kept.group_id`);
  await tx
    .update(crisisPlanReaders)
    .set({ planPersonRecordId: intoId })
    .where(eq(crisisPlanReaders.planPersonRecordId, fromId));
  await tx.delete(crisisPlans).where(eq(crisisPlans.personRecordId, fromId));
}

export const personData: PersonDataSource[] = [
  {
    table: 'peer_network_members',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: mergeNetworkMembers,
  },
  { table: 'peer_membership_changes', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'peer_membership_changes',
    column: 'member_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the network membership, whose merge moves them' },
    rows: rowsThrough(
      (record) =>
        sql`select c.change, c.at from peer_membership_changes c join peer_network_members m on m.id = c.member_id where m.person_record_id = ${record} order by c.at`,
    ),
  },
  {
    table: 'peer_group_facilitators',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_group_facilitators', 'person_record_id', ['group_id']),
    rows: rowsThrough(
      (record) =>
        sql`select f.*, g.name as group_name from peer_group_facilitators f join peer_groups g on g.id = f.group_id where f.person_record_id = ${record}`,
    ),
  },
  {
    table: 'peer_usual_groups',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_usual_groups', 'person_record_id', ['group_id']),
    rows: rowsThrough(
      (record) =>
        sql`select u.*, g.name as group_name from peer_usual_groups u join peer_groups g on g.id = u.group_id where u.person_record_id = ${record}`,
    ),
  },
  {
    table: 'peer_meeting_replies',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_meeting_replies', 'person_record_id', ['meeting_id']),
    rows: rowsThrough(
      (record) =>
        sql`select r.*, g.name as group_name, m.starts_at from peer_meeting_replies r join peer_meetings m on m.id = r.meeting_id join peer_groups g on g.id = m.group_id where r.person_record_id = ${record} order by m.starts_at`,
    ),
  },
  // Someone marked at one meeting under both records was there once.
  {
    table: 'peer_attendance',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_attendance', 'person_record_id', ['meeting_id']),
    rows: rowsThrough(
      (record) =>
        sql`select a.*, g.name as group_name, m.starts_at from peer_attendance a join peer_meetings m on m.id = a.meeting_id join peer_groups g on g.id = m.group_id where a.person_record_id = ${record} order by m.starts_at`,
    ),
  },
  { table: 'peer_attendance', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'peer_ground_rules', column: 'proposed_by', points: 'record', download: 'rows', merge: 'move' },
  { table: 'peer_ground_rules', column: 'adopted_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'peer_ground_rules_agreements',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_ground_rules_agreements', 'person_record_id', ['rules_id']),
  },
  {
    table: 'crisis_plans',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: mergeCrisisPlans,
    // What the person wrote about their crises goes with them.
    erase: async (tx, id) => {
      await tx.delete(crisisPlanReaders).where(eq(crisisPlanReaders.planPersonRecordId, id));
      await tx
        .update(crisisPlans)
        .set({ warningSigns: '', whatHelps: '', whatDoesNotHelp: '', whoToContact: '', writtenWith: '' })
        .where(eq(crisisPlans.personRecordId, id));
    },
  },
  { table: 'crisis_plans', column: 'updated_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'crisis_plan_readers',
    column: 'reader_person_record_id',
    points: 'record',
    download: { excluded: 'whose plans the person may read: other people’s choices' },
    merge: keepingOnePer('crisis_plan_readers', 'reader_person_record_id', ['plan_person_record_id']),
  },
  {
    table: 'calendar_feeds',
    column: 'person_record_id',
    points: 'record',
    download: { excluded: 'a private calendar address: a key, not information about the person' },
    // One address per person: the kept record's stands, the other's stops working.
    merge: async (tx, fromId, intoId) => {
      await tx.execute(
        sql`update calendar_feeds set revoked_at = coalesce(revoked_at, now()) where person_record_id = ${fromId} and exists (select 1 from calendar_feeds kept where kept.person_record_id = ${intoId} and kept.revoked_at is null)`,
      );
      await tx.execute(sql`update calendar_feeds set person_record_id = ${intoId} where person_record_id = ${fromId}`);
    },
  },
];
