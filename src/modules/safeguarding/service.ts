// Safeguarding concerns: anyone signed in can raise one; only the community's safeguarding
// leads and admins read them, and every read is recorded.
import { z } from 'zod';
import { readRestricted, record } from '../../platform/audit.ts';
import { optionalText, requiredText } from '../../platform/fields.ts';
import { DomainError, notFound } from '../../platform/http/problems.ts';
import { isLanguage, translator } from '../../platform/i18n.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import type { PersonDataSource } from '../../platform/person-data.ts';
import type { Community, CommunityTransaction, RequestAsker, Role } from '../../platform/tenancy.ts';
import { membersWithRole } from '../communities/service.ts';
import { activeRecord, getPerson, listPeople } from '../people/service.ts';
import type { ConcernStatus, safeguardingConcerns } from './schema.ts';
import * as store from './store.ts';
import { concernStatuses } from './store.ts';

export { concernStatuses };
export type { ConcernStatus };
export type Concern = typeof safeguardingConcerns.$inferSelect;

/** Who reads concerns. */
export const concernReaders: readonly Role[] = ['safeguarding_lead', 'admin'];
export const mayRead = (asker: RequestAsker) => asker.hasRole(...concernReaders);

/**
 * Raised from a person's record, the concern names them: their record, for those who may see it
 * (who run the community's programmes, or read concerns). Anyone else is not told whose it is.
 */
export async function recordRaisedAbout(
  tx: CommunityTransaction,
  communityId: string,
  asker: RequestAsker,
  personRecordId: string,
) {
  if (!asker.runsProgrammes && !mayRead(asker)) return undefined;
  return getPerson(tx, communityId, personRecordId);
}

