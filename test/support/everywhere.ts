// A person with rows in every part of a community, each holding words of their own: merging and
// erasure are tested on them. Built through the modules' own dependencies, as the pages would.
import { eq, sql } from 'drizzle-orm';
import type { Database } from '../../src/platform/db/index.ts';
import { accounts } from '../../src/platform/db/schema.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';
import { personRecords } from '../../src/modules/people/schema.ts';
import { savePlan } from '../../src/modules/peer-network/crisis-plans.ts';
import * as network from '../../src/modules/peer-network/service.ts';
import * as support from '../../src/modules/peer-support/service.ts';
import * as caseload from '../../src/modules/caseload/service.ts';
import * as budgets from '../../src/modules/caseload/budgets.ts';
import * as timebank from '../../src/modules/timebank/service.ts';
import * as posts from '../../src/modules/timebank/posts.ts';
import type { Fixture } from './fixtures.ts';

const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);

/** Makes a record for `name` and puts `word` (something distinctive) in everything written about them. */
export async function personEverywhere(owner: Database, fixture: Fixture, name: string, word: string): Promise<string> {
  const accountOf = async (role: string) =>
    (
      await owner
        .select({ id: accounts.id })
        .from(accounts)
        .where(eq(accounts.email, `${role}@alpha.test`))
    )[0]?.id ?? '';
  const coordinator = await accountOf('coordinator');
  const supporterAccount = await accountOf('peer-supporter');
  const facilitatorAccount = await accountOf('facilitator');
  return inCommunity(owner, { communityId: fixture.alpha.id, personId: null }, async (tx) => {
    const communityId = fixture.alpha.id;
    const [made] = await tx
      .insert(personRecords)
      .values({
        communityId,
        preferredName: name,
        fullName: `${name} ${word}son`,
        phone: '07700 900777',
        phoneKey: '07700900777',
        address: `1 ${word} Street`,
        livedExperience: `${word} in my own words`,
        skillsAndInterests: `${word} knitting`,
        emergencyContactName: `${word} Senior`,
        gpPractice: `${word} Surgery`,
      })
      .returning({ id: personRecords.id });
    const id = made?.id ?? '';
    const recordOf = async (accountId: string) =>
      (await tx.select({ id: personRecords.id }).from(personRecords).where(eq(personRecords.accountId, accountId)))[0]
        ?.id ?? '';
    const coordinatorRecord = await recordOf(coordinator);
    const supporterRecord = await recordOf(supporterAccount);
    const facilitatorRecord = await recordOf(facilitatorAccount);
    await tx.execute(
      sql`insert into referrals (community_id, reference, person_record_id, source, reason, contact_due_on) values (${communityId}, ${`R${word.slice(0, 3).toUpperCase()}-${Math.floor(Math.random() * 9000 + 1000)}`}, ${id}, 'self', ${`${word} feels alone`}, ${day(0)})`,
    );
    await tx.execute(
      sql`insert into consents (community_id, person_record_id, purpose, granted, method, note) values (${communityId}, ${id}, 'support', true, 'phone', ${`${word} agreed on the phone`})`,
    );

    // The peer network: a member, at the usual group, at last week's meeting, agreeing the rules, with a crisis plan.
    await network.joinNetwork(tx, {
      communityId,
      programmeId: fixture.alphaNetworkId,
      personRecordId: id,
      cameBy: 'self',
      actorId: null,
    });
    await network.setUsualGroup(tx, communityId, fixture.alphaGroupId, id, true);
    await network.markAttendance(tx, communityId, facilitatorAccount, fixture.alphaMeetingId, {
      personRecordId: id,
      present: true,
    });
    await network.agreeToRules(tx, communityId, fixture.alphaRulesId, id);
    await savePlan(tx, communityId, coordinator, id, {
      warningSigns: `${word} stops eating`,
      whatHelps: `${word} likes tea`,
      whatDoesNotHelp: '',
      whoToContact: `${word} Senior`,
      writtenWith: '',
      facilitatorIds: [facilitatorRecord],
      groupIds: [],
    });
    await network.feedToken(tx, communityId, { personRecordId: id });

    // The hub: on the caseload, in touch, an action, a risk, a plan goal, a budget, a key contact, on today's agenda.
    const hub = await caseload.hubOf(tx, communityId);
    const asker = await caseload.teamAsker(tx, hub, {
      accountId: coordinator,
      recordId: coordinatorRecord,
      roles: ['coordinator'],
    });
    const entry = await caseload.addToCaseload(tx, communityId, hub.id, id, null, coordinator);
    await caseload.logCaseloadContact(tx, communityId, entry.id, asker, { occurredOn: day(1), note: `Phoned ${word}` });
    await caseload.createAction(tx, communityId, hub, entry.id, asker, {
      description: `Visit ${word}`,
      ownerRecordId: supporterRecord,
      dueOn: day(-7),
    });
    await caseload.raiseRisk(tx, communityId, entry.id, asker, {
      detail: `${word} at risk when alone`,
      agreedApproach: `Call ${word} first`,
      reviewOn: day(-30),
    });
    const goal = await budgets.addPlanGoal(tx, communityId, entry.id, asker, {
      goal: `${word} wants to swim`,
      steps: `${word} buys a pass`,
      whoDoesWhat: '',
    });
    const budget = await budgets.createBudget(tx, communityId, entry.id, asker, {
      source: 'Alpha personal health budget',
      allocatedPence: 10_000,
    });
    await budgets.requestSpend(tx, communityId, budget.id, asker, {
      description: `Pass for ${word}`,
      amountPence: 2_000,
      spentOn: day(0),
      receipt: `Receipt ${word}`,
      planGoalId: goal?.id,
    });
    await caseload.setKeyContacts(tx, communityId, hub, entry.id, asker, [supporterRecord]);
    await caseload.addToAgenda(tx, communityId, fixture.alphaReviewMeetingId, entry.id, asker);
    await caseload.recordItem(tx, communityId, hub, fixture.alphaReviewMeetingId, entry.id, asker, {
      discussion: `Talked about ${word}`,
      decisions: `${word} to try swimming`,
    });

    // One-to-one peer support, with a goal and a contact.
    const episode = await support.startEpisode(tx, communityId, coordinator, {
      programmeId: fixture.alphaSupportProgrammeId,
      personRecordId: id,
      supporterRecordId: supporterRecord,
      startsOn: day(14),
      goals: [`${word} walks to the park`],
    });
    await support.logContact(
      tx,
      communityId,
      episode.id,
      { accountId: supporterAccount, staff: false, recordId: supporterRecord },
      {
        // Today: always in this week, never the week before, whose timesheet the fixtures submit.
        occurredOn: day(0),
        minutes: 60,
        mode: 'phone',
        whatWasDone: `Chatted with ${word}`,
        progress: `${word} is brighter`,
      },
    );

    // The time bank: a member, an exchange with the fixture's member, a request, an answer and a message, follows, a check.
    await timebank.joinTimebank(tx, {
      communityId,
      personRecordId: id,
      cameFrom: 'coordinator',
      actorId: null,
      onboarded: true,
    });
    const context = {
      communityId,
      actor: { id: coordinator, staff: true },
      actorRecordId: null,
      notifyConfigured: false,
      publicUrl: 'http://localhost',
      communitySlug: 'alpha',
    };
    await timebank.recordExchange(tx, context, {
      giver: fixture.alphaTimebankMemberId,
      receiver: id,
      minutes: 30,
      occurredOn: day(3),
      categoryId: fixture.alphaCategoryId,
      note: `Weeding for ${word}`,
      confirmNow: true,
    });
    const request = await posts.createPost(tx, context, {
      kind: 'request',
      title: `${word} needs shelves`,
      description: `${word} has a drill`,
      categoryId: fixture.alphaCategoryId,
      place: 'home',
      neighbourhood: '',
      whenAvailable: `${word} is in on Mondays`,
      forGroups: false,
      endsOn: day(-30),
      forPersonId: id,
    });
    const answer = await posts.respondToPost(
      tx,
      { ...context, actor: { id: coordinator, staff: false }, actorRecordId: fixture.alphaTimebankMemberId },
      request.id,
      { message: `Happy to help ${word}` },
    );
    await posts.sendMessage(tx, { ...context, actorRecordId: null }, answer.id, {
      message: `Thank you from ${word}`,
      asPersonId: id,
    });
    await posts.respondToPost(
      tx,
      { ...context, actor: { id: coordinator, staff: false }, actorRecordId: id },
      fixture.alphaPostId,
      { message: `${word} can help too` },
    );
    await posts.setFollows(tx, communityId, id, [fixture.alphaCategoryId]);
    await posts.recordCheck(tx, communityId, coordinator, id, {
      level: 'basic',
      certificateNumber: '001234567890',
      issuedOn: day(100),
      expiresOn: day(-600),
    });
    // Safeguarding records stay with the leads whatever else happens: nothing of the person's own words here.
    await tx.execute(
      sql`insert into safeguarding_concerns (community_id, person_record_id, about, what_happened, danger_now) values (${communityId}, ${id}, 'them', 'Seemed unsettled at the group', false)`,
    );
    return id;
  });
}
