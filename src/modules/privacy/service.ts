// People's rights over what is held about them: a copy of everything, and being forgotten.
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { optionalText } from '../../platform/fields.ts';
import { DomainError, notFound } from '../../platform/http/problems.ts';
import { downloadRows, type PersonDataSource } from '../../platform/person-data.ts';
import { type CommunityTransaction, scopeToCommunity } from '../../platform/tenancy.ts';
import * as people_ from '../people/service.ts';
import { recordsInProgrammes } from '../programmes/service.ts';
import { closedReferralsToForget, forgetWhatWasWritten, recordsWithReferralsKept } from '../referrals/service.ts';
import * as store from './store.ts';
import { erasureStatuses } from './store.ts';

export { erasureStatuses };
import type { ErasureRequest } from './store.ts';
export type { ErasureRequest };
export const { waitingRequest } = store;

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
  const person = await people_.getPerson(tx, communityId, personId);
  if (person.status !== 'active') throw new DomainError('person-not-active', 409);
  const made = await store.insertErasureRequest(tx, {
    communityId,
    personRecordId: personId,
    requestedBy: actor.id,
    onBehalf: actor.onBehalf,
    reason,
  });
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
  const waiting = await store.waitingRequest(tx, personId);
  if (!waiting) throw new Error('erasure request vanished');
  return waiting;
}

export async function listErasureRequests(tx: CommunityTransaction, communityId: string) {
  return store.erasureRequestsOf(tx, communityId);
}

export async function getErasureRequest(tx: CommunityTransaction, communityId: string, requestId: string) {
  const found = await store.erasureRequestWithNames(tx, communityId, requestId);
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
  const decided = await store.decideWaitingRequest(tx, communityId, requestId, { approve, adminId, note });
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
  const person = await people_.getPerson(tx, communityId, personId);
  if (person.status === 'erased') return;
  // Records merged into this one hold the same person's details: they are forgotten with it.
  const mergedIn = await people_.recordsMergedInto(tx, communityId, personId);
  for (const one of [person, ...mergedIn]) await people_.blankRecord(tx, one.id, one.number);
  // The messages this community sent them and the invitations it made them (at any of their addresses, the account's too), and copies of API answers about them kept for retries.
  const accountAddress = person.accountId ? await store.accountEmail(tx, person.accountId) : undefined;
  const addresses = [
    ...new Set(
      [person, ...mergedIn]
        .flatMap((one) => [one.email, one.phone])
        .concat(accountAddress ?? null)
        .filter((address): address is string => Boolean(address))
        .map((address) => address.toLowerCase()),
    ),
  ];
  await store.forgetAddresses(tx, communityId, addresses);
  for (const id of [personId, ...mergedIn.map((one) => one.id)]) await store.forgetKeptAnswersAbout(tx, id);
  await people_.markErased(tx, personId);
  // Rows a merge made before every table's rows moved may still point at a merged-in record: they are forgotten too.
  for (const id of [personId, ...mergedIn.map((one) => one.id)]) {
    await people_.forgetEqualityAnswers(tx, id);
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

/** The account leaves this community; if no other community holds it (a membership or a record), it is pseudonymised and signed out everywhere. */
async function forgetAccount(tx: CommunityTransaction, communityId: string, accountId: string): Promise<void> {
  await store.removeMembership(tx, communityId, accountId);
  if ((await store.communitiesElsewhere(tx, accountId, communityId)) > 0) return;
  await store.pseudonymiseAccount(tx, accountId);
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
  const all = await store.retentionOfEveryCommunity(owner);
  let referralCount = 0;
  let peopleCount = 0;
  for (const community of all) {
    const cutoff = new Date(now);
    cutoff.setUTCMonth(cutoff.getUTCMonth() - community.months);
    await owner.transaction(async (tx) => {
      const scoped = await scopeToCommunity(tx, { communityId: community.id, personId: null });
      const old = await closedReferralsToForget(scoped, community.id, cutoff);
      if (old.length === 0) return;
      const ids = old.map((row) => row.id);
      await forgetWhatWasWritten(scoped, ids, now);
      referralCount += ids.length;
      const candidates = [...new Set(old.map((row) => row.personRecordId))];
      // A person with nothing else: no account, no referral still kept, no programme.
      const withoutAccount = await people_.recordsWithoutAccount(scoped, candidates);
      const kept = await recordsWithReferralsKept(scoped, withoutAccount);
      const inProgrammes = await recordsInProgrammes(scoped, withoutAccount);
      const lonely = withoutAccount.filter((id) => !kept.has(id) && !inProgrammes.has(id)).map((id) => ({ id }));
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
    erase: store.forgetRequestReasons,
    // One request waits per person: a second one, from the merged-in record, is closed as merged.
    merge: store.moveRequests,
  },
  { table: 'erasure_requests', column: 'requested_by', points: 'account', download: { excluded: 'actor' } },
  { table: 'erasure_requests', column: 'decided_by', points: 'account', download: { excluded: 'actor' } },
];
