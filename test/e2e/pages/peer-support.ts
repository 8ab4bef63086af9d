import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** Peer support: who is supported by whom, and the weeks' timesheets. */
export class PeerSupport extends AppPage {
  /** Goes to peer support's address and checks it. */
  static async open(page: Page, community: string): Promise<PeerSupport> {
    await PeerSupport.goTo(page, community);
    return PeerSupport.verifyOnPage(page);
  }

  static async goTo(page: Page, community: string): Promise<PeerSupport> {
    await page.goto(`/c/${community}/support`);
    return new PeerSupport(page);
  }

  static async verifyOnPage(page: Page): Promise<PeerSupport> {
    await verifyOnPage(page, 'Peer support');
    return new PeerSupport(page);
  }

  /** A coordinator starts support for someone waiting for it. */
  async startSupportFor(name: string): Promise<void> {
    await this.page.getByRole('link', { name: `start support for ${name}` }).click();
  }

  /** Opens the support of someone already supported. */
  async openSupportOf(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  /** A supporter sends the first week waiting to be sent. */
  async sendTheWeek(): Promise<void> {
    await this.page
      .getByRole('button', { name: /^Send the week starting/ })
      .first()
      .click();
  }

  /** A coordinator opens the first timesheet a supporter has sent. */
  async openTimesheetOf(supporter: string): Promise<void> {
    await this.page
      .getByRole('link', { name: new RegExp(`^${supporter}, week starting`) })
      .first()
      .click();
  }
}

export class StartSupport extends AppPage {
  static async verifyOnPage(page: Page): Promise<StartSupport> {
    await verifyOnPage(page, 'Start peer support');
    return new StartSupport(page);
  }

  /** Chooses the peer supporter, writes the goals agreed, and starts. */
  async startPeerSupport(support: { supporter: string; goals: string }): Promise<void> {
    await this.page.getByLabel('Peer supporter').selectOption({ label: support.supporter });
    await this.page.getByLabel('Goals agreed together (optional)').fill(support.goals);
    await this.page.getByRole('button', { name: 'Start peer support' }).click();
  }
}

/** One person's peer support: `Peer support for <name>`. */
export class SupportEpisode extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<SupportEpisode> {
    await verifyOnPage(page, heading);
    return new SupportEpisode(page);
  }

  async logAContact(): Promise<void> {
    await this.page.getByRole('button', { name: 'Log a contact' }).click();
  }

  async endThisSupport(): Promise<void> {
    await this.page.getByRole('button', { name: 'End this support' }).click();
  }
}

/** A supporter logs time spent with the person they support. */
export class LogContact extends AppPage {
  static async verifyOnPage(page: Page): Promise<LogContact> {
    await verifyOnPage(page, 'Log a contact');
    return new LogContact(page);
  }

  /** How they met: 'Phone' is matched exactly. */
  howYouMet(way: 'In person' | 'Phone'): Locator {
    return way === 'Phone' ? this.page.getByLabel('Phone', { exact: true }) : this.page.getByLabel(way);
  }

  /** Says how long it took, how they met and what they did, where given, and saves. */
  async saveContact(contact?: {
    hours: string;
    minutes?: string;
    how: 'In person' | 'Phone';
    what: string;
  }): Promise<void> {
    if (contact) {
      const howLong = this.page.getByRole('group', { name: 'How long did it take?' });
      await howLong.getByLabel('Hours').fill(contact.hours);
      if (contact.minutes !== undefined) await howLong.getByLabel('Minutes').fill(contact.minutes);
      await this.howYouMet(contact.how).check();
      await this.page.getByLabel('What did you do?').fill(contact.what);
    }
    await this.page.getByRole('button', { name: 'Save contact' }).click();
  }
}

/** A supporter's week: `Timesheet of <supporter>`. */
export class Timesheet extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<Timesheet> {
    await verifyOnPage(page, heading);
    return new Timesheet(page);
  }

  async approveTimesheet(): Promise<void> {
    await this.page.getByRole('button', { name: 'Approve timesheet' }).click();
  }

  /** A coordinator sends the week back to the supporter, saying why. */
  async returnTimesheet(why: string): Promise<void> {
    await this.page.getByLabel('Why are you returning it?').fill(why);
    await this.page.getByRole('button', { name: 'Return timesheet' }).click();
  }
}

/** Ending someone's support: `End peer support for <name>`. */
export class EndSupport extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<EndSupport> {
    await verifyOnPage(page, heading);
    return new EndSupport(page);
  }

  /** Says what changed and what comes next, asks to send the referrer a summary, and ends. */
  async endSupport(ending: { whatChanged: string; whatNext: string; sendSummary: boolean }): Promise<void> {
    await this.page.getByLabel('What changed?').fill(ending.whatChanged);
    await this.page.getByLabel(ending.whatNext).check();
    if (ending.sendSummary) await this.page.getByLabel('Yes, send a summary').check();
    await this.page.getByRole('button', { name: 'End support' }).click();
  }
}
