import type { Download, Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

export class YourDetails extends AppPage {
  static async verifyOnPage(page: Page): Promise<YourDetails> {
    await verifyOnPage(page, 'Your details');
    return new YourDetails(page);
  }

  async downloadYourData(): Promise<void> {
    await this.page.getByRole('link', { name: 'Download your data' }).click();
  }
}

/** Everything held about someone, as a page, with a button to download it as a file. */
export class DownloadYourData extends AppPage {
  static async verifyOnPage(page: Page): Promise<DownloadYourData> {
    await verifyOnPage(page, 'Download your data');
    return new DownloadYourData(page);
  }

  section(name: RegExp): Locator {
    return this.page.getByRole('heading', { name });
  }

  /** Downloads the same data as a JSON file, and returns the download. */
  async downloadAsAFile(): Promise<Download> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.getByRole('button', { name: 'Download as a file (JSON)' }).click(),
    ]);
    return download;
  }
}

/** An admin's list of requests to be forgotten. */
export class RequestsToBeForgotten extends AppPage {
  static async verifyOnPage(page: Page): Promise<RequestsToBeForgotten> {
    await verifyOnPage(page, 'Requests to be forgotten');
    return new RequestsToBeForgotten(page);
  }

  async openRequestOf(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }
}

/** One request to be forgotten: `Request to forget <name>`. */
export class RequestToForget extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<RequestToForget> {
    await verifyOnPage(page, heading);
    return new RequestToForget(page);
  }

  async approveAndForgetThem(): Promise<void> {
    await this.page.getByRole('button', { name: 'Approve and forget them' }).click();
  }
}

export class RaiseConcern extends AppPage {
  static async verifyOnPage(page: Page): Promise<RaiseConcern> {
    await verifyOnPage(page, 'Raise a safeguarding concern');
    return new RaiseConcern(page);
  }

  /** Says whether someone is in danger right now, who they are worried about and what happened, and sends it. */
  async raiseConcern(concern: { inDangerNow: 'Yes' | 'No'; about: string; what: string }): Promise<void> {
    await this.page.getByLabel(concern.inDangerNow).check();
    await this.page.getByLabel('Who are you worried about?').fill(concern.about);
    await this.page.getByLabel('What happened, or what are you worried about?').fill(concern.what);
    await this.page.getByRole('button', { name: 'Send the concern' }).click();
  }
}

export class ConcernSent extends AppPage {
  static async verifyOnPage(page: Page): Promise<ConcernSent> {
    await verifyOnPage(page, 'Your concern has been sent');
    return new ConcernSent(page);
  }
}

/** The safeguarding lead's list of concerns. */
export class Concerns extends AppPage {
  static async verifyOnPage(page: Page): Promise<Concerns> {
    await verifyOnPage(page, 'Safeguarding concerns');
    return new Concerns(page);
  }

  /** Opens the first concern about someone. */
  async openConcernAbout(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).first().click();
  }
}

/** One concern: `Concern about <name>`. */
export class Concern extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<Concern> {
    await verifyOnPage(page, heading);
    return new Concern(page);
  }
}
