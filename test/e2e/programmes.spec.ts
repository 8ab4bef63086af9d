import { expectPage, signIn, test, expect } from './support.ts';

test('an admin adds a programme, and someone looking for support finds it on the community’s page', async ({
  page,
  browser,
}) => {
  await signIn(page, 'admin@example.org');
  await expectPage(page, 'Hello, Alex Morgan');
  await page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Programmes' }).click();
  await expectPage(page, 'Programmes');
  await page.getByRole('button', { name: 'Add a programme' }).click();
  await expectPage(page, 'Add a programme');
  await page.getByLabel('Name').fill('Gardening together');
  await page.getByRole('button', { name: 'Save programme' }).click();
  await expectPage(page, 'Add a programme');
  await expect(page.getByRole('alert')).toContainText('Select what kind of programme it is');
  await expect(page.getByLabel('Name')).toHaveValue('Gardening together');
  await page.getByLabel('Peer support network').check();
  await page.getByLabel('Who it is for').fill('Anyone who likes being outside, whatever you know about plants.');
  await page.getByLabel('How to join').fill('Just come along, or ask at reception.');
  await page.getByLabel('Where and when').fill('Saturdays 10am at the surgery garden.');
  await page.getByRole('button', { name: 'Save programme' }).click();
  await expectPage(page, 'Programmes');
  await expect(page.getByText('Gardening together has been added.')).toBeVisible();

  const visitor = await (await browser.newContext()).newPage();
  await visitor.goto('/communities/lambeth/programmes');
  await expectPage(visitor, 'What we offer');
  await expect(visitor.getByRole('heading', { name: 'Gardening together' })).toBeVisible();
  await expect(visitor.getByText('Saturdays 10am at the surgery garden.')).toBeVisible();
  await expect(visitor.getByRole('heading', { name: 'Winter walking group' })).toHaveCount(0);
});
