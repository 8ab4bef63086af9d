import * as OTPAuth from 'otpauth';
import { demoTwoStepKey } from '../../src/demo/sign-ins.ts';
import type { Locator, Page } from '@playwright/test';
import { expect, expectPage, signIn, test } from './support.ts';

// Both journeys sign the demo platform admin in with a code: one after the other, so that the
// second can use the next step's code (a code's step is accepted once).
test.describe.configure({ mode: 'serial' });

const codeAt = (time: number) =>
  new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(demoTwoStepKey), digits: 6, period: 30 }).generate({
    timestamp: time,
  });

test('the platform admin signs in with two steps; the same code in another browser is refused', async ({ browser }) => {
  const code = codeAt(Date.now());
  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'platform@example.org');
  await expectPage(admin, 'Enter your security code');
  await admin.getByLabel('Security code').fill(code);
  await admin.getByRole('button', { name: 'Continue' }).click();
  await expectPage(admin, 'All communities');

  // Someone who saw the code over their shoulder tries it, within its 30 seconds.
  const other = await (await browser.newContext()).newPage();
  await signIn(other, 'platform@example.org');
  await expectPage(other, 'Enter your security code');
  await other.getByLabel('Security code').fill(code);
  await other.getByRole('button', { name: 'Continue' }).click();
  await expectPage(other, 'Enter your security code');
  await expect(other.getByRole('alert')).toContainText('already used');
});

