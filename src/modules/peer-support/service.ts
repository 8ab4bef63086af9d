// One-to-one peer support: episodes that join a person and a peer supporter for a planned number
// of weeks, the contacts the supporter logs, weekly timesheets of paid hours, and the ending.
import { addDays, differenceInCalendarDays, formatISO, parseISO, startOfISOWeek } from 'date-fns';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { people } from '../../platform/db/schema.ts';
import { optionalText, plainDate, requiredText } from '../../platform/fields.ts';
import { invalid, notFound } from '../../platform/http/problems.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import { keepingOnePer, type PersonDataSource, rowsThrough } from '../../platform/person-data.ts';
import type { Database } from '../../platform/db/index.ts';
import { type CommunityTransaction, inCommunity } from '../../platform/tenancy.ts';
import { ukDay } from '../../platform/working-days.ts';
import { consentState, given, mayTellReferrer, tellPerson } from '../people/consent.ts';
import { getPerson, recordsHoldingRole } from '../people/service.ts';
import { programmes } from '../programmes/schema.ts';
import { referrals } from '../referrals/schema.ts';
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

export const defaults = { plannedWeeks: 12, minutesPerWeek: 120 } as const;

/** Who is asking: coordinators see every episode; a supporter only theirs; a person only their own. */
export interface Asker {
  accountId: string;
  staff: boolean;
  recordId: string | null;
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
  const [found] = await tx.select().from(peerSupportSettings).where(eq(peerSupportSettings.programmeId, programmeId));
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
  if (!(await supportProgrammes(tx, communityId)).some((one) => one.id === programmeId)) throw notFound();
  await tx
    .insert(peerSupportSettings)
    .values({ programmeId, communityId, ...change })
    .onConflictDoUpdate({ target: peerSupportSettings.programmeId, set: change });
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

/** The community's one-to-one peer support programmes. */
export async function supportProgrammes(tx: CommunityTransaction, communityId: string) {
  return tx
    .select({ id: programmes.id, name: programmes.name, status: programmes.status })
    .from(programmes)
    .where(and(eq(programmes.communityId, communityId), eq(programmes.kind, 'peer_support')))
    .orderBy(asc(programmes.name));
}

/** The community's peer supporters, by their records: members holding the peer supporter role. */
export const supporterChoices = (tx: CommunityTransaction, communityId: string) =>
  recordsHoldingRole(tx, communityId, 'peer_supporter');

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
    from programme_members pm join programmes p on p.id = pm.programme_id join person_records r on r.id = pm.person_record_id
    where pm.community_id = ${communityId} and p.kind = 'peer_support' and pm.left_at is null and r.status = 'active'
      and not exists (select 1 from support_episodes e where e.programme_id = pm.programme_id and e.person_record_id = pm.person_record_id)
    order by pm.joined_at`);
  return rows.rows;
}

// ——— Episodes ———

/** A coordinator joins a person and a peer supporter; the programme's defaults fill what is not said. */
export async function startEpisode(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  details: NewEpisode,
): Promise<Episode> {
  const [programme] = await tx
    .select()
    .from(programmes)
    .where(
      and(
        eq(programmes.communityId, communityId),
        eq(programmes.id, details.programmeId),
        eq(programmes.kind, 'peer_support'),
      ),
    );
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
  const [membership] = await tx
    .execute<{ referral_id: string | null }>(
      sql`select referral_id from programme_members where programme_id = ${programme.id} and person_record_id = ${details.personRecordId} and left_at is null`,
    )
    .then((result) => result.rows);
  const [made] = await tx
    .insert(supportEpisodes)
    .values({
      communityId,
      programmeId: programme.id,
      personRecordId: details.personRecordId,
      supporterRecordId: details.supporterRecordId,
      referralId: membership?.referral_id ?? null,
      startsOn: details.startsOn,
      plannedWeeks: details.plannedWeeks ?? settings.plannedWeeks,
      minutesPerWeek: details.minutesPerWeek ?? settings.minutesPerWeek,
      createdBy: actorId,
    })
    .onConflictDoNothing()
    .returning();
  if (!made) throw invalid([{ field: 'personRecordId', code: 'errors.support.person.alreadySupported' }]);
  if (details.goals.length)
    await tx
      .insert(episodeGoals)
      .values(details.goals.map((text) => ({ communityId, episodeId: made.id, text, addedBy: actorId })));
  await tx.execute(
    sql`insert into programme_members (community_id, programme_id, person_record_id, added_by) values (${communityId}, ${programme.id}, ${details.personRecordId}, ${actorId}) on conflict do nothing`,
  );
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
  const [found] = await tx
    .select({
      episode: supportEpisodes,
      person: sql<string>`(select preferred_name from person_records where id = ${supportEpisodes.personRecordId})`,
      supporter: sql<string>`(select preferred_name from person_records where id = ${supportEpisodes.supporterRecordId})`,
      programme: programmes.name,
    })
    .from(supportEpisodes)
    .innerJoin(programmes, eq(programmes.id, supportEpisodes.programmeId))
    .where(and(eq(supportEpisodes.communityId, communityId), eq(supportEpisodes.id, episodeId)));
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

/** The episodes an asker sees: all for coordinators, their own people for a supporter, their own for a person. */
export async function listEpisodes(
  tx: CommunityTransaction,
  communityId: string,
  asker: Asker,
  options: { status?: 'active' | 'ended'; limit: number; after?: string },
) {
  if (!asker.staff && !asker.recordId) return [];
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
    from support_episodes e join person_records p on p.id = e.person_record_id join person_records s on s.id = e.supporter_record_id
    where e.community_id = ${communityId}
      ${asker.staff ? sql`` : sql`and (e.supporter_record_id = ${asker.recordId} or e.person_record_id = ${asker.recordId})`}
      ${options.status ? sql`and e.status = ${options.status}` : sql``}
      ${options.after ? sql`and e.id > ${options.after}` : sql``}
    order by e.status, e.id limit ${options.limit}`);
  return rows.rows.map((row) => ({
    ...row,
    planned_end: plannedEnd({ startsOn: row.starts_on, plannedWeeks: row.planned_weeks }),
  }));
}

