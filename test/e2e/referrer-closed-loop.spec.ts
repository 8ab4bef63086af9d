import type { Page } from '@playwright/test';
import { expect, expectPage, signIn, test } from './support.ts';

async function refer(referrer: Page, name: string, agreedToUpdates: boolean): Promise<string> {
  await referrer.goto('/c/lambeth');
  await referrer.getByRole('button', { name: 'Refer someone' }).click();
  await expectPage(referrer, 'Refer someone');
  await referrer.getByLabel('Preferred name').fill(name);
  await referrer.getByLabel('Phone number').fill('020 7946 0555');
  await referrer.getByLabel('Feeling lonely or cut off').check();
  await referrer.getByLabel('Why you are referring them').fill('Lives alone and would like to meet people.');
  await referrer.getByLabel('Lambeth Time Bank').check();
  await referrer.getByLabel('Routine').check();
  await referrer.getByLabel('They agreed to be referred').check();
  if (agreedToUpdates) await referrer.getByLabel('They agreed that we tell you what happens').check();
  await referrer.getByRole('button', { name: 'Send referral' }).click();
  await expect(referrer.getByText(/Referral sent\. The reference is/)).toBeVisible();
  const heading = (await referrer.getByRole('heading', { level: 1 }).textContent()) ?? '';
  await expectPage(referrer, heading);
  return heading.replace('Referral ', '').trim();
}

async function work(coordinator: Page, reference: string, action: 'contact' | 'accept'): Promise<void> {
  await coordinator.goto(`/c/lambeth/referrals?status=open&search=${reference}`);
  await coordinator.getByRole('link', { name: reference }).click();
  await expectPage(coordinator, `Referral ${reference}`);
  if (action === 'contact') {
    await coordinator.getByRole('button', { name: 'Record a contact attempt' }).click();
    await coordinator.getByLabel('Phone call').check();
    await coordinator.getByLabel('Left a message').check();
    await coordinator.getByRole('button', { name: 'Save contact attempt' }).click();
  } else {
    await coordinator.getByRole('button', { name: 'Accept' }).click();
    await coordinator.getByRole('button', { name: 'Accept' }).click();
  }
  await expectPage(coordinator, `Referral ${reference}`);
}

test('a GP refers a patient who agreed to updates and sees "contacting" then "accepted"; another, who did not agree, shows no progress', async ({
  browser,
}) => {
  const referrer = await (await browser.newContext()).newPage();
  await signIn(referrer, 'referrer@example.org');
  await expectPage(referrer, 'Hello, Dr Helen Carter');
  const shared = await refer(referrer, 'Ernest', true);
  const private_ = await refer(referrer, 'Florence', false);

  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  for (const reference of [shared, private_]) await work(coordinator, reference, 'contact');

  await referrer.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Your referrals' }).click();
  await expectPage(referrer, 'Your referrals');
  await expect(referrer.getByRole('row', { name: new RegExp(shared) })).toContainText('Contacting');
  await expect(referrer.getByRole('row', { name: new RegExp(private_) })).toContainText(
    'The person chose not to share updates',
  );

  for (const reference of [shared, private_]) await work(coordinator, reference, 'accept');
  await referrer.reload();
  await expectPage(referrer, 'Your referrals');
  await expect(referrer.getByRole('row', { name: new RegExp(shared) })).toContainText('Accepted');
  await expect(referrer.getByRole('row', { name: new RegExp(shared) })).toContainText('Lambeth Time Bank');
  const hidden = referrer.getByRole('row', { name: new RegExp(private_) });
  await expect(hidden).toContainText('Received');
  await expect(hidden).not.toContainText('Accepted');
  await hidden.getByRole('link', { name: private_ }).click();
  await expectPage(referrer, `Referral ${private_}`);
  await expect(referrer.getByText('The person chose not to have updates shared with you.')).toBeVisible();
});
