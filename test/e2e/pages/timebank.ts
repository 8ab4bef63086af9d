import type { Locator, Page } from '@playwright/test';
import { CommunityHome } from './community-home.ts';
import { AppPage, verifyOnPage } from './page.ts';

/** A community's time bank: someone's balance, what they have going on, and ways in. */
export class TimebankHome extends AppPage {
  /** Goes to the community's home page, then to the time bank from the menu, and checks it. */
  static async open(page: Page, community: string): Promise<TimebankHome> {
    const home = await CommunityHome.goTo(page, community);
    await home.goToFromMenu('Time bank');
    return TimebankHome.verifyOnPage(page);
  }

  /** Goes straight to the time bank's address. */
  static async goTo(page: Page, community: string): Promise<TimebankHome> {
    await page.goto(`/c/${community}/timebank`);
    return new TimebankHome(page);
  }

  static async verifyOnPage(page: Page): Promise<TimebankHome> {
    await verifyOnPage(page, 'Time bank');
    return new TimebankHome(page);
  }

  get balance(): Locator {
    return this.page.getByTestId('balance');
  }

  async goToOfferHelp(): Promise<void> {
    await this.page.getByRole('link', { name: 'Offer help' }).click();
  }

  async findOffersAndRequests(): Promise<void> {
    await this.page.getByRole('button', { name: 'Find offers and requests' }).click();
  }

  /** Opens the messages about an offer or request, from the list of conversations. */
  async openConversation(name: RegExp): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  /** Opens an exchange waiting for this person, such as one to confirm. */
  async openExchange(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }

  /** A coordinator opens the people still joining the time bank. */
  async peopleJoining(): Promise<void> {
    await this.page.getByRole('link', { name: /people joining/ }).click();
  }

  /** A coordinator opens the list of members. */
  async members(): Promise<void> {
    await this.page.getByRole('link', { name: /\d+ members/ }).click();
  }

  async recordAGroupExchange(): Promise<void> {
    await this.page.getByRole('link', { name: 'Record a group exchange' }).click();
  }

  async reports(): Promise<void> {
    await this.page.getByRole('link', { name: 'Time bank reports' }).click();
  }
}

export class TimebankSettings extends AppPage {
  static async goTo(page: Page, community: string): Promise<TimebankSettings> {
    await page.goto(`/c/${community}/timebank/settings`);
    return new TimebankSettings(page);
  }

  async importFromASpreadsheet(): Promise<void> {
    await this.page.getByRole('link', { name: 'Import from a spreadsheet' }).click();
  }
}

/** A coordinator's list of the time bank's members, where someone new can also be added. */
export class TimebankMembers extends AppPage {
  /** Goes to the members page already searched for a name. */
  static async goTo(page: Page, community: string, search: string): Promise<TimebankMembers> {
    await page.goto(`/c/${community}/timebank/members?${new URLSearchParams({ q: search }).toString()}`);
    return new TimebankMembers(page);
  }

  static async verifyOnPage(page: Page): Promise<TimebankMembers> {
    await verifyOnPage(page, 'Time bank members');
    return new TimebankMembers(page);
  }

  async openMember(name: string, options: { exact?: boolean } = {}): Promise<void> {
    await this.page.getByRole('link', { name, ...options }).click();
  }

  /** The heading offering to add someone the search did not find. */
  notFound(name: string): Locator {
    return this.page.getByRole('heading', { name: `Not found? Add ${name} as someone new` });
  }

  get preferredName(): Locator {
    return this.page.getByLabel('Preferred name');
  }

  get fullName(): Locator {
    return this.page.getByLabel('Full name (optional)');
  }

  get notOnline(): Locator {
    return this.page.getByLabel('They are not online');
  }

  async addThemToTheTimeBank(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add them to the time bank' }).click();
  }
}

/** A member's page in the time bank, headed with their name: joining steps and statement. */
export class TimebankMember extends AppPage {
  static async verifyOnPage(page: Page, name: string): Promise<TimebankMember> {
    await verifyOnPage(page, name);
    return new TimebankMember(page);
  }

  /** The joining steps not yet done. */
  get stepsLeft(): Locator {
    return this.page.getByRole('group', { name: 'Which steps are done?' });
  }

  /** Ticks every joining step left, and saves them in one go. */
  async tickEveryStepAsDone(): Promise<void> {
    for (const box of await this.stepsLeft.getByRole('checkbox').all()) await box.check();
    await this.page.getByRole('button', { name: 'Tick as done' }).click();
  }

  async everyStepIsDoneToday(): Promise<void> {
    await this.page.getByRole('button', { name: 'Every step is done, today' }).click();
  }