/** Monday of the week a day falls in. */
export const weekOf = (day: string) => formatISO(startOfISOWeek(parseISO(day)), { representation: 'date' });

/** One change at a time to a supporter's week: a contact logged while the week is sent waits, then sees it sent. */
async function lockWeek(tx: CommunityTransaction, supporterRecordId: string, weekStarting: string) {
  await tx.execute(
    sql`select pg_advisory_xact_lock(hashtextextended(${`week:${supporterRecordId}:${weekStarting}`}, 0))`,
  );
}

async function weekIsLocked(tx: CommunityTransaction, supporterRecordId: string, day: string) {
  await lockWeek(tx, supporterRecordId, weekOf(day));
  const [sheet] = await tx
    .select({ status: timesheets.status })
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, supporterRecordId), eq(timesheets.weekStarting, weekOf(day))));
  return sheet !== undefined && sheet.status !== 'returned';
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
  const [made] = await tx
    .insert(episodeContacts)
    .values({ ...contact, communityId, episodeId, recordedBy: asker.accountId })
    .returning();
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
  const [found] = await tx
    .select()
    .from(episodeContacts)
    .where(and(eq(episodeContacts.communityId, communityId), eq(episodeContacts.id, contactId)));
  if (!found) throw notFound();
  return found;
}
export async function goalById(tx: CommunityTransaction, communityId: string, goalId: string) {
  const [found] = await tx
    .select()
    .from(episodeGoals)
    .where(and(eq(episodeGoals.communityId, communityId), eq(episodeGoals.id, goalId)));
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
  const [changed] = await tx.update(episodeContacts).set(contact).where(eq(episodeContacts.id, contactId)).returning();
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
  const [changed] = await tx
    .update(episodeGoals)
    .set({ text: goal.text })
    .where(eq(episodeGoals.id, goalId))
    .returning();
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
  const sent = await tx
    .select({ week: timesheets.weekStarting })
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, supporterRecordId), sql`${timesheets.status} <> 'returned'`));
  const locked = new Set(sent.map((row) => row.week));
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
  const [made] = await tx
    .insert(episodeGoals)
    .values({ communityId, episodeId, text: goal.text, byPerson: found.role === 'person', addedBy: asker.accountId })
    .returning();
  return made;
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
    const [referral] = found.episode.referralId
      ? await tx.select().from(referrals).where(eq(referrals.id, found.episode.referralId))
      : [];
    const [referrer] = referral?.referrerId
      ? await tx
          .select({ email: people.email, language: people.preferredLanguage })
          .from(people)
          .where(eq(people.id, referral.referrerId))
      : [];
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
  const [ended] = await tx
    .update(supportEpisodes)
    .set({
      status: 'ended',
      endedOn: ukDay(),
      reviewHeldOn: details.reviewHeldOn,
      whatChanged: details.whatChanged,
      whereNext: details.whereNext,
      whereNextNote: details.whereNextNote,
      summaryOutcome: outcome,
    })
    .where(and(eq(supportEpisodes.id, episodeId), eq(supportEpisodes.status, 'active')))
    .returning();
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
    from episode_contacts c join support_episodes e on e.id = c.episode_id join person_records p on p.id = e.person_record_id
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

