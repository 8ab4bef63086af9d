import { verifyOnPage } from './pages/page.ts';
import { signIn } from './pages/sign-in.ts';
import {
  GroupExchange,
  RecordGroupExchange,
  Statement,
  TimebankHome,
  TimebankMember,
  TimebankMembers,
  TimebankReports,
  TimebankSettings,
} from './pages/timebank.ts';
import { expect, test } from './support.ts';

test('a coordinator records a talk Doris gave to eight people, though Doris is not online, and prints her statement', async ({
  browser,
}) => {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, 'coordinator@example.org');
  const timeBank = await TimebankHome.open(page, 'lambeth');
  await timeBank.recordAGroupExchange();
  const form = await RecordGroupExchange.verifyOnPage(page);

  // Forgetting who received it keeps what was chosen and says what is missing.
  // A time bank of thousands: each side is found by name, then ticked.
  await form.findGivers('Doris');
  await RecordGroupExchange.verifyOnPage(page);
  await form.giver('Doris Campbell').check();
  await form.hoursEachGiverGave('1');
  await form.recordGroupExchange();
  await RecordGroupExchange.verifyOnPage(page);
  await expect(form.errorSummary).toContainText('Tick at least one person who received time');
  await expect(form.giver('Doris Campbell')).toBeChecked();

  const audience = [
    'Agnes Vaughan',
    'Bernard Ellis',
    'Carmen Simpson',
    'Delroy Turner',
    'Edna Douglas',
    'Fiona Reid',
    'George Barker',
    'Hilda Ince',
  ];
  // The register read out, found in one go.
  await form.findReceivers(audience.join(', '));
  await RecordGroupExchange.verifyOnPage(page);
  await expect(form.giver('Doris Campbell')).toBeChecked();
  for (const name of audience) await form.receiver(name).check();
  await form.hoursEachReceived('1');
  await form.theCommunityPotPays();
  await form.kindOfHelp('Talks and groups');
  await form.whatWasIt('Talk: looking after your feet');
  await form.recordGroupExchange();
  const exchange = await GroupExchange.verifyOnPage(page);
  await expect(page.getByText('Group exchange recorded. Balances have changed.')).toBeVisible();
  await expect(exchange.detail('Agnes Vaughan (1 hour)')).toBeVisible();
  await expect(page.getByText('Confirmed', { exact: true })).toBeVisible();

  await exchange.timeBank();
  await timeBank.members();
  const members = await TimebankMembers.verifyOnPage(page);
  await members.openMember('Doris Campbell');
  const doris = await TimebankMember.verifyOnPage(page, 'Doris Campbell');
  await expect(page.getByText('Not online: record and print for them.')).toBeVisible();
  await doris.printThisStatement();
  const statement = await Statement.verifyOnPage(page, 'Statement for Doris Campbell');
  await expect(statement.table).toContainText('Talk: looking after your feet');
  await expect(statement.table).toContainText('+1 hour');
  await expect(statement.printButton).toBeVisible();

  // The talk is in the funders' report, which also reads without JavaScript as tables.
  await TimebankHome.goTo(page, 'lambeth');
  await timeBank.reports();
  const reports = await TimebankReports.verifyOnPage(page);
  await expect(reports.table('Time given by kind of help')).toContainText('Talks and groups');
  const settings = await TimebankSettings.goTo(page, 'lambeth');
  await settings.importFromASpreadsheet();
  await verifyOnPage(page, 'Import from a spreadsheet');
});
