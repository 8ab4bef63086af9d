// One-to-one peer support: episodes that join a person and a peer supporter for a planned number
// of weeks, the contacts the supporter logs, weekly timesheets of paid hours, and the ending.
import { addDays, differenceInCalendarDays, formatISO, parseISO, startOfISOWeek } from 'date-fns';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { DomainError, invalid, notFound, unauthenticated } from '../../platform/http/problems.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import { addressOfAccount, enqueue } from '../../platform/notify/outbox.ts';
import { keepingOnePer, type PersonDataSource } from '../../platform/person-data.ts';
import type { Database } from '../../platform/db/index.ts';
import { type CommunityTransaction, inCommunity, type RequestAsker } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { consentState, given, mayTellReferrer, tellPerson } from '../people/consent.ts';
import { getPerson, recordsHoldingRole } from '../people/service.ts';
import { addProgrammeMember } from '../programmes/service.ts';
import { getReferral } from '../referrals/service.ts';
import * as store from './store.ts';
import { contactModes, type Episode, nextSteps, type Timesheet } from './store.ts';

export type { Episode, Timesheet, TimesheetLine } from './store.ts';
export {
  contactModes,
  contactsOf,
  goalsOf,
  nextSteps,
  payrollRows,
  peopleWithSupportEnding,
  supportProgrammes,
  supports,
  waitingForSupporter,
  weekOfContacts,
  weeksToSubmit,
} from './store.ts';

export const defaults = { plannedWeeks: 12, minutesPerWeek: 120 } as const;

/**
 * An approved week as a payroll CSV line, in the columns' order: supporter, number, week, minutes,
 * hours, approved by, approved on, over budget (in the file's own words), note.
 */
export function payrollLine(row: store.PayrollRow, overBudget: { yes: string | number; no: string }) {
  return [
    row.supporter,
    row.supporter_number,
    row.week_starting,
    row.minutes,
    (row.minutes / 60).toFixed(2),
    row.approved_by ?? '',
    row.approved_on,
    row.over_budget ? overBudget.yes : overBudget.no,
    row.note,
  ];
}

/** Who is asking: coordinators see every episode; a supporter only theirs; a person only their own. */
export interface Asker {
  accountId: string;
  staff: boolean;
  recordId: string | null;
}

/** The person asking, as peer support sees them: those who run the community's programmes see every episode and timesheet. */
export async function supportAsker(tx: CommunityTransaction, asker: RequestAsker): Promise<Asker> {
  if (!asker.accountId) throw unauthenticated();
  return { accountId: asker.accountId, staff: asker.runsProgrammes, recordId: await asker.recordIn(tx) };
}

const isoDay = (key: string) => plainDate(key);
const notFuture = (key: string) =>
  isoDay(key).refine((value) => value <= ukDay(new Date()), 'errors.support.date.future');
const minutes = z.number({ error: 'errors.support.minutes.invalid' }).int('errors.support.minutes.invalid');

// ——— What people send ———

export const newEpisode = z.object({
  programmeId: z.uuid({ error: 'errors.support.programme.missing' }),
  personRecordId: z.uuid({ error: 'errors.support.person.missing' }),
  supporterRecordId: z.uuid({ error: 'errors.support.supporter.missing' }),
  startsOn: isoDay('errors.support.startsOn.invalid'),
  plannedWeeks: z
    .number({ error: 'errors.support.weeks.invalid' })
    .int('errors.support.weeks.invalid')
    .min(1, 'errors.support.weeks.invalid')
    .max(104, 'errors.support.weeks.invalid')
    .optional(),
  minutesPerWeek: z
    .number({ error: 'errors.support.minutesPerWeek.invalid' })
    .int('errors.support.minutesPerWeek.invalid')
    .min(15, 'errors.support.minutesPerWeek.invalid')
    .max(2400, 'errors.support.minutesPerWeek.invalid')
    .optional(),
  goals: z
    .array(requiredText('errors.support.goal.missing', 'errors.support.goal.tooLong', 500))
    .max(20, 'errors.support.goal.tooMany')
    .default([]),
});
export type NewEpisode = z.infer<typeof newEpisode>;

