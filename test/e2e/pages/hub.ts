import type { Locator, Page } from '@playwright/test';
import { AppPage, verifyOnPage } from './page.ts';

/** A hub team's page, headed with the hub's name. */
export class HubTeam extends AppPage {
  static async goTo(page: Page, community: string): Promise<HubTeam> {
    await page.goto(`/c/${community}/hub`);
    return new HubTeam(page);
  }

  static async verifyOnPage(page: Page, hub: string): Promise<HubTeam> {
    await verifyOnPage(page, hub);
    return new HubTeam(page);
  }

  /** Opens today's review meeting, or holds one if there is none yet. */
  async openTodaysReviewMeeting(): Promise<void> {
    await this.page.getByRole('button', { name: /^(Open today’s review meeting|Hold a review meeting today)/ }).click();
  }

  async caseload(): Promise<void> {
    await this.page.getByRole('link', { name: 'Caseload' }).click();
  }
}

/** A review meeting's agenda: `Review meeting, <date>`. */
export class ReviewMeeting extends AppPage {
  static async verifyOnPage(page: Page): Promise<ReviewMeeting> {
    await verifyOnPage(page, /^Review meeting, /);
    return new ReviewMeeting(page);
  }

  /** The agenda's item for a person. */
  item(name: string): Locator {
    return this.page.getByRole('listitem').filter({ hasText: name });
  }

  async openItem(name: string): Promise<void> {
    await this.item(name).getByRole('link', { name }).click();
  }
}

/** A person's item on a review meeting's agenda, headed with their name. */
export class AgendaItem extends AppPage {
  static async verifyOnPage(page: Page, name: string): Promise<AgendaItem> {
    await verifyOnPage(page, name);
    return new AgendaItem(page);
  }

  get whatWasDiscussed(): Locator {
    return this.page.getByLabel('What was discussed');
  }

  /** The chair writes what was discussed, what was decided, and what needs doing. */
  async recordDiscussion(notes: { discussed: string; decided: string; needsDoing: string }): Promise<void> {
    await this.whatWasDiscussed.fill(notes.discussed);
    await this.page.getByLabel('What was decided').fill(notes.decided);
    await this.page.getByLabel('What needs doing').fill(notes.needsDoing);
  }

  async chooseWhoWillDoIt(who: string): Promise<void> {
    await this.page.getByLabel('Who will do it').selectOption({ label: who });
  }

  /** Types the day, month and year (in UTC) the action is due by. */
  async dueBy(due: Date): Promise<void> {
    const dueOn = this.page.getByRole('group', { name: 'By when' });
    await dueOn.getByLabel('Day').fill(String(due.getUTCDate()));
    await dueOn.getByLabel('Month').fill(String(due.getUTCMonth() + 1));
    await dueOn.getByLabel('Year').fill(String(due.getUTCFullYear()));
  }

  async saveAndGoBackToTheAgenda(): Promise<void> {
    await this.page.getByRole('button', { name: 'Save and go back to the agenda' }).click();
  }
}

export class Caseload extends AppPage {
  static async verifyOnPage(page: Page): Promise<Caseload> {
    await verifyOnPage(page, 'Caseload');
    return new Caseload(page);
  }

  async findByName(name: string): Promise<void> {
    await this.page.getByLabel('Find by name').fill(name);
    await this.page.getByRole('button', { name: 'Find' }).click();
  }

  async openPerson(name: string): Promise<void> {
    await this.page.getByRole('link', { name }).click();
  }
}

/** A person's personal budget: `Personal budget of <name>`, with a card for each spend. */
export class PersonalBudget extends AppPage {
  static async verifyOnPage(page: Page, heading: string): Promise<PersonalBudget> {
    await verifyOnPage(page, heading);
    return new PersonalBudget(page);
  }

  spend(item: string): Locator {
    return this.page.locator('.nhsuk-card').filter({ hasText: item });
  }

  async approveSpend(item: string): Promise<void> {
    await this.spend(item).getByRole('button', { name: 'Approve spend' }).click();
  }

  /** Approves a spend that is more than the budget has left, ticking that they mean it and saying why. */
  async approveOverspend(item: string, why: string): Promise<void> {
    const spend = this.spend(item);
    await spend.getByLabel('I approve spending more than the budget has left').check();
    await spend.getByLabel('Why is the overspend approved?').fill(why);
    await spend.getByRole('button', { name: 'Approve spend' }).click();
  }
}
