import { CommunityHome } from './pages/community-home.ts';
import { AuditLog, JoinRequest, Members } from './pages/members.ts';
import { type Check, verifyOnPage } from './pages/page.ts';
import { SignInPage } from './pages/sign-in.ts';
import { demoPassword, test, expect } from './support.ts';

// axe runs inside the page, so it cannot run with JavaScript off; these pages are scanned
// with JavaScript on by the other journeys.
const noScan: Check = { scan: false };

test.use({ javaScriptEnabled: false });

test('with JavaScript off, an admin signs in, lets someone in and signs out', async ({ page }) => {
  const signInPage = await SignInPage.open(page, noScan);
  await signInPage.signIn('admin@example.org', demoPassword);
  const home = await CommunityHome.verifyOnPage(page, 'Hello, Alex Morgan', noScan);
  await home.peopleWaitingToJoin();
  const members = await Members.verifyOnPage(page, noScan);
  await members.openFirstRequest();
  const request = new JoinRequest(page);
  const name = (await request.heading.textContent()) ?? '';
  await JoinRequest.verifyOnPage(page, name, noScan);
  await request.decline();
  await Members.verifyOnPage(page, noScan);
  await expect(page.getByText(`${name}'s request was declined.`)).toBeVisible();
  await members.auditLog();
  const auditLog = await AuditLog.verifyOnPage(page, noScan);
  await expect(auditLog.entry('Declined a request')).toBeVisible();
  await auditLog.signOut();
  await verifyOnPage(page, 'You have signed out', noScan);
});