export const newContact = z.object({
  occurredOn: notFuture('errors.support.occurredOn.invalid'),
  minutes: minutes.min(1, 'errors.support.minutes.invalid').max(720, 'errors.support.minutes.tooMany'),
  mode: z.enum(contactModes, { error: 'errors.support.mode.missing' }),
  whatWasDone: requiredText('errors.support.whatWasDone.missing', 'errors.support.text.tooLong', 4000),
  progress: optionalText('errors.support.text.tooLong', 4000),
});
export type NewContact = z.infer<typeof newContact>;

export const newGoal = z.object({
  text: requiredText('errors.support.goal.missing', 'errors.support.goal.tooLong', 500),
});

export const ending = z.object({
  reviewHeldOn: notFuture('errors.support.reviewHeldOn.invalid'),
  whatChanged: requiredText('errors.support.whatChanged.missing', 'errors.support.text.tooLong', 4000),
  whereNext: z
    .array(z.enum(nextSteps, { error: 'errors.support.whereNext.invalid' }), {
      error: 'errors.support.whereNext.missing',
    })
    .min(1, 'errors.support.whereNext.missing')
    .max(4, 'errors.support.whereNext.invalid'),
  whereNextNote: optionalText('errors.support.text.tooLong', 2000),
  tellReferrer: z.boolean({ error: 'errors.support.tellReferrer.missing' }),
});
export type Ending = z.infer<typeof ending>;

export const timesheetSubmission = z.object({
  weekStarting: isoDay('errors.support.week.invalid').refine(
    (value) => new Date(`${value}T12:00:00Z`).getUTCDay() === 1,
    'errors.support.week.notMonday',
  ),
  note: optionalText('errors.support.text.tooLong', 2000),
});

export const timesheetDecision = z.object({
  note: optionalText('errors.support.text.tooLong', 2000),
  /** Approving hours over an episode's budget needs this, and a note saying why. */
  approveOverBudget: z.boolean().default(false),
});
export const timesheetReturn = z.object({
  note: requiredText('errors.support.returnNote.missing', 'errors.support.text.tooLong', 2000),
});

// ——— Settings ———

export async function settingsOf(tx: CommunityTransaction, programmeId: string) {
  const found = await store.settingsRow(tx, programmeId);
  return {
    plannedWeeks: found?.plannedWeeks ?? defaults.plannedWeeks,
    minutesPerWeek: found?.minutesPerWeek ?? defaults.minutesPerWeek,
  };
}

/** A programme's defaults as coordinators set them: weeks an episode is planned for, and time a week. */
export const settingsChange = z.object({
  plannedWeeks: z.coerce
    .number({ error: 'errors.support.settings.weeks' })
    .int('errors.support.settings.weeks')
    .min(1, 'errors.support.settings.weeks')
    .max(104, 'errors.support.settings.weeks'),
  minutesPerWeek: z
    .number({ error: 'errors.support.settings.time' })
    .int('errors.support.settings.time')
    .min(15, 'errors.support.settings.time')
    .max(2400, 'errors.support.settings.time'),
});

/** Saves a peer support programme's defaults; episodes already under way keep theirs. */
export async function saveSettings(
  tx: CommunityTransaction,
  communityId: string,
  programmeId: string,
  actorId: string,
  change: z.infer<typeof settingsChange>,
) {
  if (!(await store.supportProgrammes(tx, communityId)).some((one) => one.id === programmeId)) throw notFound();
  await store.upsertSettings(tx, communityId, programmeId, change);
  await record(tx, {
    communityId,
    actorId,
    action: 'support.settings_changed',
    subjectType: 'programme',
    subjectId: programmeId,
    detail: change,
  });
  return settingsOf(tx, programmeId);
}

/** The community's peer supporters, by their records: members holding the peer supporter role. */
export const supporterChoices = (tx: CommunityTransaction, communityId: string) =>
  recordsHoldingRole(tx, communityId, 'peer_supporter');

// ——— Episodes ———

