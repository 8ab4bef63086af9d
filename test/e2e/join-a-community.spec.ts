import { AskToJoin, Communities, ConfirmYourEmail, CreateAccount, EmailConfirmed, Welcome } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { JoinRequest, Members } from './pages/members.ts';
import { verifyOnPage } from './pages/page.ts';
import { signIn } from './pages/sign-in.ts';
import { test, expect, uniqueEmail, demoPassword, lastMessageTo, linkIn } from './support.ts';

test('a newcomer registers, confirms their email address, asks to join Lambeth Together, the admin approves, and the newcomer lands on the member home', async ({
  browser,
}) => {
  const newcomer = await (await browser.newContext()).newPage();
  const email = uniqueEmail('rosa');

  const welcome = await Welcome.open(newcomer);
  await welcome.createAnAccount();
  const form = await CreateAccount.verifyOnPage(newcomer);
  // A mistake first: the form says what is wrong and keeps what was typed.
  await form.createAccount({ name: 'Rosa Newcomer', email: 'not-an-email', password: 'short' });
  await CreateAccount.verifyOnPage(newcomer);
  await expect(form.alert).toContainText('Enter an email address in the correct format');
  await expect(form.alert).toContainText('Password must be 10 characters or more');
  await expect(form.yourName).toHaveValue('Rosa Newcomer');

  await form.createAccount({ email, password: demoPassword });
  // Joining waits for the email address to be confirmed, with the link sent to it.
  await ConfirmYourEmail.verifyOnPage(newcomer);
  await expect(newcomer.getByText(`We have sent a link to ${email}`)).toBeVisible();
  await AskToJoin.goTo(newcomer, 'lambeth');
  await ConfirmYourEmail.verifyOnPage(newcomer);
  await newcomer.goto(linkIn((await lastMessageTo(email, 'email-confirmation')).body));
  const confirmed = await EmailConfirmed.verifyOnPage(newcomer);
  await confirmed.continue();
  await AskToJoin.verifyOnPage(newcomer, 'Ask to join Lambeth Together');
  const communities = await Communities.open(newcomer);
  await communities.askToJoin('Lambeth Together');
  const askToJoin = await AskToJoin.verifyOnPage(newcomer, 'Ask to join Lambeth Together');
  await askToJoin.ask('My GP suggested the time bank.');
  await verifyOnPage(newcomer, 'Request sent');

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.org');
  const adminsHome = await CommunityHome.verifyOnPage(admin, 'Hello, Alex Morgan');
  await adminsHome.peopleWaitingToJoin();
  const members = await Members.verifyOnPage(admin);
  await members.openRequestOf('Rosa Newcomer');
  const request = await JoinRequest.verifyOnPage(admin, 'Rosa Newcomer');
  await expect(admin.getByText('My GP suggested the time bank.')).toBeVisible();
  await request.approve();
  await Members.verifyOnPage(admin);
  await expect(admin.getByText('Rosa Newcomer is now a member.')).toBeVisible();

  await newcomer.goto('/');
  await CommunityHome.verifyOnPage(newcomer, 'Hello, Rosa Newcomer');
  await expect(newcomer.getByText('You are here as: Member')).toBeVisible();
});
