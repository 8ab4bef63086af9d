// People's rights over what is held about them: a copy of everything, and being forgotten.
import { and, asc, eq, inArray, isNull, lt, ne, notExists, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { apiTokens, emailVerifications, memberships, people, sessions } from '../../platform/db/schema.ts';
import { optionalText } from '../../platform/fields.ts';
import { DomainError, notFound } from '../../platform/http/problems.ts';
import { downloadRows, type PersonDataSource } from '../../platform/person-data.ts';
import { type CommunityTransaction, scopeToCommunity } from '../../platform/tenancy.ts';
import { equalityMonitoring, personRecords } from '../people/schema.ts';
import { getPerson } from '../people/service.ts';
import { programmeMembers } from '../programmes/schema.ts';
import { referrals } from '../referrals/schema.ts';
import { forgetWhatWasWritten } from '../referrals/service.ts';
import { erasureRequests, erasureStatuses } from './schema.ts';

export { erasureStatuses };
export type ErasureRequest = typeof erasureRequests.$inferSelect;

export const erasureAsk = z.object({ reason: optionalText('errors.erasure.reason.tooLong', 2000) });
export const erasureDecision = z.object({ note: optionalText('errors.erasure.note.tooLong', 2000) });

/** Everything held about a person in this community, and about their account, table by table. */
export async function everythingAbout(
  tx: CommunityTransaction,
  sources: readonly PersonDataSource[],
  person: { id: string; accountId: string | null },
  options: { own: boolean },
) {
  const sections = await downloadRows(tx, sources, { record: person.id, account: person.accountId }, options);
  return sections.filter((section) => section.rows.length > 0);
}

/** Asks for the person to be forgotten; asking again while a request waits finds that request. */
export async function requestErasure(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
  actor: { id: string; onBehalf: boolean },
  reason: string,
): Promise<ErasureRequest> {
  const person = await getPerson(tx, communityId, personId);
  if (person.status !== 'active') throw new DomainError('person-not-active', 409);
  const [made] = await tx
    .insert(erasureRequests)
    .values({ communityId, personRecordId: personId, requestedBy: actor.id, onBehalf: actor.onBehalf, reason })
    .onConflictDoNothing()
    .returning();
  if (made) {
    await record(tx, {
      communityId,
      actorId: actor.id,
      action: 'erasure.requested',
      subjectType: 'person',
      subjectId: personId,
      detail: { onBehalf: actor.onBehalf },
    });
    return made;
  }
  const [waiting] = await tx
    .select()
    .from(erasureRequests)
    .where(and(eq(erasureRequests.personRecordId, personId), eq(erasureRequests.status, 'requested')));
  if (!waiting) throw new Error('erasure request vanished');
  return waiting;
}

export async function waitingRequest(tx: CommunityTransaction, personId: string) {
  const [waiting] = await tx
    .select()
    .from(erasureRequests)
    .where(and(eq(erasureRequests.personRecordId, personId), eq(erasureRequests.status, 'requested')));
  return waiting;
}

/** Requests with whom they are about and who recorded them. */
function requestsWithNames(tx: CommunityTransaction, ...conditions: SQL[]) {
  return tx
    .select({
      request: erasureRequests,
      number: personRecords.number,
      preferredName: personRecords.preferredName,
      requestedByName: people.displayName,
    })
    .from(erasureRequests)
    .innerJoin(personRecords, eq(personRecords.id, erasureRequests.personRecordId))
    .leftJoin(people, eq(people.id, erasureRequests.requestedBy))
    .where(and(...conditions));
}

export async function listErasureRequests(tx: CommunityTransaction, communityId: string) {
  return requestsWithNames(tx, eq(erasureRequests.communityId, communityId))
    .orderBy(sql`${erasureRequests.status} = 'requested' desc`, asc(erasureRequests.createdAt))
    .limit(200);
}

export async function getErasureRequest(tx: CommunityTransaction, communityId: string, requestId: string) {
  const [found] = await requestsWithNames(
    tx,
    eq(erasureRequests.communityId, communityId),
    eq(erasureRequests.id, requestId),
  );
  if (!found) throw notFound();
  return found;
}

/** An admin decides a waiting request; approving it forgets the person at once. */
export async function decideErasure(
  tx: CommunityTransaction,
  communityId: string,
  requestId: string,
  adminId: string,
  approve: boolean,
  note: string,
  sources: readonly PersonDataSource[],
): Promise<ErasureRequest> {
  const [decided] = await tx
    .update(erasureRequests)
    .set({ status: approve ? 'approved' : 'declined', decidedBy: adminId, decidedAt: new Date(), decisionNote: note })
    .where(
      and(
        eq(erasureRequests.communityId, communityId),
        eq(erasureRequests.id, requestId),
        eq(erasureRequests.status, 'requested'),
      ),
    )
    .returning();
  if (!decided) {
    await getErasureRequest(tx, communityId, requestId);
    throw new DomainError('erasure-decided', 409);
  }
  await record(tx, {
    communityId,
    actorId: adminId,
    action: approve ? 'erasure.approved' : 'erasure.declined',
    subjectType: 'person',
    subjectId: decided.personRecordId,
    reason: note || null,
  });
  if (approve) await erasePerson(tx, communityId, decided.personRecordId, sources, adminId);
  return decided;
}

/** What an erased record keeps: its number, under a name that says nothing. */
export const formerName = (number: number) => `Former member ${number}`;

/**
 * Forgets a person in this community: names, contact and everything written about them go;
 * records others depend on (referrals' dates and outcomes, the ledger, attendance) stay,
 * pointing at "Former member 123". Their account goes too if no other community holds it.
 */
export async function erasePerson(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
  sources: readonly PersonDataSource[],
  actorId: string | null,
): Promise<void> {
  const person = await getPerson(tx, communityId, personId);
  if (person.status === 'erased') return;
  // Records merged into this one hold the same person's details: they are forgotten with it.
  const mergedIn = await tx
    .select({
      id: personRecords.id,
      number: personRecords.number,
      email: personRecords.email,
      phone: personRecords.phone,
    })
    .from(personRecords)
    .where(and(eq(personRecords.communityId, communityId), eq(personRecords.mergedIntoId, personId)));
  for (const record_ of [person, ...mergedIn]) {
    await tx
      .update(personRecords)
      .set({ ...forgotten, preferredName: formerName(record_.number), erasedAt: new Date(), updatedAt: new Date() })
      .where(eq(personRecords.id, record_.id));
  }
  // The messages this community sent them and the invitations it made them (at any of their addresses, the account's too), and copies of API answers about them kept for retries.
  const [account] = person.accountId
    ? await tx.select({ email: people.email }).from(people).where(eq(people.id, person.accountId))
    : [];
  const addresses = [
    ...new Set(
      [person, ...mergedIn]
        .flatMap((one) => [one.email, one.phone])
        .concat(account?.email ?? null)
        .filter((address): address is string => Boolean(address))
        .map((address) => address.toLowerCase()),
    ),
  ];
  if (addresses.length) {
    await tx.execute(
      sql`update outbox set recipient = 'forgotten', subject = '', body = '' where community_id = ${communityId} and lower(recipient) in ${addresses}`,
    );
    await tx.execute(
      sql`update invitations set email = 'forgotten@erased.invalid' where community_id = ${communityId} and lower(email) in ${addresses}`,
    );
  }
  for (const id of [personId, ...mergedIn.map((one) => one.id)])
    await tx.execute(sql`delete from idempotency_records where response_body::text like ${`%${id}%`}`);
  await tx.update(personRecords).set({ status: 'erased' }).where(eq(personRecords.id, personId));
  // Rows a merge made before every table's rows moved may still point at a merged-in record: they are forgotten too.
  for (const id of [personId, ...mergedIn.map((one) => one.id)]) {
    await tx.delete(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, id));
    for (const source of sources) if (source.points === 'record' && source.erase) await source.erase(tx, id);
  }
  if (person.accountId) await forgetAccount(tx, communityId, person.accountId);
  await record(tx, {
    communityId,
    actorId,
    action: 'person.erased',
    subjectType: 'person',
    subjectId: personId,
    detail: { number: person.number, mergedIn: mergedIn.length },
  });
}

