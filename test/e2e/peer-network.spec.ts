import { expect, expectPage, signIn, test } from './support.ts';

test('a member joins the peer network herself, is marked at a meeting on a phone, shares her crisis plan with one facilitator, steps back and comes back without a referral', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const leah = await (await browser.newContext()).newPage();
  await signIn(leah, 'newmember.croydon@example.org');
  await leah.goto('/c/croydon');
  await leah.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Peer network' }).click();
  await expectPage(leah, 'Peer network');
  await leah.getByRole('button', { name: 'Join the network' }).click();
  await expectPage(leah, 'Peer network');
  await expect(leah.getByText('Welcome to the network')).toBeVisible();
  await leah.getByRole('link', { name: 'Monday evening group' }).click();
  await expectPage(leah, 'Monday evening group');
  await leah.getByRole('button', { name: 'I usually go to this group' }).click();
  await expect(leah.getByText('This group is now one of yours')).toBeVisible();

  // The facilitator takes the register on a phone: one tap for Leah.
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const ruth = await phone.newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  await ruth.goto('/c/croydon/network');
  await expectPage(ruth, 'Peer network');
  await ruth.getByRole('link', { name: 'Monday evening group' }).first().click();
  await expectPage(ruth, 'Monday evening group');
  // A meeting weeks ahead says when its register opens, and has no register to tap yet.
  await expect(ruth.getByText(/register opens on/).first()).toBeVisible();
  await ruth.getByRole('list').filter({ hasText: 'came' }).getByRole('link').first().click();
  await expectPage(ruth, 'Register');
  const before = Number((await ruth.getByTestId('here-count').innerText()).match(/\d+/)?.[0]);
  await ruth.getByRole('button', { name: 'Leah Morris: Mark here' }).click();
  await expectPage(ruth, 'Register');
  await expect(ruth.getByTestId('here-count')).toContainText(String(before + 1));
  await expect(ruth.getByRole('button', { name: 'Leah Morris: Undo' })).toBeVisible();
  const box = await ruth.getByRole('button', { name: 'Leah Morris: Undo' }).boundingBox();
  expect(box?.height ?? 0).toBeGreaterThanOrEqual(44);

  // Leah writes what helps her in a crisis and shows it to Ruth only.
  await leah.goto('/c/croydon/network');
  await leah.getByRole('link', { name: 'Write your crisis plan' }).click();
  await expectPage(leah, 'Your crisis plan');
  await expect(leah.getByText('Samaritans free on 116 123')).toBeVisible();
  await leah.getByRole('button', { name: 'Save your plan' }).click();
  await expectPage(leah, 'Your crisis plan');
  await expect(leah.locator('.nhsuk-error-summary')).toContainText('Write at least one thing that helps you');
  await leah.getByLabel('What helps me').fill('Sitting somewhere quiet with a cup of tea and someone I trust.');
  await leah.getByLabel('Who helped you write it (optional)').fill('Two members of the Monday group');
  await leah.getByRole('group', { name: 'Facilitators who can read it' }).getByLabel('Ruth Adeyemi').check();
  await leah.getByRole('button', { name: 'Save your plan' }).click();
  await expect(leah.getByText('Your crisis plan is saved.')).toBeVisible();

  await ruth.goto('/c/croydon/network');
  await ruth.getByRole('link', { name: 'Crisis plan of Leah Morris' }).click();
  await expectPage(ruth, 'Crisis plan of Leah Morris');
  await expect(ruth.getByText('Sitting somewhere quiet')).toBeVisible();
  const planUrl = ruth.url();

  // The other facilitator was not chosen: for him the plan does not exist.
  const tom = await (await browser.newContext()).newPage();
  await signIn(tom, 'facilitator2.croydon@example.org');
  await tom.goto('/c/croydon/network');
  await expectPage(tom, 'Peer network');
  await expect(tom.getByRole('link', { name: 'Crisis plan of Leah Morris' })).toHaveCount(0);
  const refused = await tom.goto(planUrl);
  expect(refused?.status()).toBe(404);

  // Leah steps back by her own choice, and later comes back: no referral, no waiting.
  await leah.goto('/c/croydon/network');
  await leah.getByRole('link', { name: 'Step back from the network' }).click();
  await expectPage(leah, 'Step back from the network');
  await leah.getByRole('button', { name: 'Step back for now' }).click();
  await expectPage(leah, 'Peer network');
  await expect(leah.getByText('You have stepped back for now')).toBeVisible();
  await leah.getByRole('button', { name: 'Come back to the network' }).click();
  await expectPage(leah, 'Peer network');
  await expect(leah.getByText('Welcome back. You are an active member again.')).toBeVisible();
  await expect(leah.getByRole('link', { name: /Monday evening group, / }).first()).toBeVisible();
  await leah.getByRole('link', { name: 'Add meetings to your calendar' }).click();
  await expectPage(leah, 'Add meetings to your calendar');
  const feed = await leah.getByLabel('Or copy this address into your calendar app').inputValue();
  const calendar = await leah.request.get(new URL(feed).pathname);
  expect(calendar.headers()['content-type']).toContain('text/calendar');
  expect(await calendar.text()).toContain('SUMMARY:Monday evening group');
});

test('a facilitator adopts a change to the ground rules members agreed, and the numbers show a year of attendance', async ({
  browser,
}) => {
  const jade = await (await browser.newContext()).newPage();
  await signIn(jade, 'member.croydon@example.org');
  await jade.goto('/c/croydon/network');
  await jade.getByRole('link', { name: 'Ground rules' }).click();
  await expectPage(jade, 'Ground rules');
  await jade.getByRole('button', { name: 'I agree with this change' }).click();
  await expect(jade.getByText('Your agreement is recorded')).toBeVisible();

  const ruth = await (await browser.newContext()).newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  await ruth.goto('/c/croydon/network');
  await ruth.getByRole('link', { name: 'Network numbers' }).click();
  await expectPage(ruth, 'Network numbers');
  await expect(ruth.getByRole('table', { name: 'Attendances each month, by group' })).toContainText(
    'Monday evening group',
  );
  await ruth.goto('/c/croydon/network');
  await ruth.getByRole('link', { name: 'Ground rules of Croydon peer network' }).click();
  await expectPage(ruth, 'Ground rules');
  await ruth.getByRole('button', { name: 'Adopt this change' }).click();
  await expect(ruth.getByText('These are now the ground rules (version 2)')).toBeVisible();
  await expect(ruth.getByText('Phones on silent during the group')).toBeVisible();
});
