import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { consents, equalityMonitoring, personRecords } from '../../src/modules/people/schema.ts';
import { erasureRequests } from '../../src/modules/privacy/schema.ts';
import { pseudonymiseOldReferrals } from '../../src/modules/privacy/service.ts';
import { contactAttempts, referrals } from '../../src/modules/referrals/schema.ts';
import { auditEvents, memberships, outbox, accounts, sessions } from '../../src/platform/db/schema.ts';
import { personDataSources } from '../../src/app.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';
import { Visitor } from '../support/browser-like.ts';
import { personEverywhere } from '../support/everywhere.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;

describe('download my data', () => {
  it('a member sees everything held about them, as a page and as a file, and nothing about anyone else', async () => {
    const member = await signedIn('member@alpha.test');
    await member.submit('/c/alpha/me/consents/evaluation', '/c/alpha/me/consents/evaluation', { granted: 'yes' });
    await member.submit('/c/alpha/me/equality', '/c/alpha/me/equality', { ageBand: '45_54' });
    const page = await member.get('/c/alpha/me/data');
    expect(page.statusCode).toBe(200);
    for (const section of [
      'Your account',
      'Your record',
      'Your consent decisions',
      'Your equality monitoring answers',
      'Communities you belong to',
    ])
      expect(page.body).toContain(section);
    expect(page.body).toContain('member@alpha.test');
    expect(page.body).not.toContain('password_hash');
    const file = await member.get('/c/alpha/me/data.json');
    expect(file.headers['content-disposition']).toMatch(/attachment; filename="coproduce-\d+\.json"/);
    const data = JSON.parse(file.body) as { sections: { table: string; rows: Record<string, unknown>[] }[] };
    const tables = data.sections.map((section) => section.table);
    expect(tables).toEqual(
      expect.arrayContaining([
        'people',
        'memberships',
        'person_records',
        'consents',
        'equality_monitoring',
        'audit_events',
      ]),
    );
    const account = data.sections.find((section) => section.table === 'people')?.rows[0] ?? {};
    expect(Object.keys(account)).not.toContain('password_hash');
    expect(Object.keys(account)).not.toContain('totp_secret');
    expect(file.body).not.toContain('Ada Lovelace');
    expect(file.body).not.toContain('member@beta.test');
  });

  it('a coordinator’s copy of someone’s data holds only this community’s records, and nothing of safeguarding', async () => {
    const member = await signedIn('member@alpha.test');
    await member.submit('/c/alpha/concerns/new', '/c/alpha/concerns/new', {
      about: 'A neighbour',
      whatHappened: 'Worried about them',
      dangerNow: 'no',
    });
    const [record] = await owner().select().from(personRecords).where(eq(personRecords.preferredName, 'Alpha member'));
    const coordinator = await tokenFor('coordinator@alpha.test');
    const theirs = (await call(coordinator, 'GET', `/api/v1/communities/alpha/people/${record?.id}/data`)).json<{
      sections: { table: string; rows: { action?: string }[] }[];
    }>();
    const tables = theirs.sections.map((section) => section.table);
    expect(tables).not.toContain('people');
    expect(tables).not.toContain('api_tokens');
    expect(JSON.stringify(theirs)).not.toContain('concern.');
    const own = (await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/communities/alpha/me/data')).json<{
      sections: { table: string }[];
    }>();
    expect(own.sections.map((section) => section.table)).toContain('people');
    expect(JSON.stringify(own)).not.toContain('concern.raised');
  });

  it('a coordinator answers a request for someone who is not online; a member cannot see another person’s', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const data = await call(coordinator, 'GET', `/api/v1/communities/alpha/people/${given.fixture.alphaPersonId}/data`);
    expect(data.statusCode).toBe(200);
    const tables = data.json<{ sections: { table: string }[] }>().sections.map((section) => section.table);
    expect(tables).toEqual(expect.arrayContaining(['person_records', 'referrals']));
    // Safeguarding records are for the leads, not a self-service download.
    expect(tables).not.toContain('safeguarding_concerns');
    const member = await tokenFor('member@alpha.test');
    expect(
      (await call(member, 'GET', `/api/v1/communities/alpha/people/${given.fixture.alphaPersonId}/data`)).statusCode,
    ).toBe(403);
  });
});

