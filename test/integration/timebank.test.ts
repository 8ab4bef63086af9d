// The time bank's pages and API as members and coordinators use them.
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { personRecords } from '../../src/modules/people/schema.ts';
import { timebankMembers } from '../../src/modules/timebank/schema.ts';
import { auditEvents, accounts } from '../../src/platform/db/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const today = () => new Date().toISOString().slice(0, 10);

/** A record for an alpha account, so its holder can take part in the time bank. */
async function recordFor(email: string, name: string): Promise<string> {
  const [account] = await owner().select({ id: accounts.id }).from(accounts).where(eq(accounts.email, email));
  // An account's record may exist already (the fixture's facilitator facilitates a peer group): it takes this test's name.
  const [existing] = await owner()
    .update(personRecords)
    .set({ preferredName: name })
    .where(eq(personRecords.accountId, account?.id ?? ''))
    .returning({ id: personRecords.id });
  if (existing) return existing.id;
  const [record] = await owner()
    .insert(personRecords)
    .values({ communityId: given.fixture.alpha.id, preferredName: name, accountId: account?.id, email })
    .returning({ id: personRecords.id });
  return record?.id ?? '';
}

async function balance(personRecordId: string): Promise<number> {
  const [row] = await owner()
    .execute<{ balance: number }>(
      sql`select balance from timebank_accounts where person_record_id = ${personRecordId} and closed_at is null`,
    )
    .then((result) => result.rows);
  return row?.balance ?? Number.NaN;
}

describe('joining the time bank', () => {
  it('a coordinator adds someone, ticks each step, and only then can they exchange', async () => {
    const facilitatorRecord = await recordFor('facilitator@alpha.test', 'Fay Facilitator');
    const coordinator = await signedIn('coordinator@alpha.test');
    const search = await coordinator.get('/c/alpha/timebank/members?q=Fay');
    expect(search.body).toContain('Fay Facilitator');
    const added = await coordinator.submit('/c/alpha/timebank/members?q=Fay', '/c/alpha/timebank/members', {
      personRecordId: facilitatorRecord,
    });
    expect(added.headers.location).toBe(`/c/alpha/timebank/members/${facilitatorRecord}`);
    const page = await coordinator.get(`/c/alpha/timebank/members/${facilitatorRecord}`);
    expect(page.body).toContain('Welcome conversation');
    expect(page.body).toContain('Still joining');

    // Before onboarding is complete, she cannot record time.
    const facilitator = await signedIn('facilitator@alpha.test');
    expect((await facilitator.get('/c/alpha/timebank/exchanges/new')).body).toContain('You cannot record time yet');
    const token = await tokenFor('facilitator@alpha.test');
    const early = await call(token, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: facilitatorRecord,
      receiver: given.fixture.alphaTimebankMemberId,
      minutes: 30,
      occurredOn: today(),
      categoryId: given.fixture.alphaCategoryId,
    });
    expect(early.statusCode).toBe(400);
    expect(early.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('giver');

    // A date in the future is refused on the page, with the error summary, and nothing is ticked.
    const steps = await owner().execute<{ id: string; label: string }>(
      sql`select id, label from timebank_onboarding_steps where community_id = ${given.fixture.alpha.id} and not archived order by position`,
    );
    const future = await coordinator.submit(
      `/c/alpha/timebank/members/${facilitatorRecord}`,
      `/c/alpha/timebank/members/${facilitatorRecord}/steps`,
      { stepId: steps.rows[0]?.id ?? '', 'doneOn-day': '1', 'doneOn-month': '1', 'doneOn-year': '2999' },
    );
    expect(future.statusCode).toBe(400);
    expect(future.body).toContain('nhsuk-error-summary');
    expect(future.body).toContain('must be today or in the past');
    const [day, month, year] = [new Date().getDate(), new Date().getMonth() + 1, new Date().getFullYear()].map(String);
    for (const step of steps.rows) {
      const ticked = await coordinator.submit(
        `/c/alpha/timebank/members/${facilitatorRecord}`,
        `/c/alpha/timebank/members/${facilitatorRecord}/steps`,
        { stepId: step.id, 'doneOn-day': day ?? '', 'doneOn-month': month ?? '', 'doneOn-year': year ?? '' },
      );
      expect(ticked.statusCode).toBe(303);
    }
    const [member] = await owner()
      .select()
      .from(timebankMembers)
      .where(eq(timebankMembers.personRecordId, facilitatorRecord));
    expect(member?.onboardedAt).not.toBeNull();
    expect((await coordinator.get(`/c/alpha/timebank/members/${facilitatorRecord}`)).body).toContain(
      'ticked by Alpha coordinator',
    );
    const ready = await call(token, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: facilitatorRecord,
      receiver: given.fixture.alphaTimebankMemberId,
      minutes: 30,
      occurredOn: today(),
      categoryId: given.fixture.alphaCategoryId,
    });
    expect(ready.statusCode).toBe(201);
  });

  it('a referral accepted into a time bank programme starts the person’s onboarding, noting they came from a professional', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const accepted = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/referrals/${given.fixture.alphaReferralId}/accept`,
      { programmeIds: [given.fixture.alphaProgrammeId] },
    );
    expect(accepted.statusCode).toBe(200);
    // Ada was already a member in the fixture: she stays one, once.
    const rows = await owner()
      .select()
      .from(timebankMembers)
      .where(eq(timebankMembers.personRecordId, given.fixture.alphaPersonId));
    expect(rows).toHaveLength(1);
    const referral = await call(await tokenFor('referrer@alpha.test'), 'POST', '/api/v1/communities/alpha/referrals', {
      source: 'professional',
      preferredName: 'Rita Referred',
      reason: 'Isolated since her husband died',
      programmeIds: [given.fixture.alphaProgrammeId],
      urgency: 'routine',
      agreedToReferral: true,
      phone: '07700 900456',
    });
    expect(referral.statusCode, referral.body).toBe(201);
    const id = referral.json<{ id: string }>().id;
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${id}/accept`, {
          programmeIds: [given.fixture.alphaProgrammeId],
        })
      ).statusCode,
    ).toBe(200);
    const joined = await owner().execute<{ came_from: string; onboarded_at: Date | null }>(
      sql`select m.came_from, m.onboarded_at from timebank_members m join referrals r on r.person_record_id = m.person_record_id where r.id = ${id}`,
    );
    expect(joined.rows).toEqual([{ came_from: 'professional', onboarded_at: null }]);
  });
});

