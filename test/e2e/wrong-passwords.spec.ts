import { demoPassword, expectPage, test, expect } from './support.ts';

test('wrong passwords say the same thing whether or not the account exists, and then the account is locked', async ({
  page,
}) => {
  const attempt = async (email: string, password: string) => {
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectPage(page, 'Sign in');
  };
  await page.goto('/sign-in');
  await expectPage(page, 'Sign in');

  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectPage(page, 'Sign in');
  await expect(page.getByRole('alert')).toContainText('Enter your email address');
  await expect(page.getByRole('alert')).toContainText('Enter your password');
  await expect(page).toHaveTitle(/^Error: /);

  await attempt('nobody.at.all@example.org', 'wrong-password');
  await expect(page.getByRole('alert')).toContainText('Enter a correct email address and password');
  // The error summary links to the field it is about, and the email is kept.
  await page.getByRole('alert').getByRole('link').click();
  await expect(page.getByLabel('Email address')).toBeFocused();
  await expect(page.getByLabel('Email address')).toHaveValue('nobody.at.all@example.org');

  for (let count = 1; count <= 4; count += 1) {
    await attempt('facilitator@example.org', 'wrong-password');
    await expect(page.getByRole('alert')).toContainText('Enter a correct email address and password');
  }
  await attempt('facilitator@example.org', 'wrong-password');
  await expect(page.getByRole('alert')).toContainText('Too many attempts to sign in. Wait 15 minutes');
  await attempt('facilitator@example.org', demoPassword);
  await expect(page.getByRole('alert')).toContainText('Too many attempts to sign in');
  await page.getByRole('link', { name: 'I have forgotten my password' }).click();
  await expectPage(page, 'Reset your password');
});
