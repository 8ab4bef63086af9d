import { expectPage, signIn, test, expect } from './support.ts';

test('a Lambeth member cannot open a Croydon page, and is not told it exists', async ({ page }) => {
  await signIn(page, 'member@example.org');
  await expectPage(page, 'Hello, Maria Santos');
  const croydon = await page.goto('/c/croydon');
  expect(croydon?.status()).toBe(404);
  await expectPage(page, 'Page not found');
  const members = await page.goto('/c/croydon/members');
  expect(members?.status()).toBe(404);
  const invented = await page.goto('/c/no-such-place');
  expect(invented?.status()).toBe(404);
  expect(await page.content()).not.toContain('Croydon');

  // A page of her own community that her role does not allow says so plainly.
  const forbidden = await page.goto('/c/lambeth/members');
  expect(forbidden?.status()).toBe(403);
  await expectPage(page, 'You cannot use this page');
});

test('a coordinator in two communities switches between them', async ({ page }) => {
  await signIn(page, 'coordinator@example.org');
  await expectPage(page, 'Your communities');
  await page.getByRole('link', { name: 'Croydon Connect' }).click();
  await expectPage(page, 'Hello, Sam Patel');
  await expect(page.getByRole('banner')).toContainText('Croydon Connect');
  await page.getByRole('link', { name: 'Go to Lambeth Together' }).click();
  await expectPage(page, 'Hello, Sam Patel');
  await expect(page.getByRole('banner')).toContainText('Lambeth Together');
});