  async printThisStatement(): Promise<void> {
    await this.page.getByRole('link', { name: 'Print this statement' }).click();
  }
}

export class OfferHelp extends AppPage {
  static async verifyOnPage(page: Page): Promise<OfferHelp> {
    await verifyOnPage(page, 'Offer help');
    return new OfferHelp(page);
  }

  /** Says what they offer, the kind of help, and more about it, and posts it. */
  async offerHelp(offer: { what: string; kind: string; more: string }): Promise<void> {
    await this.page.getByLabel('What can you offer?').fill(offer.what);
    await this.page.getByLabel('What kind of help is it?').selectOption({ label: offer.kind });
    await this.page.getByLabel('Tell people more (optional)').fill(offer.more);
    await this.page.getByRole('button', { name: 'Post it' }).click();
  }
}

export class OffersAndRequests extends AppPage {
  static async verifyOnPage(page: Page): Promise<OffersAndRequests> {
    await verifyOnPage(page, 'Offers and requests');
    return new OffersAndRequests(page);
  }

  /** Searches offers and requests for some words. */
  async search(words: string): Promise<void> {
    await this.page.getByLabel('Search').fill(words);
    await this.page.getByRole('button', { name: 'Find' }).click();
  }

  async open(title: string): Promise<void> {
    await this.page.getByRole('link', { name: title }).click();
  }
}

/** One offer or request, headed with its title. */
export class Listing extends AppPage {
  static async verifyOnPage(page: Page, title: string): Promise<Listing> {
    await verifyOnPage(page, title);
    return new Listing(page);
  }

  /** Answers an offer with a message to the person who made it. */
  async sayIWouldLikeThis(answer: { to: string; message: string }): Promise<void> {
    await this.page.getByLabel(`Your message to ${answer.to}`).fill(answer.message);
    await this.page.getByRole('button', { name: "Send: I'd like this" }).click();
  }

  /** The button to take up a request. */
  get iCanHelpButton(): Locator {
    return this.page.getByRole('button', { name: 'Send: I can help' });
  }
}

/** `Messages about: <offer or request>`. */
export class Conversation extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<Conversation> {
    await verifyOnPage(page, heading);
    return new Conversation(page);
  }

  async sendMessage(text: string): Promise<void> {
    await this.page.getByLabel('Your message').fill(text);
    await this.page.getByRole('button', { name: 'Send message' }).click();
  }

  async recordTheTimeYouExchanged(): Promise<void> {
    await this.page.getByRole('link', { name: 'Record the time you exchanged' }).click();
  }
}

/**
 * Recording time exchanged: a member records time they gave ('Record time given'); a coordinator
 * records an exchange between two members, from the time bank's exchanges/new address.
 */
export class RecordTime extends AppPage {
  static async goTo(page: Page, community: string): Promise<RecordTime> {
    await page.goto(`/c/${community}/timebank/exchanges/new`);
    return new RecordTime(page);
  }

  static async verifyOnPage(page: Page): Promise<RecordTime> {
    await verifyOnPage(page, 'Record time given');
    return new RecordTime(page);
  }

  get iGaveTime(): Locator {
    return this.page.getByLabel('I gave time');
  }

  /** A coordinator chooses who gave the time and who received it. */
  async chooseWho(exchange: { gave: string; received: string }): Promise<void> {
    await this.page.getByLabel('Who gave the time?').selectOption({ label: exchange.gave });
    await this.page.getByLabel('Who received it?').selectOption({ label: exchange.received });
  }

  /** The coordinator's hours field. */
  get hours(): Locator {
    return this.page.getByLabel('Hours');
  }

  get day(): Locator {
    return this.page.getByRole('group', { name: 'When?' }).getByLabel('Day');
  }

  get kindOfHelp(): Locator {
    return this.page.getByLabel('What kind of help was it?');
  }

  /** A coordinator confirms the exchange for both people at once. */
  get confirmItNow(): Locator {
    return this.page.getByLabel('Both have told me about it: confirm it now');
  }

  /** Says how long and what kind of help it was, where given, and presses Record time. */
  async recordTime(time?: { hours: string; minutes: string; kind: string }): Promise<void> {
    if (time) {
      const howLong = this.page.getByRole('group', { name: 'How long?' });
      await howLong.getByLabel('Hours').fill(time.hours);
      await howLong.getByLabel('Minutes').fill(time.minutes);
      await this.kindOfHelp.selectOption({ label: time.kind });
    }
    await this.page.getByRole('button', { name: 'Record time' }).click();
  }
}

