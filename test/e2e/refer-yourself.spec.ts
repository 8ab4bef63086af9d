import type { Locator, Page } from '@playwright/test';
import { demoPassword, expect, expectPage, lastMessageTo, linkIn, signIn, test, uniqueEmail } from './support.ts';

/** Presses Tab until `target` has the focus, as someone without a mouse would. */
async function tabTo(page: Page, target: Locator): Promise<void> {
  for (let presses = 0; presses < 60; presses += 1) {
    if (await target.evaluate((element) => element === document.activeElement)) return;
    await page.keyboard.press('Tab');
  }
  throw new Error(`could not reach ${target.toString()} with the Tab key`);
}
async function typeInto(page: Page, target: Locator, text: string): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.type(text);
}
async function tick(page: Page, target: Locator): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press('Space');
}
async function press(page: Page, target: Locator): Promise<void> {
  await tabTo(page, target);
  await page.keyboard.press('Enter');
}

test('someone refers themselves with the keyboard alone; a coordinator contacts them and accepts them into the time bank; their journey shows both', async ({
  browser,
}) => {
  // Every field is reached with the Tab key, one press at a time: slower than clicking.
  test.setTimeout(240_000);
  const person = await (await browser.newContext()).newPage();
  const email = uniqueEmail('olive');

  await person.goto('/communities/lambeth/programmes');
  await expectPage(person, 'What we offer');
  await press(person, person.getByRole('link', { name: 'Ask for support' }));
  await expectPage(person, 'Ask for support');
  await press(person, person.getByRole('button', { name: 'Start now' }));

  await expectPage(person, 'What would you like to join?');
  await tick(person, person.getByLabel('Lambeth Time Bank'));
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'What would you like us to call you?');
  // Continuing without an answer says what is missing.
  await press(person, person.getByRole('button', { name: 'Continue' }));
  await expectPage(person, 'What would you like us to call you?');
  await expect(person.getByRole('alert')).toContainText('Enter the name they like to be called');
  await typeInto(person, person.getByLabel('What would you like us to call you?'), 'Olive');
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'How can we get in touch with you?');
  await tick(person, person.getByLabel('Email', { exact: true }));
  await typeInto(person, person.getByLabel('Email address'), email);
  await tick(person, person.getByLabel('Text message'));
  await typeInto(person, person.getByLabel('Phone number'), '07700 900 321');
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'What is your date of birth?');
  await typeInto(person, person.getByLabel('Day'), '3');
  await typeInto(person, person.getByLabel('Month'), '9');
  await typeInto(person, person.getByLabel('Year'), '1949');
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'What would you like support with?');
  await tick(person, person.getByLabel('Feeling lonely or cut off'));
  await typeInto(person, person.getByLabel('Tell us more (optional)'), 'I would like to meet people nearby.');
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'Is there anything that helps you communicate?');
  await tick(person, person.getByLabel('Large print'));
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'Can we use your answers, without your name, to show what difference we make?');
  await tick(person, person.getByLabel('Yes'));
  await press(person, person.getByRole('button', { name: 'Continue' }));

  await expectPage(person, 'Check your answers before sending them');
  await expect(person.getByText('3 September 1949')).toBeVisible();
  await press(person, person.getByRole('button', { name: 'Send' }));

  await expectPage(person, 'We have your request');
  const reference = (await person.locator('.app-reference').textContent())?.trim() ?? '';
  expect(reference).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);

  // The optional account, from the confirmation page: the request follows.
  await press(person, person.getByRole('main').getByRole('link', { name: 'Create an account' }));
  await expectPage(person, 'Create an account');
  await person.getByLabel('Your name').fill('Olive');
  await person.getByLabel('Email address').fill(email);
  await person.getByLabel('Create a password').fill(demoPassword);
  await person.getByRole('button', { name: 'Create account' }).click();
  // The request joins the account once the email address is confirmed.
  await expectPage(person, 'Confirm your email address');
  await person.goto(linkIn((await lastMessageTo(email, 'email-confirmation')).body));
  await expectPage(person, 'Your email address is confirmed');
  await person.getByRole('button', { name: 'Continue' }).click();
  await expectPage(person, 'Your request is in your account');

  // A coordinator finds the referral, records a call and accepts Olive into the time bank.
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  await expectPage(coordinator, 'Your communities');
  await coordinator.getByRole('link', { name: 'Lambeth Together' }).click();
  await coordinator.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name: 'Referrals' }).click();
  await expectPage(coordinator, 'Referrals');
  await coordinator.getByText('Filter and search').click();
  await coordinator.getByLabel('Name or reference').fill(reference);
  await coordinator.getByRole('button', { name: 'Show referrals' }).click();
  await expectPage(coordinator, 'Referrals');
  await coordinator.getByRole('link', { name: reference }).click();
  await expectPage(coordinator, `Referral ${reference}`);
  await coordinator.getByRole('button', { name: 'Record a contact attempt' }).click();
  await expectPage(coordinator, 'Record a contact attempt');
  await coordinator.getByRole('button', { name: 'Save contact attempt' }).click();
  await expect(coordinator.getByRole('alert')).toContainText('Select how you tried to make contact');
  await coordinator.getByLabel('Phone call').check();
  await coordinator.getByLabel('Spoke with them').check();
  await coordinator.getByRole('button', { name: 'Save contact attempt' }).click();
  await expectPage(coordinator, `Referral ${reference}`);
  await expect(coordinator.getByText('Contact attempt saved')).toBeVisible();
  await coordinator.getByRole('button', { name: 'Accept' }).click();
  await expectPage(coordinator, 'Accept');
  await expect(coordinator.getByLabel('Lambeth Time Bank')).toBeChecked();
  await coordinator.getByRole('button', { name: 'Accept' }).click();
  await expectPage(coordinator, `Referral ${reference}`);
  await expect(coordinator.getByText('Accepted into: Lambeth Time Bank.')).toBeVisible();

  // Olive is a member now, and her journey shows the call and the time bank.
  await person.goto('/communities/mine');
  await person.getByRole('link', { name: 'Lambeth Together' }).first().click();
  await expectPage(person, 'Hello, Olive');
  await person.getByRole('link', { name: 'Your journey' }).first().click();
  await expectPage(person, 'Your journey');
  await expect(person.getByText('First conversation with the community')).toBeVisible();
  await expect(person.getByText('Joined Lambeth Time Bank')).toBeVisible();
  await expect(person.getByText('Asked for support')).toBeVisible();
});
