import { expectPage, lastMessageTo, linkIn, signIn, test, expect } from './support.ts';

test('a person who forgot their password resets it with the link sent to them', async ({ page }) => {
  await page.goto('/sign-in');
  await expectPage(page, 'Sign in');
  await page.getByRole('link', { name: 'I have forgotten my password' }).click();
  await expectPage(page, 'Reset your password');
  await page.getByLabel('Email address').fill('safeguarding@example.org');
  await page.getByRole('button', { name: 'Send me a link' }).click();
  await expectPage(page, 'Check your email');

  const message = await lastMessageTo('safeguarding@example.org');
  expect(message.subject).toBe('Reset your Coproduce password');
  await page.goto(linkIn(message.body));
  await expectPage(page, 'Choose a new password');
  await page.getByLabel('New password').fill('short');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expectPage(page, 'Choose a new password');
  await expect(page.getByRole('alert')).toContainText('Password must be 10 characters or more');
  await page.getByLabel('New password').fill('joan-has-a-new-password');
  await page.getByRole('button', { name: 'Save new password' }).click();
  await expectPage(page, 'Your account');
  await expect(page.getByText('Your password has been changed.')).toBeVisible();

  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPage(page, 'You have signed out');
  await page.goto(linkIn(message.body));
  await expectPage(page, 'This link has expired');
  await signIn(page, 'safeguarding@example.org', 'joan-has-a-new-password');
  await expectPage(page, 'Hello, Joan Williams');
});