/** The week's total and whether any episode went over its hours: the rule for flagging a timesheet. */
export function summarise(lines: readonly TimesheetLine[]): { totalMinutes: number; overBudget: boolean } {
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
  await lockWeek(tx, asker.recordId, submission.weekStarting);
  const lines = await weekOfContacts(tx, asker.recordId, submission.weekStarting);
  if (!lines.length) throw invalid([{ field: 'weekStarting', code: 'errors.support.week.nothing' }]);
  const { totalMinutes, overBudget } = summarise(lines);
  const [made] = await tx
    .insert(timesheets)
    .values({
      communityId,
      supporterRecordId: asker.recordId,
      weekStarting: submission.weekStarting,
      totalMinutes,
      overBudget,
      note: submission.note,
    })
    .onConflictDoUpdate({
      target: [timesheets.supporterRecordId, timesheets.weekStarting],
      set: {
        status: 'submitted',
        totalMinutes,
        overBudget,
        note: submission.note,
        submittedAt: sql`now()`,
        decidedAt: null,
        decidedBy: null,
      },
      setWhere: sql`${timesheets.status} = 'returned'`,
    })
    .returning();
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
  const [existing] = await tx
    .select()
    .from(timesheets)
    .where(and(eq(timesheets.supporterRecordId, asker.recordId), eq(timesheets.weekStarting, submission.weekStarting)));
  if (!existing) throw new Error('timesheet vanished');
  return existing;
}

