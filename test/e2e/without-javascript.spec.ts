import type { Page } from '@playwright/test';
import { expectPage as expectScannedPage, demoPassword, test, expect } from './support.ts';

// axe runs inside the page, so it cannot run with JavaScript off; these pages are scanned
// with JavaScript on by the other journeys.
const expectPage = (page: Page, heading: string) => expectScannedPage(page, heading, { scan: false });

test.use({ javaScriptEnabled: false });

test('with JavaScript off, an admin signs in, lets someone in and signs out', async ({ page }) => {
  await page.goto('/sign-in');
  await expectPage(page, 'Sign in');
  await page.getByLabel('Email address').fill('admin@example.org');
  await page.getByLabel('Password', { exact: true }).fill(demoPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expectPage(page, 'Hello, Alex Morgan');
  await page.getByRole('link', { name: /waiting to join/ }).click();
  await expectPage(page, 'Members');
  await page.locator('table a').first().click();
  const name = (await page.getByRole('heading', { level: 1 }).textContent()) ?? '';
  await expectPage(page, name);
  await page.getByRole('button', { name: 'Decline' }).click();
  await expectPage(page, 'Members');
  await expect(page.getByText(`${name}'s request was declined.`)).toBeVisible();
  await page.getByRole('link', { name: 'Audit log' }).click();
  await expectPage(page, 'Audit log');
  await expect(page.getByRole('cell', { name: 'Declined a request' })).toBeVisible();
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expectPage(page, 'You have signed out');
});
