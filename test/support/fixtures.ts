import type { Database } from '../../src/platform/db/index.ts';
import { invitations, accounts } from '../../src/platform/db/schema.ts';
import { programmes } from '../../src/modules/programmes/schema.ts';
import { personRecords } from '../../src/modules/people/schema.ts';
import { referralProgrammes, referrals } from '../../src/modules/referrals/schema.ts';
import { safeguardingConcerns } from '../../src/modules/safeguarding/schema.ts';
import { erasureRequests } from '../../src/modules/privacy/schema.ts';
import { eq, sql } from 'drizzle-orm';
import { hashPassword } from '../../src/platform/auth/secrets.ts';
import { roles, type Role } from '../../src/platform/tenancy.ts';
import { generateCommunity } from '../../src/demo/generate.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';
import { joinTimebank, listSteps, recordExchange, saveCategory } from '../../src/modules/timebank/service.ts';
import { createPost, respondToPost } from '../../src/modules/timebank/posts.ts';
import { savePlan } from '../../src/modules/peer-network/crisis-plans.ts';
import * as network from '../../src/modules/peer-network/service.ts';
import * as support from '../../src/modules/peer-support/service.ts';
import * as caseload from '../../src/modules/caseload/service.ts';
import * as budgets from '../../src/modules/caseload/budgets.ts';
import { peerMeetings } from '../../src/modules/peer-network/schema.ts';

export const fixturePassword = 'fixture-password-1';

/** Two-step sign-in keys (base32) of the fixture's accounts that have it: every platform admin must. */
export const fixtureTwoStepKeys: Record<string, string> = {
  'platform@fixture.test': 'FIXTUREPLATFORMADMINTWOSTEPKEYAA',
};

export interface Fixture {
  alpha: { id: string; slug: string };
  beta: { id: string; slug: string };
  /** A programme of alpha's. */
  alphaProgrammeId: string;
  /** Two of alpha's person records, likely the same person (same phone number). */
  alphaPersonId: string;
  alphaOtherPersonId: string;
  /** A referral the alpha referrer made for alpha's first person. */
  alphaReferralId: string;
  /** A safeguarding concern about alpha's first person. */
  alphaConcernId: string;
  /** A waiting request that alpha forget its second person. */
  alphaErasureRequestId: string;
  /** Alpha's time bank: its first onboarding step, a category, its member (the member account's record), and an exchange waiting for Ada to confirm. */
  alphaStepId: string;
  alphaCategoryId: string;
  alphaTimebankMemberId: string;
  alphaExchangeId: string;
  /** A request of Ada's (posted by a coordinator), answered by the alpha member. */
  alphaPostId: string;
  alphaResponseId: string;
  /** Alpha's peer network: its programme, a weekly group the alpha facilitator facilitates, last week's meeting, the current ground rules. The alpha member is in the network and shows their crisis plan to the facilitator. */
  alphaNetworkId: string;
  alphaGroupId: string;
  alphaMeetingId: string;
  alphaRulesId: string;
  /** Alpha's one-to-one peer support: the alpha peer supporter supports Ada (started three weeks ago, a contact last week), and last week's timesheet waits for approval. */
  alphaSupportProgrammeId: string;
  alphaEpisodeId: string;
  alphaTimesheetId: string;
  /** Last week's contact (its week sent, so it cannot change) and the episode's first goal (agreed by the coordinator). */
  alphaContactId: string;
  alphaGoalId: string;
  /** Alpha's hub: a team (the partner as clinician, the coordinator, the peer supporter), Ada and Ada King on the caseload, a risk flag on Ada, today's review meeting, and an action for the peer supporter about Ada. */
  alphaHubId: string;
  alphaEntryId: string;
  alphaOtherEntryId: string;
  alphaFlagId: string;
  alphaReviewMeetingId: string;
  alphaActionId: string;
  /** Ada's personal budget (£200, nothing spent) and a spend of £50 the clinician asked for, waiting for approval. */
  alphaBudgetId: string;
  alphaSpendId: string;
  /** A goal of Ada's plan, and £30 of her budget planned for it. */
  alphaPlanGoalId: string;
  alphaPlannedId: string;
  /** An invitation to the alpha community nobody has accepted. */
  alphaInvitationId: string;
  /** The email of the alpha person holding only this role. */
  emailFor: (role: Role) => string;
  otherCommunityMember: string;
  platformAdmin: string;
  noMembership: string;
}

