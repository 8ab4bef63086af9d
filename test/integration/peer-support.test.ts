import { eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { outbox, accounts } from '../../src/platform/db/schema.ts';
import { consents, personRecords } from '../../src/modules/people/schema.ts';
import { programmeMembers } from '../../src/modules/programmes/schema.ts';
import { referrals } from '../../src/modules/referrals/schema.ts';
import { supportEpisodes, timesheets } from '../../src/modules/peer-support/schema.ts';
import { summarise, weekOf } from '../../src/modules/peer-support/service.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const count = async (table: string, where = sql`true`) =>
  (await owner().execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))
    .rows[0]?.n ?? 0;
const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const supporterRecord = async () =>
  (
    await owner().execute<{ id: string }>(
      sql`select r.id from person_records r join people p on p.id = r.account_id where p.email = 'peer-supporter@alpha.test'`,
    )
  ).rows[0]?.id ?? '';

let referenceCount = 0;
/** Someone referred by the alpha referrer into peer support, with or without their agreement that the referrer hears. */
async function referredPerson(name: string, tellReferrer: boolean) {
  const [referrer] = await owner()
    .select({ id: accounts.id })
    .from(accounts)
    .where(eq(accounts.email, 'referrer@alpha.test'));
  const [person] = await owner()
    .insert(personRecords)
    .values({ communityId: given.fixture.alpha.id, preferredName: name, phone: '07700 900555' })
    .returning({ id: personRecords.id });
  const [referral] = await owner()
    .insert(referrals)
    .values({
      communityId: given.fixture.alpha.id,
      reference: `SUPP-${String((referenceCount += 1)).padStart(4, '0')}`,
      personRecordId: person?.id ?? '',
      source: 'professional',
      referrerId: referrer?.id,
      reason: 'x',
      contactDueOn: '2026-01-05',
    })
    .returning({ id: referrals.id });
  await owner()
    .insert(consents)
    .values([
      {
        communityId: given.fixture.alpha.id,
        personRecordId: person?.id ?? '',
        purpose: 'support',
        granted: true,
        method: 'online',
      },
      {
        communityId: given.fixture.alpha.id,
        personRecordId: person?.id ?? '',
        purpose: 'tell_referrer',
        granted: tellReferrer,
        method: 'online',
      },
    ]);
  await owner()
    .insert(programmeMembers)
    .values({
      communityId: given.fixture.alpha.id,
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: person?.id ?? '',
      referralId: referral?.id,
    });
  return { personId: person?.id ?? '', referralId: referral?.id ?? '' };
}

describe('timesheet rules', () => {
  it('a week is over budget exactly when some episode’s minutes exceed its allowance; the total is the sum', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.record({ minutes: fc.integer({ min: 1, max: 2000 }), minutesPerWeek: fc.integer({ min: 15, max: 2400 }) }),
          { maxLength: 12 },
        ),
        (episodes) => {
          const lines = episodes.map((one, index) => ({
            episodeId: String(index),
            person: 'x',
            contacts: 1,
            minutesPerWeek: one.minutesPerWeek,
            minutes: one.minutes,
            over: one.minutes > one.minutesPerWeek,
          }));
          const { totalMinutes, overBudget } = summarise(lines);
          expect(totalMinutes).toBe(episodes.reduce((sum, one) => sum + one.minutes, 0));
          expect(overBudget).toBe(episodes.some((one) => one.minutes > one.minutesPerWeek));
        },
      ),
    );
  });
  it('weeks start on Monday', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('2020-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        (date) => {
          const dayString = date.toISOString().slice(0, 10);
          const monday = weekOf(dayString);
          expect(new Date(`${monday}T12:00:00Z`).getUTCDay()).toBe(1);
          expect(monday <= dayString).toBe(true);
          expect((Date.parse(dayString) - Date.parse(monday)) / 86_400_000).toBeLessThan(7);
        },
      ),
    );
  });
});