/** A coordinator joins a person and a peer supporter; the programme's defaults fill what is not said. */
export async function startEpisode(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: NewEpisode,
): Promise<Episode> {
  const programme = await store.supportProgrammeOf(tx, communityId, details.programmeId);
  if (!programme) throw invalid([{ field: 'programmeId', code: 'errors.support.programme.missing' }]);
  try {
    await getPerson(tx, communityId, details.personRecordId);
  } catch {
    throw invalid([{ field: 'personRecordId', code: 'errors.support.person.missing' }]);
  }
  if (!(await supporterChoices(tx, communityId)).some((one) => one.id === details.supporterRecordId))
    throw invalid([{ field: 'supporterRecordId', code: 'errors.support.supporter.missing' }]);
  if (details.supporterRecordId === details.personRecordId)
    throw invalid([{ field: 'supporterRecordId', code: 'errors.support.supporter.self' }]);
  const settings = await settingsOf(tx, programme.id);
  const membership = await store.membershipOf(tx, programme.id, details.personRecordId);
  const made = await store.insertEpisode(tx, {
    communityId,
    programmeId: programme.id,
    personRecordId: details.personRecordId,
    supporterRecordId: details.supporterRecordId,
    referralId: membership?.referral_id ?? null,
    startsOn: details.startsOn,
    plannedWeeks: details.plannedWeeks ?? settings.plannedWeeks,
    minutesPerWeek: details.minutesPerWeek ?? settings.minutesPerWeek,
    createdBy: actorId,
  });
  if (!made) throw invalid([{ field: 'personRecordId', code: 'errors.support.person.alreadySupported' }]);
  if (details.goals.length) await store.insertGoals(tx, communityId, made.id, details.goals, actorId);
  await addProgrammeMember(tx, communityId, programme.id, details.personRecordId, actorId);
  await record(tx, {
    communityId,
    actorId,
    action: 'support.episode_started',
    subjectType: 'person_record',
    subjectId: details.personRecordId,
    detail: { episodeId: made.id },
  });
  return made;
}

/** The planned last day: start plus the planned weeks. */
export const plannedEnd = (episode: Pick<Episode, 'startsOn' | 'plannedWeeks'>) =>
  formatISO(addDays(parseISO(episode.startsOn), episode.plannedWeeks * 7 - 1), { representation: 'date' });

/** The episode, if the asker may see it: coordinators, its supporter, the person. Otherwise it does not exist. */
export async function episodeFor(tx: CommunityTransaction, communityId: string, episodeId: string, asker: Asker) {
  const found = await store.episodeWithNames(tx, communityId, episodeId);
  if (!found) throw notFound();
  const role = asker.staff
    ? 'staff'
    : asker.recordId === found.episode.supporterRecordId
      ? 'supporter'
      : asker.recordId === found.episode.personRecordId
        ? 'person'
        : null;
  if (!role) throw notFound();
  return { ...found, role, plannedEnd: plannedEnd(found.episode) } as const;
}

/** What the supporter may know of how to reach the person: only with the person's consent to support. */
export async function contactDetailsFor(tx: CommunityTransaction, communityId: string, episode: Episode) {
  const state = await consentState(tx, episode.personRecordId);
  if (!given(state, 'support')) return null;
  const person = await getPerson(tx, communityId, episode.personRecordId);
  return {
    phone: person.phone,
    email: person.email,
    contactMethod: person.contactMethod,
    contactTimes: person.contactTimes,
    communicationNeeds: person.communicationNeeds,
  };
}

/** The episodes an asker sees: all for coordinators, their own people for a supporter, their own for a person. */
export async function listEpisodes(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  options: { status?: 'active' | 'ended'; limit: number; after?: string },
) {
  if (!asker.staff && !asker.recordId) return [];
  const rows = await store.episodeRows(tx, communityId, asker, options);
  return rows.map((row) => ({
    ...row,
    planned_end: plannedEnd({ startsOn: row.starts_on, plannedWeeks: row.planned_weeks }),
  }));
}

/**
 * What the support home shows the asker: their episodes; a peer supporter's timesheets and the weeks
 * they have still to send; for coordinators, everyone's timesheets waiting, the people waiting for a
 * supporter and the programmes.
 */