describe('exchanges between two members', () => {
  it('one records, the other confirms, both balances change once; the recorder cannot confirm their own', async () => {
    const peerRecord = await recordFor('peer-supporter@alpha.test', 'Pat Peer');
    const coordinator = await tokenFor('coordinator@alpha.test');
    await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/members', { personRecordId: peerRecord });
    const steps = await owner().execute<{ id: string }>(
      sql`select id from timebank_onboarding_steps where community_id = ${given.fixture.alpha.id} and not archived`,
    );
    for (const step of steps.rows)
      await call(coordinator, 'POST', `/api/v1/communities/alpha/timebank/members/${peerRecord}/steps`, {
        stepId: step.id,
        doneOn: today(),
      });

    const member = await signedIn('member@alpha.test');
    const memberId = given.fixture.alphaTimebankMemberId;
    const [before, peerBefore] = [await balance(memberId), await balance(peerRecord)];
    // A mistake on the form keeps what was typed and changes nothing.
    const wrong = await member.submit('/c/alpha/timebank/exchanges/new', '/c/alpha/timebank/exchanges/new', {
      direction: 'gave',
      other: peerRecord,
      timeHours: '1',
      timeMinutes: 'half',
      categoryId: given.fixture.alphaCategoryId,
      note: 'Fixed a bike',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('nhsuk-error-summary');
    expect(wrong.body).toContain('Fixed a bike');
    const recorded = await member.submit('/c/alpha/timebank/exchanges/new', '/c/alpha/timebank/exchanges/new', {
      direction: 'gave',
      other: peerRecord,
      timeHours: '1',
      timeMinutes: '30',
      'occurredOn-day': String(new Date().getDate()),
      'occurredOn-month': String(new Date().getMonth() + 1),
      'occurredOn-year': String(new Date().getFullYear()),
      categoryId: given.fixture.alphaCategoryId,
      note: 'Fixed a bike',
    });
    expect(recorded.statusCode).toBe(303);
    const exchangeUrl = String(recorded.headers.location);
    expect((await member.get(exchangeUrl)).body).toContain('Waiting for confirmation');
    expect(await balance(memberId)).toBe(before);
    // The recorder cannot confirm their own record.
    const exchangeId = exchangeUrl.split('/').pop() ?? '';
    const own = await call(
      await tokenFor('member@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${exchangeId}/confirm`,
    );
    expect(own.statusCode).toBe(409);
    // Someone who is not a side of it cannot see it.
    expect((await (await signedIn('facilitator@alpha.test')).get(exchangeUrl)).statusCode).toBe(404);

    const peer = await signedIn('peer-supporter@alpha.test');
    const home = await peer.get('/c/alpha/timebank');
    expect(home.body).toContain('Please confirm');
    const confirmed = await peer.submit(exchangeUrl, `${exchangeUrl}/confirm`, {});
    expect(confirmed.statusCode).toBe(303);
    const again = await call(
      await tokenFor('peer-supporter@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${exchangeId}/confirm`,
    );
    expect(again.statusCode).toBe(200);
    expect(again.json<{ status: string }>().status).toBe('confirmed');
    expect(await balance(memberId)).toBe(before + 90);
    expect(await balance(peerRecord)).toBe(peerBefore - 90);

    // Each side lists it among their exchanges; someone else does not see it.
    const listed = await call(
      await tokenFor('peer-supporter@alpha.test'),
      'GET',
      '/api/v1/communities/alpha/timebank/exchanges?limit=1',
    );
    expect(listed.json<{ items: { id: string; status: string }[]; nextCursor: string | null }>()).toMatchObject({
      items: [{ id: exchangeId, status: 'confirmed' }],
    });
    const theirs = await call(
      await tokenFor('facilitator@alpha.test'),
      'GET',
      '/api/v1/communities/alpha/timebank/exchanges?limit=100',
    );
    expect(theirs.json<{ items: { id: string }[] }>().items.map((item) => item.id)).not.toContain(exchangeId);
    const account = await call(
      await tokenFor('peer-supporter@alpha.test'),
      'GET',
      `/api/v1/communities/alpha/timebank/accounts/${peerRecord}`,
    );
    expect(account.json<{ balance: number; movements: { minutes: number; with: string }[] }>()).toMatchObject({
      balance: peerBefore - 90,
      movements: [{ minutes: -90, with: 'Alpha member' }],
    });
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'GET',
          `/api/v1/communities/alpha/timebank/accounts/${peerRecord}`,
        )
      ).statusCode,
    ).toBe(404);
    const statement = await peer.get('/c/alpha/timebank/statement');
    expect(statement.body).toContain('Alpha member');
    expect(statement.body).toContain('−1 hour 30 minutes');
    const printed = await peer.get('/c/alpha/timebank/statement/print');
    expect(printed.body).toContain('Fixed a bike');
  });

  it('the other side can dispute; a coordinator then confirms or cancels; a confirmed exchange is corrected by a reversal', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const member = await tokenFor('member@alpha.test');
    const recorded = await call(coordinator, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: given.fixture.alphaPersonId,
      receiver: given.fixture.alphaTimebankMemberId,
      minutes: 120,
      occurredOn: today(),
      categoryId: given.fixture.alphaCategoryId,
      note: 'Recorded for Ada',
    });
    expect(recorded.statusCode).toBe(201);
    const exchange = recorded.json<{ id: string; onBehalf: boolean }>();
    expect(exchange.onBehalf).toBe(true);
    const emptyReason = await call(
      member,
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${exchange.id}/dispute`,
      { reason: '  ' },
    );
    expect(emptyReason.statusCode).toBe(400);
    const disputed = await call(member, 'POST', `/api/v1/communities/alpha/timebank/exchanges/${exchange.id}/dispute`, {
      reason: 'It was one hour',
    });
    expect(disputed.json<{ status: string; disputeReason: string }>()).toMatchObject({
      status: 'disputed',
      disputeReason: 'It was one hour',
    });
    // A member cannot overrule the dispute; a coordinator can.
    expect(
      (await call(member, 'POST', `/api/v1/communities/alpha/timebank/exchanges/${exchange.id}/confirm`)).statusCode,
    ).toBe(409);
    const before = await balance(given.fixture.alphaTimebankMemberId);
    expect(
      (await call(coordinator, 'POST', `/api/v1/communities/alpha/timebank/exchanges/${exchange.id}/confirm`))
        .statusCode,
    ).toBe(200);
    expect(await balance(given.fixture.alphaTimebankMemberId)).toBe(before - 120);

    const coordinatorPage = await signedIn('coordinator@alpha.test');
    const corrected = await coordinatorPage.submit(
      `/c/alpha/timebank/exchanges/${exchange.id}`,
      `/c/alpha/timebank/exchanges/${exchange.id}/reverse`,
      { reason: 'It was one hour, not two' },
    );
    expect(corrected.statusCode).toBe(303);
    expect(await balance(given.fixture.alphaTimebankMemberId)).toBe(before);
    const page = await coordinatorPage.get(`/c/alpha/timebank/exchanges/${exchange.id}`);
    expect(page.body).toContain('It was one hour, not two');
    // Twice: refused, and still one reversal.
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/timebank/exchanges/${exchange.id}/reverse`, {
          reason: 'Again',
        })
      ).statusCode,
    ).toBe(409);
    const reversals = await owner().execute(
      sql`select id from timebank_transfers where exchange_id = ${exchange.id} and kind = 'reversal'`,
    );
    expect(reversals.rows).toHaveLength(1);
    const [audit] = await owner()
      .select()
      .from(auditEvents)
      .where(
        and(eq(auditEvents.action, 'timebank.transfer_reversed'), eq(auditEvents.reason, 'It was one hour, not two')),
      );
    expect(audit).toBeDefined();

    // Cancelled before confirming: nothing moves.
    const another = await call(member, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: given.fixture.alphaTimebankMemberId,
      receiver: given.fixture.alphaPersonId,
      minutes: 15,
      occurredOn: today(),
      categoryId: given.fixture.alphaCategoryId,
    });
    const cancelled = await call(
      member,
      'POST',
      `/api/v1/communities/alpha/timebank/exchanges/${another.json<{ id: string }>().id}/cancel`,
    );
    expect(cancelled.json<{ status: string }>().status).toBe('cancelled');
    expect(
      (
        await call(
          coordinator,
          'POST',
          `/api/v1/communities/alpha/timebank/exchanges/${another.json<{ id: string }>().id}/confirm`,
        )
      ).statusCode,
    ).toBe(409);
  });
});

