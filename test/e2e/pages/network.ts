import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** A community's peer network: its groups, and what a member or facilitator does there. */
export class PeerNetwork extends AppPage {
  /** Goes to the peer network's address and checks it. */
  static async open(page: Page, community: string): Promise<PeerNetwork> {
    await PeerNetwork.goTo(page, community);
    return PeerNetwork.verifyOnPage(page);
  }

  static async goTo(page: Page, community: string): Promise<PeerNetwork> {
    await page.goto(`/c/${community}/network`);
    return new PeerNetwork(page);
  }

  static async verifyOnPage(page: Page): Promise<PeerNetwork> {
    await verifyOnPage(page, 'Peer network');
    return new PeerNetwork(page);
  }

  async joinTheNetwork(): Promise<void> {
    await this.page.getByRole('button', { name: 'Join the network' }).click();
  }

  /** Opens a group. Where it is linked more than once, `first` follows the first link. */
  async openGroup(name: string, options: { first?: boolean } = {}): Promise<void> {
    const link = this.page.getByRole('link', { name });
    await (options.first ? link.first() : link).click();
  }

  /** Links to a group's meetings, named `<group>, <when>`. */
  meetingsOf(group: string): Locator {
    return this.page.getByRole('link', { name: new RegExp(`${group}, `) });
  }

  async writeYourCrisisPlan(): Promise<void> {
    await this.page.getByRole('link', { name: 'Write your crisis plan' }).click();
  }

  /** A facilitator's link to a crisis plan a member shared with them. */
  crisisPlanOf(name: string): Locator {
    return this.page.getByRole('link', { name: `Crisis plan of ${name}` });
  }

  async openCrisisPlanOf(name: string): Promise<void> {
    await this.crisisPlanOf(name).click();
  }

  async stepBackFromTheNetwork(): Promise<void> {
    await this.page.getByRole('link', { name: 'Step back from the network' }).click();
  }

  async comeBackToTheNetwork(): Promise<void> {
    await this.page.getByRole('button', { name: 'Come back to the network' }).click();
  }

  async addMeetingsToYourCalendar(): Promise<void> {
    await this.page.getByRole('link', { name: 'Add meetings to your calendar' }).click();
  }

  /** Opens the ground rules by the link with this name. */
  async openGroundRules(linkName: string): Promise<void> {
    await this.page.getByRole('link', { name: linkName }).click();
  }

  async networkNumbers(): Promise<void> {
    await this.page.getByRole('link', { name: 'Network numbers' }).click();
  }
}

/** A peer support group, headed with its name, and its meetings. */
export class Group extends AppPage {
  static async verifyOnPage(page: Page, name: string): Promise<Group> {
    await verifyOnPage(page, name);
    return new Group(page);
  }

  async iUsuallyGoToThisGroup(): Promise<void> {
    await this.page.getByRole('button', { name: 'I usually go to this group' }).click();
  }

  /** A facilitator opens the first register in the list of meetings that says who came. */
  async openRegister(): Promise<void> {
    await this.page.getByRole('list').filter({ hasText: 'came' }).getByRole('link').first().click();
  }

  /** Opens the last of the meetings to come. */
  async openLastMeetingToCome(): Promise<void> {
    const upcoming = this.page.locator('h2', { hasText: 'Meetings to come' }).locator('xpath=following-sibling::ul[1]');
    await upcoming.getByRole('listitem').last().getByRole('link').first().click();
  }
}

/** One meeting of a group, headed with the group's name. */
export class Meeting extends AppPage {
  static async verifyOnPage(page: Page, group: string): Promise<Meeting> {
    await verifyOnPage(page, group);
    return new Meeting(page);
  }

  get cancelThisMeetingLink(): Locator {
    return this.page.getByRole('link', { name: 'Cancel this meeting' });
  }

  async cancelThisMeeting(): Promise<void> {
    await this.cancelThisMeetingLink.click();
  }

