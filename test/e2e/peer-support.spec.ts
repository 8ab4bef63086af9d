import { expect, expectPage, lastMessageTo, signIn, test } from './support.ts';

test('a 12-week episode starts; the supporter logs contacts and sends the week; the coordinator returns the over-budget week; endings tell the referrer only with consent', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  await sam.goto('/c/lambeth');
  await sam.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Peer support' }).click();
  await expectPage(sam, 'Peer support');
  await sam.getByRole('link', { name: 'start support for Ivy Summers' }).click();
  await expectPage(sam, 'Start peer support');
  await sam.getByLabel('Peer supporter').selectOption({ label: 'Dev' });
  await sam
    .getByLabel('Goals agreed together (optional)')
    .fill('Go back to the swimming pool\nSee friends once a week');
  await sam.getByRole('button', { name: 'Start peer support' }).click();
  await expectPage(sam, 'Peer support for Ivy Summers');
  await expect(sam.getByText('(12 weeks)')).toBeVisible();
  await expect(sam.getByText('2 hours a week')).toBeVisible();
  const ivysSupport = sam.url();

  // Dev logs two contacts this week: more than the two hours allowed.
  const dev = await (await browser.newContext()).newPage();
  await signIn(dev, 'peer@example.org');
  await dev.goto('/c/lambeth/support');
  await expectPage(dev, 'Peer support');
  await dev.getByRole('link', { name: 'Ivy Summers' }).click();
  await expectPage(dev, 'Peer support for Ivy Summers');
  await expect(dev.getByText('Go back to the swimming pool')).toBeVisible();
  await dev.getByRole('button', { name: 'Log a contact' }).click();
  await expectPage(dev, 'Log a contact');
  await dev.getByRole('button', { name: 'Save contact' }).click();
  await expectPage(dev, 'Log a contact');
  await expect(dev.locator('.nhsuk-error-summary')).toContainText('Choose how you met');
  await dev.getByRole('group', { name: 'How long did it take?' }).getByLabel('Hours').fill('2');
  await dev.getByRole('group', { name: 'How long did it take?' }).getByLabel('Minutes').fill('30');
  await dev.getByLabel('In person').check();
  await dev
    .getByLabel('What did you do?')
    .fill('Went to the leisure centre together to look at the swimming timetable');
  await dev.getByRole('button', { name: 'Save contact' }).click();
  await expect(dev.getByText('Contact logged.')).toBeVisible();
  await dev.getByRole('button', { name: 'Log a contact' }).click();
  await dev.getByRole('group', { name: 'How long did it take?' }).getByLabel('Hours').fill('1');
  await dev.getByLabel('Phone', { exact: true }).check();
  await dev.getByLabel('What did you do?').fill('Called after a difficult day');
  await dev.getByRole('button', { name: 'Save contact' }).click();
  await expect(dev.getByText('Contact logged.')).toBeVisible();
  await dev.goto('/c/lambeth/support');
  await dev
    .getByRole('button', { name: /^Send the week starting/ })
    .first()
    .click();
  await expectPage(dev, 'Timesheet of Dev');
  await expect(dev.getByText('It has more hours than allowed')).toBeVisible();

  // Sam cannot approve it without saying so; he returns it with a reason.
  await sam.goto('/c/lambeth/support');
  await sam
    .getByRole('link', { name: /^Dev, week starting/ })
    .first()
    .click();
  await expectPage(sam, 'Timesheet of Dev');
  await expect(sam.getByText('More hours than allowed')).toBeVisible();
  await sam.getByRole('button', { name: 'Approve timesheet' }).click();
  await expectPage(sam, 'Timesheet of Dev');
  await expect(sam.locator('.nhsuk-error-summary')).toContainText('tick that you approve them, or return it');
  await sam.getByLabel('Why are you returning it?').fill('The phone call was not agreed: please check it');
  await sam.getByRole('button', { name: 'Return timesheet' }).click();
  await expect(sam.getByText('Timesheet returned to the supporter.')).toBeVisible();
  await expect(sam.getByText('Returned', { exact: true })).toBeVisible();

  // Ivy agreed that her GP hears: the ending sends a summary.
  await dev.goto('/c/lambeth/support');
  await dev.getByRole('link', { name: 'Ivy Summers' }).click();
  await dev.getByRole('button', { name: 'End this support' }).click();
  await expectPage(dev, 'End peer support for Ivy Summers');
  await expect(dev.getByText('They agreed that their referrer can hear how things went.')).toBeVisible();
  await dev.getByLabel('What changed?').fill('Ivy swims on Tuesdays with a friend from the group.');
  await dev.getByLabel('The time bank').check();
  await dev.getByLabel('Yes, send a summary').check();
  await dev.getByRole('button', { name: 'End support' }).click();
  await expectPage(dev, 'Peer support for Ivy Summers');
  await expect(dev.getByText('A summary was sent to the referrer.')).toBeVisible();
  const summary = await lastMessageTo('referrer@example.org', 'support-ended');
  expect(summary.subject).toContain('Peer support has ended');
  expect(summary.body).toContain('Ivy swims on Tuesdays');

  // Desmond did not agree: nothing is sent, whatever the supporter chooses.
  await dev.goto('/c/lambeth/support');
  await dev.getByRole('link', { name: 'Desmond Hart' }).click();
  await dev.getByRole('button', { name: 'End this support' }).click();
  await expectPage(dev, 'End peer support for Desmond Hart');
  await expect(dev.getByText('They have not agreed that their referrer can hear how things went')).toBeVisible();
  await dev.getByLabel('What changed?').fill('Desmond keeps a weekly budget on the fridge.');
  await dev.getByLabel('Nothing else for now').check();
  await dev.getByLabel('Yes, send a summary').check();
  await dev.getByRole('button', { name: 'End support' }).click();
  await expect(dev.getByText('No summary was sent: they did not agree')).toBeVisible();
  expect((await lastMessageTo('referrer@example.org', 'support-ended')).body).not.toContain('Desmond');

  // Another peer supporter cannot open Ivy's support.
  const kath = await (await browser.newContext()).newPage();
  await signIn(kath, 'peer3@example.org');
  const refused = await kath.goto(ivysSupport);
  expect(refused?.status()).toBe(404);
});
