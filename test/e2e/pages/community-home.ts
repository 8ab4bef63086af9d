import type { Locator, Page } from '@playwright/test';
import { AppPage, type Check, verifyOnPage } from './page.ts';

/** A community's home page for someone signed in: `Hello, <name>`, with what is theirs to do. */
export class CommunityHome extends AppPage {
  /** Goes to the community's home page, `/c/<community>`. */
  static async goTo(page: Page, community: string): Promise<CommunityHome> {
    await page.goto(`/c/${community}`);
    return new CommunityHome(page);
  }

  static async verifyOnPage(page: Page, heading: string | RegExp, check?: Check): Promise<CommunityHome> {
    await verifyOnPage(page, heading, check);
    return new CommunityHome(page);
  }

  /** The header, which names the community. */
  get banner(): Locator {
    return this.page.getByRole('banner');
  }

  /** Moves to another community this person belongs to. */
  async goToCommunity(name: string): Promise<void> {
    await this.page.getByRole('link', { name: `Go to ${name}` }).click();
  }

  async yourCommunities(): Promise<void> {
    await this.page.getByRole('link', { name: 'Your communities' }).click();
  }

  async yourDetails(): Promise<void> {
    await this.page.getByRole('link', { name: 'Your details' }).click();
  }

  async yourJourney(): Promise<void> {
    await this.page.getByRole('link', { name: 'Your journey' }).first().click();
  }

  /** An admin opens the people asking to join. */
  async peopleWaitingToJoin(): Promise<void> {
    await this.page.getByRole('link', { name: /waiting to join/ }).click();
  }

  async requestsToBeForgotten(): Promise<void> {
    await this.page.getByRole('link', { name: 'Requests to be forgotten' }).click();
  }

  async raiseASafeguardingConcern(): Promise<void> {
    await this.page.getByRole('link', { name: 'Raise a safeguarding concern' }).click();
  }

  async referSomeone(): Promise<void> {
    await this.page.getByRole('button', { name: 'Refer someone' }).click();
  }

  /** A coordinator opens the new referrals. */
  async newReferrals(): Promise<void> {
    await this.page
      .getByRole('link', { name: /new referral/i })
      .first()
      .click();
  }

  /** Opens someone named on the home page, such as the person an action is for. */
  async openPerson(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  /** A new community's admin: what is left to set up. */
  get gettingStarted(): Locator {
    return this.page.getByRole('heading', { name: 'Getting started' });
  }

  async addAProgramme(): Promise<void> {
    await this.page.getByRole('link', { name: 'Add a programme' }).click();
  }

  async addTheKindsOfHelp(): Promise<void> {
    await this.page.getByRole('link', { name: 'Add the kinds of help people exchange' }).click();
  }

  async inviteACoordinator(): Promise<void> {
    await this.page.getByRole('link', { name: 'Invite a coordinator' }).click();
  }
}
