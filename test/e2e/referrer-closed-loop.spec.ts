import type { Page } from '@playwright/test';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { AcceptReferral, ContactAttempt, Referral, Referrals, ReferSomeone, YourReferrals } from './pages/referrals.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, test } from './support.ts';

/** A GP refers someone lonely to the time bank, and returns the referral's reference. */
async function refer(referrer: Page, name: string, agreedToUpdates: boolean): Promise<string> {
  const home = await CommunityHome.goTo(referrer, 'lambeth');
  await home.referSomeone();
  const form = await ReferSomeone.verifyOnPage(referrer);
  await form.refer({
    name,
    phone: '020 7946 0555',
    supportWith: 'Feeling lonely or cut off',
    why: 'Lives alone and would like to meet people.',
    programme: 'Lambeth Time Bank',
    howSoon: 'Routine',
    agreedToUpdates,
  });
  await expect(referrer.getByText(/Referral sent\. The reference is/)).toBeVisible();
  const heading = (await new Referral(referrer).heading.textContent()) ?? '';
  await verifyOnPage(referrer, heading);
  return heading.replace('Referral ', '').trim();
}

/** A coordinator records a call that left a message, or accepts the referral into what was asked. */
async function work(coordinator: Page, reference: string, action: 'contact' | 'accept'): Promise<void> {
  const referrals = await Referrals.goToOpen(coordinator, 'lambeth', reference);
  await referrals.openReferral(reference);
  const referral = await Referral.verifyOnPage(coordinator, `Referral ${reference}`);
  if (action === 'contact') {
    await referral.recordAContactAttempt();
    await new ContactAttempt(coordinator).saveContactAttempt({ how: 'Phone call', outcome: 'Left a message' });
  } else {
    await referral.accept();
    await new AcceptReferral(coordinator).accept();
  }
  await Referral.verifyOnPage(coordinator, `Referral ${reference}`);
}

test('a GP refers a patient who agreed to updates and sees "contacting" then "accepted"; another, who did not agree, shows no progress', async ({
  browser,
}) => {
  const referrer = await (await browser.newContext()).newPage();
  await signIn(referrer, 'referrer@example.org');
  await CommunityHome.verifyOnPage(referrer, 'Hello, Dr Helen Carter');
  const shared = await refer(referrer, 'Ernest', true);
  const private_ = await refer(referrer, 'Florence', false);

  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  for (const reference of [shared, private_]) await work(coordinator, reference, 'contact');

  // From the page of the referral just sent.
  await new Referral(referrer).goToFromMenu('Your referrals');
  const yourReferrals = await YourReferrals.verifyOnPage(referrer);
  await expect(yourReferrals.row(shared)).toContainText('Contacting');
  await expect(yourReferrals.row(private_)).toContainText('The person chose not to share updates');

  for (const reference of [shared, private_]) await work(coordinator, reference, 'accept');
  await referrer.reload();
  await YourReferrals.verifyOnPage(referrer);
  await expect(yourReferrals.row(shared)).toContainText('Accepted');
  await expect(yourReferrals.row(shared)).toContainText('Lambeth Time Bank');
  const hidden = yourReferrals.row(private_);
  await expect(hidden).toContainText('Received');
  await expect(hidden).not.toContainText('Accepted');
  await yourReferrals.openReferral(private_);
  await Referral.verifyOnPage(referrer, `Referral ${private_}`);
  await expect(referrer.getByText('The person chose not to have updates shared with you.')).toBeVisible();
});
