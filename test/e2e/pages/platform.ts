import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** The address of the invitation link a page shows once, after an invitation is made. */
async function invitationLinkOn(page: Page): Promise<string> {
  const href = await page.getByTestId('invitation-link').getAttribute('href');
  if (!href) throw new Error('no invitation link shown');
  return new URL(href).pathname;
}

/** The platform admin's list of every community on the install. */
export class AllCommunities extends AppPage {
  static async verifyOnPage(page: Page): Promise<AllCommunities> {
    await verifyOnPage(page, 'All communities');
    return new AllCommunities(page);
  }

  async createACommunity(): Promise<void> {
    await this.page.getByRole('button', { name: 'Create a community' }).click();
  }
}

export class CreateCommunity extends AppPage {
  static async verifyOnPage(page: Page): Promise<CreateCommunity> {
    await verifyOnPage(page, 'Create a community');
    return new CreateCommunity(page);
  }

  get name(): Locator {
    return this.page.getByLabel('Name', { exact: true });
  }

  get webAddressName(): Locator {
    return this.page.getByLabel('Web address name');
  }

  get firstAdminEmail(): Locator {
    return this.page.getByLabel('Email address of the first admin (optional)');
  }

  async createCommunity(): Promise<void> {
    await this.page.getByRole('button', { name: 'Create community' }).click();
  }
}

/** A new community, headed with its name, as the platform admin sees it just after creating it. */
export class NewCommunity extends AppPage {
  static async verifyOnPage(page: Page, name: string): Promise<NewCommunity> {
    await verifyOnPage(page, name);
    return new NewCommunity(page);
  }

  /** The first admin's invitation link, shown once. */
  async invitationLink(): Promise<string> {
    return invitationLinkOn(this.page);
  }
}

/** A community admin invites someone to a role. */
export class InviteSomeone extends AppPage {
  /** Goes to the invitation form with the role already chosen. */
  static async goTo(page: Page, community: string, role: string): Promise<InviteSomeone> {
    await page.goto(`/c/${community}/invitations/new?role=${role}`);
    return new InviteSomeone(page);
  }

  static async verifyOnPage(page: Page): Promise<InviteSomeone> {
    await verifyOnPage(page, 'Invite someone');
    return new InviteSomeone(page);
  }

  get emailAddress(): Locator {
    return this.page.getByLabel('Email address');
  }

  async sendInvitation(): Promise<void> {
    await this.page.getByRole('button', { name: 'Send invitation' }).click();
  }
}

export class Invitations extends AppPage {
  static async verifyOnPage(page: Page): Promise<Invitations> {
    await verifyOnPage(page, 'Invitations');
    return new Invitations(page);
  }

  /** The link of the invitation just sent, shown once. */
  async invitationLink(): Promise<string> {
    return invitationLinkOn(this.page);
  }
}
