import { CommunityHome } from './pages/community-home.ts';
import { AgendaItem, Caseload, HubTeam, PersonalBudget, ReviewMeeting } from './pages/hub.ts';
import { Person } from './pages/people.ts';
import { AcceptReferral, Referral, Referrals } from './pages/referrals.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, test } from './support.ts';

test('the hub accepts a referral; the next review meeting’s agenda shows the person; the chair records an action for a peer supporter, which is on his home page', async ({
  browser,
}) => {
  test.setTimeout(120_000);
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  const home = await CommunityHome.goTo(sam, 'lambeth');
  await home.goToFromMenu('Referrals');
  const referrals = await Referrals.verifyOnPage(sam);
  await referrals.search('HUBR-4K7M');
  await referrals.openReferral('HUBR-4K7M');
  const referral = await Referral.verifyOnPage(sam, 'Referral HUBR-4K7M');
  await referral.accept();
  const accept = await AcceptReferral.verifyOnPage(sam);
  await expect(accept.programme('Living Well hub')).toBeChecked();
  await accept.accept();
  await expect(sam.getByText('Accepted into: Living Well hub.')).toBeVisible();

  await referral.goToFromMenu('Hub team');
  const hub = await HubTeam.verifyOnPage(sam, 'Living Well hub');
  await hub.openTodaysReviewMeeting();
  const meeting = await ReviewMeeting.verifyOnPage(sam);
  const omar = meeting.item('Omar Said');
  await expect(omar).toContainText('New since the last meeting');
  await meeting.openItem('Omar Said');
  const item = await AgendaItem.verifyOnPage(sam, 'Omar Said');
  await item.recordDiscussion({
    discussed: 'Omar would like someone with lived experience alongside him while he looks for work.',
    decided: 'Offer Missing Link peer support; Dev to meet him first.',
    needsDoing: 'Meet Omar at the hub and introduce peer support',
  });
  await item.saveAndGoBackToTheAgenda();
  await AgendaItem.verifyOnPage(sam, 'Omar Said');
  await expect(item.errorSummary).toContainText('Choose who will do it');
  await expect(item.whatWasDiscussed).toHaveValue(/lived experience/);
  await item.chooseWhoWillDoIt('Dev Sharma (Peer supporter)');
  await item.dueBy(new Date(Date.now() + 5 * 86_400_000));
  await item.saveAndGoBackToTheAgenda();
  await ReviewMeeting.verifyOnPage(sam);
  await expect(meeting.item('Omar Said')).toContainText('Discussed');

  // The action is on Dev's home page, and he can open Omar: he owns an action for him.
  const dev = await (await browser.newContext()).newPage();
  await signIn(dev, 'peer@example.org');
  await CommunityHome.goTo(dev, 'lambeth');
  const devsHome = await CommunityHome.verifyOnPage(dev, /Hello, Dev Sharma/);
  await expect(dev.getByText('Meet Omar at the hub and introduce peer support')).toBeVisible();
  await devsHome.openPerson('Omar Said');
  const omarsRecord = await Person.verifyOnPage(dev, 'Omar Said');
  await omarsRecord.markAsDone();
  await expect(dev.getByText('Action done.')).toBeVisible();
});

test('a personal budget refuses an overspend until the coordinator approves it explicitly, saying why', async ({
  browser,
}) => {
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  const hub = await HubTeam.goTo(sam, 'lambeth');
  await hub.caseload();
  const caseload = await Caseload.verifyOnPage(sam);
  await caseload.findByName('Desmond');
  await caseload.openPerson('Desmond Hart');
  const desmond = await Person.verifyOnPage(sam, 'Desmond Hart');
  await desmond.openBudget('Lambeth personal health budget');
  const budget = await PersonalBudget.verifyOnPage(sam, 'Personal budget of Desmond Hart');
  await expect(budget.spend('Running shoes and kit')).toContainText('This would overspend the budget');
  await budget.approveSpend('Running shoes and kit');
  await PersonalBudget.verifyOnPage(sam, 'Personal budget of Desmond Hart');
  await expect(budget.errorSummary).toContainText('This spend is more than the budget has left');
  await expect(budget.spend('Running shoes and kit')).toContainText('Waiting for approval');
  await budget.approveOverspend('Running shoes and kit', 'Agreed at Monday’s review: running is his main goal');
  await expect(sam.getByText('Spend approved.')).toBeVisible();
  await expect(budget.spend('Running shoes and kit')).toContainText(
    'Approved over the budget: Agreed at Monday’s review',
  );
});