let passwordHash: Promise<string> | undefined;

/**
 * Two communities: `alpha` with one person for each role, and `beta` with its own member;
 * a platform admin and a person in no community.
 */
export async function seedFixture(owner: Database): Promise<Fixture> {
  passwordHash ??= hashPassword(fixturePassword);
  const hash = await passwordHash;
  const emailFor = (role: Role) => `${role.replace('_', '-')}@alpha.test`;
  const alpha = await generateCommunity(
    owner,
    {
      slug: 'alpha',
      name: 'Alpha Time Bank',
      description: 'A test community.',
      contactEmail: 'hello@alpha.test',
      people: 5,
      waiting: 2,
      accounts: roles.map((role) => ({ email: emailFor(role), displayName: `Alpha ${role}`, roles: [role] })),
    },
    11,
    hash,
  );
  const beta = await generateCommunity(
    owner,
    {
      slug: 'beta',
      name: 'Beta Peer Network',
      description: 'Another test community.',
      contactEmail: 'hello@beta.test',
      people: 3,
      waiting: 1,
      accounts: [
        { email: 'member@beta.test', displayName: 'Beta Member', roles: ['member'] },
        { email: 'admin@beta.test', displayName: 'Beta Admin', roles: ['admin', 'member'] },
      ],
    },
    12,
    hash,
  );
  await owner.insert(accounts).values([
    {
      email: 'platform@fixture.test',
      displayName: 'Platform Admin',
      passwordHash: hash,
      isPlatformAdmin: true,
      totpSecret: fixtureTwoStepKeys['platform@fixture.test'],
      totpEnabledAt: new Date(),
      emailVerifiedAt: new Date(),
    },
    { email: 'nobody@fixture.test', displayName: 'In No Community', passwordHash: hash, emailVerifiedAt: new Date() },
  ]);
  const [programme] = await owner
    .insert(programmes)
    .values({
      communityId: alpha.id,
      name: 'Alpha Time Bank',
      kind: 'timebank',
      whoFor: 'Neighbours near the surgery',
      howToJoin: 'Ask your GP',
    })
    .returning({ id: programmes.id });
  if (!programme) throw new Error('no programme');
  const [person, other] = await owner
    .insert(personRecords)
    .values([
      {
        communityId: alpha.id,
        preferredName: 'Ada Lovelace',
        fullName: 'Augusta Ada King',
        phone: '07700 900123',
        phoneKey: '07700900123',
        dateOfBirth: '1950-12-10',
      },
      { communityId: alpha.id, preferredName: 'Ada King', phone: '+44 7700 900123', phoneKey: '07700900123' },
    ])
    .returning({ id: personRecords.id });
  if (!person || !other) throw new Error('no person records');
  const [referrer] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('referrer')));
  const [referral] = await owner
    .insert(referrals)
    .values({
      communityId: alpha.id,
      reference: 'ALPH-2345',
      personRecordId: person.id,
      source: 'professional',
      referrerId: referrer?.id,
      referrerOrganisation: 'Alpha Surgery',
      reason: 'Lonely since moving',
      contactDueOn: '2026-01-05',
    })
    .returning({ id: referrals.id });
  if (!referral) throw new Error('no referral');
  await owner
    .insert(referralProgrammes)
    .values({ referralId: referral.id, programmeId: programme.id, communityId: alpha.id });
  const [concern] = await owner
    .insert(safeguardingConcerns)
    .values({
      communityId: alpha.id,
      personRecordId: person.id,
      about: 'Ada Lovelace',
      whatHappened: 'Seemed frightened of a visitor at the group.',
      dangerNow: false,
    })
    .returning({ id: safeguardingConcerns.id });
  const [erasure] = await owner
    .insert(erasureRequests)
    .values({ communityId: alpha.id, personRecordId: other.id, reason: 'Moving away' })
    .returning({ id: erasureRequests.id });
  if (!concern || !erasure) throw new Error('no concern or erasure request');
  const [memberAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('member')));
  const timebank = await inCommunity(owner, { communityId: alpha.id, personId: null }, async (tx) => {
    const [own] = await tx
      .insert(personRecords)
      .values({
        communityId: alpha.id,
        preferredName: 'Alpha member',
        accountId: memberAccount?.id,
        email: emailFor('member'),
      })
      .returning({ id: personRecords.id });
    if (!own) throw new Error('no member record');
    for (const id of [own.id, person.id])
      await joinTimebank(tx, {
        communityId: alpha.id,
        personRecordId: id,
        cameFrom: 'coordinator',
        actorId: null,
        onboarded: true,
      });
    const category = await saveCategory(tx, alpha.id, memberAccount?.id ?? '', {
      name: 'Gardening',
      checkLevel: 'none',
      homeVisit: false,
      archived: false,
    });
    const [step] = await listSteps(tx, alpha.id);
    const exchange = await recordExchange(
      tx,
      {
        communityId: alpha.id,
        actor: { id: memberAccount?.id ?? '', staff: false },
        actorRecordId: own.id,
        notifyConfigured: false,
        publicUrl: 'http://localhost',
        communitySlug: 'alpha',
      },
      {
        giver: own.id,
        receiver: person.id,
        minutes: 60,
        occurredOn: new Date().toISOString().slice(0, 10),
        categoryId: category.id,
        note: 'Weeding',
        confirmNow: false,
      },
    );
    const [coordinatorAccount] = await tx
      .select({ id: accounts.id })
      .from(accounts)
      .where(eq(accounts.email, emailFor('coordinator')));
    const asCoordinator = {
      communityId: alpha.id,
      actor: { id: coordinatorAccount?.id ?? '', staff: true },
      actorRecordId: null,
      notifyConfigured: false,
      publicUrl: 'http://localhost',
      communitySlug: 'alpha',
    };
    const post = await createPost(tx, asCoordinator, {
      kind: 'request',
      title: 'Help with my garden',
      description: '',
      categoryId: category.id,
      place: 'home',
      neighbourhood: '',
      whenAvailable: '',
      forGroups: false,
      endsOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
      forPersonId: person.id,
    });
    const response = await respondToPost(
      tx,
      { ...asCoordinator, actor: { id: memberAccount?.id ?? '', staff: false }, actorRecordId: own.id },
      post.id,
      { message: 'I can help on Saturday' },
    );
    return {
      memberId: own.id,
      categoryId: category.id,
      stepId: step?.id ?? '',
      exchangeId: exchange.id,
      postId: post.id,
      responseId: response.id,
    };
  });
  const [facilitatorAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('facilitator')));
  const [networkProgramme] = await owner
    .insert(programmes)
    .values({
      communityId: alpha.id,
      name: 'Alpha Peer Network',
      kind: 'peer_network',
      whoFor: 'Anyone who would like support from people who have been there',
      howToJoin: 'Join yourself',
    })
    .returning({ id: programmes.id });
  if (!networkProgramme) throw new Error('no network programme');
  const peer = await inCommunity(owner, { communityId: alpha.id, personId: null }, async (tx) => {
    const [facilitator] = await tx
      .insert(personRecords)
      .values({
        communityId: alpha.id,
        preferredName: 'Alpha facilitator',
        accountId: facilitatorAccount?.id,
        email: emailFor('facilitator'),
      })
      .returning({ id: personRecords.id });
    if (!facilitator) throw new Error('no facilitator record');
    const group = await network.createGroup(tx, alpha.id, facilitatorAccount?.id ?? '', networkProgramme.id, {
      name: 'Tuesday group',
      weekday: 2,
      startsAt: '18:00',
      durationMinutes: 90,
      venue: 'Alpha Hall',
      accessDetails: '',
      onlineLink: '',
      capacity: null,
      facilitatorIds: [facilitator.id],
    });
    await network.scheduleMeetings(tx, group.id, 1, new Date(Date.now() - 14 * 86_400_000).toISOString().slice(0, 10));
    const [past] = await tx
      .select({ id: peerMeetings.id })
      .from(peerMeetings)
      .where(sql`${peerMeetings.groupId} = ${group.id} and ${peerMeetings.startsAt} < now() - interval '1 day'`)
      .orderBy(sql`${peerMeetings.startsAt} desc`)
      .limit(1);
    if (!past) throw new Error('no past meeting');
    await network.joinNetwork(tx, {
      communityId: alpha.id,
      programmeId: networkProgramme.id,
      personRecordId: timebank.memberId,
      cameBy: 'self',
      actorId: null,
    });
    await network.setUsualGroup(tx, alpha.id, group.id, timebank.memberId, true);
    const proposed = await network.proposeRules(
      tx,
      alpha.id,
      facilitatorAccount?.id ?? '',
      networkProgramme.id,
      null,
      { body: 'Be kind. What is said here stays here.', changeNote: 'The first ground rules' },
      { guide: true },
    );
    await network.adoptRules(tx, alpha.id, facilitatorAccount?.id ?? '', proposed.id);
    await savePlan(tx, alpha.id, memberAccount?.id ?? '', timebank.memberId, {
      warningSigns: 'I stop sleeping',
      whatHelps: 'A walk with a friend',
      whatDoesNotHelp: '',
      whoToContact: 'My brother',
      writtenWith: '',
      facilitatorIds: [facilitator.id],
      groupIds: [],
    });
    return { groupId: group.id, meetingId: past.id, rulesId: proposed.id };
  });
  const [supporterAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('peer_supporter')));
  const [coordinatorAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('coordinator')));
  const [supportProgramme] = await owner
    .insert(programmes)
    .values({
      communityId: alpha.id,
      name: 'Alpha Peer Support',
      kind: 'peer_support',
      whoFor: 'People the hub refers',
      howToJoin: 'Your hub worker refers you',
    })
    .returning({ id: programmes.id });
  if (!supportProgramme) throw new Error('no support programme');
  const oneToOne = await inCommunity(owner, { communityId: alpha.id, personId: null }, async (tx) => {
    const [supporter] = await tx
      .insert(personRecords)
      .values({
        communityId: alpha.id,
        preferredName: 'Alpha peer supporter',
        accountId: supporterAccount?.id,
        email: emailFor('peer_supporter'),
      })
      .returning({ id: personRecords.id });
    if (!supporter) throw new Error('no supporter record');
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const lastMonday = support.weekOf(day(7));
    const episode = await support.startEpisode(tx, alpha.id, coordinatorAccount?.id ?? '', {
      programmeId: supportProgramme.id,
      personRecordId: person.id,
      supporterRecordId: supporter.id,
      startsOn: day(21),
      goals: ['Get back to the allotment'],
    });
    const asker = { accountId: supporterAccount?.id ?? '', staff: false, recordId: supporter.id };
    const contact = await support.logContact(tx, alpha.id, episode.id, asker, {
      occurredOn: lastMonday,
      minutes: 90,
      mode: 'in_person',
      whatWasDone: 'Walked to the allotment together',
      progress: '',
    });
    const sheet = await support.submitTimesheet(tx, alpha.id, asker, { weekStarting: lastMonday, note: '' });
    const [goal] = await support.goalsOf(tx, episode.id);
    return { episodeId: episode.id, timesheetId: sheet.id, contactId: contact.id, goalId: goal?.id ?? '' };
  });
  const [partnerAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('partner')));
  const [hubProgramme] = await owner
    .insert(programmes)
    .values({
      communityId: alpha.id,
      name: 'Alpha Hub',
      kind: 'hub',
      whoFor: 'People the practice refers for extra support',
      howToJoin: 'Your GP refers you',
    })
    .returning({ id: programmes.id });
  if (!hubProgramme) throw new Error('no hub programme');
  const hubbed = await inCommunity(owner, { communityId: alpha.id, personId: null }, async (tx) => {
    const hub = await caseload.hubOf(tx, alpha.id);
    const [clinician, coordinatorRecord] = await tx
      .insert(personRecords)
      .values([
        {
          communityId: alpha.id,
          preferredName: 'Alpha clinician',
          accountId: partnerAccount?.id,
          email: emailFor('partner'),
        },
        {
          communityId: alpha.id,
          preferredName: 'Alpha coordinator',
          accountId: coordinatorAccount?.id,
          email: emailFor('coordinator'),
        },
      ])
      .returning({ id: personRecords.id });
    const [supporter] = await tx
      .select({ id: personRecords.id })
      .from(personRecords)
      .where(eq(personRecords.accountId, supporterAccount?.id ?? ''));
    const actor = coordinatorAccount?.id ?? '';
    for (const [record, teamRole] of [
      [clinician?.id, 'clinician'],
      [coordinatorRecord?.id, 'coordinator'],
      [supporter?.id, 'peer_supporter'],
    ] as const) {
      await caseload.addTeamMember(tx, alpha.id, hub, actor, { personRecordId: record ?? '', teamRole });
    }
    const entry = await caseload.addToCaseload(tx, alpha.id, hub.id, person.id, null, actor);
    const otherEntry = await caseload.addToCaseload(tx, alpha.id, hub.id, other.id, null, actor);
    const asker = await caseload.teamAsker(tx, hub, {
      accountId: actor,
      recordId: coordinatorRecord?.id ?? null,
      roles: ['coordinator'],
    });
    const flag = await caseload.raiseRisk(tx, alpha.id, entry.id, asker, {
      detail: 'History of self-harm when letters from the council arrive',
      agreedApproach: 'Visits in pairs at first; call before arriving',
      reviewOn: new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10),
    });
    const meeting = await caseload.startMeeting(tx, alpha.id, hub, asker);
    const action = await caseload.createAction(tx, alpha.id, hub, entry.id, asker, {
      description: 'Walk with Ada to the housing office',
      ownerRecordId: supporter?.id ?? '',
      dueOn: new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10),
    });
    const budget = await budgets.createBudget(tx, alpha.id, entry.id, asker, {
      source: 'Alpha personal health budget',
      allocatedPence: 20_000,
    });
    // The clinician asks for the spend; the coordinator decides it (nobody approves their own).
    const clinicianAsker = await caseload.teamAsker(tx, hub, {
      accountId: partnerAccount?.id ?? '',
      recordId: clinician?.id ?? null,
      roles: ['partner'],
    });
    const spend = await budgets.requestSpend(tx, alpha.id, budget.id, clinicianAsker, {
      description: 'Swimming pass',
      amountPence: 5_000,
      spentOn: new Date().toISOString().slice(0, 10),
      receipt: '',
    });
    const planGoal = await budgets.addPlanGoal(tx, alpha.id, entry.id, asker, {
      goal: 'Feel at home in the water',
      steps: '',
      whoDoesWhat: '',
    });
    const planned = await budgets.addPlanned(tx, alpha.id, budget.id, asker, {
      description: 'Swimming lessons',
      amountPence: 3_000,
      planGoalId: planGoal?.id,
    });
    return {
      planGoalId: planGoal?.id ?? '',
      plannedId: planned?.id ?? '',
      budgetId: budget.id,
      spendId: spend?.id ?? '',
      hubId: hub.id,
      entryId: entry.id,
      otherEntryId: otherEntry.id,
      flagId: flag.id,
      meetingId: meeting.id,
      actionId: action.id,
    };
  });
  const [adminAccount] = await owner
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, emailFor('admin')));
  const [waitingInvitation] = await owner
    .insert(invitations)
    .values({
      communityId: alpha.id,
      email: 'waiting.invitee@alpha.test',
      roles: ['member'],
      tokenHash: 'fixture-invitation-not-a-real-hash',
      invitedBy: adminAccount?.id ?? '',
      expiresAt: new Date(Date.now() + 14 * 86_400_000),
    })
    .returning({ id: invitations.id });
  return {
    alphaInvitationId: waitingInvitation?.id ?? '',
    alphaHubId: hubbed.hubId,
    alphaEntryId: hubbed.entryId,
    alphaOtherEntryId: hubbed.otherEntryId,
    alphaFlagId: hubbed.flagId,
    alphaReviewMeetingId: hubbed.meetingId,
    alphaActionId: hubbed.actionId,
    alphaBudgetId: hubbed.budgetId,
    alphaSpendId: hubbed.spendId,
    alphaPlanGoalId: hubbed.planGoalId,
    alphaPlannedId: hubbed.plannedId,
    alphaSupportProgrammeId: supportProgramme.id,
    alphaEpisodeId: oneToOne.episodeId,
    alphaTimesheetId: oneToOne.timesheetId,
    alphaContactId: oneToOne.contactId,
    alphaGoalId: oneToOne.goalId,
    alphaNetworkId: networkProgramme.id,
    alphaGroupId: peer.groupId,
    alphaMeetingId: peer.meetingId,
    alphaRulesId: peer.rulesId,
    alphaStepId: timebank.stepId,
    alphaCategoryId: timebank.categoryId,
    alphaTimebankMemberId: timebank.memberId,
    alphaExchangeId: timebank.exchangeId,
    alphaPostId: timebank.postId,
    alphaResponseId: timebank.responseId,
    alphaConcernId: concern.id,
    alphaErasureRequestId: erasure.id,
    alpha,
    beta,
    alphaProgrammeId: programme.id,
    alphaPersonId: person.id,
    alphaOtherPersonId: other.id,
    alphaReferralId: referral.id,
    emailFor,
    otherCommunityMember: 'member@beta.test',
    platformAdmin: 'platform@fixture.test',
    noMembership: 'nobody@fixture.test',
  };
}
