import type { Locator, Page } from '@playwright/test';
import { AppPage, type Check, verifyOnPage } from './page.ts';

/** An admin's list of members and of people asking to join. */
export class Members extends AppPage {
  static async verifyOnPage(page: Page, check?: Check): Promise<Members> {
    await verifyOnPage(page, 'Members', check);
    return new Members(page);
  }

  async openRequestOf(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  /** Opens the first person in the table. */
  async openFirstRequest(): Promise<void> {
    await this.page.locator('table a').first().click();
  }

  async auditLog(): Promise<void> {
    await this.page.getByRole('link', { name: 'Audit log' }).click();
  }
}

/** Someone's request to join, headed with their name. */
export class JoinRequest extends AppPage {
  static async verifyOnPage(page: Page, name: string, check?: Check): Promise<JoinRequest> {
    await verifyOnPage(page, name, check);
    return new JoinRequest(page);
  }

  async approve(): Promise<void> {
    await this.page.getByRole('button', { name: 'Approve' }).click();
  }

  async decline(): Promise<void> {
    await this.page.getByRole('button', { name: 'Decline' }).click();
  }
}

export class AuditLog extends AppPage {
  static async verifyOnPage(page: Page, check?: Check): Promise<AuditLog> {
    await verifyOnPage(page, 'Audit log', check);
    return new AuditLog(page);
  }

  entry(what: string): Locator {
    return this.page.getByRole('cell', { name: what });
  }
}
