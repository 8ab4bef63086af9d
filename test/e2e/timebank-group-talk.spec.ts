import { expect, expectPage, signIn, test } from './support.ts';

test('a coordinator records a talk Doris gave to eight people, though Doris is not online, and prints her statement', async ({
  browser,
}) => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'coordinator@example.org');
  await page.goto('/c/lambeth');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Time bank' }).click();
  await expectPage(page, 'Time bank');
  await page.getByRole('link', { name: 'Record a group exchange' }).click();
  await expectPage(page, 'Record a group exchange');

  // Forgetting who received it keeps what was chosen and says what is missing.
  // A time bank of thousands: each side is found by name, then ticked.
  const givers = page.getByRole('group', { name: 'Who gave time?' });
  const receivers = page.getByRole('group', { name: 'Who received it?' });
  await givers.getByLabel('Find someone who gave, by name').fill('Doris');
  await givers.getByRole('button', { name: 'Find: Who gave time?' }).click();
  await expectPage(page, 'Record a group exchange');
  await givers.getByLabel('Doris Campbell').check();
  await page.getByRole('group', { name: 'How long did each giver give?' }).getByLabel('Hours').fill('1');
  await page.getByRole('button', { name: 'Record group exchange' }).click();
  await expectPage(page, 'Record a group exchange');
  await expect(page.locator('.nhsuk-error-summary')).toContainText('Tick at least one person who received time');
  await expect(givers.getByLabel('Doris Campbell')).toBeChecked();

  const audience = [
    'Agnes Vaughan',
    'Bernard Ellis',
    'Carmen Simpson',
    'Delroy Turner',
    'Edna Douglas',
    'Fiona Reid',
    'George Barker',
    'Hilda Ince',
  ];
  // The register read out, found in one go.
  await receivers.getByLabel('Find someone who received, by name').fill(audience.join(', '));
  await receivers.getByRole('button', { name: 'Find: Who received it?' }).click();
  await expectPage(page, 'Record a group exchange');
  await expect(givers.getByLabel('Doris Campbell')).toBeChecked();
  for (const name of audience) await receivers.getByLabel(name).check();
  await page.getByRole('group', { name: 'How long did each receive?' }).getByLabel('Hours').fill('1');
  await page.getByLabel('The community pot pays').check();
  await page.getByLabel('What kind of help was it?').selectOption({ label: 'Talks and groups' });
  await page.getByLabel('What was it? (optional)').fill('Talk: looking after your feet');
  await page.getByRole('button', { name: 'Record group exchange' }).click();
  await expectPage(page, 'A group exchange');
  await expect(page.getByText('Group exchange recorded. Balances have changed.')).toBeVisible();
  await expect(page.getByRole('definition').filter({ hasText: 'Agnes Vaughan (1 hour)' })).toBeVisible();
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible();

  await page.getByRole('link', { name: 'Time bank' }).first().click();
  await page.getByRole('link', { name: /\d+ members/ }).click();
  await expectPage(page, 'Time bank members');
  await page.getByRole('link', { name: 'Doris Campbell' }).click();
  await expectPage(page, 'Doris Campbell');
  await expect(page.getByText('Not online: record and print for them.')).toBeVisible();
  await page.getByRole('link', { name: 'Print this statement' }).click();
  await expectPage(page, 'Statement for Doris Campbell');
  await expect(page.getByRole('table')).toContainText('Talk: looking after your feet');
  await expect(page.getByRole('table')).toContainText('+1 hour');
  await expect(page.getByRole('button', { name: 'Print' })).toBeVisible();

  // The talk is in the funders' report, which also reads without JavaScript as tables.
  await page.goto('/c/lambeth/timebank');
  await page.getByRole('link', { name: 'Time bank reports' }).click();
  await expectPage(page, 'Time bank reports');
  await expect(page.getByRole('table', { name: 'Time given by kind of help' })).toContainText('Talks and groups');
  await page.goto('/c/lambeth/timebank/settings');
  await page.getByRole('link', { name: 'Import from a spreadsheet' }).click();
  await expectPage(page, 'Import from a spreadsheet');
});
