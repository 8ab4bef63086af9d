import type { Locator, Page } from '@playwright/test';
import { expectPage } from '../support.ts';

/** `{ scan: false }` checks the heading only, for pages read with JavaScript off (axe needs it on). */
export type Check = { scan?: boolean };

/**
 * Checks that the browser shows the page with this heading, as its only h1, and that the page
 * has no accessibility violations.
 */
export async function verifyOnPage(page: Page, heading: string | RegExp, check: Check = {}): Promise<void> {
  await expectPage(page, heading, check);
}

/**
 * What every page has: the heading, the menu, the header's links and buttons, and the messages
 * a form shows when something is missing.
 *
 * Each page object has a static `verifyOnPage`, which checks the page and returns the object.
 * Where a journey acts on a page without checking it first, it makes the object with `new`.
 */
export class AppPage {
  readonly page: Page;

  constructor(page: Page) {
    this.page = page;
  }

  /** The page's main heading. */
  get heading(): Locator {
    return this.page.getByRole('heading', { level: 1 });
  }

  /** The error summary at the top of a form sent with something missing or wrong. */
  get errorSummary(): Locator {
    return this.page.locator('.nhsuk-error-summary');
  }

  /** The alert a page shows: on forms, the error summary. */
  get alert(): Locator {
    return this.page.getByRole('alert');
  }

  /** Goes to another part of the community from the menu. */
  async goToFromMenu(name: string): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Menu' }).getByRole('link', { name }).click();
  }

  /** Reads the service in Welsh from now on. */
  async switchToWelsh(): Promise<void> {
    await this.page.getByRole('link', { name: 'Cymraeg' }).click();
  }

  /** The link that switches back to English. */
  get englishLink(): Locator {
    return this.page.getByRole('link', { name: 'English' });
  }

  /** Reads the service in English from now on. */
  async switchToEnglish(): Promise<void> {
    await this.englishLink.click();
  }

  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
  }
}
