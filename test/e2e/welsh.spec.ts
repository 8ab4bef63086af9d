import { expectPage, signIn, test, expect } from './support.ts';

test('a member switches to Welsh and stays on the same page, in Welsh from then on', async ({ page }) => {
  await signIn(page, 'peer@example.org');
  await expectPage(page, 'Hello, Dev Sharma');
  await page.getByRole('link', { name: 'Your communities' }).click();
  await expectPage(page, 'Your communities');
  await page.getByRole('link', { name: 'Cymraeg' }).click();
  await expect(page).toHaveURL(/\/communities\/mine\?lang=cy$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
  const welshHeading = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
  expect(welshHeading).not.toBe('Your communities');
  await expectPage(page, welshHeading);
  await page.getByRole('link', { name: 'Lambeth Together' }).first().click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
  await expect(page.getByRole('link', { name: 'English' })).toBeVisible();
  await page.getByRole('link', { name: 'English' }).click();
  await expectPage(page, 'Hello, Dev Sharma');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
