import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** The front page, for someone not signed in. */
export class Welcome extends AppPage {
  static async open(page: Page): Promise<Welcome> {
    await page.goto('/');
    return Welcome.verifyOnPage(page);
  }

  static async verifyOnPage(page: Page): Promise<Welcome> {
    await verifyOnPage(page, 'Support each other, together');
    return new Welcome(page);
  }

  async createAnAccount(): Promise<void> {
    await this.page.getByRole('button', { name: 'Create an account' }).click();
  }
}

/** An invitation someone follows from a link: `You are invited to join <community>`. */
export class Invitation extends AppPage {
  static async goTo(page: Page, link: string): Promise<Invitation> {
    await page.goto(link);
    return new Invitation(page);
  }

  static async verifyOnPage(page: Page, heading: string): Promise<Invitation> {
    await verifyOnPage(page, heading);
    return new Invitation(page);
  }

  async createAnAccount(): Promise<void> {
    await this.page.getByRole('button', { name: 'Create an account' }).click();
  }
}

export class CreateAccount extends AppPage {
  static async verifyOnPage(page: Page): Promise<CreateAccount> {
    await verifyOnPage(page, 'Create an account');
    return new CreateAccount(page);
  }

  get yourName(): Locator {
    return this.page.getByLabel('Your name');
  }

  get emailAddress(): Locator {
    return this.page.getByLabel('Email address');
  }

  get password(): Locator {
    return this.page.getByLabel('Create a password');
  }

  /** Types what is given (a field left out keeps what it has), and presses Create account. */
  async createAccount(details: { name?: string; email?: string; password?: string } = {}): Promise<void> {
    if (details.name !== undefined) await this.yourName.fill(details.name);
    if (details.email !== undefined) await this.emailAddress.fill(details.email);
    if (details.password !== undefined) await this.password.fill(details.password);
    await this.page.getByRole('button', { name: 'Create account' }).click();
  }
}

/** Shown until the person follows the link sent to their email address. */
export class ConfirmYourEmail extends AppPage {
  static async verifyOnPage(page: Page): Promise<ConfirmYourEmail> {
    await verifyOnPage(page, 'Confirm your email address');
    return new ConfirmYourEmail(page);
  }
}

export class EmailConfirmed extends AppPage {
  static async verifyOnPage(page: Page): Promise<EmailConfirmed> {
    await verifyOnPage(page, 'Your email address is confirmed');
    return new EmailConfirmed(page);
  }

  async continue(): Promise<void> {
    await this.page.getByRole('button', { name: 'Continue' }).click();
  }
}

/** Every community on the install, for someone choosing one to join. */
export class Communities extends AppPage {
  static async open(page: Page): Promise<Communities> {
    await page.goto('/communities');
    return Communities.verifyOnPage(page);
  }

  static async verifyOnPage(page: Page): Promise<Communities> {
    await verifyOnPage(page, 'Communities');
    return new Communities(page);
  }

  async askToJoin(community: string): Promise<void> {
    await this.page.getByRole('link', { name: `Ask to join ${community}` }).click();
  }
}

/** `Ask to join <community>`. */
export class AskToJoin extends AppPage {
  /** Goes straight to the address for asking to join a community. */
  static async goTo(page: Page, community: string): Promise<AskToJoin> {
    await page.goto(`/communities/${community}/join`);
    return new AskToJoin(page);
  }

  static async verifyOnPage(page: Page, heading: string): Promise<AskToJoin> {
    await verifyOnPage(page, heading);
    return new AskToJoin(page);
  }

  /** Says something about themselves, and asks to join. */
  async ask(aboutYourself: string): Promise<void> {
    await this.page.getByLabel('Tell them about yourself (optional)').fill(aboutYourself);
    await this.page.getByRole('button', { name: 'Ask to join' }).click();
  }
}

/** The communities someone belongs to. */
export class YourCommunities extends AppPage {
  static async goTo(page: Page): Promise<YourCommunities> {
    await page.goto('/communities/mine');
    return new YourCommunities(page);
  }

  static async verifyOnPage(page: Page): Promise<YourCommunities> {
    await verifyOnPage(page, 'Your communities');
    return new YourCommunities(page);
  }

  /** Opens a community. Where it is linked more than once, `first` follows the first link. */
  async openCommunity(name: string, options: { first?: boolean } = {}): Promise<void> {
    const link = this.page.getByRole('link', { name });
    await (options.first ? link.first() : link).click();
  }
}

/** Someone's account: their email address and password. */
export class YourAccount extends AppPage {
  static async verifyOnPage(page: Page): Promise<YourAccount> {
    await verifyOnPage(page, 'Your account');
    return new YourAccount(page);
  }
}
