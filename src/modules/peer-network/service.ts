// The peer network: groups that meet every week, members who are never discharged, ground rules
// written together, and the register that gives the network its numbers. Each member's own crisis
// plan is in crisis-plans.ts.
import { addDays, formatISO, parseISO } from 'date-fns';
import { DateTime } from 'luxon';
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText, requiredText, tickbox } from '../../platform/fields.ts';
import { conflict, invalid, notFound } from '../../platform/http/problems.ts';
import { keepingOnePer, type PersonDataSource } from '../../platform/person-data.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import {
  type CommunityTransaction,
  inCommunity,
  type RequestAsker,
  type Role,
  runningRoles,
} from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { tellPerson } from '../people/consent.ts';
import { createPerson, personDetails, recordsHoldingRole } from '../people/service.ts';
import { getProgramme, type Joining, joinProgramme } from '../programmes/service.ts';
import { eraseCrisisPlan, mergeCrisisPlans } from './crisis-plans-store.ts';
import type { CameBy } from './schema.ts';
import * as store from './store.ts';
import type { Group, Meeting, NetworkMember } from './store.ts';

export type { Group, Meeting, NetworkMember, RegisterLine } from './store.ts';
export {
  feedByToken,
  feedMeetings,
  groupFacilitators,
  listGroups,
  listMembers,
  meetingsOfGroup,
  membershipsOf,
  networkNumbers,
  registerOf,
  scheduleAllMeetings,
  scheduleMeetings,
  upcomingMeetings,
  usualGroupsOf,
  weeksAhead,
  currentRules,
} from './store.ts';

// ——— Who does what ———

/** Who guides the network: coordinators and admins, and facilitators, who take registers and adopt agreed ground rules. */
export const guideRoles: readonly Role[] = [...runningRoles, 'facilitator'];

/** Whether the asker runs the network (coordinators, admins): they set it up and see every group's register. */
export const runsTheNetwork = (asker: RequestAsker) => asker.runsProgrammes;

/** Whether the asker guides the network (coordinators, admins, facilitators): they may propose ground rules without being a member. */
export const guidesTheNetwork = (asker: RequestAsker) => asker.hasRole(...guideRoles);

/** Whether the asker may put someone else in the network: only those who run it (anyone else is told it does not exist). */
export const mayJoinSomeoneElse = (asker: RequestAsker) => runsTheNetwork(asker);

// ——— What people send ———

/** A list of ids sent as one value or many, each once. */
export const uuidList = (invalidCode: string) =>
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

// ——— Networks and their members ———