describe('the download, readable', () => {
  it('holds everything about the person, the support plan too, in labels and dates a person reads; the file keeps the detail', async () => {
    const personId = await personEverywhere(
      given.test.database.owner,
      given.fixture,
      'Wendell Readable',
      'Wigglesworth',
    );
    const coordinator = await signedIn('coordinator@alpha.test');
    const page = await coordinator.get(`/c/alpha/people/${personId}/data`);
    expect(page.statusCode).toBe(200);
    const main = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>'));
    // Every part of the person's life here, the support plan and budgets included.
    for (const heading of [
      'Your support plan',
      'Your personal budgets',
      'Spending from your personal budgets',
      'Times the hub team was in touch',
      'Goals of your peer support',
      'Your crisis plan',
      'Time you gave and received',
      'Meetings you came to',
      'Groups you usually go to',
    ]) {
      expect(main, heading).toContain(heading);
    }
    for (const words of [
      'Wigglesworth wants to swim',
      'Wigglesworth buys a pass',
      'Phoned Wigglesworth',
      'Chatted with Wigglesworth',
      'Weeding for Wigglesworth',
      'Tuesday group',
    ])
      expect(main, words).toContain(words);
    // No column names, keys, raw timestamps or codes.
    const labels = [...main.matchAll(/<dt class="nhsuk-summary-list__key">\s*([^<]*?)\s*<\/dt>/g)].map(
      (match) => match[1] ?? '',
    );
    expect(labels.length).toBeGreaterThan(40);
    expect(labels.filter((label) => /_|^privacy\./.test(label))).toEqual([]);
    expect(main).not.toMatch(/privacy\.(tables|columns)\./);
    const text = main.replace(/<[^>]+>/g, ' ');
    expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);
    expect(text).not.toMatch(/\d{4}-\d\d-\d\d([T ]\d\d:\d\d)?/);
    expect(text).not.toMatch(/\b(true|false)\b/);
    expect(text).toMatch(/\d{1,2} [A-Z][a-z]+ 20\d\d/);
    // The file keeps ids and exact values.
    const file = await coordinator.get(`/c/alpha/people/${personId}/data.json`);
    const sections = file.json<{ sections: { table: string; rows: Record<string, unknown>[] }[] }>().sections;
    expect(sections.find((section) => section.table === 'plan_goals')?.rows).toEqual([
      expect.objectContaining({ goal: 'Wigglesworth wants to swim' }),
    ]);
    expect(sections.find((section) => section.table === 'person_records')?.rows[0]?.id).toBe(personId);
  });
});

