import type { Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** The people a coordinator works with. */
export class People extends AppPage {
  static async verifyOnPage(page: Page): Promise<People> {
    await verifyOnPage(page, 'People');
    return new People(page);
  }

  async addAPerson(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add a person' }).click();
  }
}

export class AddPerson extends AppPage {
  static async verifyOnPage(page: Page): Promise<AddPerson> {
    await verifyOnPage(page, 'Add a person');
    return new AddPerson(page);
  }

  /** A coordinator adds someone who is not online, with their address and how to reach them. */
  async addSomeoneNotOnline(person: {
    preferredName: string;
    fullName: string;
    address: string;
    postcode: string;
    contactBy: string;
  }): Promise<void> {
    await this.page.getByLabel('Preferred name').fill(person.preferredName);
    await this.page.getByLabel('Full name').fill(person.fullName);
    await this.page.getByLabel('This person is not online. Coordinators will act for them.').check();
    await this.page.getByLabel('Address', { exact: true }).fill(person.address);
    await this.page.getByLabel('Postcode').fill(person.postcode);
    await this.page.getByLabel(person.contactBy).check();
    await this.page.getByRole('button', { name: 'Add person' }).click();
  }
}

/** A person's record, headed with their name. */
export class Person extends AppPage {
  static async verifyOnPage(page: Page, heading: string | RegExp): Promise<Person> {
    await verifyOnPage(page, heading);
    return new Person(page);
  }

  /** Marks done the action this person's page shows for whoever is looking. */
  async markAsDone(): Promise<void> {
    await this.page.getByRole('button', { name: /^Mark as done/ }).click();
  }

  /** Opens a personal budget by the start of its name. */
  async openBudget(name: string): Promise<void> {
    await this.page.getByRole('link', { name: new RegExp(`^${name}`) }).click();
  }

  /** A coordinator records that the person asked to be forgotten. */
  async theyAskedToBeForgotten(): Promise<void> {
    await this.page.getByRole('link', { name: 'They asked to be forgotten' }).click();
  }
}

/** A coordinator asks, for someone, that they be forgotten: `Ask to forget <name>`. */
export class AskToForget extends AppPage {
  static async verifyOnPage(page: Page, heading: string | RegExp): Promise<AskToForget> {
    await verifyOnPage(page, heading);
    return new AskToForget(page);
  }

  async askToBeForgotten(note: string): Promise<void> {
    await this.page.getByLabel('Anything you would like to tell us (optional)').fill(note);
    await this.page.getByRole('button', { name: 'Ask to be forgotten' }).click();
  }

  async back(): Promise<void> {
    await this.page.getByRole('link', { name: 'Back' }).click();
  }
}
