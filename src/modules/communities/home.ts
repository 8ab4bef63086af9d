// What is waiting for the person on their community's home page, from each part of the
// community they take part in: only what there is, never a promise of what might come.
import { unauthenticated } from '../../platform/http/problems.ts';
import { type CommunityTransaction, type RequestAsker, staffRoles } from '../../platform/tenancy.ts';
import * as timebank from '../timebank/service.ts';
import * as network from '../peer-network/service.ts';
import * as support from '../peer-support/service.ts';
import * as caseload from '../caseload/service.ts';
import * as budgets from '../caseload/budgets.ts';
import { concernsRaisedCount, openConcernCounts, overdueAfterDays } from '../safeguarding/service.ts';
import * as referrals from '../referrals/service.ts';
import { keptCountByStatus } from './service.ts';
import { setupCounts } from './store.ts';

/** What the community's header already knows about the person: the programmes it runs, and whether they are in the hub team. */
export interface HomeFacts {
  programmeKinds: readonly string[];
  inHubTeam: boolean;
}

/**
 * The home page, for the person asking: the roles they hold (and whether any is a staff role),
 * what waits for them, and for those who run the community's programmes, the requests to join
 * and referrals waiting.
 */
export async function homeFor(tx: CommunityTransaction, communityId: string, asker: RequestAsker, facts: HomeFacts) {
  const triage = asker.runsProgrammes;
  return {
    held: asker.roles,
    isStaff: asker.hasRole(...staffRoles),
    counts: triage ? await keptCountByStatus(tx, communityId) : undefined,
    referralCounts: triage ? await referrals.queueCounts(tx, communityId) : undefined,
    // What waits for this person now, from each part of the community they take part in.
    waiting: await waitingFor(tx, communityId, asker, facts),
  };
}

async function waitingFor(tx: CommunityTransaction, communityId: string, asker: RequestAsker, facts: HomeFacts) {
  const accountId = asker.accountId;
  if (!accountId) throw unauthenticated();
  const own = await asker.recordIn(tx);
  const runs = (kind: string) => facts.programmeKinds.includes(kind);

  // The time bank: a balance, and exchanges waiting for this person to confirm.
  const member = own && runs('timebank') ? await timebank.memberOf(tx, communityId, own) : undefined;
  const account = member && own ? await timebank.accountOfPerson(tx, communityId, own) : undefined;
  const toConfirm =
    member && own && account
      ? (await timebank.openExchanges(tx, communityId, { personRecordId: own, status: 'pending', limit: 10 })).filter(
          (exchange) => exchange.recordedFor !== account.id,
        )
      : [];

  // The peer network: the next meetings of their groups; the groups they facilitate.
  let nextMeetings: Awaited<ReturnType<typeof network.upcomingMeetings>> = [];
  let facilitating: {
    id: string;
    name: string;
    nextMeetingId: string | null;
    nextStartsAt: Date | null;
    registerOpen: boolean;
    registerOpensOn: string | null;
  }[] = [];
  if (own && runs('peer_network')) {
    const usual = await network.usualGroupsOf(tx, own);
    nextMeetings = usual.length
      ? (await network.upcomingMeetings(tx, communityId, { groupIds: usual, personRecordId: own, limit: 2 })).filter(
          (meeting) => !meeting.cancelled_at,
        )
      : [];
    if (asker.hasRole('facilitator', 'coordinator', 'admin')) {
      const groups = await network.listGroups(tx, communityId);
      facilitating = groups
        .filter((group) => group.facilitators.some((one) => one.personRecordId === own))
        .map((group) => ({
          id: group.id,
          name: group.name,
          nextMeetingId: group.next_meeting_id,
          nextStartsAt: group.next_starts_at,
          registerOpen: group.next_starts_at ? network.registerIsOpen(group.next_starts_at) : false,
          registerOpensOn: group.next_starts_at ? network.registerOpensOn(group.next_starts_at) : null,
        }));
    }
  }

  // One-to-one peer support: the people a supporter supports and the weeks to send; a person's own support.
  const episodes =
    own && runs('peer_support')
      ? await support.listEpisodes(
          tx,
          communityId,
          { accountId, staff: false, recordId: own },
          { status: 'active', limit: 20 },
        )
      : [];
  const supporting = episodes.filter((episode) => episode.supporter_record_id === own);
  const supported = episodes.filter((episode) => episode.person_record_id === own);
  const weeksToSend = supporting.length && own ? await support.weeksToSubmit(tx, own) : [];

  // The hub: actions the person owns, whether they are in the team, and their own support plan.
  const hubActions = own && runs('hub') ? await caseload.actionsOwnedBy(tx, own) : [];
  const hasPlan = own && runs('hub') ? (await budgets.ownPlan(tx, own)).length > 0 : false;

  // Safeguarding: open concerns, counted (the leads read them on their own page, where each read is recorded).
  const concerns = asker.hasRole('safeguarding_lead') ? await openConcernCounts(tx, communityId) : undefined;

  // A referrer's referrals still under way.
  const referralsUnderWay = asker.hasRole('referrer')
    ? await referrals.referralsUnderWay(tx, communityId, accountId)
    : 0;

  // Whether they raised a concern here: then they can see what became of it.
  const concernsRaised = await concernsRaisedCount(tx, communityId, accountId);
  // Their own referrals still open: where each has got to, and withdrawing one, are a tap away.
  const ownReferralsOpen = own ? await referrals.ownOpenReferrals(tx, communityId, own) : 0;

  // An admin: what is left to do to start, until it is done.
  const setup = asker.hasRole('admin') ? await setupSteps(tx, communityId) : [];

  return {
    timebank: member
      ? { balance: account?.balance ?? 0, onboarded: Boolean(member.onboardedAt), toConfirm }
      : undefined,
    nextMeetings,
    facilitating,
    supporting,
    supported,
    weeksToSend,
    hubActions,
    hub: runs('hub') && (facts.inHubTeam || asker.hasRole('coordinator', 'admin')),
    hasPlan,
    concerns,
    overdueAfterDays,
    referralsUnderWay,
    setup,
    concernsRaised,
    ownReferralsOpen,
  };
}

export type SetupStep = 'programme' | 'kindsOfHelp' | 'joiningSteps' | 'coordinator' | 'referrer';

/**
 * What a new community does before its first exchange, each with whether it is done: a
 * programme; for a time bank, its kinds of help and joining steps; a coordinator and a referrer,
 * in or invited. Empty once everything is done, so the list leaves the admin's home page.
 */
export async function setupSteps(
  tx: CommunityTransaction,
  communityId: string,
): Promise<{ step: SetupStep; done: boolean }[]> {
  const row = await setupCounts(tx, communityId);
  if (!row) return [];
  const steps: { step: SetupStep; done: boolean }[] = [{ step: 'programme', done: row.programme_count > 0 }];
  if (row.timebanks > 0)
    steps.push({ step: 'kindsOfHelp', done: row.kinds > 0 }, { step: 'joiningSteps', done: row.steps > 0 });
  steps.push({ step: 'coordinator', done: row.coordinators > 0 }, { step: 'referrer', done: row.referrers > 0 });
  return steps.every((step) => step.done) ? [] : steps;
}
