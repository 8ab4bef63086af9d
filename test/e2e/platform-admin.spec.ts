import * as OTPAuth from 'otpauth';
import { demoTwoStepKey } from '../../src/demo/sign-ins.ts';
import type { Locator, Page } from '@playwright/test';
import { CreateAccount, Invitation } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { AllCommunities, CreateCommunity, Invitations, InviteSomeone, NewCommunity } from './pages/platform.ts';
import { AddProgramme } from './pages/programmes.ts';
import { AcceptReferral, ReferSomeone, Referral, Referrals } from './pages/referrals.ts';
import { SecurityCode, signIn } from './pages/sign-in.ts';
import { AddKindOfHelp, KindsOfHelp, RecordTime, TimebankMember, TimebankMembers } from './pages/timebank.ts';
import { expect, test } from './support.ts';

// Both journeys sign the demo platform admin in with a code: one after the other, so that the
// second can use the next step's code (a code's step is accepted once).
test.describe.configure({ mode: 'serial' });

const codeAt = (time: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(demoTwoStepKey), digits: 6, period: 30 }).generate({
    timestamp: time,
  });

test('the platform admin signs in with two steps; the same code in another browser is refused', async ({ browser }) => {
  const code = codeAt(Date.now());
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'platform@example.org');
  const adminsCode = await SecurityCode.verifyOnPage(admin);
  await adminsCode.enterCode(code);
  await AllCommunities.verifyOnPage(admin);

  // Someone who saw the code over their shoulder tries it, within its 30 seconds.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'platform@example.org');
  const othersCode = await SecurityCode.verifyOnPage(other);
  await othersCode.enterCode(code);
  await SecurityCode.verifyOnPage(other);
  await expect(othersCode.alert).toContainText('already used');
});

