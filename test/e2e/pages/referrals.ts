import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** A coordinator's list of referrals. */
export class Referrals extends AppPage {
  /** Goes to the open referrals, searched for a name or reference. */
  static async goToOpen(page: Page, community: string, search: string): Promise<Referrals> {
    await page.goto(`/c/${community}/referrals?status=open&search=${search}`);
    return new Referrals(page);
  }

  static async verifyOnPage(page: Page): Promise<Referrals> {
    await verifyOnPage(page, 'Referrals');
    return new Referrals(page);
  }

  /** Opens the filters and searches for a name or reference. */
  async search(nameOrReference: string): Promise<void> {
    await this.page.getByText('Filter and search').click();
    await this.page.getByLabel('Name or reference').fill(nameOrReference);
    await this.page.getByRole('button', { name: 'Show referrals' }).click();
  }

  async openReferral(reference: string): Promise<void> {
    await this.page.getByRole('link', { name: reference }).click();
  }

  /** Opens the referral in the row that names the person. */
  async openReferralOf(person: RegExp): Promise<void> {
    await this.page.getByRole('row', { name: person }).getByRole('link').click();
  }
}

/** One referral: `Referral <reference>`. */
export class Referral extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<Referral> {
    await verifyOnPage(page, heading);
    return new Referral(page);
  }

  async recordAContactAttempt(): Promise<void> {
    await this.page.getByRole('button', { name: 'Record a contact attempt' }).click();
  }

  async accept(): Promise<void> {
    await this.page.getByRole('button', { name: 'Accept' }).click();
  }

  /** After accepting someone into a time bank, goes on to their joining steps. */
  async goToTimeBankJoiningSteps(name: string): Promise<void> {
    await this.page.getByRole('link', { name: `Go to ${name}’s time bank joining steps` }).click();
  }
}

/** Choosing what a referral is accepted into. */
export class AcceptReferral extends AppPage {
  static async verifyOnPage(page: Page): Promise<AcceptReferral> {
    await verifyOnPage(page, 'Accept');
    return new AcceptReferral(page);
  }

  programme(name: string): Locator {
    return this.page.getByLabel(name);
  }

  async accept(): Promise<void> {
    await this.page.getByRole('button', { name: 'Accept' }).click();
  }
}

export class ContactAttempt extends AppPage {
  static async verifyOnPage(page: Page): Promise<ContactAttempt> {
    await verifyOnPage(page, 'Record a contact attempt');
    return new ContactAttempt(page);
  }

  /** Ticks how contact was tried and what happened, where given, and saves. */
  async saveContactAttempt(attempt?: { how: string; outcome: string }): Promise<void> {
    if (attempt) {
      await this.page.getByLabel(attempt.how).check();
      await this.page.getByLabel(attempt.outcome).check();
    }
    await this.page.getByRole('button', { name: 'Save contact attempt' }).click();
  }
}

/** A referrer's form to refer someone. */
export class ReferSomeone extends AppPage {
  static async verifyOnPage(page: Page): Promise<ReferSomeone> {
    await verifyOnPage(page, 'Refer someone');
    return new ReferSomeone(page);
  }

  get preferredName(): Locator {
    return this.page.getByLabel('Preferred name');
  }

  get phoneNumber(): Locator {
    return this.page.getByLabel('Phone number');
  }

  get whyYouAreReferringThem(): Locator {
    return this.page.getByLabel('Why you are referring them');
  }

  /** Any checkbox or radio by its label: what they need support with, a programme, how soon. */
  choice(label: string): Locator {
    return this.page.getByLabel(label);
  }

  get theyAgreedToBeReferred(): Locator {
    return this.page.getByLabel('They agreed to be referred');
  }

  get theyAgreedToUpdates(): Locator {
    return this.page.getByLabel('They agreed that we tell you what happens');
  }

  get yourOrganisation(): Locator {
    return this.page.getByLabel('Your organisation');
  }

  /** Fills in a referral of someone who agreed to it, and sends it. */
  async refer(referral: {
    name: string;
    phone: string;
    supportWith: string;
    why: string;
    programme: string;
    howSoon: string;
    agreedToUpdates: boolean;
  }): Promise<void> {
    await this.preferredName.fill(referral.name);
    await this.phoneNumber.fill(referral.phone);
    await this.choice(referral.supportWith).check();
    await this.whyYouAreReferringThem.fill(referral.why);
    await this.choice(referral.programme).check();
    await this.choice(referral.howSoon).check();
    await this.theyAgreedToBeReferred.check();
    if (referral.agreedToUpdates) await this.theyAgreedToUpdates.check();
    await this.sendReferral();
  }

  async sendReferral(): Promise<void> {
    await this.page.getByRole('button', { name: 'Send referral' }).click();
  }
}

/** A referrer's list of the people they referred, with what happened where shared. */
export class YourReferrals extends AppPage {
  static async verifyOnPage(page: Page): Promise<YourReferrals> {
    await verifyOnPage(page, 'Your referrals');
    return new YourReferrals(page);
  }

  row(reference: string): Locator {
    return this.page.getByRole('row', { name: new RegExp(reference) });
  }

  async openReferral(reference: string): Promise<void> {
    await this.row(reference).getByRole('link', { name: reference }).click();
  }
}