/** The community's peer networks (programmes of that kind), with whether people may join them themselves. */
export async function listNetworks(tx: CommunityTransaction, communityId: string) {
  return store.networksOf(tx, communityId);
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
  await store.upsertNetworkSettings(tx, communityId, programmeId, settings.selfJoin);
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
  const made = await store.insertMember(tx, {
    communityId: joiner.communityId,
    programmeId: joiner.programmeId,
    personRecordId: joiner.personRecordId,
    cameBy: joiner.cameBy,
    referralId: joiner.referralId ?? null,
  });
  if (made) {
    await store.insertMembershipChange(tx, {
      communityId: joiner.communityId,
      memberId: made.id,
      change: 'joined',
      recordedBy: joiner.actorId,
    });
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
  const existing = await store.memberRow(tx, joiner.programmeId, joiner.personRecordId);
  if (!existing) throw new Error('network member vanished');
  if (existing.active) return { member: existing, change: 'already' };
  return { member: await setActive(tx, existing, true, joiner.actorId), change: 'returned' };
}

async function setActive(
  tx: CommunityTransaction,
  member: NetworkMember,
  active: boolean,
  actorId: string | null,
): Promise<NetworkMember> {
  const changed = await store.setMemberActive(tx, member.id, active);
  if (!changed) return { ...member, active };
  await store.insertMembershipChange(tx, {
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
  const existing = await store.memberRow(tx, programmeId, personRecordId);
  if (!existing && (!network.selfJoin || network.status !== 'open')) throw conflict('network-join-by-referral');
  // The network was found in this community just now, so its programme is there too.
  const programme = await getProgramme(tx, communityId, programmeId);
  if (!existing) await joinProgramme(tx, { communityId, programme, personRecordId, referralId: null, actorId });
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
  const member = await store.memberRow(tx, programmeId, personRecordId);
  if (!member || member.communityId !== communityId) throw notFound();
  return setActive(tx, member, false, actorId);
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
  const made = await store.insertGroup(tx, communityId, programmeId, group);
  if (!made) throw new Error('group insert returned nothing');
  if (facilitatorIds.length) await store.insertFacilitators(tx, communityId, made.id, facilitatorIds);
  await store.scheduleMeetings(tx, made.id);
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
  const changed = await store.changeGroupRow(tx, groupId, {
    ...group,
    endedAt: ended ? (before.endedAt ?? new Date()) : null,
  });
  if (!changed) throw notFound();
  await store.deleteFacilitators(tx, groupId);
  if (facilitatorIds.length) await store.insertFacilitators(tx, communityId, groupId, facilitatorIds);
  const moved =
    before.weekday !== changed.weekday ||
    before.startsAt !== changed.startsAt ||
    before.durationMinutes !== changed.durationMinutes ||
    Boolean(ended);
  if (moved) {
    // Meetings to come nobody has been marked at are made again at the new time.
    await store.deleteUnmarkedMeetingsToCome(tx, groupId);
    await store.scheduleMeetings(tx, groupId);
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
  const found = await store.groupById(tx, communityId, groupId);
  if (!found) throw notFound();
  return found;
}

export async function getMeeting(tx: CommunityTransaction, communityId: string, meetingId: string) {
  const found = await store.meetingWithGroup(tx, communityId, meetingId);
  if (!found) throw notFound();
  return found;
}

async function activeMemberOf(tx: CommunityTransaction, programmeId: string, personRecordId: string) {
  const member = await store.memberRow(tx, programmeId, personRecordId);
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
    await store.lockMeeting(tx, meetingId);
    if ((await store.othersComing(tx, meetingId, personRecordId)) >= group.capacity)
      throw invalid([{ field: 'coming', code: 'errors.network.reply.full' }]);
  }
  await store.upsertReply(tx, communityId, meetingId, personRecordId, coming);
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
  if (usual) await store.addUsualGroup(tx, communityId, groupId, personRecordId);
  else await store.removeUsualGroup(tx, groupId, personRecordId);
}

// ——— The register ———

/** Whether the asker may take the group's register: a coordinator, or one of its facilitators. */
export async function mayTakeRegister(
  tx: CommunityTransaction,
  groupId: string,
  asker: RequestAsker,
): Promise<boolean> {
  if (runsTheNetwork(asker)) return true;
  const recordId = await asker.recordIn(tx);
  if (!recordId) return false;
  return store.facilitates(tx, groupId, recordId);
}

/**
 * A meeting's register for one who may take it, in one statement: the meeting, its group, its
 * lines and, for the page, the members who might have dropped in. Anyone else is told it does not exist.
 */
export async function registerFor(
  tx: CommunityTransaction,
  communityId: string,
  meetingId: string,
  asker: RequestAsker,
  options: { withDropIns: boolean },
) {
  const staff = runsTheNetwork(asker);
  const found = await store.registerPage(tx, communityId, meetingId, staff ? null : asker.accountId, options);
  if (!found || !(staff || found.facilitates)) throw notFound();
  return found;
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
  asker: RequestAsker,
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
  await store.markMeetingCancelled(tx, meetingId, cancel.reason);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'network.meeting_cancelled',
    subjectType: 'peer_meeting',
    subjectId: meetingId,
  });
  const coming = await store.comingTo(tx, meetingId);
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
  const due = await store.meetingsToRemind(owner);
  let reminded = 0;
  for (const meeting of due) {
    await inCommunity(owner, { communityId: meeting.community_id, personId: null }, async (tx) => {
      const claimed = await store.claimReminder(tx, meeting.id);
      if (!claimed) return;
      const group = await store.groupForReminder(tx, claimed.groupId);
      if (!group) return;
      const people = await store.peopleToRemind(tx, meeting.id, claimed.groupId);
      const t = translator(isLanguage(group.language) ? group.language : 'en');
      const time = DateTime.fromJSDate(claimed.startsAt, { zone: 'Europe/London' }).toFormat('HH:mm');
      for (const one of people) {
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
  return { meetings: due.length, reminded };
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
  const member = await store.memberRow(tx, group.programmeId, mark.personRecordId);
  if (!member) throw invalid([{ field: 'personRecordId', code: 'errors.network.register.person.invalid' }]);
  if (!mark.present) {
    await store.removeAttendance(tx, meetingId, mark.personRecordId);
    return;
  }
  const usual = await store.isUsualGroup(tx, group.id, mark.personRecordId);
  await store.insertAttendance(tx, {
    communityId,
    meetingId,
    personRecordId: mark.personRecordId,
    dropIn: !usual,
    recordedBy: actorId,
  });
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
    // The group's programme is of this community: the meeting was found in it.
    const programme = await getProgramme(tx, communityId, group.programmeId);
    await joinProgramme(tx, { communityId, programme, personRecordId, referralId: null, actorId });
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
  const rows = await store.rulesOf(tx, communityId, programmeId, personRecordId);
  const [current] = rows.filter((row) => row.status === 'current');
  return { current, proposals: rows.filter((row) => row.status === 'proposed') };
}

export async function getRules(tx: CommunityTransaction, communityId: string, rulesId: string) {
  const found = await store.rulesById(tx, communityId, rulesId);
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
  const made = await store.insertRules(tx, {
    communityId,
    programmeId,
    body: proposal.body,
    changeNote: proposal.changeNote,
    proposedBy: proposerRecordId,
  });
  if (!made) throw new Error('ground rules insert returned nothing');
  if (member && proposerRecordId) await store.insertAgreement(tx, communityId, made.id, proposerRecordId);
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
  await store.insertAgreement(tx, communityId, rulesId, personRecordId);
}

/** A facilitator or coordinator adopts a proposal the members have agreed: it becomes the next version. */
export async function adoptRules(tx: CommunityTransaction, communityId: string, actorId: string, rulesId: string) {
  const rules = await getRules(tx, communityId, rulesId);
  if (rules.status !== 'proposed') throw invalid([{ field: 'rulesId', code: 'errors.network.rules.notOpen' }]);
  // One adoption at a time per network, so versions do not collide.
  await store.lockRulesOf(tx, rules.programmeId);
  const adopted = await store.adoptRulesRow(tx, rules.programmeId, rulesId, actorId);
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

// ——— Calendars ———

const newFeedToken = () => randomBytes(24).toString('base64url');

/** The private calendar address of a member's meetings, or of a group's; made the first time it is asked for. */
export async function feedToken(
  tx: CommunityTransaction,
  communityId: string,
  subject: { personRecordId: string } | { groupId: string },
  renew = false,
): Promise<string> {
  if (renew) await store.revokeFeeds(tx, subject);
  else {
    const found = await store.liveFeedToken(tx, subject);
    if (found) return found;
  }
  const token = newFeedToken();
  await store.insertFeed(tx, communityId, token, subject);
  return token;
}

export const personData: PersonDataSource[] = [
  {
    table: 'peer_network_members',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: store.mergeNetworkMembers,
  },
  { table: 'peer_membership_changes', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'peer_membership_changes',
    column: 'member_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the network membership, whose merge moves them' },
    rows: store.membershipChangeRows,
  },
  {
    table: 'peer_group_facilitators',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_group_facilitators', 'person_record_id', ['group_id']),
    rows: store.facilitatorRows,
  },
  {
    table: 'peer_usual_groups',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_usual_groups', 'person_record_id', ['group_id']),
    rows: store.usualGroupRows,
  },
  {
    table: 'peer_meeting_replies',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_meeting_replies', 'person_record_id', ['meeting_id']),
    rows: store.replyRows,
  },
  // Someone marked at one meeting under both records was there once.
  {
    table: 'peer_attendance',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('peer_attendance', 'person_record_id', ['meeting_id']),
    rows: store.attendanceRows,
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
    erase: eraseCrisisPlan,
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
    merge: store.mergeCalendarFeeds,
  },
];