export async function supportHome(tx: CommunityTransaction, communityId: string, who: RequestAsker) {
  const asker = await supportAsker(tx, who);
  const staffView = asker.staff;
  const supporter = who.hasRole('peer_supporter');
  return {
    episodes: await listEpisodes(tx, communityId, asker, { status: 'active', limit: 200 }),
    ended: await listEpisodes(tx, communityId, asker, { status: 'ended', limit: 20 }),
    waiting: staffView ? await store.waitingForSupporter(tx, communityId) : [],
    timesheets:
      staffView || supporter
        ? await listTimesheets(tx, communityId, asker, { status: staffView ? 'submitted' : undefined, limit: 20 })
        : [],
    weeks: asker.recordId && supporter ? await store.weeksToSubmit(tx, asker.recordId) : [],
    programmes: staffView ? await store.supportProgrammes(tx, communityId) : [],
    recordId: asker.recordId,
    staffView,
  };
}

/** Monday of the week a day falls in. */
export const weekOf = (day: string) => formatISO(startOfISOWeek(parseISO(day)), { representation: 'date' });

async function weekIsLocked(tx: CommunityTransaction, supporterRecordId: string, day: string) {
  await store.lockWeek(tx, supporterRecordId, weekOf(day));
  const status = await store.timesheetStatus(tx, supporterRecordId, weekOf(day));
  return status !== undefined && status !== 'returned';
}

/** The supporter (or a coordinator) logs a contact. A week whose timesheet is in takes no more. */
export async function logContact(
  tx: CommunityTransaction,
  communityId: string,
  episodeId: string,
  asker: Asker,
  contact: NewContact,
) {
  const found = await episodeFor(tx, communityId, episodeId, asker);
  if (found.role === 'person') throw notFound();
  if (found.episode.status !== 'active') throw invalid([{ field: 'occurredOn', code: 'errors.support.episode.ended' }]);
  if (contact.occurredOn < found.episode.startsOn)
    throw invalid([{ field: 'occurredOn', code: 'errors.support.occurredOn.beforeStart' }]);
  if (await weekIsLocked(tx, found.episode.supporterRecordId, contact.occurredOn))
    throw invalid([{ field: 'occurredOn', code: 'errors.support.occurredOn.weekSubmitted' }]);
  const made = await store.insertContact(tx, communityId, episodeId, contact, asker.accountId);
  if (!made) throw new Error('contact insert returned nothing');
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'support.contact_logged',
    subjectType: 'support_episode',
    subjectId: episodeId,
    detail: { minutes: contact.minutes },
  });
  return made;
}

/** The person, their supporter or a coordinator adds a goal; the person's own are marked as theirs. */
export async function contactById(tx: CommunityTransaction, communityId: string, contactId: string) {
  const found = await store.contactRow(tx, communityId, contactId);
  if (!found) throw notFound();
  return found;
}
export async function goalById(tx: CommunityTransaction, communityId: string, goalId: string) {
  const found = await store.goalRow(tx, communityId, goalId);
  if (!found) throw notFound();
  return found;
}

/** The supporter (or a coordinator) corrects a contact while its week, and the week it moves to, are not sent. */
export async function updateContact(
  tx: CommunityTransaction,
  communityId: string,
  contactId: string,
  asker: Asker,
  contact: NewContact,
) {
  const existing = await contactById(tx, communityId, contactId);
  const found = await episodeFor(tx, communityId, existing.episodeId, asker);
  if (found.role === 'person') throw notFound();
  if (found.episode.status !== 'active') throw invalid([{ field: 'occurredOn', code: 'errors.support.episode.ended' }]);
  if (contact.occurredOn < found.episode.startsOn)
    throw invalid([{ field: 'occurredOn', code: 'errors.support.occurredOn.beforeStart' }]);
  for (const day of [existing.occurredOn, contact.occurredOn])
    if (await weekIsLocked(tx, found.episode.supporterRecordId, day))
      throw invalid([{ field: 'occurredOn', code: 'errors.support.occurredOn.weekSubmitted' }]);
  const changed = await store.changeContact(tx, contactId, contact);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'support.contact_changed',
    subjectType: 'support_episode',
    subjectId: existing.episodeId,
    detail: { minutes: contact.minutes },
  });
  return changed ?? existing;
}

