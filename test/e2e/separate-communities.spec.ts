import { YourCommunities } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { signIn } from './pages/sign-in.ts';
import { test, expect } from './support.ts';

test('a Lambeth member cannot open a Croydon page, and is not told it exists', async ({ page }) => {
  await signIn(page, 'member@example.org');
  await CommunityHome.verifyOnPage(page, 'Hello, Maria Santos');
  const croydon = await page.goto('/c/croydon');
  expect(croydon?.status()).toBe(404);
  await verifyOnPage(page, 'Page not found');
  const members = await page.goto('/c/croydon/members');
  expect(members?.status()).toBe(404);
  const invented = await page.goto('/c/no-such-place');
  expect(invented?.status()).toBe(404);
  expect(await page.content()).not.toContain('Croydon');

  // A page of her own community that her role does not allow says so plainly.
  const forbidden = await page.goto('/c/lambeth/members');
  expect(forbidden?.status()).toBe(403);
  await verifyOnPage(page, 'You cannot use this page');
});

test('a coordinator in two communities switches between them', async ({ page }) => {
  await signIn(page, 'coordinator@example.org');
  const communities = await YourCommunities.verifyOnPage(page);
  await communities.openCommunity('Croydon Connect');
  const croydon = await CommunityHome.verifyOnPage(page, 'Hello, Sam Patel');
  await expect(croydon.banner).toContainText('Croydon Connect');
  await croydon.goToCommunity('Lambeth Together');
  const lambeth = await CommunityHome.verifyOnPage(page, 'Hello, Sam Patel');
  await expect(lambeth.banner).toContainText('Lambeth Together');
});
