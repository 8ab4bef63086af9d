import type { Locator, Page } from '@playwright/test';
import { press } from './keyboard.ts';
import { AppPage, verifyOnPage } from './page.ts';

/** An admin's list of the community's programmes. */
export class Programmes extends AppPage {
  static async verifyOnPage(page: Page): Promise<Programmes> {
    await verifyOnPage(page, 'Programmes');
    return new Programmes(page);
  }

  async addAProgramme(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add a programme' }).click();
  }
}

export class AddProgramme extends AppPage {
  static async verifyOnPage(page: Page, heading: string | RegExp = 'Add a programme'): Promise<AddProgramme> {
    await verifyOnPage(page, heading);
    return new AddProgramme(page);
  }

  /** The programme's name. `exact` matches the label 'Name' exactly. */
  name(options: { exact?: boolean } = {}): Locator {
    return this.page.getByLabel('Name', options);
  }

  /** The kind of programme: 'Time bank', 'Peer support network' and so on. */
  kind(label: string): Locator {
    return this.page.getByLabel(label);
  }

  get whoItIsFor(): Locator {
    return this.page.getByLabel('Who it is for');
  }

  get howToJoin(): Locator {
    return this.page.getByLabel('How to join');
  }

  get whereAndWhen(): Locator {
    return this.page.getByLabel('Where and when');
  }

  async giveName(name: string): Promise<void> {
    await this.name().fill(name);
  }

  /** Chooses the kind of programme and says who it is for, how to join, and where and when. */
  async describe(programme: { kind: string; whoFor: string; howToJoin: string; whereAndWhen: string }): Promise<void> {
    await this.kind(programme.kind).check();
    await this.whoItIsFor.fill(programme.whoFor);
    await this.howToJoin.fill(programme.howToJoin);
    await this.whereAndWhen.fill(programme.whereAndWhen);
  }

  async saveProgramme(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save programme' }).click();
  }

  /** Presses the form's button, whichever of Save or Add it says. */
  async saveOrAdd(): Promise<void> {
    await this.page.getByRole('button', { name: /Save|Add/ }).click();
  }
}

/** A community's public page of what it offers, for anyone looking for support. */
export class WhatWeOffer extends AppPage {
  static async open(page: Page, community: string): Promise<WhatWeOffer> {
    await page.goto(`/communities/${community}/programmes`);
    return WhatWeOffer.verifyOnPage(page);
  }

  static async verifyOnPage(page: Page): Promise<WhatWeOffer> {
    await verifyOnPage(page, 'What we offer');
    return new WhatWeOffer(page);
  }

  programme(name: string): Locator {
    return this.page.getByRole('heading', { name });
  }

  /** Presses 'Ask for support' from the keyboard, reaching it with the Tab key. */
  async askForSupport(): Promise<void> {
    await press(this.page, this.page.getByRole('link', { name: 'Ask for support' }));
  }
}
