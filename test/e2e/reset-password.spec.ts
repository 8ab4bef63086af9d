import { YourAccount } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { ChooseNewPassword, ResetPassword, SignInPage, signIn } from './pages/sign-in.ts';
import { lastMessageTo, linkIn, test, expect } from './support.ts';

test('a person who forgot their password resets it with the link sent to them', async ({ page }) => {
  const signInPage = await SignInPage.open(page);
  await signInPage.forgotPassword();
  const reset = await ResetPassword.verifyOnPage(page);
  await reset.sendMeALink('safeguarding@example.org');
  await verifyOnPage(page, 'Check your email');

  const message = await lastMessageTo('safeguarding@example.org');
  expect(message.subject).toBe('Reset your Coproduce password');
  await page.goto(linkIn(message.body));
  const newPassword = await ChooseNewPassword.verifyOnPage(page);
  await newPassword.saveNewPassword('short');
  await ChooseNewPassword.verifyOnPage(page);
  await expect(newPassword.alert).toContainText('Password must be 10 characters or more');
  await newPassword.saveNewPassword('joan-has-a-new-password');
  const account = await YourAccount.verifyOnPage(page);
  await expect(page.getByText('Your password has been changed.')).toBeVisible();

  await account.signOut();
  await verifyOnPage(page, 'You have signed out');
  await page.goto(linkIn(message.body));
  await verifyOnPage(page, 'This link has expired');
  await signIn(page, 'safeguarding@example.org', 'joan-has-a-new-password');
  await CommunityHome.verifyOnPage(page, 'Hello, Joan Williams');
});
