import { CancelMeeting, Group, Meeting, PeerNetwork } from './pages/network.ts';
import { signIn } from './pages/sign-in.ts';
import { expect, test } from './support.ts';

test('a facilitator cancels a meeting on a phone, saying why; a member sees it cancelled and why, and cannot say she is coming', async ({
  browser,
}) => {
  const phone = await browser.newContext({ viewport: { width: 375, height: 740 } });
  const ruth = await phone.newPage();
  await signIn(ruth, 'facilitator.croydon@example.org');
  const network = await PeerNetwork.open(ruth, 'croydon');
  await network.openGroup('Thursday evening group', { first: true });
  const group = await Group.verifyOnPage(ruth, 'Thursday evening group');
  // The last meeting to come: weeks ahead, so no other journey meets it.
  await group.openLastMeetingToCome();
  const meeting = await Meeting.verifyOnPage(ruth, 'Thursday evening group');
  const meetingUrl = ruth.url();
  await meeting.cancelThisMeeting();
  const cancel = await CancelMeeting.verifyOnPage(ruth);
  await cancel.cancelTheMeeting();
  await CancelMeeting.verifyOnPage(ruth);
  await expect(cancel.sayWhyError).toBeVisible();
  await cancel.cancelTheMeeting('The centre is closed for repairs. We meet again the week after.');
  await Meeting.verifyOnPage(ruth, 'Thursday evening group');
  await expect(ruth.getByText(/Meeting cancelled\./)).toBeVisible();
  await expect(meeting.cancelThisMeetingLink).toHaveCount(0);

  const jade = await (await browser.newContext({ viewport: { width: 375, height: 740 } })).newPage();
  await signIn(jade, 'member.croydon@example.org');
  await jade.goto(meetingUrl);
  const cancelled = await Meeting.verifyOnPage(jade, 'Thursday evening group');
  await expect(jade.getByText('The centre is closed for repairs. We meet again the week after.')).toBeVisible();
  await expect(cancelled.comingChoices).toHaveCount(0);
});