/** Every field of a record that says who someone is or what they told us. */
const forgotten = {
  fullName: '',
  pronouns: '',
  dateOfBirth: null,
  nhsNumber: null,
  email: null,
  phone: null,
  phoneKey: null,
  address: '',
  postcode: null,
  contactMethod: null,
  contactTimes: '',
  messageSafe: null,
  communicationNeeds: [],
  interpreterLanguage: '',
  communicationOther: '',
  emergencyContactName: '',
  emergencyContactPhone: '',
  emergencyContactRelationship: '',
  gpPractice: '',
  skillsAndInterests: '',
  livedExperience: '',
  availability: '',
  accountId: null,
} satisfies Partial<typeof personRecords.$inferInsert>;

/** The account leaves this community; if no other community holds it (a membership or a record), it is pseudonymised and signed out everywhere. */
async function forgetAccount(tx: CommunityTransaction, communityId: string, accountId: string): Promise<void> {
  await tx
    .update(memberships)
    .set({ status: 'removed', roles: [], decidedAt: new Date() })
    .where(and(eq(memberships.communityId, communityId), eq(memberships.personId, accountId)));
  // Memberships elsewhere are not visible here (row-level security): ask the account's own view of them.
  const [elsewhere] = await tx
    .execute<{ count: number }>(
      sql`select count(*)::int as count from account_held_elsewhere(${accountId}, ${communityId})`,
    )
    .then((result) => result.rows);
  if ((elsewhere?.count ?? 0) > 0) return;
  const [account] = await tx.select({ email: people.email }).from(people).where(eq(people.id, accountId));
  await tx
    .update(people)
    .set({
      email: `erased-${accountId}@erased.invalid`,
      displayName: 'Former member',
      passwordHash: null,
      totpSecret: null,
      totpEnabledAt: null,
      erasedAt: new Date(),
    })
    .where(eq(people.id, accountId));
  if (account) await tx.execute(sql`select forget_platform_messages(${account.email})`);
  await tx.delete(sessions).where(eq(sessions.personId, accountId));
  // Links sent to confirm the address hold the address itself.
  await tx.delete(emailVerifications).where(eq(emailVerifications.personId, accountId));
  await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.personId, accountId), isNull(apiTokens.revokedAt)));
}