/** Whose words a goal is decides who changes it: the person changes any of theirs; the supporter and coordinators change the ones they wrote. */
export async function updateGoal(
  tx: CommunityTransaction,
  communityId: string,
  goalId: string,
  asker: Asker,
  goal: z.infer<typeof newGoal>,
) {
  const existing = await goalById(tx, communityId, goalId);
  const found = await episodeFor(tx, communityId, existing.episodeId, asker);
  if (!mayChangeGoal(found.role, existing)) throw notFound();
  if (found.episode.status !== 'active') throw invalid([{ field: 'text', code: 'errors.support.episode.ended' }]);
  const changed = await store.changeGoalText(tx, goalId, goal.text);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'support.goal_changed',
    subjectType: 'support_episode',
    subjectId: existing.episodeId,
  });
  return changed ?? existing;
}
export const mayChangeGoal = (role: 'staff' | 'supporter' | 'person', goal: { byPerson: boolean }) =>
  role === 'person' || !goal.byPerson;

/** Whether a contact can still be changed: its week is not sent (or was returned). */
export async function changeableContacts(
  tx: CommunityTransaction,
  supporterRecordId: string,
  contacts: readonly { id: string; occurredOn: string }[],
): Promise<Set<string>> {
  if (contacts.length === 0) return new Set();
  const locked = new Set(await store.sentWeeks(tx, supporterRecordId));
  return new Set(contacts.filter((contact) => !locked.has(weekOf(contact.occurredOn))).map((contact) => contact.id));
}

export async function addGoal(
  tx: CommunityTransaction,
  communityId: string,
  episodeId: string,
  asker: Asker,
  goal: z.infer<typeof newGoal>,
) {
  const found = await episodeFor(tx, communityId, episodeId, asker);
  if (found.episode.status !== 'active') throw invalid([{ field: 'text', code: 'errors.support.episode.ended' }]);
  return store.insertGoal(tx, {
    communityId,
    episodeId,
    text: goal.text,
    byPerson: found.role === 'person',
    addedBy: asker.accountId,
  });
}

/** The referral, or nothing when it is not there to be found. */
async function referralIfAny(tx: CommunityTransaction, communityId: string, referralId: string) {
  try {
    return await getReferral(tx, communityId, referralId);
  } catch (error) {
    if (error instanceof DomainError && error.status === 404) return undefined;
    throw error;
  }
}

/**
 * The ending: the review, what changed, where next. With the person's consent for the referrer
 * to hear, and when the supporter asks for it, the referrer gets a summary; without it, nothing
 * is sent and the episode says why.
 */
export async function endEpisode(
  tx: CommunityTransaction,
  context: { communityId: string; communityName: string; notifyConfigured: boolean },
  episodeId: string,
  asker: Asker,
  details: Ending,
) {
  const found = await episodeFor(tx, context.communityId, episodeId, asker);
  if (found.role === 'person') throw notFound();
  if (found.episode.status !== 'active')
    throw invalid([{ field: 'whatChanged', code: 'errors.support.episode.ended' }]);
  if (details.reviewHeldOn < found.episode.startsOn)
    throw invalid([{ field: 'reviewHeldOn', code: 'errors.support.reviewHeldOn.beforeStart' }]);
  let outcome: 'sent' | 'no_consent' | 'no_referrer' | 'not_asked' = 'not_asked';
  if (details.tellReferrer) {
    const referral = found.episode.referralId
      ? await referralIfAny(tx, context.communityId, found.episode.referralId)
      : undefined;
    const referrer = referral?.referrerId ? await addressOfAccount(tx, referral.referrerId) : undefined;
    if (!referral || !referrer) outcome = 'no_referrer';
    else if (!mayTellReferrer(await consentState(tx, found.episode.personRecordId))) outcome = 'no_consent';
    else {
      const t = translator(isLanguage(referrer.language) ? referrer.language : 'en');
      await enqueue(
        tx,
        {
          communityId: context.communityId,
          channel: 'email',
          template: 'support-ended',
          recipient: referrer.email,
          subject: t('messages.supportEnded.subject', {
            reference: referral.reference,
            community: context.communityName,
          }),
          body: t('messages.supportEnded.body', {
            reference: referral.reference,
            community: context.communityName,
            weeks: Math.max(
              1,
              Math.ceil((differenceInCalendarDays(parseISO(ukDay()), parseISO(found.episode.startsOn)) + 1) / 7),
            ),
            whatChanged: details.whatChanged,
            whereNext: details.whereNext.map((step) => t(`support.whereNext.${step}`)).join(', '),
          }),
        },
        context.notifyConfigured,
      );
      outcome = 'sent';
    }
  }
  const ended = await store.endEpisodeRow(tx, episodeId, {
    endedOn: ukDay(),
    reviewHeldOn: details.reviewHeldOn,
    whatChanged: details.whatChanged,
    whereNext: details.whereNext,
    whereNextNote: details.whereNextNote,
    summaryOutcome: outcome,
  });
  if (!ended) throw invalid([{ field: 'whatChanged', code: 'errors.support.episode.ended' }]);
  await record(tx, {
    communityId: context.communityId,
    actorId: asker.accountId,
    action: 'support.episode_ended',
    subjectType: 'support_episode',
    subjectId: episodeId,
    detail: { summary: outcome, whereNext: details.whereNext },
  });
  return ended;
}