describe('erasure', () => {
  it('a member asks to be forgotten, an admin approves, and the record is pseudonymised with its history kept', async () => {
    // Someone who self-referred, made an account, and later asks to be forgotten.
    const anonymous = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/referrals',
      payload: {
        source: 'self',
        preferredName: 'Forget Me',
        contactBy: ['email'],
        email: 'forget.me@example.net',
        evaluation: true,
        reason: 'I feel low since my operation.',
      },
    });
    expect(anonymous.statusCode).toBe(201);
    const referralId = anonymous.json<{ id: string }>().id;
    const [referral] = await owner().select().from(referrals).where(eq(referrals.id, referralId));
    const registered = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'forget.me@example.net', password: 'a-long-password-2', displayName: 'Forget Me' },
    });
    const accountId = registered.json<{ id: string }>().id;
    await owner()
      .update(personRecords)
      .set({ accountId })
      .where(eq(personRecords.id, referral?.personRecordId ?? ''));
    await owner()
      .insert(memberships)
      .values({ communityId: given.fixture.alpha.id, personId: accountId, status: 'active', roles: ['member'] });
    await owner()
      .insert(equalityMonitoring)
      .values({
        communityId: given.fixture.alpha.id,
        personRecordId: referral?.personRecordId ?? '',
        ageBand: '25_34',
      });
    const coordinator = await tokenFor('coordinator@alpha.test');
    await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${referralId}/contact-attempts`, {
      method: 'phone',
      outcome: 'spoke',
      note: 'Talked about her operation',
    });

    const person = new Visitor(given.test.app);
    await person.signIn('forget.me@example.net', 'a-long-password-2');
    const asked = await person.submit('/c/alpha/me/erase', '/c/alpha/me/erase', { reason: 'I am moving away' });
    expect(asked.statusCode).toBe(303);
    // Asking twice finds the same request.
    await person.submit('/c/alpha/me/erase', '/c/alpha/me/erase', {});
    const waiting = await owner()
      .select()
      .from(erasureRequests)
      .where(
        and(
          eq(erasureRequests.personRecordId, referral?.personRecordId ?? ''),
          eq(erasureRequests.status, 'requested'),
        ),
      );
    expect(waiting).toHaveLength(1);
    expect((await person.get('/c/alpha/me/erase')).body).toContain('waiting for an admin');

    const admin = await signedIn('admin@alpha.test');
    const list = await admin.get('/c/alpha/erasure-requests');
    expect(list.body).toContain('Forget Me');
    const approved = await admin.submit(
      `/c/alpha/erasure-requests/${waiting[0]?.id}`,
      `/c/alpha/erasure-requests/${waiting[0]?.id}/approve`,
      { note: '' },
    );
    expect(approved.statusCode).toBe(303);

    const [erased] = await owner()
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, referral?.personRecordId ?? ''));
    expect(erased).toMatchObject({
      status: 'erased',
      preferredName: `Former member ${erased?.number}`,
      email: null,
      phone: null,
      accountId: null,
      fullName: '',
    });
    const [kept] = await owner().select().from(referrals).where(eq(referrals.id, referralId));
    expect(kept).toMatchObject({ status: 'contacting', reason: '', source: 'self' });
    expect(kept?.pseudonymisedAt).not.toBeNull();
    const [attempt] = await owner().select().from(contactAttempts).where(eq(contactAttempts.referralId, referralId));
    expect(attempt).toMatchObject({ note: '', outcome: 'spoke' });
    expect(
      await owner()
        .select()
        .from(equalityMonitoring)
        .where(eq(equalityMonitoring.personRecordId, referral?.personRecordId ?? '')),
    ).toEqual([]);
    expect(
      (
        await owner()
          .select()
          .from(consents)
          .where(eq(consents.personRecordId, referral?.personRecordId ?? ''))
      ).length,
    ).toBeGreaterThan(0);
    // Their account belonged to no other community: it is pseudonymised and signed out.
    const [account] = await owner().select().from(accounts).where(eq(accounts.id, accountId));
    expect(account).toMatchObject({ displayName: 'Former member', passwordHash: null });
    // What was sent to their address (confirming it, in this case) keeps nothing of them.
    expect(await owner().select().from(outbox).where(eq(outbox.recipient, 'forget.me@example.net'))).toEqual([]);
    expect(
      (await owner().select().from(outbox).where(eq(outbox.recipient, 'forgotten'))).every(
        (message) => message.body === '' && message.subject === '',
      ),
    ).toBe(true);
    expect(account?.email).toMatch(/@erased\.invalid$/);
    expect(await owner().select().from(sessions).where(eq(sessions.personId, accountId))).toEqual([]);
    expect((await person.get('/c/alpha')).statusCode).toBe(302);
    const audit = await owner()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'person.erased'), eq(auditEvents.subjectId, referral?.personRecordId ?? '')));
    expect(audit).toHaveLength(1);
    // Deciding again changes nothing.
    const again = await call(
      await tokenFor('admin@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/erasure-requests/${waiting[0]?.id}/approve`,
      {},
    );
    expect(again.statusCode).toBe(409);
  });

  it('records merged into the erased one are forgotten too, and an account another community still holds is kept', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const kept = (
      await call(coordinator, 'POST', '/api/v1/communities/alpha/people', {
        preferredName: 'Merged Twice',
        email: 'merged.twice@example.net',
        allowDuplicate: true,
      })
    ).json<{ id: string }>();
    const gone = (
      await call(coordinator, 'POST', '/api/v1/communities/alpha/people', {
        preferredName: 'Merged Once',
        fullName: 'Merged Once Fully',
        phone: '07700 900111',
        allowDuplicate: true,
      })
    ).json<{ id: string }>();
    await call(coordinator, 'POST', `/api/v1/communities/alpha/people/${kept.id}/merge`, { from: gone.id });
    // Their account: a member here, with a record in beta too (a referral waiting there).
    const registered = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/accounts',
        payload: { email: 'merged.twice@example.net', password: 'a-long-password-3', displayName: 'Merged Twice' },
      })
    ).json<{ id: string }>();
    await owner().update(personRecords).set({ accountId: registered.id }).where(eq(personRecords.id, kept.id));
    await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.beta.id, preferredName: 'Merged Twice', accountId: registered.id });
    const asked = (
      await call(coordinator, 'POST', `/api/v1/communities/alpha/people/${kept.id}/erasure-request`, {})
    ).json<{ id: string }>();
    await call(
      await tokenFor('admin@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/erasure-requests/${asked.id}/approve`,
      {},
    );
    const [mergedIn] = await owner().select().from(personRecords).where(eq(personRecords.id, gone.id));
    expect(mergedIn).toMatchObject({ status: 'merged', fullName: '', phone: null });
    expect(mergedIn?.preferredName).toMatch(/^Former member \d+$/);
    const [account] = await owner().select().from(accounts).where(eq(accounts.id, registered.id));
    expect(account?.email).toBe('merged.twice@example.net');
  });

  it('only admins decide, and a coordinator records a request for someone who asked by phone', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const recorded = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/people/${given.fixture.alphaPersonId}/erasure-request`,
      { reason: 'Asked by phone' },
    );
    expect(recorded.statusCode).toBe(201);
    expect(recorded.json()).toMatchObject({ onBehalf: true, status: 'requested' });
    expect(
      (
        await call(
          coordinator,
          'POST',
          `/api/v1/communities/alpha/erasure-requests/${recorded.json<{ id: string }>().id}/approve`,
          {},
        )
      ).statusCode,
    ).toBe(403);
    const admin = await tokenFor('admin@alpha.test');
    const declined = await call(
      admin,
      'POST',
      `/api/v1/communities/alpha/erasure-requests/${recorded.json<{ id: string }>().id}/decline`,
      { note: 'Safeguarding records must be kept while the concern is open' },
    );
    expect(declined.json()).toMatchObject({ status: 'declined' });
    const [still] = await owner().select().from(personRecords).where(eq(personRecords.id, given.fixture.alphaPersonId));
    expect(still?.status).toBe('active');
  });

  it('the nightly job removes what was written in old declined referrals, and forgets people with nothing else', async () => {
    const created = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/referrals',
      payload: {
        source: 'self',
        preferredName: 'Long Ago',
        contactBy: ['phone'],
        phone: '07700 900444',
        evaluation: false,
        reason: 'Private words',
      },
    });
    const id = created.json<{ id: string }>().id;
    const recent = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/communities/alpha/referrals',
        payload: {
          source: 'self',
          preferredName: 'Recent One',
          contactBy: ['phone'],
          phone: '07700 900555',
          evaluation: false,
          reason: 'Still here',
        },
      })
    ).json<{ id: string }>().id;
    const longAgo = new Date(Date.now() - 400 * 86_400_000);
    await owner()
      .update(referrals)
      .set({ status: 'declined', declineReason: 'person_said_no', statusChangedAt: longAgo })
      .where(eq(referrals.id, id));
    await owner()
      .update(referrals)
      .set({ status: 'declined', declineReason: 'person_said_no' })
      .where(eq(referrals.id, recent));
    const done = await pseudonymiseOldReferrals(owner(), personDataSources);
    expect(done.referrals).toBeGreaterThanOrEqual(1);
    const [old] = await owner().select().from(referrals).where(eq(referrals.id, id));
    expect(old).toMatchObject({ reason: '', status: 'declined', declineReason: 'person_said_no' });
    const [forgotten] = await owner()
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, old?.personRecordId ?? ''));
    expect(forgotten?.status).toBe('erased');
    expect(forgotten?.phone).toBeNull();
    const [young] = await owner().select().from(referrals).where(eq(referrals.id, recent));
    expect(young?.reason).toBe('Still here');
    // A second run finds nothing more to do.
    const again = await pseudonymiseOldReferrals(owner(), personDataSources);
    expect(again).toEqual({ referrals: 0, people: 0 });
  });
});
