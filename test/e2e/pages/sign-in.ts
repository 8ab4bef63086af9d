import type { Locator, Page } from '@playwright/test';
import { demoPassword } from '../support.ts';
import { AppPage, type Check, verifyOnPage } from './page.ts';

export class SignInPage extends AppPage {
  /** Goes to the sign-in page and checks it. */
  static async open(page: Page, check?: Check): Promise<SignInPage> {
    await page.goto('/sign-in');
    return SignInPage.verifyOnPage(page, check);
  }

  static async verifyOnPage(page: Page, check?: Check): Promise<SignInPage> {
    await verifyOnPage(page, 'Sign in', check);
    return new SignInPage(page);
  }

  get emailAddress(): Locator {
    return this.page.getByLabel('Email address');
  }

  /** Types an email address and password, and presses Sign in. */
  async signIn(email: string, password = demoPassword): Promise<void> {
    await this.emailAddress.fill(email);
    await this.page.getByLabel('Password', { exact: true }).fill(password);
    await this.pressSignIn();
  }

  /** Presses Sign in, whatever has been typed. */
  async pressSignIn(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign in' }).click();
  }

  /** Follows the link in the error summary to the field it is about. */
  async followTheError(): Promise<void> {
    await this.alert.getByRole('link').click();
  }

  async forgotPassword(): Promise<void> {
    await this.page.getByRole('link', { name: 'I have forgotten my password' }).click();
  }
}

/** Goes to the sign-in page, checks it, and signs in. */
export async function signIn(page: Page, email: string, password = demoPassword): Promise<void> {
  const signInPage = await SignInPage.open(page);
  await signInPage.signIn(email, password);
}

/** The second step of signing in, for accounts that have one. */
export class SecurityCode extends AppPage {
  static async verifyOnPage(page: Page): Promise<SecurityCode> {
    await verifyOnPage(page, 'Enter your security code');
    return new SecurityCode(page);
  }

  get code(): Locator {
    return this.page.getByLabel('Security code');
  }

  /** Types the code from the authenticator app, and continues. */
  async enterCode(code: string): Promise<void> {
    await this.code.fill(code);
    await this.continue();
  }

  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }
}

export class ResetPassword extends AppPage {
  static async verifyOnPage(page: Page): Promise<ResetPassword> {
    await verifyOnPage(page, 'Reset your password');
    return new ResetPassword(page);
  }

  /** Asks for a link to choose a new password. */
  async sendMeALink(email: string): Promise<void> {
    await this.page.getByLabel('Email address').fill(email);
    await this.page.getByRole('button', { name: 'Send me a link' }).click();
  }
}

export class ChooseNewPassword extends AppPage {
  static async verifyOnPage(page: Page): Promise<ChooseNewPassword> {
    await verifyOnPage(page, 'Choose a new password');
    return new ChooseNewPassword(page);
  }

  async saveNewPassword(password: string): Promise<void> {
    await this.page.getByLabel('New password').fill(password);
    await this.page.getByRole('button', { name: 'Save new password' }).click();
  }
}
