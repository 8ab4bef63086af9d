import { readFileSync } from 'node:fs';
import { expect, expectPage, signIn, test } from './support.ts';

test('a member downloads everything held about them, as a page and as a file', async ({ page }) => {
  await signIn(page, 'member@example.org');
  await expectPage(page, 'Hello, Maria Santos');
  await page.getByRole('link', { name: 'Your details' }).click();
  await expectPage(page, 'Your details');
  await page.getByRole('link', { name: 'Download your data' }).click();
  await expectPage(page, 'Download your data');
  await expect(page.getByRole('heading', { name: /Your account/ })).toBeVisible();
  await expect(page.getByRole('heading', { name: /Your journey/ })).toBeVisible();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: 'Download as a file (JSON)' }).click(),
  ]);
  const data = JSON.parse(readFileSync((await download.path()) ?? '', 'utf8')) as {
    person: { preferredName: string };
    sections: { table: string }[];
  };
  expect(data.person.preferredName).toBe('Maria');
  expect(data.sections.map((section) => section.table)).toEqual(
    expect.arrayContaining(['people', 'person_records', 'milestones']),
  );
});

test('someone who is not online asks, through a coordinator, to be forgotten; an admin approves; the record keeps only a number', async ({
  browser,
}) => {
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  await coordinator.getByRole('link', { name: 'Lambeth Together' }).click();
  await coordinator.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'People' }).click();
  await expectPage(coordinator, 'People');
  await coordinator.getByRole('button', { name: 'Add a person' }).click();
  await expectPage(coordinator, 'Add a person');
  await coordinator.getByLabel('Preferred name').fill('Cyril');
  await coordinator.getByLabel('Full name').fill('Cyril Forgetme');
  await coordinator.getByLabel('This person is not online. Coordinators will act for them.').check();
  await coordinator.getByLabel('Address', { exact: true }).fill('4 Rosendale Road');
  await coordinator.getByLabel('Postcode').fill('se21 8dy');
  await coordinator.getByLabel('Letter').check();
  await coordinator.getByRole('button', { name: 'Add person' }).click();
  await expectPage(coordinator, 'Cyril');
  await expect(coordinator.getByText('SE21 8DY')).toBeVisible();
  await coordinator.getByRole('link', { name: 'They asked to be forgotten' }).click();
  await expectPage(coordinator, 'Ask to forget Cyril');
  await coordinator
    .getByLabel('Anything you would like to tell us (optional)')
    .fill('Wrote to us asking to be removed.');
  await coordinator.getByRole('button', { name: 'Ask to be forgotten' }).click();
  await expectPage(coordinator, 'Ask to forget Cyril');
  await expect(coordinator.getByText('waiting for an admin')).toBeVisible();

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.org');
  await admin.getByRole('link', { name: 'Requests to be forgotten' }).click();
  await expectPage(admin, 'Requests to be forgotten');
  await admin.getByRole('link', { name: 'Cyril' }).click();
  await expectPage(admin, 'Request to forget Cyril');
  await admin.getByRole('button', { name: 'Approve and forget them' }).click();
  await expectPage(admin, 'Requests to be forgotten');
  await expect(admin.getByText('The person has been forgotten.')).toBeVisible();

  await coordinator.reload();
  await expectPage(coordinator, /^Ask to forget Former member \d+$/);
  await expect(coordinator.getByText('This record has been erased.')).toBeVisible();
  await coordinator.getByRole('link', { name: 'Back' }).click();
  await expectPage(coordinator, /^Former member \d+$/);
  await expect(coordinator.getByText('Cyril Forgetme')).toHaveCount(0);
  await expect(coordinator.getByText('4 Rosendale Road')).toHaveCount(0);
});

test('a member raises a safeguarding concern; the safeguarding lead reads it; a coordinator is told it does not exist', async ({
  browser,
}) => {
  const member = await (await browser.newContext()).newPage();
  await signIn(member, 'member@example.org');
  await member.getByRole('link', { name: 'Raise a safeguarding concern' }).click();
  await expectPage(member, 'Raise a safeguarding concern');
  await member.getByLabel('Yes').check();
  await member.getByLabel('Who are you worried about?').fill('Harold from the walking group');
  await member
    .getByLabel('What happened, or what are you worried about?')
    .fill('He has bruises and said he is scared to go home.');
  await member.getByRole('button', { name: 'Send the concern' }).click();
  await expectPage(member, 'Your concern has been sent');
  await expect(member.getByText('Call 999 if someone is in immediate danger')).toBeVisible();
  await expect(member.getByText('Call 111 for urgent medical help')).toBeVisible();

  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'safeguarding@example.org');
  await lead.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Concerns' }).click();
  await expectPage(lead, 'Safeguarding concerns');
  await lead.getByRole('link', { name: 'Harold from the walking group' }).first().click();
  await expectPage(lead, 'Concern about Harold from the walking group');
  await expect(lead.getByText('He has bruises and said he is scared to go home.')).toBeVisible();
  const address = lead.url();

  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  const response = await coordinator.goto(address);
  expect(response?.status()).toBe(404);
  await expectPage(coordinator, 'Page not found');
  await expect(coordinator.getByText('He has bruises')).toHaveCount(0);
});
