import { YourCommunities } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { signIn } from './pages/sign-in.ts';
import { test, expect } from './support.ts';

test('a member switches to Welsh and stays on the same page, in Welsh from then on', async ({ page }) => {
  await signIn(page, 'peer@example.org');
  const home = await CommunityHome.verifyOnPage(page, 'Hello, Dev Sharma');
  await home.yourCommunities();
  const communities = await YourCommunities.verifyOnPage(page);
  await communities.switchToWelsh();
  await expect(page).toHaveURL(/\/communities\/mine\?lang=cy$/);
  await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
  const welshHeading = (await communities.heading.textContent()) ?? '';
  expect(welshHeading).not.toBe('Your communities');
  await verifyOnPage(page, welshHeading);
  await communities.openCommunity('Lambeth Together', { first: true });
  await expect(page.locator('html')).toHaveAttribute('lang', 'cy');
  await expect(home.englishLink).toBeVisible();
  await home.switchToEnglish();
  await CommunityHome.verifyOnPage(page, 'Hello, Dev Sharma');
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
});