  /** The choices a member has to say whether they are coming. */
  get comingChoices(): Locator {
    return this.page.getByRole('radio', { name: /coming/ });
  }
}

export class CancelMeeting extends AppPage {
  static async verifyOnPage(page: Page): Promise<CancelMeeting> {
    await verifyOnPage(page, 'Cancel this meeting');
    return new CancelMeeting(page);
  }

  /** The error summary's link to the reason, when none is given. */
  get sayWhyError(): Locator {
    return this.page.getByRole('link', { name: 'Say why the meeting is cancelled' });
  }

  /** Says why, where given, and cancels the meeting. */
  async cancelTheMeeting(why?: string): Promise<void> {
    if (why !== undefined) await this.page.getByLabel('Why is it cancelled?').fill(why);
    await this.page.getByRole('button', { name: 'Cancel the meeting' }).click();
  }
}

/** A meeting's register, taken by a facilitator. */
export class Register extends AppPage {
  static async verifyOnPage(page: Page): Promise<Register> {
    await verifyOnPage(page, 'Register');
    return new Register(page);
  }

  /** How many are marked here. */
  get hereCount(): Locator {
    return this.page.getByTestId('here-count');
  }

  async markHere(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `${name}: Mark here` }).click();
  }

  undoButton(name: string): Locator {
    return this.page.getByRole('button', { name: `${name}: Undo` });
  }
}

/** A member's own crisis plan, and who may read it. */
export class CrisisPlan extends AppPage {
  static async verifyOnPage(page: Page): Promise<CrisisPlan> {
    await verifyOnPage(page, 'Your crisis plan');
    return new CrisisPlan(page);
  }

  /** Writes what helps, who helped write it and which facilitator may read it, where given, and saves. */
  async savePlan(plan?: { whatHelps: string; whoHelped: string; facilitator: string }): Promise<void> {
    if (plan) {
      await this.page.getByLabel('What helps me').fill(plan.whatHelps);
      await this.page.getByLabel('Who helped you write it (optional)').fill(plan.whoHelped);
      await this.page.getByRole('group', { name: 'Facilitators who can read it' }).getByLabel(plan.facilitator).check();
    }
    await this.page.getByRole('button', { name: 'Save your plan' }).click();
  }
}

/** A crisis plan a member shared with a facilitator: `Crisis plan of <name>`. */
export class SharedCrisisPlan extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<SharedCrisisPlan> {
    await verifyOnPage(page, heading);
    return new SharedCrisisPlan(page);
  }
}

export class StepBack extends AppPage {
  static async verifyOnPage(page: Page): Promise<StepBack> {
    await verifyOnPage(page, 'Step back from the network');
    return new StepBack(page);
  }

  async stepBackForNow(): Promise<void> {
    await this.page.getByRole('button', { name: 'Step back for now' }).click();
  }
}

export class CalendarFeed extends AppPage {
  static async verifyOnPage(page: Page): Promise<CalendarFeed> {
    await verifyOnPage(page, 'Add meetings to your calendar');
    return new CalendarFeed(page);
  }

  get address(): Locator {
    return this.page.getByLabel('Or copy this address into your calendar app');
  }
}

export class GroundRules extends AppPage {
  static async verifyOnPage(page: Page): Promise<GroundRules> {
    await verifyOnPage(page, 'Ground rules');
    return new GroundRules(page);
  }

  /** A member agrees with a change proposed to the ground rules. */
  async agreeWithThisChange(): Promise<void> {
    await this.page.getByRole('button', { name: 'I agree with this change' }).click();
  }

  /** A facilitator adopts the change. */
  async adoptThisChange(): Promise<void> {
    await this.page.getByRole('button', { name: 'Adopt this change' }).click();
  }
}

export class NetworkNumbers extends AppPage {
  static async verifyOnPage(page: Page): Promise<NetworkNumbers> {
    await verifyOnPage(page, 'Network numbers');
    return new NetworkNumbers(page);
  }

  table(name: string): Locator {
    return this.page.getByRole('table', { name });
  }
}