describe('one-to-one peer support', () => {
  it('a coordinator starts an episode with the programme’s defaults; bad input says why and writes nothing', async () => {
    const { personId } = await referredPerson('Bea Waiting', true);
    const coordinator = await signedIn('coordinator@alpha.test');
    const home = await coordinator.get('/c/alpha/support');
    expect(home.body).toContain('Bea Waiting');
    const form = `/c/alpha/support/episodes/new?person=${personId}`;
    const before = await count('support_episodes');
    const bad = await coordinator.submit(form, '/c/alpha/support/episodes/new', {
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: personId,
      supporterRecordId: given.fixture.alphaPersonId,
      'startsOn-day': '31',
      'startsOn-month': '2',
      'startsOn-year': '2027',
      plannedWeeks: '0',
      timeHours: 'lots',
    });
    expect(bad.statusCode).toBe(400);
    for (const message of [
      'Enter the start date as a real date',
      'Enter the planned length as a whole number of weeks',
      'Enter the hours allowed each week',
    ])
      expect(bad.body).toContain(message);
    expect(await count('support_episodes')).toBe(before);
    const notASupporter = await coordinator.submit(form, '/c/alpha/support/episodes/new', {
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: personId,
      supporterRecordId: given.fixture.alphaPersonId,
      'startsOn-day': '1',
      'startsOn-month': '3',
      'startsOn-year': '2026',
      plannedWeeks: '',
      timeHours: '',
    });
    expect(notASupporter.statusCode).toBe(400);
    expect(notASupporter.body).toContain('Choose a peer supporter');

    const supporter = await supporterRecord();
    const started = await coordinator.submit(form, '/c/alpha/support/episodes/new', {
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: personId,
      supporterRecordId: supporter,
      'startsOn-day': '1',
      'startsOn-month': '3',
      'startsOn-year': '2026',
      plannedWeeks: '',
      timeHours: '',
      goals: 'Sleep better\nSee my sister',
    });
    expect(started.statusCode).toBe(303);
    const [episode] = await owner().select().from(supportEpisodes).where(eq(supportEpisodes.personRecordId, personId));
    expect(episode).toMatchObject({ plannedWeeks: 12, minutesPerWeek: 120, status: 'active' });
    expect(episode?.referralId).toBeTruthy();
    // One episode at a time per person and programme.
    const again = await call(await tokenFor('coordinator@alpha.test'), 'POST', '/api/v1/communities/alpha/episodes', {
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: personId,
      supporterRecordId: supporter,
      startsOn: '2026-03-01',
    });
    expect(again.statusCode).toBe(400);
    expect(await count('support_episodes', sql`person_record_id = ${personId}`)).toBe(1);
  });

  it('a peer supporter sees only the people they support; the person sees their goals and adds their own, not the supporter’s notes', async () => {
    const { alphaEpisodeId } = given.fixture;
    const url = `/c/alpha/support/episodes/${alphaEpisodeId}`;
    const supporter = await signedIn('peer-supporter@alpha.test');
    const page = await supporter.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Walked to the allotment together');
    // Another peer supporter: a second account with the role and no episode with Ada.
    const other = await owner()
      .insert(accounts)
      .values({
        email: 'second-supporter@alpha.test',
        displayName: 'Second Supporter',
        passwordHash:
          (
            await owner()
              .select({ hash: accounts.passwordHash })
              .from(accounts)
              .where(eq(accounts.email, 'peer-supporter@alpha.test'))
          )[0]?.hash ?? '',
      })
      .returning({ id: accounts.id });
    await owner().execute(
      sql`insert into memberships (community_id, person_id, status, roles) values (${given.fixture.alpha.id}, ${other[0]?.id}, 'active', array['peer_supporter'])`,
    );
    const second = await signedIn('second-supporter@alpha.test');
    expect((await second.get(url)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('second-supporter@alpha.test'),
          'GET',
          `/api/v1/communities/alpha/episodes/${alphaEpisodeId}`,
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (await call(await tokenFor('second-supporter@alpha.test'), 'GET', '/api/v1/communities/alpha/episodes')).json<{
        items: unknown[];
      }>().items,
    ).toHaveLength(0);
    for (const email of ['member@alpha.test', 'facilitator@alpha.test', 'referrer@alpha.test'])
      expect((await (await signedIn(email)).get(url)).statusCode, email).toBe(404);
    // Without the person's consent to share for support, the supporter does not see how to reach them.
    expect(page.body).toContain('They have not agreed to share their contact details');
    expect(page.body).not.toContain('07700 900123');
  });

  it('contacts are logged with what was done; hostile input is refused and writes nothing', async () => {
    const { alphaEpisodeId } = given.fixture;
    const token = await tokenFor('peer-supporter@alpha.test');
    const before = await count('episode_contacts');
    for (const body of [
      {},
      { occurredOn: day(1), minutes: -5, mode: 'phone', whatWasDone: 'x' },
      { occurredOn: day(1), minutes: 30.5, mode: 'phone', whatWasDone: 'x' },
      { occurredOn: day(1), minutes: 30, mode: 'carrier pigeon', whatWasDone: 'x' },
      { occurredOn: day(-3), minutes: 30, mode: 'phone', whatWasDone: 'x' },
      { occurredOn: day(400), minutes: 30, mode: 'phone', whatWasDone: 'x' },
      { occurredOn: day(1), minutes: 9999, mode: 'phone', whatWasDone: 'x' },
      { occurredOn: day(1), minutes: 30, mode: 'phone', whatWasDone: '' },
    ]) {
      const refused = await call(token, 'POST', `/api/v1/communities/alpha/episodes/${alphaEpisodeId}/contacts`, body);
      expect(refused.statusCode, JSON.stringify(body)).toBe(400);
    }
    // The week of last week's timesheet takes no more contacts.
    const locked = await call(token, 'POST', `/api/v1/communities/alpha/episodes/${alphaEpisodeId}/contacts`, {
      occurredOn: weekOf(day(7)),
      minutes: 30,
      mode: 'phone',
      whatWasDone: 'Called',
    });
    expect(locked.statusCode).toBe(400);
    expect(await count('episode_contacts')).toBe(before);
    // A coordinator logs one for the supporter; a repeated request with the same key logs it once.
    const person = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/episodes/${alphaEpisodeId}/contacts`,
      { occurredOn: day(0), minutes: 45, mode: 'video', whatWasDone: 'Video call about the allotment' },
      { 'idempotency-key': 'c-1' },
    );
    expect(person.statusCode).toBe(201);
    const repeat = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/episodes/${alphaEpisodeId}/contacts`,
      { occurredOn: day(0), minutes: 45, mode: 'video', whatWasDone: 'Video call about the allotment' },
      { 'idempotency-key': 'c-1' },
    );
    expect(repeat.json<{ id: string }>().id).toBe(person.json<{ id: string }>().id);
    expect(await count('episode_contacts')).toBe(before + 1);
  });

  it('timesheets: an over-budget week is flagged, cannot be approved without saying so, and a returned week is sent again; approved hours go to payroll', async () => {
    const { personId } = await referredPerson('Cal Budget', true);
    const supporter = await supporterRecord();
    const coordinator = await tokenFor('coordinator@alpha.test');
    const started = await call(coordinator, 'POST', '/api/v1/communities/alpha/episodes', {
      programmeId: given.fixture.alphaSupportProgrammeId,
      personRecordId: personId,
      supporterRecordId: supporter,
      startsOn: day(40),
      minutesPerWeek: 60,
    });
    expect(started.statusCode).toBe(201);
    const episodeId = started.json<{ id: string }>().id;
    const monday = weekOf(day(14));
    const token = await tokenFor('peer-supporter@alpha.test');
    await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/contacts`, {
      occurredOn: monday,
      minutes: 60,
      mode: 'in_person',
      whatWasDone: 'Coffee',
    });
    await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/contacts`, {
      occurredOn: monday,
      minutes: 45,
      mode: 'phone',
      whatWasDone: 'Call',
    });
    const submitted = await call(token, 'POST', '/api/v1/communities/alpha/timesheets', { weekStarting: monday });
    expect(submitted.json()).toMatchObject({ status: 'submitted', totalMinutes: 105, overBudget: true });
    const sheetId = submitted.json<{ id: string }>().id;
    expect(
      (await call(token, 'POST', '/api/v1/communities/alpha/timesheets', { weekStarting: monday })).json<{
        id: string;
      }>().id,
    ).toBe(sheetId);
    const notMonday = [day(1), day(2)].find((one) => new Date(`${one}T12:00:00Z`).getUTCDay() !== 1);
    expect(
      (await call(token, 'POST', '/api/v1/communities/alpha/timesheets', { weekStarting: notMonday })).statusCode,
    ).toBe(400);

    const silent = await call(coordinator, 'POST', `/api/v1/communities/alpha/timesheets/${sheetId}/approve`, {
      note: '',
    });
    expect(silent.statusCode).toBe(400);
    const noReason = await call(coordinator, 'POST', `/api/v1/communities/alpha/timesheets/${sheetId}/approve`, {
      approveOverBudget: true,
    });
    expect(noReason.statusCode).toBe(400);
    expect((await owner().select().from(timesheets).where(eq(timesheets.id, sheetId)))[0]?.status).toBe('submitted');
    expect(
      (
        await call(token, 'POST', `/api/v1/communities/alpha/timesheets/${sheetId}/approve`, {
          approveOverBudget: true,
          note: 'x',
        })
      ).statusCode,
    ).toBe(403);

    const page = await signedIn('coordinator@alpha.test');
    const returned = await page.submit(
      `/c/alpha/support/timesheets/${sheetId}`,
      `/c/alpha/support/timesheets/${sheetId}/return`,
      { note: 'The phone call was not agreed: please take it off' },
    );
    expect(returned.statusCode).toBe(303);
    expect((await owner().select().from(timesheets).where(eq(timesheets.id, sheetId)))[0]?.status).toBe('returned');
    const again = await call(token, 'POST', '/api/v1/communities/alpha/timesheets', { weekStarting: monday });
    expect(again.json()).toMatchObject({ id: sheetId, status: 'submitted' });
    const approved = await call(coordinator, 'POST', `/api/v1/communities/alpha/timesheets/${sheetId}/approve`, {
      approveOverBudget: true,
      note: 'Agreed extra call after a hard week',
    });
    expect(approved.json()).toMatchObject({ status: 'approved' });
    const payroll = await call(
      coordinator,
      'GET',
      `/api/v1/communities/alpha/timesheets/payroll?from=${monday}&to=${monday}`,
    );
    expect(payroll.headers['content-type']).toContain('text/csv');
    expect(payroll.body).toContain('Alpha peer supporter');
    expect(payroll.body).toContain('1.75');
    const monthly = await page.get(`/c/alpha/support/payroll?month=${monday.slice(0, 7)}`);
    expect(monthly.body).toContain('Agreed extra call after a hard week');
  });

  it('a coordinator approves a week from its page and is told it is approved; returning says so too', async () => {
    const { personId } = await referredPerson('Flo Pages', true);
    const coordinator = await tokenFor('coordinator@alpha.test');
    const episodeId = (
      await call(coordinator, 'POST', '/api/v1/communities/alpha/episodes', {
        programmeId: given.fixture.alphaSupportProgrammeId,
        personRecordId: personId,
        supporterRecordId: await supporterRecord(),
        startsOn: day(70),
      })
    ).json<{ id: string }>().id;
    const token = await tokenFor('peer-supporter@alpha.test');
    const page = await signedIn('coordinator@alpha.test');
    const sheets: string[] = [];
    for (const week of [weekOf(day(63)), weekOf(day(56))]) {
      await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/contacts`, {
        occurredOn: week,
        minutes: 30,
        mode: 'phone',
        whatWasDone: 'A call',
      });
      sheets.push(
        (await call(token, 'POST', '/api/v1/communities/alpha/timesheets', { weekStarting: week })).json<{
          id: string;
        }>().id,
      );
    }
    const [first, second] = sheets as [string, string];
    const approved = await page.submit(
      `/c/alpha/support/timesheets/${first}`,
      `/c/alpha/support/timesheets/${first}/approve`,
      { note: '' },
    );
    expect(approved.statusCode).toBe(303);
    expect((await page.get(String(approved.headers.location))).body).toContain('Timesheet approved.');
    const returned = await page.submit(
      `/c/alpha/support/timesheets/${second}`,
      `/c/alpha/support/timesheets/${second}/return`,
      { note: 'Please add the date of the call' },
    );
    expect((await page.get(String(returned.headers.location))).body).toContain('Timesheet returned to the supporter.');
  });

  it('ending: the summary goes to the referrer when the person agreed, and not when they did not', async () => {
    const supporter = await supporterRecord();
    const coordinator = await tokenFor('coordinator@alpha.test');
    const token = await tokenFor('peer-supporter@alpha.test');
    for (const [name, agreed] of [
      ['Dee Agreed', true],
      ['Eli Private', false],
    ] as const) {
      const { personId } = await referredPerson(name, agreed);
      const episodeId = (
        await call(coordinator, 'POST', '/api/v1/communities/alpha/episodes', {
          programmeId: given.fixture.alphaSupportProgrammeId,
          personRecordId: personId,
          supporterRecordId: supporter,
          startsOn: day(84),
        })
      ).json<{ id: string }>().id;
      const incomplete = await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/end`, {
        reviewHeldOn: day(0),
        whatChanged: '',
        whereNext: [],
        tellReferrer: true,
      });
      expect(incomplete.statusCode).toBe(400);
      const before = await count('outbox', sql`template = 'support-ended'`);
      const ended = await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/end`, {
        reviewHeldOn: day(0),
        whatChanged: `${name} goes to the café on her own now`,
        whereNext: ['timebank', 'peer_network'],
        tellReferrer: true,
      });
      expect(ended.json()).toMatchObject({ status: 'ended', summaryOutcome: agreed ? 'sent' : 'no_consent' });
      expect(await count('outbox', sql`template = 'support-ended'`)).toBe(before + (agreed ? 1 : 0));
      expect(
        (
          await call(token, 'POST', `/api/v1/communities/alpha/episodes/${episodeId}/end`, {
            reviewHeldOn: day(0),
            whatChanged: 'again',
            whereNext: ['none'],
            tellReferrer: true,
          })
        ).statusCode,
      ).toBe(400);
    }
    const [sent] = await owner().select().from(outbox).where(eq(outbox.template, 'support-ended'));
    expect(sent?.recipient).toBe('referrer@alpha.test');
    expect(sent?.body).toContain('Dee Agreed goes to the café');
    expect(sent?.body).not.toContain('07700');
  });
});

describe('a peer support programme’s defaults', () => {
  it('a coordinator sets how long support is planned for and the time a week; new episodes start with them; a mistake changes nothing', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const url = `/c/alpha/support/programmes/${given.fixture.alphaSupportProgrammeId}/settings`;
    expect((await coordinator.get('/c/alpha/support')).body).toContain(`href="${url}"`);
    const page = await coordinator.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('name="plannedWeeks"');
    const bad = await coordinator.submit(url, url, { plannedWeeks: '0', timeHours: '2', timeMinutes: '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a number of weeks between 1 and 104');
    const saved = await coordinator.submit(url, url, { plannedWeeks: '8', timeHours: '1', timeMinutes: '30' });
    expect(saved.statusCode).toBe(303);
    const api = `/api/v1/communities/alpha/support-programmes/${given.fixture.alphaSupportProgrammeId}/settings`;
    expect((await call(await tokenFor('coordinator@alpha.test'), 'GET', api)).json()).toEqual({
      plannedWeeks: 8,
      minutesPerWeek: 90,
    });
    const put = await call(await tokenFor('admin@alpha.test'), 'PUT', api, { plannedWeeks: 12, minutesPerWeek: 120 });
    expect(put.json()).toEqual({ plannedWeeks: 12, minutesPerWeek: 120 });
    expect(
      (await call(await tokenFor('admin@alpha.test'), 'PUT', api, { plannedWeeks: 12, minutesPerWeek: 5 })).statusCode,
    ).toBe(400);
    expect(
      (await call(await tokenFor('peer-supporter@alpha.test'), 'PUT', api, { plannedWeeks: 1, minutesPerWeek: 60 }))
        .statusCode,
    ).toBe(403);
    expect(
      (await call(await tokenFor('admin@beta.test'), 'PUT', api, { plannedWeeks: 1, minutesPerWeek: 60 })).statusCode,
    ).toBe(404);
  });
});

describe('reminders for timesheets not sent', () => {
  it('a peer supporter with a past week of contacts not sent is reminded once for it', async () => {
    const { remindUnsentTimesheets } = await import('../../src/modules/peer-support/service.ts');
    const { consents } = await import('../../src/modules/people/schema.ts');
    const { episodeContacts, supportEpisodes } = await import('../../src/modules/peer-support/schema.ts');
    const [episode] = await owner()
      .select({ supporter: supportEpisodes.supporterRecordId })
      .from(supportEpisodes)
      .where(eq(supportEpisodes.id, given.fixture.alphaEpisodeId));
    await owner()
      .insert(consents)
      .values({
        communityId: given.fixture.alpha.id,
        personRecordId: episode?.supporter ?? '',
        purpose: 'contact_email',
        granted: true,
        method: 'online',
      });
    await owner().execute(
      sql`update person_records set email = 'peer-supporter@alpha.test' where id = ${episode?.supporter ?? ''} and email is null`,
    );
    const threeWeeksAgo = new Date(Date.now() - 21 * 86_400_000).toISOString().slice(0, 10);
    await owner().insert(episodeContacts).values({
      communityId: given.fixture.alpha.id,
      episodeId: given.fixture.alphaEpisodeId,
      occurredOn: threeWeeksAgo,
      minutes: 60,
      mode: 'phone',
      whatWasDone: 'Talked it through',
    });
    const sent = async () =>
      (
        await owner().execute<{ n: number }>(
          sql`select count(*)::int as n from outbox where template = 'support-timesheet-reminder'`,
        )
      ).rows[0]?.n ?? 0;
    const first = await remindUnsentTimesheets(owner(), 'http://localhost', false);
    expect(first.reminded).toBe(1);
    expect(await sent()).toBe(1);
    expect((await remindUnsentTimesheets(owner(), 'http://localhost', false)).reminded).toBe(0);
    expect(await sent()).toBe(1);
  });
});

describe('changing contacts and goals', () => {
  it('a supporter corrects a contact until its week is sent; a sent week cannot change', async () => {
    const supporter = await signedIn('peer-supporter@alpha.test');
    const episodeUrl = `/c/alpha/support/episodes/${given.fixture.alphaEpisodeId}`;
    // Last week's contact: its timesheet is sent, so it offers no change and refuses one.
    expect((await supporter.get(episodeUrl)).body).not.toContain(
      `/support/contacts/${given.fixture.alphaContactId}/edit`,
    );
    const today = new Date().toISOString().slice(0, 10);
    const lastWeek = new Date(Date.now() - 7 * 86_400_000).toISOString().slice(0, 10);
    const locked = await call(
      await tokenFor('peer-supporter@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/episode-contacts/${given.fixture.alphaContactId}`,
      { occurredOn: lastWeek, minutes: 30, mode: 'phone', whatWasDone: 'x' },
    );
    expect(locked.statusCode).toBe(400);

    const logged = await supporter.submit(`${episodeUrl}/contacts/new`, `${episodeUrl}/contacts/new`, {
      'occurredOn-day': today.slice(8, 10),
      'occurredOn-month': today.slice(5, 7),
      'occurredOn-year': today.slice(0, 4),
      timeHours: '1',
      timeMinutes: '0',
      mode: 'phone',
      whatWasDone: 'Phoned about the allotment',
    });
    expect(logged.statusCode).toBe(303);
    const page = await supporter.get(episodeUrl);
    const editUrl = /href="(\/c\/alpha\/support\/contacts\/[0-9a-f-]+\/edit)"/.exec(page.body)?.[1] ?? '';
    expect(editUrl).not.toBe('');
    const form = await supporter.get(editUrl);
    expect(form.body).toContain('Phoned about the allotment');
    const blank = await supporter.submit(editUrl, editUrl, {
      'occurredOn-day': today.slice(8, 10),
      'occurredOn-month': today.slice(5, 7),
      'occurredOn-year': today.slice(0, 4),
      timeHours: '1',
      timeMinutes: '0',
      mode: 'phone',
      whatWasDone: '',
    });
    expect(blank.statusCode).toBe(400);
    const moved = await supporter.submit(editUrl, editUrl, {
      'occurredOn-day': lastWeek.slice(8, 10),
      'occurredOn-month': lastWeek.slice(5, 7),
      'occurredOn-year': lastWeek.slice(0, 4),
      timeHours: '1',
      timeMinutes: '0',
      mode: 'phone',
      whatWasDone: 'Phoned',
    });
    expect(moved.statusCode).toBe(400);
    const saved = await supporter.submit(editUrl, editUrl, {
      'occurredOn-day': today.slice(8, 10),
      'occurredOn-month': today.slice(5, 7),
      'occurredOn-year': today.slice(0, 4),
      timeHours: '0',
      timeMinutes: '45',
      mode: 'video',
      whatWasDone: 'Video call about the allotment',
    });
    expect(saved.statusCode).toBe(303);
    const after = await supporter.get(episodeUrl);
    expect(after.body).toContain('The contact is changed.');
    expect(after.body).toContain('Video call about the allotment');
    // The person never sees or changes contacts; another community is told nothing is there.
    const contactId = editUrl.split('/')[5] ?? '';
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'PUT',
          `/api/v1/communities/alpha/episode-contacts/${contactId}`,
          { occurredOn: today, minutes: 30, mode: 'phone', whatWasDone: 'x' },
        )
      ).statusCode,
    ).toBe(404);
  });

  it('a goal is changed by whoever’s words it is: the person any of theirs, the supporter the ones staff wrote', async () => {
    const supporter = await signedIn('peer-supporter@alpha.test');
    const url = `/c/alpha/support/goals/${given.fixture.alphaGoalId}/edit`;
    const form = await supporter.get(url);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Get back to the allotment');
    const empty = await supporter.submit(url, url, { text: '' });
    expect(empty.statusCode).toBe(400);
    const saved = await supporter.submit(url, url, { text: 'Get back to the allotment twice a week' });
    expect(saved.statusCode).toBe(303);
    expect((await supporter.get(`/c/alpha/support/episodes/${given.fixture.alphaEpisodeId}`)).body).toContain(
      'Get back to the allotment twice a week',
    );
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'PUT',
          `/api/v1/communities/alpha/episode-goals/${given.fixture.alphaGoalId}`,
          { text: 'x' },
        )
      ).statusCode,
    ).toBe(404);
  });
});
