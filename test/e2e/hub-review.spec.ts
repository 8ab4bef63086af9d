import { expect, expectPage, signIn, test } from './support.ts';

test('the hub accepts a referral; the next review meeting’s agenda shows the person; the chair records an action for a peer supporter, which is on his home page', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  await sam.goto('/c/lambeth');
  await sam.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Referrals' }).click();
  await expectPage(sam, 'Referrals');
  await sam.getByText('Filter and search').click();
  await sam.getByLabel('Name or reference').fill('HUBR-4K7M');
  await sam.getByRole('button', { name: 'Show referrals' }).click();
  await sam.getByRole('link', { name: 'HUBR-4K7M' }).click();
  await expectPage(sam, 'Referral HUBR-4K7M');
  await sam.getByRole('button', { name: 'Accept' }).click();
  await expectPage(sam, 'Accept');
  await expect(sam.getByLabel('Living Well hub')).toBeChecked();
  await sam.getByRole('button', { name: 'Accept' }).click();
  await expect(sam.getByText('Accepted into: Living Well hub.')).toBeVisible();

  await sam.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Hub team' }).click();
  await expectPage(sam, 'Living Well hub');
  await sam.getByRole('button', { name: /^(Open today’s review meeting|Hold a review meeting today)/ }).click();
  await expectPage(sam, /^Review meeting, /);
  const omar = sam.getByRole('listitem').filter({ hasText: 'Omar Said' });
  await expect(omar).toContainText('New since the last meeting');
  await omar.getByRole('link', { name: 'Omar Said' }).click();
  await expectPage(sam, 'Omar Said');
  await sam
    .getByLabel('What was discussed')
    .fill('Omar would like someone with lived experience alongside him while he looks for work.');
  await sam.getByLabel('What was decided').fill('Offer Missing Link peer support; Dev to meet him first.');
  await sam.getByLabel('What needs doing').fill('Meet Omar at the hub and introduce peer support');
  await sam.getByRole('button', { name: 'Save and go back to the agenda' }).click();
  await expectPage(sam, 'Omar Said');
  await expect(sam.locator('.nhsuk-error-summary')).toContainText('Choose who will do it');
  await expect(sam.getByLabel('What was discussed')).toHaveValue(/lived experience/);
  await sam.getByLabel('Who will do it').selectOption({ label: 'Dev Sharma (Peer supporter)' });
  const due = new Date(Date.now() + 5 * 86_400_000);
  const dueOn = sam.getByRole('group', { name: 'By when' });
  await dueOn.getByLabel('Day').fill(String(due.getUTCDate()));
  await dueOn.getByLabel('Month').fill(String(due.getUTCMonth() + 1));
  await dueOn.getByLabel('Year').fill(String(due.getUTCFullYear()));
  await sam.getByRole('button', { name: 'Save and go back to the agenda' }).click();
  await expectPage(sam, /^Review meeting, /);
  await expect(sam.getByRole('listitem').filter({ hasText: 'Omar Said' })).toContainText('Discussed');

  // The action is on Dev's home page, and he can open Omar: he owns an action for him.
  const dev = await (await browser.newContext()).newPage();
  await signIn(dev, 'peer@example.org');
  await dev.goto('/c/lambeth');
  await expectPage(dev, /Hello, Dev Sharma/);
  await expect(dev.getByText('Meet Omar at the hub and introduce peer support')).toBeVisible();
  await dev.getByRole('link', { name: 'Omar Said' }).click();
  await expectPage(dev, 'Omar Said');
  await dev.getByRole('button', { name: /^Mark as done/ }).click();
  await expect(dev.getByText('Action done.')).toBeVisible();
});

test('a personal budget refuses an overspend until the coordinator approves it explicitly, saying why', async ({
  browser,
}) => {
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  await sam.goto('/c/lambeth/hub');
  await sam.getByRole('link', { name: 'Caseload' }).click();
  await expectPage(sam, 'Caseload');
  await sam.getByLabel('Find by name').fill('Desmond');
  await sam.getByRole('button', { name: 'Find' }).click();
  await sam.getByRole('link', { name: 'Desmond Hart' }).click();
  await expectPage(sam, 'Desmond Hart');
  await sam.getByRole('link', { name: /^Lambeth personal health budget/ }).click();
  await expectPage(sam, 'Personal budget of Desmond Hart');
  const kit = sam.locator('.nhsuk-card').filter({ hasText: 'Running shoes and kit' });
  await expect(kit).toContainText('This would overspend the budget');
  await kit.getByRole('button', { name: 'Approve spend' }).click();
  await expectPage(sam, 'Personal budget of Desmond Hart');
  await expect(sam.locator('.nhsuk-error-summary')).toContainText('This spend is more than the budget has left');
  await expect(sam.locator('.nhsuk-card').filter({ hasText: 'Running shoes and kit' })).toContainText(
    'Waiting for approval',
  );
  const again = sam.locator('.nhsuk-card').filter({ hasText: 'Running shoes and kit' });
  await again.getByLabel('I approve spending more than the budget has left').check();
  await again.getByLabel('Why is the overspend approved?').fill('Agreed at Monday’s review: running is his main goal');
  await again.getByRole('button', { name: 'Approve spend' }).click();
  await expect(sam.getByText('Spend approved.')).toBeVisible();
  await expect(sam.locator('.nhsuk-card').filter({ hasText: 'Running shoes and kit' })).toContainText(
    'Approved over the budget: Agreed at Monday’s review',
  );
});
