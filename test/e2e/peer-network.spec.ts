import { CommunityHome } from './pages/community-home.ts';
import {
  CalendarFeed,
  CrisisPlan,
  GroundRules,
  Group,
  NetworkNumbers,
  PeerNetwork,
  Register,
  SharedCrisisPlan,
  StepBack,
} from './pages/network.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, test } from './support.ts';

test('a member joins the peer network herself, is marked at a meeting on a phone, shares her crisis plan with one facilitator, steps back and comes back without a referral', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const leah = await (await browser.newContext()).newPage();
  await signIn(leah, 'newmember.croydon@example.org');
  const home = await CommunityHome.goTo(leah, 'croydon');
  await home.goToFromMenu('Peer network');
  const network = await PeerNetwork.verifyOnPage(leah);
  await network.joinTheNetwork();
  await PeerNetwork.verifyOnPage(leah);
  await expect(leah.getByText('Welcome to the network')).toBeVisible();
  await network.openGroup('Monday evening group');
  const group = await Group.verifyOnPage(leah, 'Monday evening group');
  await group.iUsuallyGoToThisGroup();
  await expect(leah.getByText('This group is now one of yours')).toBeVisible();

  // The facilitator takes the register on a phone: one tap for Leah.
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const ruth = await phone.newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  const ruthsNetwork = await PeerNetwork.open(ruth, 'croydon');
  await ruthsNetwork.openGroup('Monday evening group', { first: true });
  const ruthsGroup = await Group.verifyOnPage(ruth, 'Monday evening group');
  // A meeting weeks ahead says when its register opens, and has no register to tap yet.
  await expect(ruth.getByText(/register opens on/).first()).toBeVisible();
  await ruthsGroup.openRegister();
  const register = await Register.verifyOnPage(ruth);
  const before = Number((await register.hereCount.innerText()).match(/\d+/)?.[0]);
  await register.markHere('Leah Morris');
  await Register.verifyOnPage(ruth);
  await expect(register.hereCount).toContainText(String(before + 1));
  await expect(register.undoButton('Leah Morris')).toBeVisible();
  const box = await register.undoButton('Leah Morris').boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);

  // Leah writes what helps her in a crisis and shows it to Ruth only.
  await PeerNetwork.goTo(leah, 'croydon');
  await network.writeYourCrisisPlan();
  const plan = await CrisisPlan.verifyOnPage(leah);
  await expect(leah.getByText('Samaritans free on 116 123')).toBeVisible();
  await plan.savePlan();
  await CrisisPlan.verifyOnPage(leah);
  await expect(plan.errorSummary).toContainText('Write at least one thing that helps you');
  await plan.savePlan({
    whatHelps: 'Sitting somewhere quiet with a cup of tea and someone I trust.',
    whoHelped: 'Two members of the Monday group',
    facilitator: 'Ruth Adeyemi',
  });
  await expect(leah.getByText('Your crisis plan is saved.')).toBeVisible();

  await PeerNetwork.goTo(ruth, 'croydon');
  await ruthsNetwork.openCrisisPlanOf('Leah Morris');
  await SharedCrisisPlan.verifyOnPage(ruth, 'Crisis plan of Leah Morris');
  await expect(ruth.getByText('Sitting somewhere quiet')).toBeVisible();
  const planUrl = ruth.url();

  // The other facilitator was not chosen: for him the plan does not exist.
  const tom = await (await browser.newContext()).newPage();
  await signIn(tom, 'facilitator2.croydon@example.org');
  const tomsNetwork = await PeerNetwork.open(tom, 'croydon');
  await expect(tomsNetwork.crisisPlanOf('Leah Morris')).toHaveCount(0);
  const refused = await tom.goto(planUrl);
  expect(refused?.status()).toBe(404);

  // Leah steps back by her own choice, and later comes back: no referral, no waiting.
  await PeerNetwork.goTo(leah, 'croydon');
  await network.stepBackFromTheNetwork();
  const stepBack = await StepBack.verifyOnPage(leah);
  await stepBack.stepBackForNow();
  await PeerNetwork.verifyOnPage(leah);
  await expect(leah.getByText('You have stepped back for now')).toBeVisible();
  await network.comeBackToTheNetwork();
  await PeerNetwork.verifyOnPage(leah);
  await expect(leah.getByText('Welcome back. You are an active member again.')).toBeVisible();
  await expect(network.meetingsOf('Monday evening group').first()).toBeVisible();
  await network.addMeetingsToYourCalendar();
  const calendarFeed = await CalendarFeed.verifyOnPage(leah);
  const feed = await calendarFeed.address.inputValue();
  const calendar = await leah.request.get(new URL(feed).pathname);
  expect(calendar.headers()['content-type']).toContain('text/calendar');
  expect(await calendar.text()).toContain('SUMMARY:Monday evening group');
});

test('a facilitator adopts a change to the ground rules members agreed, and the numbers show a year of attendance', async ({
  browser,
}) => {
  const jade = await (await browser.newContext()).newPage();
  await signIn(jade, 'member.croydon@example.org');
  const network = await PeerNetwork.goTo(jade, 'croydon');
  await network.openGroundRules('Ground rules');
  const rules = await GroundRules.verifyOnPage(jade);
  await rules.agreeWithThisChange();
  await expect(jade.getByText('Your agreement is recorded')).toBeVisible();

  const ruth = await (await browser.newContext()).newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  const ruthsNetwork = await PeerNetwork.goTo(ruth, 'croydon');
  await ruthsNetwork.networkNumbers();
  const numbers = await NetworkNumbers.verifyOnPage(ruth);
  await expect(numbers.table('Attendances each month, by group')).toContainText('Monday evening group');
  await PeerNetwork.goTo(ruth, 'croydon');
  await ruthsNetwork.openGroundRules('Ground rules of Croydon peer network');
  const ruthsRules = await GroundRules.verifyOnPage(ruth);
  await ruthsRules.adoptThisChange();
  await expect(ruth.getByText('These are now the ground rules (version 2)')).toBeVisible();
  await expect(ruth.getByText('Phones on silent during the group')).toBeVisible();
});
