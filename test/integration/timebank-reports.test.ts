// Reports for funders, statements as files, and importing from a spreadsheet.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { personRecords } from '../../src/modules/people/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const today = () => new Date().toISOString().slice(0, 10);

const ledgerRows = async () =>
  (
    await owner().execute<{ records: number; exchanges: number; movements: number; members: number }>(
      sql`select (select count(*)::int from person_records) as records, (select count(*)::int from timebank_exchanges) as exchanges, (select count(*)::int from timebank_movements) as movements, (select count(*)::int from timebank_members) as members`,
    )
  ).rows[0];

async function balanceOf(name: string): Promise<number | undefined> {
  const [row] = (
    await owner().execute<{ balance: number }>(
      sql`select a.balance from timebank_accounts a join person_records r on r.id = a.person_record_id where r.preferred_name = ${name} and a.closed_at is null`,
    )
  ).rows;
  return row?.balance;
}

describe('reports', () => {
  it('count members, organisations and the pot; show names only to coordinators; download as CSV', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId: member, alphaPersonId: ada, alphaCategoryId: categoryId } = given.fixture;
    // Member gives Ada 2 hours; a talk by Ada to the member and an organisation, paid by the pot.
    await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: member,
      receiver: ada,
      minutes: 120,
      occurredOn: today(),
      categoryId,
      confirmNow: true,
    });
    const settings = await signedIn('coordinator@alpha.test');
    await settings.submit('/c/alpha/timebank/settings', '/c/alpha/timebank/settings/organisations', {
      name: 'Alpha Surgery',
    });
    const accounts = await owner().execute<{ id: string; kind: string; person_record_id: string | null }>(
      sql`select id, kind, person_record_id from timebank_accounts where community_id = ${given.fixture.alpha.id}`,
    );
    const account = (predicate: (row: { kind: string; person_record_id: string | null }) => boolean) =>
      accounts.rows.find(predicate)?.id ?? '';
    const group = await call(
      coordinator,
      'POST',
      '/api/v1/communities/alpha/timebank/group-exchanges',
      {
        givers: [{ account: account((row) => row.person_record_id === ada), minutes: 60 }],
        receivers: [
          { account: account((row) => row.person_record_id === member), minutes: 60 },
          { account: account((row) => row.kind === 'organisation'), minutes: 60 },
        ],
        potPaysReceivers: true,
        occurredOn: today(),
        categoryId,
      },
      { 'idempotency-key': randomUUID() },
    );
    expect(group.statusCode).toBe(201);
    // A request nobody answered, and a member who never exchanged.
    await call(
      coordinator,
      'POST',
      '/api/v1/communities/alpha/timebank/requests',
      { title: 'A lift to the eye clinic', categoryId, place: 'online', endsOn: today(), forPersonId: ada },
      { 'idempotency-key': randomUUID() },
    );
    await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Quiet Quentin' })
      .returning({ id: personRecords.id })
      .then(async ([quiet]) => {
        await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/members', { personRecordId: quiet?.id });
        await owner().execute(
          sql`update timebank_members set onboarded_at = now() where person_record_id = ${quiet?.id}`,
        );
      });

    const report = await call(
      coordinator,
      'GET',
      `/api/v1/communities/alpha/timebank/reports/summary?from=2026-01-01&to=${today()}`,
    );
    expect(report.statusCode).toBe(200);
    const body = report.json<{
      totals: { exchanges: number; minutesGiven: number; groupExchanges: number; groupReceivers: number };
      organisations: { name: string; received: number }[];
      pot: { paidForGroups: number };
      neverExchanged: { count: number; names: string[] | null };
      unmetNeed: { category: string; requests: number }[];
    }>();
    expect(body.totals).toMatchObject({ exchanges: 2, minutesGiven: 180, groupExchanges: 1, groupReceivers: 2 });
    expect(body.organisations).toEqual([{ name: 'Alpha Surgery', given: 0, received: 60 }]);
    expect(body.pot.paidForGroups).toBe(60);
    expect(body.neverExchanged.names).toContain('Quiet Quentin');
    expect(body.unmetNeed).toEqual([{ category: 'Gardening', requests: 1 }]);

    // A funder (partner) sees the numbers, never the names; a member sees no report.
    const partner = await call(
      await tokenFor('partner@alpha.test'),
      'GET',
      '/api/v1/communities/alpha/timebank/reports/summary',
    );
    expect(partner.json<{ neverExchanged: { names: unknown } }>().neverExchanged.names).toBeNull();
    const partnerPage = await (await signedIn('partner@alpha.test')).get('/c/alpha/timebank/reports');
    expect(partnerPage.statusCode).toBe(200);
    expect(partnerPage.body).not.toContain('Quiet Quentin');
    expect(partnerPage.body).toContain('<svg class="app-chart" role="img"');
    expect(
      (await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/communities/alpha/timebank/reports/summary'))
        .statusCode,
    ).toBe(403);
    expect((await settings.get('/c/alpha/timebank/reports')).body).toContain('Quiet Quentin');

    const csv = await settings.get(`/c/alpha/timebank/reports.csv?table=category&from=2026-01-01&to=${today()}`);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('kind_of_help,exchanges,minutes,hours');
    expect(csv.body).toContain('Gardening,2,180,3');
    const bad = await settings.get(
      '/c/alpha/timebank/reports?from-day=1&from-month=1&from-year=2027&to-day=1&to-month=1&to-year=2026',
    );
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The last day must be on or after the first day');
    expect(
      (
        await call(
          coordinator,
          'GET',
          '/api/v1/communities/alpha/timebank/reports/summary?from=2026-05-01&to=2026-04-01',
        )
      ).statusCode,
    ).toBe(400);
  });

  it('add up: active and quiet members are members now, new members are the sum of their parts, balances cover every member', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId: member, alphaCategoryId: categoryId } = given.fixture;
    // Someone who gave time and then left, someone still doing their joining steps, and time given to an organisation.
    const [leaver, joining] = await owner()
      .insert(personRecords)
      .values([
        { communityId: given.fixture.alpha.id, preferredName: 'Leaving Lena' },
        { communityId: given.fixture.alpha.id, preferredName: 'Joining Jo' },
      ])
      .returning({ id: personRecords.id });
    for (const person of [leaver, joining])
      await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/members', { personRecordId: person?.id });
    await owner().execute(sql`update timebank_members set onboarded_at = now() where person_record_id = ${leaver?.id}`);
    await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: leaver?.id,
      receiver: member,
      minutes: 30,
      occurredOn: today(),
      categoryId,
      confirmNow: true,
    });
    await owner().execute(sql`update timebank_members set left_at = now() where person_record_id = ${leaver?.id}`);
    type Totals = {
      activeMembers: number;
      membersNow: number;
      newMembers: number;
      newMembersNowMembers: number;
      newMembersStillJoining: number;
      newMembersLeft: number;
    };
    for (const from of ['2025-01-01', '2026-01-01', today()]) {
      const answer = await call(
        coordinator,
        'GET',
        `/api/v1/communities/alpha/timebank/reports/summary?from=${from}&to=${today()}`,
      );
      expect(answer.statusCode, answer.body).toBe(200);
      const report = answer.json<{
        totals: Totals;
        newMembers: { members: number }[];
        balances: { members: number }[];
        neverExchanged: { count: number };
      }>();
      const { totals } = report;
      expect(totals.activeMembers, from).toBeLessThanOrEqual(totals.membersNow);
      expect(totals.activeMembers + report.neverExchanged.count, from).toBeLessThanOrEqual(totals.membersNow);
      expect(totals.newMembersNowMembers + totals.newMembersStillJoining + totals.newMembersLeft, from).toBe(
        totals.newMembers,
      );
      expect(
        report.newMembers.reduce((sum, row) => sum + row.members, 0),
        from,
      ).toBe(totals.newMembers);
      expect(
        report.balances.reduce((sum, row) => sum + row.members, 0),
        from,
      ).toBe(totals.membersNow);
      expect(totals.newMembersLeft, from).toBeGreaterThanOrEqual(1);
      expect(totals.newMembersStillJoining, from).toBeGreaterThanOrEqual(1);
    }
    // The page says what each figure counts, and the chart has values on its axis and years under its months.
    const page = await (
      await signedIn('partner@alpha.test')
    ).get('/c/alpha/timebank/reports?from-day=1&from-month=12&from-year=2025&to-day=31&to-month=1&to-year=2026');
    expect(page.body).toContain('Today: people who have finished their joining steps and have not left.');
    expect(page.body).toContain('Members now who gave or received time in the 90 days up to 31 January 2026.');
    expect(page.body).toMatch(
      /People who joined between 1 December 2025 and 31 January 2026\. Of them, \d+ are members now, \d+ are still doing their joining steps and \d+ have left\./,
    );
    expect(page.body).toContain('>2025</text>');
    expect(page.body).toContain('>2026</text>');
    expect(page.body).toContain('>Hours</text>');
    expect(page.body).toContain('December 2025');
  });

  it('add up finished days once, and keep them right when an exchange on that day is confirmed late or corrected', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId: member, alphaPersonId: ada, alphaCategoryId: categoryId } = given.fixture;
    const day = new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10);
    const minutesOn = async () => {
      const report = await call(
        coordinator,
        'GET',
        `/api/v1/communities/alpha/timebank/reports/summary?from=${day}&to=${day}`,
      );
      return report.json<{ totals: { minutesGiven: number } }>().totals.minutesGiven;
    };
    const before = await minutesOn();
    const [counted] = (
      await owner().execute<{ count: number }>(
        sql`select count(*)::int as count from timebank_days_counted where day = ${day}`,
      )
    ).rows;
    expect(counted?.count).toBe(1);
    // What is kept for the day, read straight from the tables (no report adds anything up).
    const keptFor = async () =>
      (
        await owner().execute<{ counted: number; minutes: number }>(
          sql`select (select count(*)::int from timebank_days_counted where day = ${day}) as counted,
            (select coalesce(sum(minutes), 0)::int from timebank_day_totals where day = ${day} and community_id = ${given.fixture.alpha.id}) as minutes`,
        )
      ).rows[0];
    // Recorded today for that day, and confirmed: its own row is added to the day's kept totals.
    // The day stays counted, so a report adding it up at that moment cannot lose the exchange.
    const late = await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: member,
      receiver: ada,
      minutes: 45,
      occurredOn: day,
      categoryId,
      confirmNow: true,
    });
    expect(await keptFor()).toEqual({ counted: 1, minutes: before + 45 });
    expect(await minutesOn()).toBe(before + 45);
    await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${late.json<{ id: string }>().id}/reverse`,
      { reason: 'Recorded twice' },
    );
    expect(await keptFor()).toEqual({ counted: 1, minutes: before });
    expect(await minutesOn()).toBe(before);
    // The nightly job adds up the year's finished days that are missing.
    await owner().execute(sql`delete from timebank_days_counted`);
    const { countFinishedDays } = await import('../../src/modules/timebank/service.ts');
    expect((await countFinishedDays(owner())).days).toBeGreaterThanOrEqual(365);
    expect(await minutesOn()).toBe(before);
  });
});

describe('unmet need', () => {
  it('counts a request on the UK day it was posted: 00:30 in summer is that day, not the one before', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaPersonId: ada, alphaCategoryId: categoryId, alpha } = given.fixture;
    const [category] = (
      await owner().execute<{ name: string }>(sql`select name from timebank_categories where id = ${categoryId}`)
    ).rows;
    // 23:30 UTC on 1 June is 00:30 BST on 2 June.
    await owner().execute(
      sql`insert into timebank_posts (community_id, kind, person_record_id, title, category_id, place, ends_on, created_at)
        values (${alpha.id}, 'request', ${ada}, 'Help with a form, just after midnight', ${categoryId}, 'home', '2026-12-31', '2026-06-01T23:30:00Z')`,
    );
    const unmetOn = async (day: string) =>
      (
        await call(coordinator, 'GET', `/api/v1/communities/alpha/timebank/reports/summary?from=${day}&to=${day}`)
      ).json<{ unmetNeed: { category: string; requests: number }[] }>().unmetNeed;
    expect(await unmetOn('2026-06-02')).toEqual([{ category: category?.name, requests: 1 }]);
    expect(await unmetOn('2026-06-01')).toEqual([]);
  });
});

describe('today’s totals', () => {
  it('are kept as exchanges post and as they are corrected, and read without adding up the exchanges', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId: member, alphaPersonId: ada, alphaCategoryId: categoryId } = given.fixture;
    const communityId = given.fixture.alpha.id;
    const reportToday = async () =>
      (
        await call(
          coordinator,
          'GET',
          `/api/v1/communities/alpha/timebank/reports/summary?from=${today()}&to=${today()}`,
        )
      ).json<{ totals: { minutesGiven: number; exchanges: number } }>();
    const flowToday = async () => {
      const { totals } = await reportToday();
      return { minutesGiven: totals.minutesGiven, exchanges: totals.exchanges };
    };
    const kept = async () =>
      (
        await owner().execute<{ minutes: number }>(
          sql`select coalesce(sum(minutes), 0)::int as minutes from timebank_day_totals where community_id = ${communityId} and day = ${today()}`,
        )
      ).rows[0]?.minutes;
    const before = await flowToday();
    expect(await kept()).toBe(before.minutesGiven);
    const exchange = await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: member,
      receiver: ada,
      minutes: 75,
      occurredOn: today(),
      categoryId,
      confirmNow: true,
    });
    expect(exchange.statusCode, exchange.body).toBe(201);
    expect(await kept()).toBe(before.minutesGiven + 75);
    expect(await flowToday()).toEqual({ minutesGiven: before.minutesGiven + 75, exchanges: before.exchanges + 1 });
    await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${exchange.json<{ id: string }>().id}/reverse`,
      { reason: 'Recorded twice' },
    );
    expect(await kept()).toBe(before.minutesGiven);
    expect(await flowToday()).toEqual(before);
  });
});