// The first hour of a new community, as its people do it, through the pages only, on an install
// that sends no email: from nothing to a confirmed exchange for someone a GP referred. It counts
// the page loads and the fields staff fill (docs/first-hour.md records the path).
test('a new community goes from nothing to its first confirmed exchange from a GP referral, in at most 40 page loads', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  let loads = 0;
  let fields = 0;
  const steps: string[] = [];
  const staffPage = async () => {
    const page = await (await browser.newContext()).newPage();
    page.on('load', () => (loads += 1));
    return page;
  };
  // Every field a person fills or ticks is counted, so the page objects give the fields.
  const fill = async (field: Locator, value: string) => {
    fields += 1;
    await field.fill(value);
  };
  const tick = async (field: Locator) => {
    fields += 1;
    await field.check();
  };
  const today = new Date();

  // The platform admin creates the community and its admin's invitation.
  const platform = await staffPage();
  await signIn(platform, 'platform@example.org');
  const securityCode = await SecurityCode.verifyOnPage(platform);
  // The next step's code: the other platform journey may have used this step's.
  await fill(
    securityCode.code,
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(demoTwoStepKey), digits: 6, period: 30 }).generate({
      timestamp: Date.now() + 30_000,
    }),
  );
  fields += 2; // email and password on the sign-in page
  await securityCode.continue();
  const allCommunities = await AllCommunities.verifyOnPage(platform);
  await allCommunities.createACommunity();
  const newCommunity = await CreateCommunity.verifyOnPage(platform);
  await fill(newCommunity.name, 'Southwark Circle');
  await fill(newCommunity.webAddressName, 'southwark');
  await fill(newCommunity.firstAdminEmail, 'amira@southwark.example.org');
  await newCommunity.createCommunity();
  const southwark = await NewCommunity.verifyOnPage(platform, 'Southwark Circle');
  await expect(platform.getByText('Email is not set up here')).toBeVisible();
  const adminLink = await southwark.invitationLink();
  steps.push(`platform admin: community created: ${loads} loads, ${fields} fields`);

  // The admin follows the link, makes her account, and sees what is left to do.
  const admin = await staffPage();
  await Invitation.goTo(admin, adminLink);
  const adminsInvitation = await Invitation.verifyOnPage(admin, 'You are invited to join Southwark Circle');
  await adminsInvitation.createAnAccount();
  const adminsAccount = await CreateAccount.verifyOnPage(admin);
  await expect(adminsAccount.emailAddress).toHaveValue('amira@southwark.example.org');
  await fill(adminsAccount.yourName, 'Amira Khan');
  await fill(adminsAccount.password, 'southwark circle one');
  await adminsAccount.createAccount();
  const adminsHome = await CommunityHome.verifyOnPage(admin, /Amira Khan/);
  await expect(adminsHome.gettingStarted).toBeVisible();
  steps.push(`admin: account made, invitation accepted: ${loads} loads, ${fields} fields`);

  await adminsHome.addAProgramme();
  const programme = await AddProgramme.verifyOnPage(admin, /programme/i);
  await fill(programme.name({ exact: true }), 'Southwark Time Bank');
  await tick(programme.kind('Time bank'));
  await fill(programme.whoItIsFor, 'Anyone living in Southwark');
  await fill(programme.howToJoin, 'Ask your GP, or call us');
  await programme.saveOrAdd();
  steps.push(`admin: programme added: ${loads} loads, ${fields} fields`);
  await CommunityHome.goTo(admin, 'southwark');
  await adminsHome.addTheKindsOfHelp();
  await new KindsOfHelp(admin).addAKindOfHelp();
  const kindOfHelp = await AddKindOfHelp.verifyOnPage(admin);
  await fill(kindOfHelp.name, 'Shopping');
  await kindOfHelp.save();
  steps.push(`admin: kind of help added: ${loads} loads, ${fields} fields`);
  await CommunityHome.goTo(admin, 'southwark');
  await adminsHome.inviteACoordinator();
  const coordinatorInvitation = await InviteSomeone.verifyOnPage(admin);
  await fill(coordinatorInvitation.emailAddress, 'kofi@southwark.example.org');
  await coordinatorInvitation.sendInvitation();
  const invitations = await Invitations.verifyOnPage(admin);
  const coordinatorLink = await invitations.invitationLink();
  steps.push(`admin: coordinator invited: ${loads} loads, ${fields} fields`);
  const referrerInvitation = await InviteSomeone.goTo(admin, 'southwark', 'referrer');
  await fill(referrerInvitation.emailAddress, 'dr.osei@southwark.example.org');
  await referrerInvitation.sendInvitation();
  await Invitations.verifyOnPage(admin);
  const referrerLink = await invitations.invitationLink();
  steps.push(`admin: referrer invited: ${loads} loads, ${fields} fields`);

  // The coordinator and the GP each make their account from their link.
  const join = async (page: Page, link: string, name: string) => {
    const invitation = await Invitation.goTo(page, link);
    await invitation.createAnAccount();
    const account = await CreateAccount.verifyOnPage(page);
    await fill(account.yourName, name);
    await fill(account.password, 'southwark circle two');
    await account.createAccount();
    return CommunityHome.verifyOnPage(page, new RegExp(name));
  };
  const coordinator = await staffPage();
  const coordinatorsHome = await join(coordinator, coordinatorLink, 'Kofi Mensah');
  steps.push(`coordinator: in: ${loads} loads, ${fields} fields`);
  const gp = await staffPage();
  const gpsHome = await join(gp, referrerLink, 'Dr Ama Osei');
  steps.push(`GP: in: ${loads} loads, ${fields} fields`);

  // The GP refers a patient, who agreed to it.
  await gpsHome.referSomeone();
  const referral = await ReferSomeone.verifyOnPage(gp);
  await fill(referral.preferredName, 'Grace');
  await fill(referral.phoneNumber, '020 7946 0321');
  await fill(
    referral.whyYouAreReferringThem,
    'Lonely since her husband died; would like company and help with shopping.',
  );
  await expect(referral.choice('Southwark Time Bank')).toBeChecked();
  await tick(referral.choice('Routine'));
  await tick(referral.theyAgreedToBeReferred);
  await fill(referral.yourOrganisation, 'Borough Medical Centre');
  await referral.sendReferral();
  await expect(gp.getByText(/Referral sent/)).toBeVisible();
  steps.push(`GP: referral sent: ${loads} loads, ${fields} fields`);

  // The coordinator accepts her into the time bank and finishes her joining steps.
  await coordinatorsHome.newReferrals();
  await new Referrals(coordinator).openReferralOf(/Grace/);
  const gracesReferral = new Referral(coordinator);
  await gracesReferral.accept();
  const accept = await AcceptReferral.verifyOnPage(coordinator);
  await accept.accept();
  await gracesReferral.goToTimeBankJoiningSteps('Grace');
  const grace = await TimebankMember.verifyOnPage(coordinator, 'Grace');
  await grace.everyStepIsDoneToday();
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();
  steps.push(`coordinator: Grace accepted and joined: ${loads} loads, ${fields} fields`);

  // A neighbour who is not online joins the time bank in one step.
  const members = await TimebankMembers.goTo(coordinator, 'southwark', 'Winifred Cole');
  await expect(members.notFound('Winifred Cole')).toBeVisible();
  await fill(members.preferredName, 'Winifred');
  await fill(members.fullName, 'Winifred Cole');
  await tick(members.notOnline);
  await members.addThemToTheTimeBank();
  const winifred = await TimebankMember.verifyOnPage(coordinator, 'Winifred Cole');
  await winifred.everyStepIsDoneToday();
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();
  steps.push(`coordinator: Winifred added and joined: ${loads} loads, ${fields} fields`);

  // Winifred did Grace's shopping: the coordinator records it, confirmed.
  const exchange = await RecordTime.goTo(coordinator, 'southwark');
  await exchange.chooseWho({ gave: 'Winifred Cole', received: 'Grace' });
  fields += 2;
  await fill(exchange.hours, '1');
  // Today, and the only kind of help, are already chosen.
  await expect(exchange.day).toHaveValue(String(today.getDate()));
  await expect(exchange.kindOfHelp).toHaveValue(/.+/);
  await tick(exchange.confirmItNow);
  await exchange.recordTime();
  await expect(coordinator.getByText('Confirmed', { exact: true })).toBeVisible();

  test.info().annotations.push({ type: 'first hour', description: `${loads} page loads, ${fields} fields` });
  process.stdout.write(`first hour: ${loads} page loads, ${fields} fields\n${steps.join('\n')}\n`);
  expect(loads).toBeLessThanOrEqual(40);
  // About 12 seconds a page and a field (the first walk: 75 pages and 81 fields took 32 minutes): at most 15 minutes.
  expect(((loads + fields) * 12) / 60).toBeLessThanOrEqual(15);
});
