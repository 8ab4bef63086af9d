import { expect, expectPage, signIn, test } from './support.ts';

test('a facilitator cancels a meeting on a phone, saying why; a member sees it cancelled and why, and cannot say she is coming', async ({
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const ruth = await phone.newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  await ruth.goto('/c/croydon/network');
  await expectPage(ruth, 'Peer network');
  await ruth.getByRole('link', { name: 'Thursday evening group' }).first().click();
  await expectPage(ruth, 'Thursday evening group');
  // The last meeting to come: weeks ahead, so no other journey meets it.
  const upcoming = ruth.locator('h2', { hasText: 'Meetings to come' }).locator('xpath=following-sibling::ul[1]');
  await upcoming.getByRole('listitem').last().getByRole('link').first().click();
  await expectPage(ruth, 'Thursday evening group');
  const meetingUrl = ruth.url();
  await ruth.getByRole('link', { name: 'Cancel this meeting' }).click();
  await expectPage(ruth, 'Cancel this meeting');
  await ruth.getByRole('button', { name: 'Cancel the meeting' }).click();
  await expectPage(ruth, 'Cancel this meeting');
  await expect(ruth.getByRole('link', { name: 'Say why the meeting is cancelled' })).toBeVisible();
  await ruth.getByLabel('Why is it cancelled?').fill('The centre is closed for repairs. We meet again the week after.');
  await ruth.getByRole('button', { name: 'Cancel the meeting' }).click();
  await expectPage(ruth, 'Thursday evening group');
  await expect(ruth.getByText(/Meeting cancelled\./)).toBeVisible();
  await expect(ruth.getByRole('link', { name: 'Cancel this meeting' })).toHaveCount(0);

  const jade = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
  await signIn(jade, 'member.croydon@example.org');
  await jade.goto(meetingUrl);
  await expectPage(jade, 'Thursday evening group');
  await expect(jade.getByText('The centre is closed for repairs. We meet again the week after.')).toBeVisible();
  await expect(jade.getByRole('radio', { name: /coming/ })).toHaveCount(0);
});