describe('statements as files', () => {
  it('a member downloads theirs as CSV and PDF; a coordinator downloads anyone’s', async () => {
    const member = await signedIn('member@alpha.test');
    const csv = await member.get('/c/alpha/timebank/statement.csv');
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.split('\n')[0]).toBe('date,what,kind_of_help,with,note,minutes,balance_after_minutes,corrected');
    const pdf = await member.get('/c/alpha/timebank/statement.pdf');
    expect(pdf.headers['content-type']).toBe('application/pdf');
    expect(pdf.rawPayload.subarray(0, 5).toString()).toBe('%PDF-');
    // A tagged PDF/UA file: a structure a screen reader follows, its language and its title shown.
    const raw = pdf.rawPayload.toString('latin1');
    for (const mark of [
      '/StructTreeRoot',
      '/Marked true',
      '/Lang (en-GB)',
      '/DisplayDocTitle true',
      '/S /H1',
      '/S /Table',
      '/S /TH',
      'pdfuaid:part',
      '/FontFile2',
    ])
      expect(raw, mark).toContain(mark);
    const coordinator = await signedIn('coordinator@alpha.test');
    // Time received is called so, on the page and in the PDF's words.
    const received = await coordinator.get(`/c/alpha/timebank/members/${given.fixture.alphaPersonId}/statement`);
    expect(received.body).toContain('Time received: Gardening');
    expect(received.body).not.toContain('Time given: Gardening');
    expect(
      (await coordinator.get(`/c/alpha/timebank/members/${given.fixture.alphaTimebankMemberId}/statement.pdf`))
        .statusCode,
    ).toBe(200);
    expect(
      (await member.get(`/c/alpha/timebank/members/${given.fixture.alphaPersonId}/statement.csv`)).statusCode,
    ).toBe(403);
  });
});