// ——— Timesheets ———

/** The week's total and whether any episode went over its hours: the rule for flagging a timesheet. */
export function summarise(lines: readonly store.TimesheetLine[]): { totalMinutes: number; overBudget: boolean } {
  return {
    totalMinutes: lines.reduce((sum, line) => sum + line.minutes, 0),
    overBudget: lines.some((line) => line.over),
  };
}

/** The supporter submits a finished week; a returned one is submitted again. Submitting twice is once. */
export async function submitTimesheet(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  submission: z.infer<typeof timesheetSubmission>,
): Promise<Timesheet> {
  if (!asker.recordId) throw invalid([{ field: 'weekStarting', code: 'errors.support.week.nothing' }]);
  if (submission.weekStarting > ukDay()) throw invalid([{ field: 'weekStarting', code: 'errors.support.week.future' }]);
  await store.lockWeek(tx, asker.recordId, submission.weekStarting);
  const lines = await store.weekOfContacts(tx, asker.recordId, submission.weekStarting);
  if (!lines.length) throw invalid([{ field: 'weekStarting', code: 'errors.support.week.nothing' }]);
  const { totalMinutes, overBudget } = summarise(lines);
  const made = await store.upsertTimesheet(tx, {
    communityId,
    supporterRecordId: asker.recordId,
    weekStarting: submission.weekStarting,
    totalMinutes,
    overBudget,
    note: submission.note,
  });
  if (made) {
    await record(tx, {
      communityId,
      actorId: asker.accountId,
      action: 'support.timesheet_submitted',
      subjectType: 'timesheet',
      subjectId: made.id,
      detail: { totalMinutes, overBudget },
    });
    return made;
  }
  const existing = await store.timesheetOfWeek(tx, asker.recordId, submission.weekStarting);
  if (!existing) throw new Error('timesheet vanished');
  return existing;
}

export async function timesheetFor(tx: CommunityTransaction, communityId: string, timesheetId: string, asker: Asker) {
  const found = await store.timesheetWithName(tx, communityId, timesheetId);
  if (!found || (!asker.staff && found.sheet.supporterRecordId !== asker.recordId)) throw notFound();
  return { ...found, lines: await store.weekOfContacts(tx, found.sheet.supporterRecordId, found.sheet.weekStarting) };
}

/** Approving: an over-budget week needs an explicit "approve the extra hours" and a note saying why. */
export async function approveTimesheet(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  timesheetId: string,
  decision: z.infer<typeof timesheetDecision>,
) {
  const found = await timesheetFor(tx, communityId, timesheetId, asker);
  if (found.sheet.status !== 'submitted')
    throw invalid([{ field: 'note', code: 'errors.support.timesheet.notWaiting' }]);
  if (found.sheet.overBudget && !decision.approveOverBudget)
    throw invalid([{ field: 'approveOverBudget', code: 'errors.support.timesheet.overBudget' }]);
  if (found.sheet.overBudget && !decision.note)
    throw invalid([{ field: 'note', code: 'errors.support.timesheet.overBudgetNote' }]);
  const approved = await store.decideTimesheet(tx, timesheetId, {
    status: 'approved',
    decidedBy: asker.accountId,
    decisionNote: decision.note,
  });
  if (!approved) throw invalid([{ field: 'note', code: 'errors.support.timesheet.notWaiting' }]);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'support.timesheet_approved',
    subjectType: 'timesheet',
    subjectId: timesheetId,
    detail: { overBudget: approved.overBudget, totalMinutes: approved.totalMinutes },
  });
  return approved;
}

