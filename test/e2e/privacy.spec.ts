import { readFileSync } from 'node:fs';
import { YourCommunities } from './pages/accounts.ts';
import { CommunityHome } from './pages/community-home.ts';
import { verifyOnPage } from './pages/page.ts';
import { AddPerson, AskToForget, People, Person } from './pages/people.ts';
import {
  Concern,
  ConcernSent,
  Concerns,
  DownloadYourData,
  RaiseConcern,
  RequestToForget,
  RequestsToBeForgotten,
  YourDetails,
} from './pages/privacy.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, test } from './support.ts';

test('a member downloads everything held about them, as a page and as a file', async ({ page }) => {
  await signIn(page, 'member@example.org');
  const home = await CommunityHome.verifyOnPage(page, 'Hello, Maria Santos');
  await home.yourDetails();
  const details = await YourDetails.verifyOnPage(page);
  await details.downloadYourData();
  const yourData = await DownloadYourData.verifyOnPage(page);
  await expect(yourData.section(/Your account/)).toBeVisible();
  await expect(yourData.section(/Your journey/)).toBeVisible();
  const download = await yourData.downloadAsAFile();
  const data = JSON.parse(readFileSync((await download.path()) ?? '', 'utf8')) as {
    person: { preferredName: string };
    sections: { table: string }[];
  };
  expect(data.person.preferredName).toBe('Maria');
  expect(data.sections.map((section) => section.table)).toEqual(
    expect.arrayContaining(['people', 'person_records', 'milestones']),
  );
});

test('someone who is not online asks, through a coordinator, to be forgotten; an admin approves; the record keeps only a number', async ({
  browser,
}) => {
  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  await new YourCommunities(coordinator).openCommunity('Lambeth Together');
  await new CommunityHome(coordinator).goToFromMenu('People');
  const people = await People.verifyOnPage(coordinator);
  await people.addAPerson();
  const addPerson = await AddPerson.verifyOnPage(coordinator);
  await addPerson.addSomeoneNotOnline({
    preferredName: 'Cyril',
    fullName: 'Cyril Forgetme',
    address: '4 Rosendale Road',
    postcode: 'se21 8dy',
    contactBy: 'Letter',
  });
  const cyril = await Person.verifyOnPage(coordinator, 'Cyril');
  await expect(coordinator.getByText('SE21 8DY')).toBeVisible();
  await cyril.theyAskedToBeForgotten();
  const askToForget = await AskToForget.verifyOnPage(coordinator, 'Ask to forget Cyril');
  await askToForget.askToBeForgotten('Wrote to us asking to be removed.');
  await AskToForget.verifyOnPage(coordinator, 'Ask to forget Cyril');
  await expect(coordinator.getByText('waiting for an admin')).toBeVisible();

  const admin = await (await browser.newContext()).newPage();
  await signIn(admin, 'admin@example.org');
  await new CommunityHome(admin).requestsToBeForgotten();
  const requests = await RequestsToBeForgotten.verifyOnPage(admin);
  await requests.openRequestOf('Cyril');
  const request = await RequestToForget.verifyOnPage(admin, 'Request to forget Cyril');
  await request.approveAndForgetThem();
  await RequestsToBeForgotten.verifyOnPage(admin);
  await expect(admin.getByText('The person has been forgotten.')).toBeVisible();

  await coordinator.reload();
  const erased = await AskToForget.verifyOnPage(coordinator, /^Ask to forget Former member \d+$/);
  await expect(coordinator.getByText('This record has been erased.')).toBeVisible();
  await erased.back();
  await Person.verifyOnPage(coordinator, /^Former member \d+$/);
  await expect(coordinator.getByText('Cyril Forgetme')).toHaveCount(0);
  await expect(coordinator.getByText('4 Rosendale Road')).toHaveCount(0);
});

test('a member raises a safeguarding concern; the safeguarding lead reads it; a coordinator is told it does not exist', async ({
  browser,
}) => {
  const member = await (await browser.newContext()).newPage();
  await signIn(member, 'member@example.org');
  await new CommunityHome(member).raiseASafeguardingConcern();
  const concern = await RaiseConcern.verifyOnPage(member);
  await concern.raiseConcern({
    inDangerNow: 'Yes',
    about: 'Harold from the walking group',
    what: 'He has bruises and said he is scared to go home.',
  });
  await ConcernSent.verifyOnPage(member);
  await expect(member.getByText('Call 999 if someone is in immediate danger')).toBeVisible();
  await expect(member.getByText('Call 111 for urgent medical help')).toBeVisible();

  const lead = await (await browser.newContext()).newPage();
  await signIn(lead, 'safeguarding@example.org');
  await new CommunityHome(lead).goToFromMenu('Concerns');
  const concerns = await Concerns.verifyOnPage(lead);
  await concerns.openConcernAbout('Harold from the walking group');
  await Concern.verifyOnPage(lead, 'Concern about Harold from the walking group');
  await expect(lead.getByText('He has bruises and said he is scared to go home.')).toBeVisible();
  const address = lead.url();

  const coordinator = await (await browser.newContext()).newPage();
  await signIn(coordinator, 'coordinator@example.org');
  const response = await coordinator.goto(address);
  expect(response?.status()).toBe(404);
  await verifyOnPage(coordinator, 'Page not found');
  await expect(coordinator.getByText('He has bruises')).toHaveCount(0);
});