export async function timesheetFor(tx: CommunityTransaction, communityId: string, timesheetId: string, asker: Asker) {
  const [found] = await tx
    .select({
      sheet: timesheets,
      supporter: sql<string>`(select preferred_name from person_records where id = ${timesheets.supporterRecordId})`,
    })
    .from(timesheets)
    .where(and(eq(timesheets.communityId, communityId), eq(timesheets.id, timesheetId)));
  if (!found || (!asker.staff && found.sheet.supporterRecordId !== asker.recordId)) throw notFound();
  return { ...found, lines: await weekOfContacts(tx, found.sheet.supporterRecordId, found.sheet.weekStarting) };
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
  const [approved] = await tx
    .update(timesheets)
    .set({ status: 'approved', decidedAt: sql`now()`, decidedBy: asker.accountId, decisionNote: decision.note })
    .where(and(eq(timesheets.id, timesheetId), eq(timesheets.status, 'submitted')))
    .returning();
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
  const [returned] = await tx
    .update(timesheets)
    .set({ status: 'returned', decidedAt: sql`now()`, decidedBy: asker.accountId, decisionNote: decision.note })
    .where(and(eq(timesheets.id, timesheetId), eq(timesheets.status, 'submitted')))
    .returning();
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
    from timesheets t join person_records r on r.id = t.supporter_record_id
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

/**
 * Every Monday: each peer supporter with weeks of contacts not yet sent is reminded once per
 * week, in their community's first language, by email or text as they agreed.
 */
export async function remindUnsentTimesheets(
  owner: Database,
  publicUrl: string,
  notifyConfigured: boolean,
): Promise<{ reminded: number }> {
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
  let reminded = 0;
  const bySupporter = new Map<string, typeof rows.rows>();
  for (const row of rows.rows)
    bySupporter.set(row.supporter_record_id, [...(bySupporter.get(row.supporter_record_id) ?? []), row]);
  for (const [supporter, weeks] of bySupporter) {
    const first = weeks[0];
    if (!first) continue;
    await inCommunity(owner, { communityId: first.community_id, personId: null }, async (tx) => {
      const fresh = await tx
        .insert(timesheetReminders)
        .values(
          weeks.map((week) => ({
            communityId: week.community_id,
            supporterRecordId: supporter,
            weekStarting: week.week_starting,
          })),
        )
        .onConflictDoNothing()
        .returning({ week: timesheetReminders.weekStarting });
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

/** Approved hours for payroll: one row per supporter and week. */
export async function payrollRows(tx: CommunityTransaction, communityId: string, range: { from: string; to: string }) {
  const rows = await tx.execute<{
    supporter: string;
    supporter_number: number;
    week_starting: string;
    minutes: number;
    approved_by: string | null;
    approved_on: string;
    over_budget: boolean;
    note: string;
  }>(sql`
    select r.preferred_name as supporter, r.number as supporter_number, t.week_starting::text, t.total_minutes as minutes, p.display_name as approved_by,
      (t.decided_at at time zone 'Europe/London')::date::text as approved_on, t.over_budget, t.decision_note as note
    from timesheets t join person_records r on r.id = t.supporter_record_id left join people p on p.id = t.decided_by
    where t.community_id = ${communityId} and t.status = 'approved' and t.week_starting between ${range.from}::date and ${range.to}::date
    order by t.week_starting, lower(r.preferred_name)`);
  return rows.rows;
}

/**
 * Merging two records of one person supported under both: their episodes move to the kept
 * record. Only one can be under way per programme, so where both were, the other one ends,
 * saying why; with the same supporter its goals and contacts join the kept episode. With
 * another supporter they stay on it: contacts are that supporter's paid hours.
 */
async function mergeEpisodes(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
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
async function mergeTimesheets(tx: CommunityTransaction, fromId: string, intoId: string): Promise<void> {
  await tx.execute(sql`update timesheets kept set total_minutes = kept.total_minutes + gone.total_minutes, over_budget = kept.over_budget or gone.over_budget,
      note = concat_ws(E'\n\n', nullif(kept.note, ''), nullif(gone.note, '')), status = 'submitted', decided_at = null, decided_by = null
    from timesheets gone where kept.supporter_record_id = ${intoId} and gone.supporter_record_id = ${fromId} and kept.week_starting = gone.week_starting`);
  await keepingOnePer('timesheets', 'supporter_record_id', ['week_starting'])(tx, fromId, intoId);
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
    merge: mergeEpisodes,
    // Erased: goals, what each contact was and the review's words go; dates, minutes and outcomes stay for payroll and the numbers.
    erase: async (tx, id) => {
      const theirs = sql`(select id from support_episodes where person_record_id = ${id})`;
      await tx.execute(sql`update episode_goals set text = '' where episode_id in ${theirs}`);
      await tx.execute(
        sql`update episode_contacts set what_was_done = '', progress = '' where episode_id in ${theirs}`,
      );
      await tx.execute(
        sql`update support_episodes set what_changed = '', where_next_note = '' where person_record_id = ${id}`,
      );
    },
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
    rows: rowsThrough(
      (record) =>
        sql`select g.text as goal, g.by_person, g.added_at from episode_goals g join support_episodes e on e.id = g.episode_id where e.person_record_id = ${record} order by g.added_at`,
    ),
  },
  {
    table: 'episode_contacts',
    column: 'episode_id',
    points: 'record',
    download: 'rows',
    merge: { keep: 'reached through the episode, which moves' },
    rows: rowsThrough(
      (record) =>
        sql`select c.occurred_on, c.minutes, c.mode, c.what_was_done, c.progress from episode_contacts c join support_episodes e on e.id = c.episode_id where e.person_record_id = ${record} order by c.occurred_on`,
    ),
  },
  { table: 'episode_contacts', column: 'recorded_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'timesheets', column: 'supporter_record_id', points: 'record', download: 'rows', merge: mergeTimesheets },
  { table: 'timesheets', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
];

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