/** An exchange between two members: 'Time you gave' or 'Time you received'. */
export class Exchange extends AppPage {
  static async verifyOnPage(page: Page, heading: 'Time you gave' | 'Time you received'): Promise<Exchange> {
    await verifyOnPage(page, heading);
    return new Exchange(page);
  }

  /** One of the exchange's details: who, how long, what kind of help. */
  detail(text: string | RegExp): Locator {
    return this.page.getByRole('definition').filter({ hasText: text });
  }

  async confirm(): Promise<void> {
    await this.page.getByRole('button', { name: 'Confirm' }).click();
  }
}

/**
 * A coordinator records time that several people gave several others, such as a talk. In a time
 * bank of thousands, each side is found by name, then ticked.
 */
export class RecordGroupExchange extends AppPage {
  static async verifyOnPage(page: Page): Promise<RecordGroupExchange> {
    await verifyOnPage(page, 'Record a group exchange');
    return new RecordGroupExchange(page);
  }

  get givers(): Locator {
    return this.page.getByRole('group', { name: 'Who gave time?' });
  }

  get receivers(): Locator {
    return this.page.getByRole('group', { name: 'Who received it?' });
  }

  async findGivers(names: string): Promise<void> {
    await this.givers.getByLabel('Find someone who gave, by name').fill(names);
    await this.givers.getByRole('button', { name: 'Find: Who gave time?' }).click();
  }

  giver(name: string): Locator {
    return this.givers.getByLabel(name);
  }

  async hoursEachGiverGave(hours: string): Promise<void> {
    await this.page.getByRole('group', { name: 'How long did each giver give?' }).getByLabel('Hours').fill(hours);
  }

  /** Finds the people who received time: one name, or several separated by commas. */
  async findReceivers(names: string): Promise<void> {
    await this.receivers.getByLabel('Find someone who received, by name').fill(names);
    await this.receivers.getByRole('button', { name: 'Find: Who received it?' }).click();
  }

  receiver(name: string): Locator {
    return this.receivers.getByLabel(name);
  }

  async hoursEachReceived(hours: string): Promise<void> {
    await this.page.getByRole('group', { name: 'How long did each receive?' }).getByLabel('Hours').fill(hours);
  }

  /** The community's pot pays the givers, rather than the receivers' balances. */
  async theCommunityPotPays(): Promise<void> {
    await this.page.getByLabel('The community pot pays').check();
  }

  async kindOfHelp(kind: string): Promise<void> {
    await this.page.getByLabel('What kind of help was it?').selectOption({ label: kind });
  }

  async whatWasIt(what: string): Promise<void> {
    await this.page.getByLabel('What was it? (optional)').fill(what);
  }

  async recordGroupExchange(): Promise<void> {
    await this.page.getByRole('button', { name: 'Record group exchange' }).click();
  }
}

export class GroupExchange extends AppPage {
  static async verifyOnPage(page: Page): Promise<GroupExchange> {
    await verifyOnPage(page, 'A group exchange');
    return new GroupExchange(page);
  }

  /** One of the exchange's details, such as a receiver and their time. */
  detail(text: string): Locator {
    return this.page.getByRole('definition').filter({ hasText: text });
  }

  /** Goes back to the time bank by its first link. */
  async timeBank(): Promise<void> {
    await this.page.getByRole('link', { name: 'Time bank' }).first().click();
  }
}

/** A member's statement, to print for someone who is not online: `Statement for <name>`. */
export class Statement extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<Statement> {
    await verifyOnPage(page, heading);
    return new Statement(page);
  }

  get table(): Locator {
    return this.page.getByRole('table');
  }

  get printButton(): Locator {
    return this.page.getByRole('button', { name: 'Print' });
  }
}

export class TimebankReports extends AppPage {
  static async verifyOnPage(page: Page): Promise<TimebankReports> {
    await verifyOnPage(page, 'Time bank reports');
    return new TimebankReports(page);
  }

  table(name: string): Locator {
    return this.page.getByRole('table', { name });
  }
}

/** The kinds of help a time bank's members exchange. */
export class KindsOfHelp extends AppPage {
  async addAKindOfHelp(): Promise<void> {
    await this.page.getByRole('button', { name: 'Add a kind of help' }).click();
  }
}

export class AddKindOfHelp extends AppPage {
  static async verifyOnPage(page: Page): Promise<AddKindOfHelp> {
    await verifyOnPage(page, 'Add a kind of help');
    return new AddKindOfHelp(page);
  }

  get name(): Locator {
    return this.page.getByLabel('Name', { exact: true });
  }

  async save(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save' }).click();
  }
}
