import type { Page } from '@playwright/test';
import { expect, expectPage, signIn, test } from './support.ts';

async function timeBank(page: Page): Promise<void> {
  await page.goto('/c/lambeth');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Time bank' }).click();
  await expectPage(page, 'Time bank');
}

test('a member referred by her GP finishes joining, offers café company, another finds it typing "cafe", they message, she records 90 minutes and the other confirms', async ({
  browser,
}) => {
  // The coordinator finishes Nadia's joining steps.
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  await timeBank(coordinator);
  await coordinator.getByRole('link', { name: /people joining/ }).click();
  await expectPage(coordinator, 'Time bank members');
  await coordinator.getByRole('link', { name: 'Nadia Hassan', exact: true }).click();
  await expectPage(coordinator, 'Nadia Hassan');
  // Every step left, ticked at once: one page load.
  const steps = coordinator.getByRole('group', { name: 'Which steps are done?' });
  for (const box of await steps.getByRole('checkbox').all()) await box.check();
  await coordinator.getByRole('button', { name: 'Tick as done' }).click();
  await expectPage(coordinator, 'Nadia Hassan');
  await expect(coordinator.getByRole('group', { name: 'Which steps are done?' })).toHaveCount(0);
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();

  // Nadia offers café company.
  const nadia = await (await browser.newContext()).newPage();
  await signIn(nadia, 'newmember@example.org');
  await timeBank(nadia);
  await expect(nadia.getByTestId('balance')).toHaveText('0 hours');
  await nadia.getByRole('link', { name: 'Offer help' }).click();
  await expectPage(nadia, 'Offer help');
  await nadia.getByLabel('What can you offer?').fill('Company at the Café Rio on Fridays');
  await nadia.getByLabel('What kind of help is it?').selectOption({ label: 'Café company and coffee mornings' });
  await nadia.getByLabel('Tell people more (optional)').fill('I bake and love a chat. Fridays at 11.');
  await nadia.getByRole('button', { name: 'Post it' }).click();
  await expectPage(nadia, 'Company at the Café Rio on Fridays');

  // Maria finds it without typing the accent, and answers.
  const maria = await (await browser.newContext()).newPage();
  await signIn(maria, 'member@example.org');
  await timeBank(maria);
  const before = (await maria.getByTestId('balance').textContent()) ?? '';
  await maria.getByRole('button', { name: 'Find offers and requests' }).click();
  await expectPage(maria, 'Offers and requests');
  await maria.getByLabel('Search').fill('cafe rio');
  await maria.getByRole('button', { name: 'Find' }).click();
  await expectPage(maria, 'Offers and requests');
  await maria.getByRole('link', { name: 'Company at the Café Rio on Fridays' }).click();
  await expectPage(maria, 'Company at the Café Rio on Fridays');
  await maria.getByLabel('Your message to Nadia').fill('I would love to come on Friday.');
  await maria.getByRole('button', { name: "Send: I'd like this" }).click();
  await expectPage(maria, 'Messages about: Company at the Café Rio on Fridays');

  // Nadia replies, then records the time she gave.
  await timeBank(nadia);
  await nadia.getByRole('link', { name: /Company at the Café Rio on Fridays, with Maria/ }).click();
  await expectPage(nadia, 'Messages about: Company at the Café Rio on Fridays');
  await expect(nadia.getByText('I would love to come on Friday.')).toBeVisible();
  await nadia.getByLabel('Your message').fill('Lovely, see you at 11.');
  await nadia.getByRole('button', { name: 'Send message' }).click();
  await expect(nadia.getByText('Lovely, see you at 11.')).toBeVisible();
  await nadia.getByRole('link', { name: 'Record the time you exchanged' }).click();
  await expectPage(nadia, 'Record time given');
  await expect(nadia.getByLabel('I gave time')).toBeChecked();
  await nadia.getByRole('group', { name: 'How long?' }).getByLabel('Hours').fill('1');
  await nadia.getByRole('group', { name: 'How long?' }).getByLabel('Minutes').fill('30');
  await nadia.getByLabel('What kind of help was it?').selectOption({ label: 'Café company and coffee mornings' });
  await nadia.getByRole('button', { name: 'Record time' }).click();
  await expectPage(nadia, 'Time you gave');
  await expect(nadia.getByText('Waiting for confirmation')).toBeVisible();
  // The page says what was recorded: who, how long, the kind of help, and who confirms it.
  await expect(nadia.getByRole('definition').filter({ hasText: '1 hour 30 minutes' })).toBeVisible();
  await expect(nadia.getByRole('definition').filter({ hasText: 'Café company and coffee mornings' })).toBeVisible();
  await expect(nadia.getByText(/Waiting for Maria .* to confirm it/)).toBeVisible();

  // Maria confirms; both balances change.
  await timeBank(maria);
  await maria.getByRole('link', { name: 'Nadia Hassan gave Maria Santos 1 hour 30 minutes' }).click();
  await expectPage(maria, 'Time you received');
  await expect(maria.getByRole('definition').filter({ hasText: /^\s*Nadia/ })).toBeVisible();
  await maria.getByRole('button', { name: 'Confirm' }).click();
  await expect(maria.getByText('Confirmed. Balances have changed.')).toBeVisible();
  await timeBank(maria);
  await expect(maria.getByTestId('balance')).not.toHaveText(before);
  await timeBank(nadia);
  await expect(nadia.getByTestId('balance')).toHaveText('1 hour 30 minutes');
});

test('a member without a background check cannot take up a home-visit request that needs one, and is told why', async ({
  browser,
}) => {
  const maria = await (await browser.newContext()).newPage();
  await signIn(maria, 'member@example.org');
  await timeBank(maria);
  await maria.getByRole('button', { name: 'Find offers and requests' }).click();
  await maria.getByLabel('Search').fill('dressed');
  await maria.getByRole('button', { name: 'Find' }).click();
  await expectPage(maria, 'Offers and requests');
  await maria.getByRole('link', { name: 'Help getting dressed in the mornings' }).click();
  await expectPage(maria, 'Help getting dressed in the mornings');
  await expect(maria.getByText('Home visit', { exact: true })).toBeVisible();
  await expect(maria.getByText(/This help needs an enhanced DBS check with a barred list check/)).toBeVisible();
  await expect(maria.getByRole('button', { name: 'Send: I can help' })).toHaveCount(0);
});