describe('importing from a spreadsheet', () => {
  it('shows row-level errors and writes nothing; then imports members, history and balances as given', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const before = await ledgerRows();
    const wrong = await coordinator.submit('/c/alpha/timebank/import', '/c/alpha/timebank/import', {
      members:
        'name,email,balance\nImported Irene,irene@example.org,3\n,nobody@example.org,1\nImported Ivor,not-an-email,two\nImported Irene,irene@example.org,1',
      history:
        'date,from,to,hours\n2026-02-30,Imported Irene,Imported Ivor,1\n2026-03-01,Imported Irene,Someone Else,-1',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('nhsuk-error-summary');
    for (const message of [
      'Enter a name',
      'Enter an email address in the correct format',
      'Write the balance in hours',
      'This person is in the list twice',
      'Write the date like',
      'Nobody with this name or email',
      'Write the hours as a number above 0',
    ])
      expect(wrong.body, message).toContain(message);
    expect(wrong.body).toContain('Imported Ivor,not-an-email,two');
    expect(await ledgerRows()).toEqual(before);

    const members =
      'Name\tEmail\tNeighbourhood\tBalance\nImported Irene\tirene@example.org\tBrixton\t3\nImported Ivor\t\tStreatham\t-1.5\nImported Iris\t\t\t';
    const history =
      'date,giver,receiver,hours,category,note\n01/03/2026,Imported Irene,Imported Ivor,2,Shopping,Weekly shop\n2026-04-02,irene@example.org,Imported Iris,1:30,,';
    const preview = await coordinator.submit('/c/alpha/timebank/import', '/c/alpha/timebank/import', {
      members,
      history,
    });
    expect(preview.statusCode).toBe(200);
    expect(preview.body).toContain('Everything is right');
    expect(preview.body).toContain('Shopping, Imported');
    expect(await ledgerRows()).toEqual(before);
    const done = await coordinator.submit('/c/alpha/timebank/import', '/c/alpha/timebank/import', {
      members,
      history,
      confirm: 'yes',
      formKey: randomUUID(),
    });
    expect(done.statusCode).toBe(303);
    expect(await balanceOf('Imported Irene')).toBe(180);
    expect(await balanceOf('Imported Ivor')).toBe(-90);
    // Iris had no balance given: her history stands.
    expect(await balanceOf('Imported Iris')).toBe(-90);
    const exchanges = await owner().execute(
      sql`select e.occurred_on::text from timebank_exchanges e where e.note = 'Weekly shop'`,
    );
    expect(exchanges.rows).toEqual([{ occurred_on: '2026-03-01' }]);
    const [irene] = await owner().select().from(personRecords).where(eq(personRecords.preferredName, 'Imported Irene'));
    expect(irene?.email).toBe('irene@example.org');

    // The API: a dry run writes nothing; row errors come back as fields.
    const token = await tokenFor('coordinator@alpha.test');
    const after = await ledgerRows();
    const dry = await call(token, 'POST', '/api/v1/communities/alpha/timebank/imports', {
      members: 'name,balance\nDry Run,1',
      dryRun: true,
    });
    expect(dry.json()).toMatchObject({ dryRun: true, members: 1, newMembers: 1 });
    const refused = await call(token, 'POST', '/api/v1/communities/alpha/timebank/imports', {
      members: 'name,balance\nBad Balance,lots',
    });
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('members[2].balance');
    expect(await ledgerRows()).toEqual(after);
  });

  it('a later history names a member already in the time bank, whatever letters their name has', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const first = await call(token, 'POST', '/api/v1/communities/alpha/timebank/imports', {
      members: 'name,email\nÉmile Ward,EMILE.WARD@Example.org',
    });
    expect(first.statusCode).toBe(200);
    const later = {
      members: 'name\nÖzlem Newcomer',
      history:
        'date,giver,receiver,hours,note\n2026-04-03,émile ward,Özlem Newcomer,1,By name\n2026-04-04,emile.ward@example.org,Özlem Newcomer,2,By email',
    };
    const dry = await call(token, 'POST', '/api/v1/communities/alpha/timebank/imports', { ...later, dryRun: true });
    expect(dry.statusCode).toBe(200);
    expect(dry.json()).toMatchObject({ dryRun: true, newMembers: 1 });
    expect((await call(token, 'POST', '/api/v1/communities/alpha/timebank/imports', later)).statusCode).toBe(200);
    const givers = await owner().execute<{ note: string; giver: string }>(
      sql`select e.note, r.preferred_name as giver from timebank_exchanges e
          join timebank_exchange_parties p on p.exchange_id = e.id and p.side = 'giver'
          join timebank_accounts a on a.id = p.account_id join person_records r on r.id = a.person_record_id
          where e.note in ('By name', 'By email') order by e.note`,
    );
    expect(givers.rows).toEqual([
      { note: 'By email', giver: 'Émile Ward' },
      { note: 'By name', giver: 'Émile Ward' },
    ]);
  });
});