export const newConcern = z.object({
  about: requiredText('errors.concern.about.missing', 'errors.concern.tooLong', 200),
  whatHappened: requiredText('errors.concern.whatHappened.missing', 'errors.concern.tooLong', 8000),
  whenHappened: optionalText('errors.concern.tooLong', 200),
  dangerNow: z.preprocess(
    (value) => (value === 'yes' ? true : value === 'no' ? false : value),
    z.boolean({ error: 'errors.concern.dangerNow.missing' }),
  ),
  personRecordId: z
    .uuid({ error: 'errors.concern.person' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
});
export const concernAction = z.object({
  note: requiredText('errors.concern.note.missing', 'errors.concern.tooLong', 4000),
  statusTo: z
    .enum(concernStatuses, { error: 'errors.concern.status' })
    .nullish()
    .or(z.literal('').transform(() => null))
    .transform((value) => value ?? null),
});

/** Raises a concern and tells every safeguarding lead that there is one (never what it says). */
export async function raiseConcern(
  tx: CommunityTransaction,
  community: Community,
  raisedBy: string,
  input: z.infer<typeof newConcern>,
  options: { notifyConfigured: boolean; publicUrl: string },
): Promise<Concern> {
  if (input.personRecordId) {
    const known = await store.recordOfCommunity(tx, community.id, input.personRecordId);
    if (!known)
      throw new DomainError('validation-failed', 400, [{ field: 'personRecordId', code: 'errors.concern.person' }]);
  }
  const raised = await store.insertConcern(tx, { ...input, communityId: community.id, raisedBy });
  if (!raised) throw new Error('concern insert returned nothing');
  await record(tx, {
    communityId: community.id,
    actorId: raisedBy,
    action: 'concern.raised',
    subjectType: 'safeguarding_concern',
    subjectId: raised.id,
    detail: { dangerNow: raised.dangerNow },
  });
  const leads = await membersWithRole(tx, community.id, 'safeguarding_lead');
  for (const lead of leads) {
    const t = translator(isLanguage(lead.language) ? lead.language : 'en');
    await enqueue(
      tx,
      {
        communityId: community.id,
        channel: 'email',
        template: 'concern-raised',
        recipient: lead.email,
        subject: t(raised.dangerNow ? 'messages.concernRaised.subjectUrgent' : 'messages.concernRaised.subject', {
          community: community.name,
        }),
        body: t('messages.concernRaised.body', {
          community: community.name,
          link: `${options.publicUrl}/c/${community.slug}/concerns/${raised.id}`,
        }),
      },
      options.notifyConfigured,
    );
  }
  return raised;
}

/** Concerns, open ones first, newest first: a list that names only who they are about. */
export { concernsRaisedCount, overdueAfterDays } from './store.ts';

export async function listConcerns(tx: CommunityTransaction, communityId: string, reader: string) {
  const rows = await store.concernList(tx, communityId);
  await record(tx, {
    communityId,
    actorId: reader,
    action: 'restricted.read',
    subjectType: 'safeguarding_concern',
    subjectId: null,
    reason: 'list of concerns',
    detail: { count: rows.length },
  });
  return rows;
}

export const raiserStates = ['received', 'acted_on', 'closed'] as const;

/**
 * The concerns someone raised, as they may know them: when, and whether the leads received it,
 * acted on it or closed it. Never what was written or done: that stays with the leads.
 */
export async function concernsRaisedBy(tx: CommunityTransaction, communityId: string, accountId: string) {
  const rows = await store.concernsRaisedByRows(tx, communityId, accountId);
  return rows.map((row) => ({
    raisedAt: row.raisedAt,
    state: (row.status === 'closed'
      ? 'closed'
      : row.actions > 0 || row.status === 'actioned'
        ? 'acted_on'
        : 'received') as (typeof raiserStates)[number],
  }));
}

/** How many concerns wait (open or actioned, not closed) and since when the oldest: no content, so no read to record. */
export async function openConcernCounts(tx: CommunityTransaction, communityId: string) {
  const row = await store.waitingConcernCounts(tx, communityId);
  return { waiting: row?.waiting ?? 0, overdue: row?.overdue ?? 0, oldest: row?.oldest ? new Date(row.oldest) : null };
}

/** One concern with its action log; reading it writes an audit row first. */
export async function readConcern(tx: CommunityTransaction, communityId: string, concernId: string, reader: string) {
  return readRestricted(
    tx,
    {
      communityId,
      actorId: reader,
      subjectType: 'safeguarding_concern',
      subjectId: concernId,
      reason: 'safeguarding lead reading a concern',
    },
    async () => {
      const concern = await store.concernWithNames(tx, communityId, concernId);
      if (!concern) throw notFound();
      const actions = await store.actionsOfConcern(tx, concernId);
      return { ...concern, actions };
    },
  );
}

export const personLink = z.object({ personRecordId: z.uuid({ error: 'errors.concern.person' }) });

/** Records the leads may link a concern to: active ones matching a search, by name. */
export async function recordsToLink(tx: CommunityTransaction, communityId: string, search: string) {
  const found = (await listPeople(tx, communityId, { search, limit: 20 })).slice(0, 20);
  return found.map((person) => ({
    id: person.id,
    name: person.listName,
    number: person.number,
    dateOfBirth: person.dateOfBirth,
  }));
}

/**
 * Links a concern to the record of the person it is about (or to another, if the first was
 * wrong); the action log says so, in the words of whoever linked it.
 */
export async function linkPerson(
  tx: CommunityTransaction,
  communityId: string,
  concernId: string,
  actorId: string,
  personRecordId: string,
  logNote: (record: { number: number }) => string,
): Promise<void> {
  const concern = await store.concernLinkForUpdate(tx, communityId, concernId);
  if (!concern) throw notFound();
  const linked = await activeRecord(tx, communityId, personRecordId);
  if (!linked)
    throw new DomainError('validation-failed', 400, [{ field: 'personRecordId', code: 'errors.concern.person' }]);
  if (concern.personRecordId === linked.id) return;
  await store.setConcernPerson(tx, concernId, linked.id);
  await store.insertConcernAction(tx, { communityId, concernId, actorId, note: logNote(linked), statusTo: null });
  await record(tx, {
    communityId,
    actorId,
    action: 'concern.person_linked',
    subjectType: 'safeguarding_concern',
    subjectId: concernId,
  });
}

/** Adds to the action log; a status change goes with a note saying why. */
export async function addAction(
  tx: CommunityTransaction,
  communityId: string,
  concernId: string,
  actorId: string,
  input: z.infer<typeof concernAction>,
): Promise<void> {
  const concern = await store.concernForUpdate(tx, communityId, concernId);
  if (!concern) throw notFound();
  await store.insertConcernAction(tx, {
    communityId,
    concernId,
    actorId,
    note: input.note,
    statusTo: input.statusTo && input.statusTo !== concern.status ? input.statusTo : null,
  });
  await store.touchConcern(tx, concernId, input.statusTo);
  await record(tx, {
    communityId,
    actorId,
    action: 'concern.action',
    subjectType: 'safeguarding_concern',
    subjectId: concernId,
    detail: { statusTo: input.statusTo },
  });
}

/** Concerns are kept when a person is erased (a safeguarding record may be needed later); the download names that they exist only to leads. */
export const personData: PersonDataSource[] = [
  {
    table: 'safeguarding_concerns',
    column: 'person_record_id',
    points: 'record',
    merge: 'move',
    download: {
      excluded: 'safeguarding records are kept for the leads and shared through them, not in a self-service download',
    },
  },
  { table: 'safeguarding_concerns', column: 'raised_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'concern_actions', column: 'actor_id', points: 'account', download: { excluded: 'actor' } },
];
