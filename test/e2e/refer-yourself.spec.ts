import { ConfirmYourEmail, CreateAccount, EmailConfirmed, YourCommunities } from './pages/accounts.ts';
import { AskForSupport, RequestReceived, SupportQuestions } from './pages/ask-for-support.ts';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { WhatWeOffer } from './pages/programmes.ts';
import { AcceptReferral, ContactAttempt, Referral, Referrals } from './pages/referrals.ts';
import { signIn } from './pages/sign-in.ts';
import { demoPassword, expect, lastMessageTo, linkIn, test, uniqueEmail } from './support.ts';

test('someone refers themselves with the keyboard alone; a coordinator contacts them and accepts them into the time bank; their journey shows both', async ({
  browser,
}) => {
  // Every field is reached with the Tab key, one press at a time: slower than clicking.
  test.setTimeout(240_000);
  const person = await (await browser.newContext()).newPage();
  const email = uniqueEmail('olive');

  const whatWeOffer = await WhatWeOffer.open(person, 'lambeth');
  await whatWeOffer.askForSupport();
  const askForSupport = await AskForSupport.verifyOnPage(person);
  await askForSupport.startNow();

  const questions = await SupportQuestions.verifyOnPage(person, 'whatToJoin');
  await questions.chooseProgramme('Lambeth Time Bank');
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'name');
  // Continuing without an answer says what is missing.
  await questions.continue();
  await SupportQuestions.verifyOnPage(person, 'name');
  await expect(questions.alert).toContainText('Enter the name they like to be called');
  await questions.giveName('Olive');
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'contact');
  await questions.giveEmailAndPhone({ email, phone: '07700 900 321' });
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'dateOfBirth');
  await questions.giveDateOfBirth({ day: '3', month: '9', year: '1949' });
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'support');
  await questions.askForSupportWith({ what: 'Feeling lonely or cut off', more: 'I would like to meet people nearby.' });
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'communication');
  await questions.chooseWhatHelpsYouCommunicate('Large print');
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'useOfAnswers');
  await questions.agreeToTheUseOfYourAnswers();
  await questions.continue();

  await SupportQuestions.verifyOnPage(person, 'checkAnswers');
  await expect(person.getByText('3 September 1949')).toBeVisible();
  await questions.send();

  const received = await RequestReceived.verifyOnPage(person);
  const reference = (await received.reference.textContent())?.trim() ?? '';
  expect(reference).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);

  // The optional account, from the confirmation page: the request follows.
  await received.createAnAccount();
  const account = await CreateAccount.verifyOnPage(person);
  await account.createAccount({ name: 'Olive', email, password: demoPassword });
  // The request joins the account once the email address is confirmed.
  await ConfirmYourEmail.verifyOnPage(person);
  await person.goto(linkIn((await lastMessageTo(email, 'email-confirmation')).body));
  const confirmed = await EmailConfirmed.verifyOnPage(person);
  await confirmed.continue();
  await verifyOnPage(person, 'Your request is in your account');

  // A coordinator finds the referral, records a call and accepts Olive into the time bank.
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  const communities = await YourCommunities.verifyOnPage(coordinator);
  await communities.openCommunity('Lambeth Together');
  await new CommunityHome(coordinator).goToFromMenu('Referrals');
  const referrals = await Referrals.verifyOnPage(coordinator);
  await referrals.search(reference);
  await Referrals.verifyOnPage(coordinator);
  await referrals.openReferral(reference);
  const referral = await Referral.verifyOnPage(coordinator, `Referral ${reference}`);
  await referral.recordAContactAttempt();
  const contactAttempt = await ContactAttempt.verifyOnPage(coordinator);
  await contactAttempt.saveContactAttempt();
  await expect(contactAttempt.alert).toContainText('Select how you tried to make contact');
  await contactAttempt.saveContactAttempt({ how: 'Phone call', outcome: 'Spoke with them' });
  await Referral.verifyOnPage(coordinator, `Referral ${reference}`);
  await expect(coordinator.getByText('Contact attempt saved')).toBeVisible();
  await referral.accept();
  const accept = await AcceptReferral.verifyOnPage(coordinator);
  await expect(accept.programme('Lambeth Time Bank')).toBeChecked();
  await accept.accept();
  await Referral.verifyOnPage(coordinator, `Referral ${reference}`);
  await expect(coordinator.getByText('Accepted into: Lambeth Time Bank.')).toBeVisible();

  // Olive is a member now, and her journey shows the call and the time bank.
  const olivesCommunities = await YourCommunities.goTo(person);
  await olivesCommunities.openCommunity('Lambeth Together', { first: true });
  const home = await CommunityHome.verifyOnPage(person, 'Hello, Olive');
  await home.yourJourney();
  await verifyOnPage(person, 'Your journey');
  await expect(person.getByText('First conversation with the community')).toBeVisible();
  await expect(person.getByText('Joined Lambeth Time Bank')).toBeVisible();
  await expect(person.getByText('Asked for support')).toBeVisible();
});