/**
 * The scheduled clean-up: declined and withdrawn referrals older than each community's
 * retention lose what was written about the person; a person with nothing else (no open or
 * accepted referral, no programme, no account) is forgotten. Runs as the owner, across
 * communities, one community at a time.
 */
export async function pseudonymiseOldReferrals(
  owner: Database,
  sources: readonly PersonDataSource[],
  now = new Date(),
): Promise<{ referrals: number; people: number }> {
  const { communities } = await import('../../platform/db/schema.ts');
  const all = await owner.select({ id: communities.id, months: communities.referralRetentionMonths }).from(communities);
  let referralCount = 0;
  let peopleCount = 0;
  for (const community of all) {
    const cutoff = new Date(now);
    cutoff.setUTCMonth(cutoff.getUTCMonth() - community.months);
    await owner.transaction(async (tx) => {
      const scoped = await scopeToCommunity(tx, { communityId: community.id, personId: null });
      const old = await scoped
        .select({ id: referrals.id, personRecordId: referrals.personRecordId })
        .from(referrals)
        .where(
          and(
            eq(referrals.communityId, community.id),
            inArray(referrals.status, ['declined', 'withdrawn']),
            lt(referrals.statusChangedAt, cutoff),
            isNull(referrals.pseudonymisedAt),
          ),
        );
      if (old.length === 0) return;
      const ids = old.map((row) => row.id);
      await forgetWhatWasWritten(scoped, ids, now);
      referralCount += ids.length;
      const candidates = [...new Set(old.map((row) => row.personRecordId))];
      const lonely = await scoped
        .select({ id: personRecords.id })
        .from(personRecords)
        .where(
          and(
            inArray(personRecords.id, candidates),
            eq(personRecords.status, 'active'),
            isNull(personRecords.accountId),
            notExists(
              scoped
                .select({ one: sql`1` })
                .from(referrals)
                .where(
                  and(
                    eq(referrals.personRecordId, personRecords.id),
                    ne(referrals.status, 'declined'),
                    ne(referrals.status, 'withdrawn'),
                  ),
                ),
            ),
            notExists(
              scoped
                .select({ one: sql`1` })
                .from(referrals)
                .where(and(eq(referrals.personRecordId, personRecords.id), isNull(referrals.pseudonymisedAt))),
            ),
            notExists(
              scoped
                .select({ one: sql`1` })
                .from(programmeMembers)
                .where(eq(programmeMembers.personRecordId, personRecords.id)),
            ),
          ),
        );
      for (const person of lonely) await erasePerson(scoped, community.id, person.id, sources, null);
      peopleCount += lonely.length;
      await record(scoped, {
        communityId: community.id,
        actorId: null,
        action: 'job.pseudonymise-referrals',
        subjectType: 'job',
        subjectId: 'pseudonymise-referrals',
        detail: { referrals: ids.length, people: lonely.length },
      });
    });
  }
  return { referrals: referralCount, people: peopleCount };
}

export const personData: PersonDataSource[] = [
  {
    table: 'erasure_requests',
    column: 'person_record_id',
    points: 'record',
    download: 'rows',
    // What they wrote when asking goes with everything else.
    erase: async (tx, personRecordId) => {
      await tx.update(erasureRequests).set({ reason: '' }).where(eq(erasureRequests.personRecordId, personRecordId));
    },
    // One request waits per person: a second one, from the merged-in record, is closed as merged.
    merge: async (tx, fromId, intoId) => {
      const kept = await waitingRequest(tx, intoId);
      if (kept)
        await tx
          .update(erasureRequests)
          .set({ status: 'declined', decidedAt: new Date(), decisionNote: 'Merged into another record’s request' })
          .where(and(eq(erasureRequests.personRecordId, fromId), eq(erasureRequests.status, 'requested')));
      await tx
        .update(erasureRequests)
        .set({ personRecordId: intoId })
        .where(eq(erasureRequests.personRecordId, fromId));
    },
  },
  { table: 'erasure_requests', column: 'requested_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'erasure_requests', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
];
