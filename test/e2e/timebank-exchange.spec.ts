import { signIn } from './pages/sign-in.ts';
import {
  Conversation,
  Exchange,
  Listing,
  OfferHelp,
  OffersAndRequests,
  RecordTime,
  TimebankHome,
  TimebankMember,
  TimebankMembers,
} from './pages/timebank.ts';
import { expect, test } from './support.ts';

test('a member referred by her GP finishes joining, offers café company, another finds it typing "cafe", they message, she records 90 minutes and the other confirms', async ({
  browser,
}) => {
  // The coordinator finishes Nadia's joining steps.
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  const timeBank = await TimebankHome.open(coordinator, 'lambeth');
  await timeBank.peopleJoining();
  const members = await TimebankMembers.verifyOnPage(coordinator);
  await members.openMember('Nadia Hassan', { exact: true });
  const joining = await TimebankMember.verifyOnPage(coordinator, 'Nadia Hassan');
  // Every step left, ticked at once: one page load.
  await joining.tickEveryStepAsDone();
  await TimebankMember.verifyOnPage(coordinator, 'Nadia Hassan');
  await expect(joining.stepsLeft).toHaveCount(0);
  await expect(coordinator.getByText('Every step is done: they are now a full member.')).toBeVisible();

  // Nadia offers café company.
  const nadia = await (await browser.newContext()).newPage();
  await signIn(nadia, 'newmember@example.org');
  const nadiasTimeBank = await TimebankHome.open(nadia, 'lambeth');
  await expect(nadiasTimeBank.balance).toHaveText('0 hours');
  await nadiasTimeBank.goToOfferHelp();
  const offer = await OfferHelp.verifyOnPage(nadia);
  await offer.offerHelp({
    what: 'Company at the Café Rio on Fridays',
    kind: 'Café company and coffee mornings',
    more: 'I bake and love a chat. Fridays at 11.',
  });
  await Listing.verifyOnPage(nadia, 'Company at the Café Rio on Fridays');

  // Maria finds it without typing the accent, and answers.
  const maria = await (await browser.newContext()).newPage();
  await signIn(maria, 'member@example.org');
  const mariasTimeBank = await TimebankHome.open(maria, 'lambeth');
  const before = (await mariasTimeBank.balance.textContent()) ?? '';
  await mariasTimeBank.findOffersAndRequests();
  const search = await OffersAndRequests.verifyOnPage(maria);
  await search.search('cafe rio');
  await OffersAndRequests.verifyOnPage(maria);
  await search.open('Company at the Café Rio on Fridays');
  const listing = await Listing.verifyOnPage(maria, 'Company at the Café Rio on Fridays');
  await listing.sayIWouldLikeThis({ to: 'Nadia', message: 'I would love to come on Friday.' });
  await Conversation.verifyOnPage(maria, 'Messages about: Company at the Café Rio on Fridays');

  // Nadia replies, then records the time she gave.
  await TimebankHome.open(nadia, 'lambeth');
  await nadiasTimeBank.openConversation(/Company at the Café Rio on Fridays, with Maria/);
  const conversation = await Conversation.verifyOnPage(nadia, 'Messages about: Company at the Café Rio on Fridays');
  await expect(nadia.getByText('I would love to come on Friday.')).toBeVisible();
  await conversation.sendMessage('Lovely, see you at 11.');
  await expect(nadia.getByText('Lovely, see you at 11.')).toBeVisible();
  await conversation.recordTheTimeYouExchanged();
  const recordTime = await RecordTime.verifyOnPage(nadia);
  await expect(recordTime.iGaveTime).toBeChecked();
  await recordTime.recordTime({ hours: '1', minutes: '30', kind: 'Café company and coffee mornings' });
  const given = await Exchange.verifyOnPage(nadia, 'Time you gave');
  await expect(nadia.getByText('Waiting for confirmation')).toBeVisible();
  // The page says what was recorded: who, how long, the kind of help, and who confirms it.
  await expect(given.detail('1 hour 30 minutes')).toBeVisible();
  await expect(given.detail('Café company and coffee mornings')).toBeVisible();
  await expect(nadia.getByText(/Waiting for Maria .* to confirm it/)).toBeVisible();

  // Maria confirms; both balances change.
  await TimebankHome.open(maria, 'lambeth');
  await mariasTimeBank.openExchange('Nadia Hassan gave Maria Santos 1 hour 30 minutes');
  const received = await Exchange.verifyOnPage(maria, 'Time you received');
  await expect(received.detail(/^\s*Nadia/)).toBeVisible();
  await received.confirm();
  await expect(maria.getByText('Confirmed. Balances have changed.')).toBeVisible();
  await TimebankHome.open(maria, 'lambeth');
  await expect(mariasTimeBank.balance).not.toHaveText(before);
  await TimebankHome.open(nadia, 'lambeth');
  await expect(nadiasTimeBank.balance).toHaveText('1 hour 30 minutes');
});

test('a member without a background check cannot take up a home-visit request that needs one, and is told why', async ({
  browser,
}) => {
  const maria = await (await browser.newContext()).newPage();
  await signIn(maria, 'member@example.org');
  const timeBank = await TimebankHome.open(maria, 'lambeth');
  await timeBank.findOffersAndRequests();
  const search = new OffersAndRequests(maria);
  await search.search('dressed');
  await OffersAndRequests.verifyOnPage(maria);
  await search.open('Help getting dressed in the mornings');
  const request = await Listing.verifyOnPage(maria, 'Help getting dressed in the mornings');
  await expect(maria.getByText('Home visit', { exact: true })).toBeVisible();
  await expect(maria.getByText(/This help needs an enhanced DBS check with a barred list check/)).toBeVisible();
  await expect(request.iCanHelpButton).toHaveCount(0);
});
