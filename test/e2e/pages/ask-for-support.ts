import type { Locator, Page } from '@playwright/test';
import { press, tick, typeInto } from './keyboard.ts';
import { AppPage, verifyOnPage } from './page.ts';

// Someone asks a community for support themselves, one question a page. These page objects use
// the keyboard alone: every field, link and button is reached with the Tab key.

export class AskForSupport extends AppPage {
  static async verifyOnPage(page: Page): Promise<AskForSupport> {
    await verifyOnPage(page, 'Ask for support');
    return new AskForSupport(page);
  }

  async startNow(): Promise<void> {
    await press(this.page, this.page.getByRole('button', { name: 'Start now' }));
  }
}

const questions = {
  whatToJoin: 'What would you like to join?',
  name: 'What would you like us to call you?',
  contact: 'How can we get in touch with you?',
  dateOfBirth: 'What is your date of birth?',
  support: 'What would you like support with?',
  communication: 'Is there anything that helps you communicate?',
  useOfAnswers: 'Can we use your answers, without your name, to show what difference we make?',
  checkAnswers: 'Check your answers before sending them',
};

/** The questions, each on its own page, headed with the question. */
export class SupportQuestions extends AppPage {
  static async verifyOnPage(page: Page, question: keyof typeof questions): Promise<SupportQuestions> {
    await verifyOnPage(page, questions[question]);
    return new SupportQuestions(page);
  }

  async chooseProgramme(name: string): Promise<void> {
    await tick(this.page, this.page.getByLabel(name));
  }

  async giveName(name: string): Promise<void> {
    await typeInto(this.page, this.page.getByLabel('What would you like us to call you?'), name);
  }

  /** Chooses email and text message, and gives the address and number. */
  async giveEmailAndPhone(contact: { email: string; phone: string }): Promise<void> {
    await tick(this.page, this.page.getByLabel('Email', { exact: true }));
    await typeInto(this.page, this.page.getByLabel('Email address'), contact.email);
    await tick(this.page, this.page.getByLabel('Text message'));
    await typeInto(this.page, this.page.getByLabel('Phone number'), contact.phone);
  }

  async giveDateOfBirth(date: { day: string; month: string; year: string }): Promise<void> {
    await typeInto(this.page, this.page.getByLabel('Day'), date.day);
    await typeInto(this.page, this.page.getByLabel('Month'), date.month);
    await typeInto(this.page, this.page.getByLabel('Year'), date.year);
  }

  /** Ticks what they would like support with, and says more. */
  async askForSupportWith(support: { what: string; more: string }): Promise<void> {
    await tick(this.page, this.page.getByLabel(support.what));
    await typeInto(this.page, this.page.getByLabel('Tell us more (optional)'), support.more);
  }

  async chooseWhatHelpsYouCommunicate(what: string): Promise<void> {
    await tick(this.page, this.page.getByLabel(what));
  }

  async agreeToTheUseOfYourAnswers(): Promise<void> {
    await tick(this.page, this.page.getByLabel('Yes'));
  }

  async continue(): Promise<void> {
    await press(this.page, this.page.getByRole('button', { name: 'Continue' }));
  }

  /** Sends the answers, from the page that checks them. */
  async send(): Promise<void> {
    await press(this.page, this.page.getByRole('button', { name: 'Send' }));
  }
}

/** The confirmation, with the request's reference. */
export class RequestReceived extends AppPage {
  static async verifyOnPage(page: Page): Promise<RequestReceived> {
    await verifyOnPage(page, 'We have your request');
    return new RequestReceived(page);
  }

  get reference(): Locator {
    return this.page.locator('.app-reference');
  }

  /** Goes on to make an account, which the request then joins. */
  async createAnAccount(): Promise<void> {
    await press(this.page, this.page.getByRole('main').getByRole('link', { name: 'Create an account' }));
  }
}