export async function returnTimesheet(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  timesheetId: string,
  decision: z.infer<typeof timesheetReturn>,
) {
  await timesheetFor(tx, communityId, timesheetId, asker);
  const returned = await store.decideTimesheet(tx, timesheetId, {
    status: 'returned',
    decidedBy: asker.accountId,
    decisionNote: decision.note,
  });
  if (!returned) throw invalid([{ field: 'note', code: 'errors.support.timesheet.notWaiting' }]);
  await record(tx, {
    communityId,
    actorId: asker.accountId,
    action: 'support.timesheet_returned',
    subjectType: 'timesheet',
    subjectId: timesheetId,
  });
  return returned;
}

export async function listTimesheets(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  options: { status?: 'submitted' | 'approved' | 'returned'; limit: number },
) {
  if (!asker.staff && !asker.recordId) return [];
  return store.timesheetRows(tx, communityId, asker, options);
}

/**
 * Every Monday: each peer supporter with weeks of contacts not yet sent is reminded once per
 * week, in their community's first language, by email or text as they agreed.
 */
export async function remindUnsentTimesheets(
  owner: Database,
  publicUrl: string,
  notifyConfigured: boolean,
): Promise<{ reminded: number }> {
  const rows = await store.unsentWeeks(owner);
  let reminded = 0;
  const bySupporter = new Map<string, typeof rows>();
  for (const row of rows)
    bySupporter.set(row.supporter_record_id, [...(bySupporter.get(row.supporter_record_id) ?? []), row]);
  for (const [supporter, weeks] of bySupporter) {
    const first = weeks[0];
    if (!first) continue;
    await inCommunity(owner, { communityId: first.community_id, personId: null }, async (tx) => {
      const fresh = await store.insertReminders(
        tx,
        weeks.map((week) => ({
          communityId: week.community_id,
          supporterRecordId: supporter,
          weekStarting: week.week_starting,
        })),
      );
      if (fresh.length === 0) return;
      const t = translator(isLanguage(first.language) ? first.language : 'en');
      await tellPerson(tx, notifyConfigured, supporter, {
        template: 'support-timesheet-reminder',
        subject: t('messages.timesheetReminder.subject'),
        body: t('messages.timesheetReminder.body', {
          count: fresh.length,
          link: `${publicUrl}/c/${first.slug}/support`,
        }),
      });
      reminded += 1;
    });
  }
  return { reminded };
}

export const personData: PersonDataSource[] = [
  {
    table: 'timesheet_reminders',
    column: 'supporter_record_id',
    points: 'record',
    download: 'rows',
    merge: keepingOnePer('timesheet_reminders', 'supporter_record_id', ['week_starting']),
  },
  {
    table: 'support_episodes',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    merge: store.mergeEpisodes,
    // Erased: goals, what each contact was and the review's words go; dates, minutes and outcomes stay for payroll and the numbers.
    erase: store.eraseEpisodes,
  },
  {
    table: 'support_episodes',
    column: 'supporter_record_id',
    points: 'record',
    download: { excluded: 'the people they supported: their records, not the supporter’s' },
    merge: 'move',
  },
  { table: 'support_episodes', column: 'created_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'episode_goals', column: 'added_by', points: 'account', download: { excluded: 'actor' } },
  // Reached through the person's episodes: the goals and each contact.
  {
    table: 'episode_goals',
    column: 'episode_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the episode, which moves' },
    rows: store.goalRows,
  },
  {
    table: 'episode_contacts',
    column: 'episode_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the episode, which moves' },
    rows: store.contactRows,
  },
  { table: 'episode_contacts', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  {
    table: 'timesheets',
    column: 'supporter_record_id',
    points: 'record',
    download: 'rows',
    merge: store.mergeTimesheets,
  },
  { table: 'timesheets', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
];

// What other modules may use of the peer support tables.
export { supportedBy } from './store.ts';