describe('coordinators', () => {
  it('record a group talk for eight, paid by the pot, and grant from the pot', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const attendees: string[] = [];
    for (let index = 0; index < 8; index += 1) {
      const [record] = await owner()
        .insert(personRecords)
        .values({ communityId: given.fixture.alpha.id, preferredName: `Attendee ${index}` })
        .returning({ id: personRecords.id });
      attendees.push(record?.id ?? '');
    }
    const token = await tokenFor('coordinator@alpha.test');
    for (const attendee of attendees)
      await owner()
        .execute(sql`select 1`)
        .then(() => call(token, 'POST', '/api/v1/communities/alpha/timebank/members', { personRecordId: attendee }));
    await owner().execute(
      sql`update timebank_members set onboarded_at = now() where person_record_id in (${sql.join(
        attendees.map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    const accounts = await owner().execute<{ id: string; person_record_id: string }>(
      sql`select id, person_record_id from timebank_accounts where person_record_id in (${sql.join(
        [...attendees, given.fixture.alphaPersonId].map((id) => sql`${id}`),
        sql`, `,
      )})`,
    );
    const accountOf = (record: string) => accounts.rows.find((row) => row.person_record_id === record)?.id ?? '';
    // A time bank of thousands: the form lists nobody until a side is searched; finding keeps who is ticked.
    const form = await coordinator.get('/c/alpha/timebank/group-exchanges/new');
    expect(form.body).not.toContain('Attendee 7');
    const found = await coordinator.submit(
      '/c/alpha/timebank/group-exchanges/new',
      '/c/alpha/timebank/group-exchanges/new',
      { find: 'receivers', receiverSearch: 'Attendee', givers: accountOf(given.fixture.alphaPersonId) },
    );
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('Attendee 7');
    expect(found.body).toMatch(
      new RegExp(`name="givers" type="checkbox" value="${accountOf(given.fixture.alphaPersonId)}" checked`),
    );
    expect(found.body).toMatch(
      new RegExp(`name="receivers" type="checkbox" value="${accountOf(attendees[0] ?? '')}">`),
    );
    expect(
      (
        await coordinator.submit('/c/alpha/timebank/group-exchanges/new', '/c/alpha/timebank/group-exchanges/new', {
          find: 'givers',
          giverSearch: 'Nobody by this name',
        })
      ).body,
    ).toContain('Nobody found with that name.');
    // Several names at once, separated by commas.
    const several = await coordinator.submit(
      '/c/alpha/timebank/group-exchanges/new',
      '/c/alpha/timebank/group-exchanges/new',
      { find: 'receivers', receiverSearch: 'Attendee 2, Attendee 5' },
    );
    expect(several.body).toContain('Attendee 2');
    expect(several.body).toContain('Attendee 5');
    expect(several.body).not.toContain('Attendee 7');
    const missing = await coordinator.submit(
      '/c/alpha/timebank/group-exchanges/new',
      '/c/alpha/timebank/group-exchanges/new',
      { givers: accountOf(given.fixture.alphaPersonId), receiverTimeHours: '1' },
    );
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Tick at least one person who received time');
    const [potBefore] = await owner()
      .execute<{ balance: number }>(
        sql`select balance from timebank_accounts where community_id = ${given.fixture.alpha.id} and kind = 'pot'`,
      )
      .then((result) => result.rows);
    const adaBefore = await balance(given.fixture.alphaPersonId);
    const done = await coordinator.submit(
      '/c/alpha/timebank/group-exchanges/new',
      '/c/alpha/timebank/group-exchanges/new',
      {
        givers: accountOf(given.fixture.alphaPersonId),
        giverTimeHours: '1',
        receivers: attendees.map(accountOf),
        receiverTimeHours: '1',
        payer: 'pot',
        'occurredOn-day': String(new Date().getDate()),
        'occurredOn-month': String(new Date().getMonth() + 1),
        'occurredOn-year': String(new Date().getFullYear()),
        categoryId: given.fixture.alphaCategoryId,
        note: 'Talk on staying well in winter',
      },
    );
    expect(done.statusCode).toBe(303);
    expect(await balance(given.fixture.alphaPersonId)).toBe(adaBefore + 60);
    for (const attendee of attendees) expect(await balance(attendee)).toBe(0);
    const [potAfter] = await owner()
      .execute<{ balance: number }>(
        sql`select balance from timebank_accounts where community_id = ${given.fixture.alpha.id} and kind = 'pot'`,
      )
      .then((result) => result.rows);
    expect(potAfter?.balance).toBe((potBefore?.balance ?? 0) - 60);

    const granted = await coordinator.submit('/c/alpha/timebank/pot', '/c/alpha/timebank/pot', {
      direction: 'grant',
      account: accountOf(attendees[0] ?? ''),
      timeHours: '2',
      note: 'Welcome grant',
    });
    expect(granted.statusCode).toBe(303);
    expect(await balance(attendees[0] ?? '')).toBe(120);
    const statement = await coordinator.get(`/c/alpha/timebank/members/${attendees[0]}/statement/print`);
    expect(statement.body).toContain('Welcome grant');
    expect(statement.body).toContain('2 hours');
  });

  it('set the rules, the steps and the kinds of help, with clear messages for mistakes', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const bad = await coordinator.submit('/c/alpha/timebank/settings', '/c/alpha/timebank/settings', {
      minimumBalanceHours: '5',
      autoConfirmDays: '0',
      postReminderDays: '7',
      checkWarningDays: '30',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a whole number of hours from -100 to 0');
    const saved = await coordinator.submit('/c/alpha/timebank/settings', '/c/alpha/timebank/settings', {
      minimumBalanceHours: '-12',
      autoConfirmDays: '10',
      postReminderDays: '7',
      checkWarningDays: '30',
    });
    expect(saved.statusCode).toBe(303);
    const [rules] = await owner()
      .execute<{ minimum_balance: number; auto_confirm_days: number }>(
        sql`select minimum_balance, auto_confirm_days from timebanks where community_id = ${given.fixture.alpha.id}`,
      )
      .then((result) => result.rows);
    expect(rules).toEqual({ minimum_balance: -720, auto_confirm_days: 10 });
    await coordinator.submit('/c/alpha/timebank/settings', '/c/alpha/timebank/settings', {
      minimumBalanceHours: '-10',
      autoConfirmDays: '7',
      postReminderDays: '7',
      checkWarningDays: '42',
    });

    const category = await coordinator.submit('/c/alpha/timebank/categories/new', '/c/alpha/timebank/categories/new', {
      name: 'Personal care',
      checkLevel: 'enhanced_barred',
      homeVisit: 'yes',
    });
    expect(category.statusCode).toBe(303);
    const duplicate = await coordinator.submit('/c/alpha/timebank/categories/new', '/c/alpha/timebank/categories/new', {
      name: 'personal CARE',
      checkLevel: 'none',
    });
    expect(duplicate.statusCode).toBe(400);
    expect(duplicate.body).toContain('There is already a kind of help with this name');
    const settings = await coordinator.get('/c/alpha/timebank/settings');
    expect(settings.body).toContain('Enhanced check with barred list');
    expect(settings.body).toContain('Home visit');
    const step = await coordinator.submit('/c/alpha/timebank/settings', '/c/alpha/timebank/settings/steps', {
      label: 'Safeguarding leaflet given',
    });
    expect(step.statusCode).toBe(303);
    expect((await coordinator.get('/c/alpha/timebank/settings')).body).toContain('Safeguarding leaflet given');
  });
});

describe('giving time to the pot', () => {
  it('a member gives time they have to the community pot from a page, once; more than they have is refused and changes nothing', async () => {
    const balanceOf = async () =>
      (
        await owner().execute<{ balance: number }>(
          sql`select balance from timebank_accounts where person_record_id = ${given.fixture.alphaTimebankMemberId} and closed_at is null`,
        )
      ).rows[0]?.balance ?? 0;
    const potBalance = async () =>
      (
        await owner().execute<{ balance: number }>(
          sql`select balance from timebank_accounts where community_id = ${given.fixture.alpha.id} and kind = 'pot'`,
        )
      ).rows[0]?.balance ?? 0;
    const [account] = (
      await owner().execute<{ id: string }>(
        sql`select id from timebank_accounts where person_record_id = ${given.fixture.alphaTimebankMemberId} and closed_at is null`,
      )
    ).rows;
    const granted = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/pot/grants',
      { account: account?.id, minutes: 120, note: 'To start with' },
      { 'idempotency-key': 'give-test-grant' },
    );
    expect(granted.statusCode, granted.body).toBe(201);

    const member = await signedIn('member@alpha.test');
    expect((await member.get('/c/alpha/timebank')).body).toContain('href="/c/alpha/timebank/give"');
    const before = { own: await balanceOf(), pot: await potBalance() };
    expect(before.own).toBeGreaterThanOrEqual(120);
    const tooMuch = await member.submit('/c/alpha/timebank/give', '/c/alpha/timebank/give', {
      timeHours: String(Math.ceil(before.own / 60) + 1),
      timeMinutes: '0',
      note: '',
    });
    expect(tooMuch.statusCode).toBe(400);
    expect(tooMuch.body).toContain('You can give only time you have');
    expect(await balanceOf()).toBe(before.own);

    const page = await member.get('/c/alpha/timebank/give');
    const formKey = /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const give = () =>
      member.request('POST', '/c/alpha/timebank/give', {
        form: { _csrf: token, formKey, timeHours: '1', timeMinutes: '0', note: '' },
      });
    const [first, second] = [await give(), await give()];
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await balanceOf()).toBe(before.own - 60);
    expect(await potBalance()).toBe(before.pot + 60);
    expect((await member.get('/c/alpha/timebank')).body).toContain('Thank you. Your time is in the community pot.');

    // Someone not in the time bank is told why, not shown a form.
    const outside = await (await signedIn('safeguarding-lead@alpha.test')).get('/c/alpha/timebank/give');
    expect(outside.body).toContain('You cannot give time yet');
    expect(outside.body).not.toContain('name="timeHours"');
  });
});
