import { expectPage, signIn, test, expect, uniqueEmail, demoPassword, lastMessageTo, linkIn } from './support.ts';

test('a newcomer registers, confirms their email address, asks to join Lambeth Together, the admin approves, and the newcomer lands on the member home', async ({
  browser,
}) => {
  const newcomer = await (await browser.newContext()).newPage();
  const email = uniqueEmail('rosa');

  await newcomer.goto('/');
  await expectPage(newcomer, 'Support each other, together');
  await newcomer.getByRole('button', { name: 'Create an account' }).click();
  await expectPage(newcomer, 'Create an account');
  // A mistake first: the form says what is wrong and keeps what was typed.
  await newcomer.getByLabel('Your name').fill('Rosa Newcomer');
  await newcomer.getByLabel('Email address').fill('not-an-email');
  await newcomer.getByLabel('Create a password').fill('short');
  await newcomer.getByRole('button', { name: 'Create account' }).click();
  await expectPage(newcomer, 'Create an account');
  await expect(newcomer.getByRole('alert')).toContainText('Enter an email address in the correct format');
  await expect(newcomer.getByRole('alert')).toContainText('Password must be 10 characters or more');
  await expect(newcomer.getByLabel('Your name')).toHaveValue('Rosa Newcomer');

  await newcomer.getByLabel('Email address').fill(email);
  await newcomer.getByLabel('Create a password').fill(demoPassword);
  await newcomer.getByRole('button', { name: 'Create account' }).click();
  // Joining waits for the email address to be confirmed, with the link sent to it.
  await expectPage(newcomer, 'Confirm your email address');
  await expect(newcomer.getByText(`We have sent a link to ${email}`)).toBeVisible();
  await newcomer.goto('/communities/lambeth/join');
  await expectPage(newcomer, 'Confirm your email address');
  await newcomer.goto(linkIn((await lastMessageTo(email, 'email-confirmation')).body));
  await expectPage(newcomer, 'Your email address is confirmed');
  await newcomer.getByRole('button', { name: 'Continue' }).click();
  await expectPage(newcomer, 'Ask to join Lambeth Together');
  await newcomer.goto('/communities');
  await expectPage(newcomer, 'Communities');
  await newcomer.getByRole('link', { name: 'Ask to join Lambeth Together' }).click();
  await expectPage(newcomer, 'Ask to join Lambeth Together');
  await newcomer.getByLabel('Tell them about yourself (optional)').fill('My GP suggested the time bank.');
  await newcomer.getByRole('button', { name: 'Ask to join' }).click();
  await expectPage(newcomer, 'Request sent');

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.org');
  await expectPage(admin, 'Hello, Alex Morgan');
  await admin.getByRole('link', { name: /waiting to join/ }).click();
  await expectPage(admin, 'Members');
  await admin.getByRole('link', { name: 'Rosa Newcomer' }).click();
  await expectPage(admin, 'Rosa Newcomer');
  await expect(admin.getByText('My GP suggested the time bank.')).toBeVisible();
  await admin.getByRole('button', { name: 'Approve' }).click();
  await expectPage(admin, 'Members');
  await expect(admin.getByText('Rosa Newcomer is now a member.')).toBeVisible();

  await newcomer.goto('/');
  await expectPage(newcomer, 'Hello, Rosa Newcomer');
  await expect(newcomer.getByText('You are here as: Member')).toBeVisible();
});
