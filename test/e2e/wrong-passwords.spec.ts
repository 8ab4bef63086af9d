import { ResetPassword, SignInPage } from './pages/sign-in.ts';
import { demoPassword, test, expect } from './support.ts';

test('wrong passwords say the same thing whether or not the account exists, and then the account is locked', async ({
  page,
}) => {
  const signInPage = await SignInPage.open(page);
  /** Tries to sign in, and stays on the sign-in page. */
  const attempt = async (email: string, password: string) => {
    await signInPage.signIn(email, password);
    await SignInPage.verifyOnPage(page);
  };

  await signInPage.pressSignIn();
  await SignInPage.verifyOnPage(page);
  await expect(signInPage.alert).toContainText('Enter your email address');
  await expect(signInPage.alert).toContainText('Enter your password');
  await expect(page).toHaveTitle(/^Error: /);

  await attempt('nobody.at.all@example.org', 'wrong-password');
  await expect(signInPage.alert).toContainText('Enter a correct email address and password');
  // The error summary links to the field it is about, and the email is kept.
  await signInPage.followTheError();
  await expect(signInPage.emailAddress).toBeFocused();
  await expect(signInPage.emailAddress).toHaveValue('nobody.at.all@example.org');

  for (let count = 1; count <= 4; count += 1) {
    await attempt('facilitator@example.org', 'wrong-password');
    await expect(signInPage.alert).toContainText('Enter a correct email address and password');
  }
  await attempt('facilitator@example.org', 'wrong-password');
  await expect(signInPage.alert).toContainText('Too many attempts to sign in. Wait 15 minutes');
  await attempt('facilitator@example.org', demoPassword);
  await expect(signInPage.alert).toContainText('Too many attempts to sign in');
  await signInPage.forgotPassword();
  await ResetPassword.verifyOnPage(page);
});
