import { CommunityHome } from './pages/community-home.ts';
import { EndSupport, LogContact, PeerSupport, StartSupport, SupportEpisode, Timesheet } from './pages/peer-support.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, lastMessageTo, test } from './support.ts';

test('a 12-week episode starts; the supporter logs contacts and sends the week; the coordinator returns the over-budget week; endings tell the referrer only with consent', async ({
  browser,
}) => {
  test.setTimeout(150_000);
  const sam = await (await browser.newContext()).newPage();
  await signIn(sam, 'coordinator@example.org');
  const home = await CommunityHome.goTo(sam, 'lambeth');
  await home.goToFromMenu('Peer support');
  const support = await PeerSupport.verifyOnPage(sam);
  await support.startSupportFor('Ivy Summers');
  const start = await StartSupport.verifyOnPage(sam);
  await start.startPeerSupport({ supporter: 'Dev', goals: 'Go back to the swimming pool\nSee friends once a week' });
  await SupportEpisode.verifyOnPage(sam, 'Peer support for Ivy Summers');
  await expect(sam.getByText('(12 weeks)')).toBeVisible();
  await expect(sam.getByText('2 hours a week')).toBeVisible();
  const ivysSupport = sam.url();

  // Dev logs two contacts this week: more than the two hours allowed.
  const dev = await (await browser.newContext()).newPage();
  await signIn(dev, 'peer@example.org');
  const devsList = await PeerSupport.open(dev, 'lambeth');
  await devsList.openSupportOf('Ivy Summers');
  const ivy = await SupportEpisode.verifyOnPage(dev, 'Peer support for Ivy Summers');
  await expect(dev.getByText('Go back to the swimming pool')).toBeVisible();
  await ivy.logAContact();
  const contact = await LogContact.verifyOnPage(dev);
  await contact.saveContact();
  await LogContact.verifyOnPage(dev);
  await expect(contact.errorSummary).toContainText('Choose how you met');
  await contact.saveContact({
    hours: '2',
    minutes: '30',
    how: 'In person',
    what: 'Went to the leisure centre together to look at the swimming timetable',
  });
  await expect(dev.getByText('Contact logged.')).toBeVisible();
  await ivy.logAContact();
  await contact.saveContact({ hours: '1', how: 'Phone', what: 'Called after a difficult day' });
  await expect(dev.getByText('Contact logged.')).toBeVisible();
  await PeerSupport.goTo(dev, 'lambeth');
  await devsList.sendTheWeek();
  await Timesheet.verifyOnPage(dev, 'Timesheet of Dev');
  await expect(dev.getByText('It has more hours than allowed')).toBeVisible();

  // Sam cannot approve it without saying so; he returns it with a reason.
  await PeerSupport.goTo(sam, 'lambeth');
  await support.openTimesheetOf('Dev');
  const timesheet = await Timesheet.verifyOnPage(sam, 'Timesheet of Dev');
  await expect(sam.getByText('More hours than allowed')).toBeVisible();
  await timesheet.approveTimesheet();
  await Timesheet.verifyOnPage(sam, 'Timesheet of Dev');
  await expect(timesheet.errorSummary).toContainText('tick that you approve them, or return it');
  await timesheet.returnTimesheet('The phone call was not agreed: please check it');
  await expect(sam.getByText('Timesheet returned to the supporter.')).toBeVisible();
  await expect(sam.getByText('Returned', { exact: true })).toBeVisible();

  // Ivy agreed that her GP hears: the ending sends a summary.
  await PeerSupport.goTo(dev, 'lambeth');
  await devsList.openSupportOf('Ivy Summers');
  await ivy.endThisSupport();
  const endIvys = await EndSupport.verifyOnPage(dev, 'End peer support for Ivy Summers');
  await expect(dev.getByText('They agreed that their referrer can hear how things went.')).toBeVisible();
  await endIvys.endSupport({
    whatChanged: 'Ivy swims on Tuesdays with a friend from the group.',
    whatNext: 'The time bank',
    sendSummary: true,
  });
  await SupportEpisode.verifyOnPage(dev, 'Peer support for Ivy Summers');
  await expect(dev.getByText('A summary was sent to the referrer.')).toBeVisible();
  const summary = await lastMessageTo('referrer@example.org', 'support-ended');
  expect(summary.subject).toContain('Peer support has ended');
  expect(summary.body).toContain('Ivy swims on Tuesdays');

  // Desmond did not agree: nothing is sent, whatever the supporter chooses.
  await PeerSupport.goTo(dev, 'lambeth');
  await devsList.openSupportOf('Desmond Hart');
  await new SupportEpisode(dev).endThisSupport();
  const endDesmonds = await EndSupport.verifyOnPage(dev, 'End peer support for Desmond Hart');
  await expect(dev.getByText('They have not agreed that their referrer can hear how things went')).toBeVisible();
  await endDesmonds.endSupport({
    whatChanged: 'Desmond keeps a weekly budget on the fridge.',
    whatNext: 'Nothing else for now',
    sendSummary: true,
  });
  await expect(dev.getByText('No summary was sent: they did not agree')).toBeVisible();
  expect((await lastMessageTo('referrer@example.org', 'support-ended')).body).not.toContain('Desmond');

  // Another peer supporter cannot open Ivy's support.
  const kath = await (await browser.newContext()).newPage();
  await signIn(kath, 'peer3@example.org');
  const refused = await kath.goto(ivysSupport);
  expect(refused?.status()).toBe(404);
});