// The first hour of a new community, as its people do it, through the pages only, on an install
// that sends no email: from nothing to a confirmed exchange for someone a GP referred. It counts
// the page loads and the fields staff fill (docs/first-hour.md records the path).
test('a new community goes from nothing to its first confirmed exchange from a GP referral, in at most 40 page loads', async ({
  browser,
}) => {
  test.setTimeout(240_000);
  let loads = 0;
  let fields = 0;
  const steps: string[] = [];
  const staffPage = async () => {
    const page = await (await browser.newContext()).newPage();
    page.on('load', () => (loads += 1));
    return page;
  };
  const fill = async (field: Locator, value: string) => {
    fields += 1;
    await field.fill(value);
  };
  const tick = async (field: Locator) => {
    fields += 1;
    await field.check();
  };
  const linkOn = async (page: Page) => {
    const href = await page.getByTestId('invitation-link').getAttribute('href');
    if (!href) throw new Error('no invitation link shown');
    return new URL(href).pathname;
  };
  const today = new Date();

  // The platform admin creates the community and its admin's invitation.
  const platform = await staffPage();
  await signIn(platform, 'platform@example.org');
  await expectPage(platform, 'Enter your security code');
  // The next step's code: the other platform journey may have used this step's.
  await fill(
    platform.getByLabel('Security code'),
    new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(demoTwoStepKey), digits: 6, period: 30 }).generate({
      timestamp: Date.now() + 30_000,
    }),
  );
  fields += 2; // email and password on the sign-in page
  await platform.getByRole('button', { name: 'Continue' }).click();
  await expectPage(platform, 'All communities');
  await platform.getByRole('button', { name: 'Create a community' }).click();
  await expectPage(platform, 'Create a community');
  await fill(platform.getByLabel('Name', { exact: true }), 'Southwark Circle');
  await fill(platform.getByLabel('Web address name'), 'southwark');
  await fill(platform.getByLabel('Email address of the first admin (optional)'), 'amira@southwark.example.org');
  await platform.getByRole('button', { name: 'Create community' }).click();
  await expectPage(platform, 'Southwark Circle');
  await expect(platform.getByText('Email is not set up here')).toBeVisible();
  const adminLink = await linkOn(platform);
  steps.push(`platform admin: community created: ${loads} loads, ${fields} fields`);

  // The admin follows the link, makes her account, and sees what is left to do.
  const admin = await staffPage();
  await admin.goto(adminLink);
  await expectPage(admin, 'You are invited to join Southwark Circle');
  await admin.getByRole('button', { name: 'Create an account' }).click();
  await expectPage(admin, 'Create an account');
  await expect(admin.getByLabel('Email address')).toHaveValue('amira@southwark.example.org');
  await fill(admin.getByLabel('Your name'), 'Amira Khan');
  await fill(admin.getByLabel('Create a password'), 'southwark circle one');
  await admin.getByRole('button', { name: 'Create account' }).click();
  await expectPage(admin, /Amira Khan/);
  await expect(admin.getByRole('heading', { name: 'Getting started' })).toBeVisible();
  steps.push(`admin: account made, invitation accepted: ${loads} loads, ${fields} fields`);

  await admin.getByRole('link', { name: 'Add a programme' }).click();
  await expectPage(admin, /programme/i);
  await fill(admin.getByLabel('Name', { exact: true }), 'Southwark Time Bank');
  await tick(admin.getByLabel('Time bank'));
  await fill(admin.getByLabel('Who it is for'), 'Anyone living in Southwark');
  await fill(admin.getByLabel('How to join'), 'Ask your GP, or call us');
  await admin.getByRole('button', { name: /Save|Add/ }).click();
  steps.push(`admin: programme added: ${loads} loads, ${fields} fields`);
  await admin.goto('/c/southwark');
  await admin.getByRole('link', { name: 'Add the kinds of help people exchange' }).click();
  await admin.getByRole('button', { name: 'Add a kind of help' }).click();
  await expectPage(admin, 'Add a kind of help');
  await fill(admin.getByLabel('Name', { exact: true }), 'Shopping');
  await admin.getByRole('button', { name: 'Save' }).click();
  steps.push(`admin: kind of help added: ${loads} loads, ${fields} fields`);
  await admin.goto('/c/southwark');
  await admin.getByRole('link', { name: 'Invite a coordinator' }).click();
  await expectPage(admin, 'Invite someone');
  await fill(admin.getByLabel('Email address'), 'kofi@southwark.example.org');
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expectPage(admin, 'Invitations');
  const coordinatorLink = await linkOn(admin);
  steps.push(`admin: coordinator invited: ${loads} loads, ${fields} fields`);
  await admin.goto('/c/southwark/invitations/new?role=referrer');
  await fill(admin.getByLabel('Email address'), 'dr.osei@southwark.example.org');
  await admin.getByRole('button', { name: 'Send invitation' }).click();
  await expectPage(admin, 'Invitations');
  const referrerLink = await linkOn(admin);
  steps.push(`admin: referrer invited: ${loads} loads, ${fields} fields`);

  // The coordinator and the GP each make their account from their link.
  const join = async (page: Page, link: string, name: string) => {
    await page.goto(link);
    await page.getByRole('button', { name: 'Create an account' }).click();
    await expectPage(page, 'Create an account');
    await fill(page.getByLabel('Your name'), name);
    await fill(page.getByLabel('Create a password'), 'southwark circle two');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expectPage(page, new RegExp(name));
  };
  const coordinator = await staffPage();
  await join(coordinator, coordinatorLink, 'Kofi Mensah');
  steps.push(`coordinator: in: ${loads} loads, ${fields} fields`);
  const gp = await staffPage();
  await join(gp, referrerLink, 'Dr Ama Osei');
  steps.push(`GP: in: ${loads} loads, ${fields} fields`);

  // The GP refers a patient, who agreed to it.
  await gp.getByRole('button', { name: 'Refer someone' }).click();
  await expectPage(gp, 'Refer someone');
  await fill(gp.getByLabel('Preferred name'), 'Grace');
  await fill(gp.getByLabel('Phone number'), '020 7946 0321');
  await fill(
    gp.getByLabel('Why you are referring them'),
    'Lonely since her husband died; would like company and help with shopping.',
  );
  await expect(gp.getByLabel('Southwark Time Bank')).toBeChecked();
  await tick(gp.getByLabel('Routine'));
  await tick(gp.getByLabel('They agreed to be referred'));
  await fill(gp.getByLabel('Your organisation'), 'Borough Medical Centre');
  await gp.getByRole('button', { name: 'Send referral' }).click();
  await expect(gp.getByText(/Referral sent/)).toBeVisible();
  steps.push(`GP: referral sent: ${loads} loads, ${fields} fields`);

  // The coordinator accepts her into the time bank and finishes her joining steps.
  await coordinator
    .getByRole('link', { name: /new referral/i })
    .first()
    .click();
  await coordinator.getByRole('row', { name: /Grace/ }).getByRole('link').click();
  await coordinator.getByRole('button', { name: 'Accept' }).click();
  await expectPage(coordinator, 'Accept');
  await coordinator.getByRole('button', { name: 'Accept' }).click();
  await coordinator.getByRole('link', { name: 'Go to Grace’s time bank joining steps' }).click();
  await expectPage(coordinator, 'Grace');
  await coordinator.getByRole('button', { name: 'Every step is done, today' }).click();
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();
  steps.push(`coordinator: Grace accepted and joined: ${loads} loads, ${fields} fields`);

  // A neighbour who is not online joins the time bank in one step.
  await coordinator.goto('/c/southwark/timebank/members?q=Winifred+Cole');
  await expect(coordinator.getByRole('heading', { name: 'Not found? Add Winifred Cole as someone new' })).toBeVisible();
  await fill(coordinator.getByLabel('Preferred name'), 'Winifred');
  await fill(coordinator.getByLabel('Full name (optional)'), 'Winifred Cole');
  await tick(coordinator.getByLabel('They are not online'));
  await coordinator.getByRole('button', { name: 'Add them to the time bank' }).click();
  await expectPage(coordinator, 'Winifred Cole');
  await coordinator.getByRole('button', { name: 'Every step is done, today' }).click();
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();
  steps.push(`coordinator: Winifred added and joined: ${loads} loads, ${fields} fields`);

  // Winifred did Grace's shopping: the coordinator records it, confirmed.
  await coordinator.goto('/c/southwark/timebank/exchanges/new');
  await coordinator.getByLabel('Who gave the time?').selectOption({ label: 'Winifred Cole' });
  await coordinator.getByLabel('Who received it?').selectOption({ label: 'Grace' });
  fields += 2;
  await fill(coordinator.getByLabel('Hours'), '1');
  // Today, and the only kind of help, are already chosen.
  await expect(coordinator.getByRole('group', { name: 'When?' }).getByLabel('Day')).toHaveValue(
    String(today.getDate()),
  );
  await expect(coordinator.getByLabel('What kind of help was it?')).toHaveValue(/.+/);
  await tick(coordinator.getByLabel('Both have told me about it: confirm it now'));
  await coordinator.getByRole('button', { name: 'Record time' }).click();
  await expect(coordinator.getByText('Confirmed', { exact: true })).toBeVisible();

  test.info().annotations.push({ type: 'first hour', description: `${loads} page loads, ${fields} fields` });
  process.stdout.write(`first hour: ${loads} page loads, ${fields} fields\n${steps.join('\n')}\n`);
  expect(loads).toBeLessThanOrEqual(40);
  // About 12 seconds a page and a field (the first walk: 75 pages and 81 fields took 32 minutes): at most 15 minutes.
  expect(((loads + fields) * 12) / 60).toBeLessThanOrEqual(15);
});
