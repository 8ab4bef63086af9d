import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { milestones } from '../../src/modules/journey/schema.ts';
import { consents, personRecords } from '../../src/modules/people/schema.ts';
import { programmeMembers, programmes } from '../../src/modules/programmes/schema.ts';
import { contactAttempts, referralEvents, referrals } from '../../src/modules/referrals/schema.ts';
import { communities, memberships, outbox, accounts } from '../../src/platform/db/schema.ts';
import { startTestApp, useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';
import { Visitor } from '../support/browser-like.ts';
import { lastLinkTo } from '../support/outbox.ts';
import { queueRows, type QueueFilter } from '../../src/modules/referrals/store.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;

const countOf = async (table: typeof referrals | typeof personRecords) =>
  (
    await owner()
      .select({ count: sql<number>`count(*)::int` })
      .from(table)
  )[0]?.count ?? 0;

/** Answers every question of the self-referral, page by page, as a visitor without an account. */
async function referThemselves(visitor: Visitor, answers: { name: string; email?: string; phone?: string }) {
  const base = '/c/alpha/refer-yourself';
  const start = await visitor.get(base);
  expect(start.statusCode).toBe(200);
  const pages: [string, Record<string, string | string[]>][] = [
    ['programmes', { programmeIds: given.fixture.alphaProgrammeId }],
    ['name', { preferredName: answers.name }],
    [
      'contact',
      {
        contactBy: answers.email ? ['email', 'phone'] : ['phone'],
        phone: answers.phone ?? '07700 900456',
        ...(answers.email ? { email: answers.email } : {}),
      },
    ],
    ['birth', { 'dateOfBirth-day': '', 'dateOfBirth-month': '', 'dateOfBirth-year': '' }],
    ['support', { needs: ['loneliness', 'practical_help'], reason: 'I moved here last year and know nobody.' }],
    ['communication', { communicationNeeds: 'large_print' }],
    ['evaluation', { evaluation: 'yes' }],
  ];
  for (const [step, fields] of pages) {
    const answered = await visitor.submit(`${base}/${step}`, `${base}/${step}`, fields);
    expect(answered.statusCode, step).toBe(303);
  }
  const check = await visitor.get(`${base}/check`);
  expect(check.statusCode).toBe(200);
  return check;
}

describe('refer yourself', () => {
  it('someone without an account answers one question a page, checks their answers and gets a reference', async () => {
    const visitor = new Visitor(given.test.app);
    const before = await countOf(referrals);
    const check = await referThemselves(visitor, { name: 'Pearl', email: 'pearl@example.net' });
    expect(check.body).toContain('Check your answers before sending them');
    expect(check.body).toContain('Alpha Time Bank');
    expect(check.body).toContain('pearl@example.net');
    const token = /name="_csrf" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
    // Pressed twice: one referral.
    const [sent, again] = await Promise.all([
      visitor.request('POST', '/c/alpha/refer-yourself/check', { form: { _csrf: token, website: '' } }),
      visitor.request('POST', '/c/alpha/refer-yourself/check', { form: { _csrf: token, website: '' } }),
    ]);
    expect(sent.headers.location).toBe('/c/alpha/refer-yourself/done');
    expect(again.headers.location).toBe('/c/alpha/refer-yourself/done');
    expect(await countOf(referrals)).toBe(before + 1);
    const done = await visitor.get('/c/alpha/refer-yourself/done');
    const reference = /class="app-reference">([^<]+)</.exec(done.body)?.[1];
    expect(reference).toMatch(/^[2-9A-Z]{4}-[2-9A-Z]{4}$/);
    expect(done.body).toContain('Create an account');

    const [referral] = await owner()
      .select()
      .from(referrals)
      .where(eq(referrals.reference, reference ?? ''));
    expect(referral).toMatchObject({
      source: 'self',
      status: 'new',
      needs: ['loneliness', 'practical_help'],
      onBehalf: false,
      referrerId: null,
    });
    const [person] = await owner()
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, referral?.personRecordId ?? ''));
    expect(person).toMatchObject({
      preferredName: 'Pearl',
      email: 'pearl@example.net',
      contactMethod: 'email',
      communicationNeeds: ['large_print'],
    });
    const given_ = await owner()
      .select()
      .from(consents)
      .where(eq(consents.personRecordId, person?.id ?? ''));
    expect(Object.fromEntries(given_.map((row) => [row.purpose, row.granted]))).toEqual({
      support: true,
      contact_email: true,
      contact_sms: false,
      evaluation: true,
    });
    expect(given_.every((row) => row.method === 'online' && !row.onBehalf)).toBe(true);
    const messages = await owner()
      .select()
      .from(outbox)
      .where(sql`${outbox.body} like ${`%${reference}%`}`);
    expect(messages.map((message) => message.recipient).sort()).toEqual(['hello@alpha.test', 'pearl@example.net']);
    const steps = await owner()
      .select()
      .from(milestones)
      .where(eq(milestones.personRecordId, person?.id ?? ''));
    expect(steps.map((step) => step.kind)).toEqual(['referral_received']);
  });

  it('a question answered wrongly says what to fix, keeps the answer and moves on only when right', async () => {
    const visitor = new Visitor(given.test.app);
    await visitor.get('/c/alpha/refer-yourself');
    const wrong = await visitor.submit('/c/alpha/refer-yourself/contact', '/c/alpha/refer-yourself/contact', {
      contactBy: ['email', 'sms'],
      email: '',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('There is a problem');
    expect(wrong.body).toContain('Enter a phone number for calls or text messages');
    expect(wrong.body).toContain('Enter an email address');
    expect(wrong.body).toMatch(/value="sms" checked/);
    // Skipping ahead to the check page sends the visitor to the first question that must be answered.
    expect((await visitor.get('/c/alpha/refer-yourself/check')).headers.location).toBe('/c/alpha/refer-yourself/name');
  });

  it('a program that fills the hidden field is told it worked, and nothing is written', async () => {
    const visitor = new Visitor(given.test.app);
    const check = await referThemselves(visitor, { name: 'Robot' });
    const token = /name="_csrf" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
    const before = await countOf(referrals);
    const sent = await visitor.request('POST', '/c/alpha/refer-yourself/check', {
      form: { _csrf: token, website: 'http://spam.example' },
    });
    expect(sent.headers.location).toBe('/c/alpha/refer-yourself/done');
    expect(await countOf(referrals)).toBe(before);
  });

  it('the account made from the confirmation page is linked to the referral, and acceptance makes them a member', async () => {
    const visitor = new Visitor(given.test.app);
    const check = await referThemselves(visitor, { name: 'Iris', email: 'iris.claim@example.net' });
    const token = /name="_csrf" value="([^"]+)"/.exec(check.body)?.[1] ?? '';
    await visitor.request('POST', '/c/alpha/refer-yourself/check', { form: { _csrf: token } });
    const done = await visitor.get('/c/alpha/refer-yourself/done');
    const claim = decodeURIComponent(/href="\/register\?next=([^"]+)"/.exec(done.body)?.[1] ?? '');
    expect(claim).toMatch(/^\/communities\/alpha\/referrals\/claim\//);
    const registered = await visitor.submit(`/register?next=${encodeURIComponent(claim)}`, '/register', {
      displayName: 'Iris',
      email: 'iris.claim@example.net',
      password: 'a-long-password-1',
      next: claim,
    });
    // The record joins the account once the email address is confirmed, and not before.
    expect(registered.headers.location).toBe('/account/confirm-email');
    const tooSoon = await visitor.get(claim);
    expect(tooSoon.statusCode).toBe(303);
    expect(tooSoon.headers.location).toBe(`/account/confirm-email?next=${encodeURIComponent(claim)}`);
    expect(
      await owner()
        .select()
        .from(personRecords)
        .where(eq(personRecords.preferredName, 'Iris'))
        .then((rows) => rows.every((row) => row.accountId === null)),
    ).toBe(true);
    const confirmed = await visitor.get(await lastLinkTo(owner(), 'iris.claim@example.net', 'email-confirmation'));
    expect(confirmed.body).toContain(`href="${claim}"`);
    const claimed = await visitor.get(claim);
    expect(claimed.statusCode).toBe(200);
    expect(claimed.body).toContain('Your request is in your account');
    const [account] = await owner().select().from(accounts).where(eq(accounts.email, 'iris.claim@example.net'));
    const [record] = await owner()
      .select()
      .from(personRecords)
      .where(eq(personRecords.accountId, account?.id ?? ''));
    expect(record?.preferredName).toBe('Iris');
    // A second use of the link finds nothing.
    expect((await visitor.get(claim)).statusCode).toBe(410);

    const [referral] = await owner()
      .select()
      .from(referrals)
      .where(eq(referrals.personRecordId, record?.id ?? ''));
    const coordinator = await tokenFor('coordinator@alpha.test');
    const accepted = await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${referral?.id}/accept`, {
      programmeIds: [given.fixture.alphaProgrammeId],
    });
    expect(accepted.statusCode).toBe(200);
    const [membership] = await owner()
      .select()
      .from(memberships)
      .where(and(eq(memberships.personId, account?.id ?? ''), eq(memberships.communityId, given.fixture.alpha.id)));
    expect(membership).toMatchObject({ status: 'active', roles: ['member'] });
  });

  it('a community that does not exist has no self-referral page', async () => {
    expect((await new Visitor(given.test.app).get('/c/nowhere/refer-yourself')).statusCode).toBe(404);
  });
});

describe('a professional referral and the closed loop', () => {
  const referralForm = (name: string, updates: boolean) => ({
    preferredName: name,
    phone: '020 7946 0999',
    reason: 'Isolated since her husband died; would like company and to get out more.',
    needs: ['loneliness'],
    programmeIds: given.fixture.alphaProgrammeId,
    urgency: 'soon',
    risks: 'Has a dog that can be nervous with strangers.',
    agreedToReferral: 'yes',
    ...(updates ? { agreedToUpdates: 'yes' } : {}),
    referrerOrganisation: 'Alpha Surgery',
  });

  it('with sharing consent, the referrer sees "contacting" then "accepted", and is emailed each time', async () => {
    const referrer = await signedIn('referrer@alpha.test');
    const sent = await referrer.submit('/c/alpha/referrals/new', '/c/alpha/referrals/new', referralForm('Gwen', true));
    expect(sent.statusCode).toBe(303);
    const [referral] = await owner()
      .select()
      .from(referrals)
      .where(eq(referrals.referrerOrganisation, 'Alpha Surgery'))
      .orderBy(sql`${referrals.createdAt} desc`)
      .limit(1);
    if (!referral) throw new Error('no referral');
    expect(referral).toMatchObject({
      source: 'professional',
      urgency: 'soon',
      status: 'new',
      risks: 'Has a dog that can be nervous with strangers.',
    });
    expect(sent.headers.location).toBe(`/c/alpha/referrals/${referral.id}`);
    expect((await referrer.get(sent.headers.location as string)).body).toContain('Referral sent. The reference is');

    const coordinator = await signedIn('coordinator@alpha.test');
    const contacted = await coordinator.submit(
      `/c/alpha/referrals/${referral.id}/contact`,
      `/c/alpha/referrals/${referral.id}/contact`,
      { method: 'phone', outcome: 'spoke', note: 'Call back Tuesday' },
    );
    expect(contacted.statusCode).toBe(303);
    expect((await referrer.get('/c/alpha/referrals/mine')).body).toContain('Contacting');
    const accepted = await coordinator.submit(
      `/c/alpha/referrals/${referral.id}/accept`,
      `/c/alpha/referrals/${referral.id}/accept`,
      { programmeIds: given.fixture.alphaProgrammeId },
    );
    expect(accepted.statusCode).toBe(303);
    const mine = await referrer.get(`/c/alpha/referrals/${referral.id}`);
    expect(mine.body).toContain('Accepted');
    expect(mine.body).toContain('Alpha Time Bank');
    // The referrer never sees what the coordinator wrote.
    expect(mine.body).not.toContain('Call back Tuesday');

    const told = await owner().select().from(outbox).where(eq(outbox.recipient, 'referrer@alpha.test'));
    expect(told.map((message) => message.template).sort()).toEqual(['referral-accepted', 'referral-contacting']);
    const [member] = await owner()
      .select()
      .from(programmeMembers)
      .where(eq(programmeMembers.personRecordId, referral.personRecordId));
    expect(member?.programmeId).toBe(given.fixture.alphaProgrammeId);
    const steps = await owner()
      .select({ kind: milestones.kind })
      .from(milestones)
      .where(eq(milestones.personRecordId, referral.personRecordId));
    expect(steps.map((step) => step.kind).sort()).toEqual(['contacted', 'joined_programme', 'referral_received']);
    // The consent was given to the referrer, and the record says so by name.
    const record = await coordinator.get(`/c/alpha/people/${referral.personRecordId}`);
    expect(record.body).toContain('Said to Alpha referrer');
    expect(record.body).not.toContain('Said to a coordinator');
  });

  it('without it, the referrer sees only that the referral arrived, and is never emailed about it', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const created = await call(referrer, 'POST', '/api/v1/communities/alpha/referrals', {
      source: 'professional',
      preferredName: 'Harold',
      phone: '020 7946 0888',
      reason: 'Low mood',
      programmeIds: [given.fixture.alphaProgrammeId],
      urgency: 'routine',
      agreedToReferral: true,
      agreedToUpdates: false,
    });
    expect(created.statusCode).toBe(201);
    const { id } = created.json<{ id: string }>();
    const coordinator = await tokenFor('coordinator@alpha.test');
    await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${id}/contact-attempts`, {
      method: 'phone',
      outcome: 'spoke',
    });
    await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${id}/decline`, {
      reason: 'better_elsewhere',
      note: 'Private: prefers the library group',
    });
    const seen = await call(referrer, 'GET', `/api/v1/communities/alpha/referrals/${id}`);
    expect(seen.json()).toMatchObject({
      shared: false,
      status: 'received',
      acceptedProgrammes: [],
      declineReason: null,
      updatedAt: null,
    });
    expect(JSON.stringify(seen.json())).not.toContain('library');
    const page = await (await signedIn('referrer@alpha.test')).get(`/c/alpha/referrals/${id}`);
    expect(page.body).toContain('The person chose not to share updates');
    expect(page.body).not.toContain('Declined');
    const [referral] = await owner().select().from(referrals).where(eq(referrals.id, id));
    const told = await owner()
      .select()
      .from(outbox)
      .where(sql`${outbox.body} like ${`%${referral?.reference}%`} and ${outbox.recipient} = 'referrer@alpha.test'`);
    expect(told).toEqual([]);
    const notTold = await owner()
      .select()
      .from(referralEvents)
      .where(and(eq(referralEvents.referralId, id), eq(referralEvents.kind, 'referrer_not_told')));
    expect(notTold).toHaveLength(2);
  });

  it('a referral must have the person’s agreement, a reason and a programme', async () => {
    const referrer = await signedIn('referrer@alpha.test');
    const before = await countOf(referrals);
    const response = await referrer.submit('/c/alpha/referrals/new', '/c/alpha/referrals/new', {
      preferredName: 'Nobody',
      urgency: 'routine',
    });
    expect(response.statusCode).toBe(400);
    for (const message of [
      'Only refer someone who agreed to be referred',
      'Enter why you are referring them',
      'Select at least one programme',
    ])
      expect(response.body).toContain(message);
    expect(response.body).toContain('value="Nobody"');
    expect(await countOf(referrals)).toBe(before);
  });

  it('a referrer sees only their own referrals; another referral is not there', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const list = await call(referrer, 'GET', '/api/v1/communities/alpha/referrals');
    const items = list.json<{ items: { preferredName: string }[] }>().items;
    expect(items.length).toBeGreaterThan(0);
    expect(items.map((item) => item.preferredName)).not.toContain('Pearl');
    const [selfReferral] = await owner().select().from(referrals).where(eq(referrals.source, 'self')).limit(1);
    expect((await call(referrer, 'GET', `/api/v1/communities/alpha/referrals/${selfReferral?.id}`)).statusCode).toBe(
      404,
    );
  });
});

describe('triage', () => {
  it('the queue counts each status, shows the longest waiting first, and highlights overdue referrals', async () => {
    const [old] = await owner()
      .insert(referrals)
      .values({
        communityId: given.fixture.alpha.id,
        reference: 'OVER-DUE2',
        personRecordId: given.fixture.alphaOtherPersonId,
        source: 'self',
        contactDueOn: '2025-01-06',
        createdAt: new Date('2025-01-01T10:00:00Z'),
      })
      .returning();
    const coordinator = await signedIn('coordinator@alpha.test');
    const queue = await coordinator.get('/c/alpha/referrals');
    expect(queue.statusCode).toBe(200);
    expect(queue.body.indexOf('OVER-DUE2')).toBeLessThan(queue.body.indexOf('ALPH-2345'));
    expect(queue.body).toContain('app-queue__row--overdue');
    const overdue = await coordinator.get('/c/alpha/referrals?status=open&overdue=yes');
    expect(overdue.body).toContain('OVER-DUE2');
    const token = await tokenFor('coordinator@alpha.test');
    const api = (await call(token, 'GET', '/api/v1/communities/alpha/referrals?status=open&overdue=true')).json<{
      items: { reference: string; overdue: boolean; daysWaiting: number }[];
      counts: Record<string, number>;
    }>();
    expect(api.items.find((item) => item.reference === 'OVER-DUE2')).toMatchObject({ overdue: true });
    expect(api.counts.overdue).toBeGreaterThanOrEqual(1);
    expect((await coordinator.get('/c/alpha/referrals?search=over-due2')).body).toContain('OVER-DUE2');
    const home = await coordinator.get('/c/alpha');
    expect(home.body).toMatch(/referrals? (has|have) not been contacted in time/);
    await owner()
      .delete(referralEvents)
      .where(eq(referralEvents.referralId, old?.id ?? ''));
  });

  it('a contact attempt saved twice is one attempt', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const created = (
      await call(null, 'POST', '/api/v1/communities/alpha/referrals', {
        source: 'self',
        preferredName: 'Call Once',
        contactBy: ['phone'],
        phone: '07700 900888',
        evaluation: false,
      })
    ).json<{ id: string }>();
    const url = `/c/alpha/referrals/${created.id}/contact`;
    const page = await coordinator.get(url);
    const form = {
      _csrf: /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '',
      formKey: /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '',
      method: 'phone',
      outcome: 'no_answer',
    };
    await Promise.all([coordinator.request('POST', url, { form }), coordinator.request('POST', url, { form })]);
    expect(await owner().select().from(contactAttempts).where(eq(contactAttempts.referralId, created.id))).toHaveLength(
      1,
    );
  });

  it('a closed referral cannot change, and says so', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const [closed] = await owner().select().from(referrals).where(eq(referrals.status, 'declined')).limit(1);
    const attempt = await call(token, 'POST', `/api/v1/communities/alpha/referrals/${closed?.id}/accept`, {
      programmeIds: [given.fixture.alphaProgrammeId],
    });
    expect(attempt.statusCode).toBe(409);
    expect(attempt.json()).toMatchObject({ code: 'referral-closed' });
    const coordinator = await signedIn('coordinator@alpha.test');
    const page = await coordinator.submit(
      `/c/alpha/referrals/${closed?.id}/contact`,
      `/c/alpha/referrals/${closed?.id}/contact`,
      { method: 'phone', outcome: 'spoke' },
    );
    expect([200, 409]).toContain(page.statusCode);
    expect(
      await owner()
        .select()
        .from(contactAttempts)
        .where(and(eq(contactAttempts.referralId, closed?.id ?? ''), eq(contactAttempts.outcome, 'spoke'))),
    ).toHaveLength(1);
  });

  it('changing how soon contact is due moves the due day of referrals still waiting', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const [waiting] = await owner()
      .select()
      .from(referrals)
      .where(and(eq(referrals.status, 'new'), eq(referrals.reference, 'ALPH-2345')));
    const changed = await call(admin, 'PATCH', '/api/v1/communities/alpha', { contactWithinWorkingDays: 10 });
    expect(changed.json()).toMatchObject({ contactWithinWorkingDays: 10 });
    const [after] = await owner()
      .select()
      .from(referrals)
      .where(eq(referrals.id, waiting?.id ?? ''));
    expect(after?.contactDueOn).not.toBe(waiting?.contactDueOn);
    expect((await call(admin, 'PATCH', '/api/v1/communities/alpha', { contactWithinWorkingDays: 0 })).statusCode).toBe(
      400,
    );
    await call(admin, 'PATCH', '/api/v1/communities/alpha', { contactWithinWorkingDays: 3 });
    const [community] = await owner().select().from(communities).where(eq(communities.id, given.fixture.alpha.id));
    expect(community?.contactWithinWorkingDays).toBe(3);
  });
});

describe('the referrals API', () => {
  const selfBody = {
    source: 'self',
    preferredName: 'Api Person',
    contactBy: ['phone'],
    phone: '07700 900777',
    evaluation: false,
  };

  it('staff sending a self-referral are typing it for someone else: their own record is never touched', async () => {
    const referrer = await tokenFor('referrer@alpha.test');
    const made = await call(referrer, 'POST', '/api/v1/communities/alpha/referrals', {
      ...selfBody,
      preferredName: 'Phoned In',
      email: 'phoned.in@example.net',
      contactBy: ['email'],
    });
    expect(made.statusCode).toBe(201);
    const [referral] = await owner().select().from(referrals).where(eq(referrals.id, made.json<{ id: string }>().id));
    const [record] = await owner()
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, referral?.personRecordId ?? ''));
    expect(record).toMatchObject({ preferredName: 'Phoned In', accountId: null });
    expect(referral).toMatchObject({ onBehalf: true });
    const [referrerAccount] = await owner().select().from(accounts).where(eq(accounts.email, 'referrer@alpha.test'));
    expect(
      await owner()
        .select()
        .from(personRecords)
        .where(eq(personRecords.accountId, referrerAccount?.id ?? '')),
    ).toEqual([]);
  });

  it('callers without an account do not share Idempotency-Keys: the same key with another referral is another referral', async () => {
    const headers = { 'idempotency-key': 'common-key' };
    const first = await call(
      null,
      'POST',
      '/api/v1/communities/alpha/referrals',
      { ...selfBody, preferredName: 'First Caller' },
      headers,
    );
    const second = await call(
      null,
      'POST',
      '/api/v1/communities/alpha/referrals',
      { ...selfBody, preferredName: 'Second Caller' },
      headers,
    );
    expect(first.json<{ id: string }>().id).not.toBe(second.json<{ id: string }>().id);
  });

  it('anyone may refer themselves; a professional referral needs a referrer', async () => {
    const anonymous = await call(null, 'POST', '/api/v1/communities/alpha/referrals', selfBody);
    expect(anonymous.statusCode).toBe(201);
    expect(anonymous.json()).toMatchObject({ status: 'new', source: 'self' });
    const professional = {
      ...selfBody,
      source: 'professional',
      reason: 'x',
      urgency: 'routine',
      programmeIds: [given.fixture.alphaProgrammeId],
      agreedToReferral: true,
    };
    expect((await call(null, 'POST', '/api/v1/communities/alpha/referrals', professional)).statusCode).toBe(401);
    expect(
      (await call(await tokenFor('member@alpha.test'), 'POST', '/api/v1/communities/alpha/referrals', professional))
        .statusCode,
    ).toBe(403);
    expect(
      (await call(await tokenFor('member@beta.test'), 'POST', '/api/v1/communities/alpha/referrals', professional))
        .statusCode,
    ).toBe(404);
    expect(
      (await call(await tokenFor('referrer@alpha.test'), 'POST', '/api/v1/communities/alpha/referrals', professional))
        .statusCode,
    ).toBe(201);
  });

  it('bad and hostile input answers 400 with field errors and writes nothing', async () => {
    const [betaProgramme] = await owner()
      .insert(programmes)
      .values({
        communityId: given.fixture.beta.id,
        name: 'Beta Group',
        kind: 'peer_network',
        whoFor: 'x',
        howToJoin: 'y',
      })
      .returning();
    const referrer = await tokenFor('referrer@alpha.test');
    const valid = {
      source: 'professional',
      preferredName: 'Valid',
      phone: '07700 900111',
      reason: 'Because',
      urgency: 'routine',
      programmeIds: [given.fixture.alphaProgrammeId],
      agreedToReferral: true,
    };
    const cases: [Record<string, unknown>, string][] = [
      [{ ...valid, preferredName: undefined }, 'preferredName'],
      [{ ...valid, preferredName: 12345 }, 'preferredName'],
      [{ ...valid, reason: 'x'.repeat(100_000) }, 'reason'],
      [{ ...valid, preferredName: 'y'.repeat(100_000) }, 'preferredName'],
      [{ ...valid, urgency: 'yesterday' }, 'urgency'],
      [{ ...valid, programmeIds: ['00000000-0000-4000-8000-000000000000'] }, 'programmeIds.0'],
      [{ ...valid, programmeIds: [betaProgramme?.id] }, 'programmeIds.0'],
      [{ ...valid, programmeIds: ["'; drop table referrals; --"] }, 'programmeIds.0'],
      [{ ...valid, agreedToReferral: false }, 'agreedToReferral'],
      [{ ...valid, phone: '<script>alert(1)</script>' }, 'phone'],
      [{ ...valid, source: 'telepathy' }, 'source'],
    ];
    const before = [await countOf(referrals), await countOf(personRecords)];
    for (const [body, field] of cases) {
      const response = await call(referrer, 'POST', '/api/v1/communities/alpha/referrals', body);
      expect(response.statusCode, field).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(
        response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field),
        field,
      ).toContain(field);
    }
    expect([await countOf(referrals), await countOf(personRecords)]).toEqual(before);
    // HTML and SQL in text are kept as text, and shown as text.
    const kept = await call(referrer, 'POST', '/api/v1/communities/alpha/referrals', {
      ...valid,
      preferredName: '<b>Bold</b>',
      reason: "Robert'); DROP TABLE referrals;--",
    });
    expect(kept.statusCode).toBe(201);
    const page = await (
      await signedIn('coordinator@alpha.test')
    ).get(`/c/alpha/referrals/${kept.json<{ id: string }>().id}`);
    expect(page.body).toContain('&lt;b&gt;Bold&lt;/b&gt;');
    expect(page.body).toContain('Robert&#39;); DROP TABLE referrals;--');
  });

  it('the same Idempotency-Key creates one referral, even sent twice at once', async () => {
    const before = await countOf(referrals);
    const headers = { 'idempotency-key': 'self-referral-once' };
    const [first, second] = await Promise.all([
      call(null, 'POST', '/api/v1/communities/alpha/referrals', selfBody, headers),
      call(null, 'POST', '/api/v1/communities/alpha/referrals', selfBody, headers),
    ]);
    expect([first.statusCode, second.statusCode]).toEqual([201, 201]);
    expect(first.json<{ id: string }>().id).toBe(second.json<{ id: string }>().id);
    expect(await countOf(referrals)).toBe(before + 1);
  });

  it('coordinators record, accept and decline through the API, and another community cannot', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const created = (
      await call(null, 'POST', '/api/v1/communities/alpha/referrals', { ...selfBody, preferredName: 'Work Me' })
    ).json<{ id: string }>();
    const attempt = await call(token, 'POST', `/api/v1/communities/alpha/referrals/${created.id}/contact-attempts`, {
      method: 'sms',
      outcome: 'sent',
    });
    expect(attempt.json()).toMatchObject({
      status: 'contacting',
      contactAttempts: [{ method: 'sms', outcome: 'sent' }],
    });
    const wrong = await call(token, 'POST', `/api/v1/communities/alpha/referrals/${created.id}/accept`, {
      programmeIds: [],
    });
    expect(wrong.statusCode).toBe(400);
    const betaAdmin = await tokenFor('admin@beta.test');
    expect(
      (
        await call(betaAdmin, 'POST', `/api/v1/communities/beta/referrals/${created.id}/accept`, {
          programmeIds: [given.fixture.alphaProgrammeId],
        })
      ).statusCode,
    ).toBe(404);
    const accepted = await call(token, 'POST', `/api/v1/communities/alpha/referrals/${created.id}/accept`, {
      programmeIds: [given.fixture.alphaProgrammeId],
    });
    expect(accepted.json()).toMatchObject({ status: 'accepted', programmes: [{ id: given.fixture.alphaProgrammeId }] });
  });
});

describe('self-referrals are rate limited', () => {
  it('an address that sends too many in an hour is told to wait', async () => {
    const limited = await startTestApp({ SELF_REFERRAL_RATE_LIMIT: '2' });
    try {
      const { seedFixture } = await import('../support/fixtures.ts');
      await seedFixture(limited.database.owner);
      const body = {
        source: 'self',
        preferredName: 'Limited',
        contactBy: ['phone'],
        phone: '07700 900333',
        evaluation: false,
      };
      const statuses = [];
      for (let index = 0; index < 3; index += 1)
        statuses.push(
          (await limited.app.inject({ method: 'POST', url: '/api/v1/communities/alpha/referrals', payload: body }))
            .statusCode,
        );
      expect(statuses).toEqual([201, 201, 429]);
    } finally {
      await limited.close();
    }
  });
});

describe('a person’s own referrals', () => {
  it('the person sees where each referral has got to and withdraws an open one online, once; nobody else can', async () => {
    const [made] = await owner()
      .insert(referrals)
      .values({
        communityId: given.fixture.alpha.id,
        reference: 'OWNR-2345',
        personRecordId: given.fixture.alphaTimebankMemberId,
        source: 'self',
        reason: 'Lonely',
        contactDueOn: '2026-01-05',
      })
      .returning({ id: referrals.id });
    const member = await signedIn('member@alpha.test');
    expect((await member.get('/c/alpha/me')).body).toContain('href="/c/alpha/me/referrals"');
    expect((await member.get('/c/alpha')).body).toContain('Your referral: see where it has got to');
    const list = await member.get('/c/alpha/me/referrals');
    expect(list.statusCode).toBe(200);
    expect(list.body).toContain('Reference OWNR-2345');
    expect(list.body).toContain('Received');
    const withdrawUrl = `/c/alpha/me/referrals/${made?.id}/withdraw`;
    expect(list.body).toContain(`href="${withdrawUrl}"`);

    // Someone else's referral is not theirs to see or withdraw.
    expect((await (await signedIn('peer-supporter@alpha.test')).get(withdrawUrl)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/me/referrals/${made?.id}/withdraw`,
          { note: '' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'POST',
          `/api/v1/communities/alpha/me/referrals/${made?.id}/withdraw`,
          { note: '' },
        )
      ).statusCode,
    ).toBe(404);

    const tooLong = await member.submit(withdrawUrl, withdrawUrl, { note: 'x'.repeat(2001) });
    expect(tooLong.statusCode).toBe(400);
    const page = await member.get(withdrawUrl);
    const formKey = /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const send = () =>
      member.request('POST', withdrawUrl, { form: { _csrf: token, formKey, note: 'I found a walking group myself' } });
    const [first, second] = [await send(), await send()];
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const [after] = await owner()
      .select()
      .from(referrals)
      .where(eq(referrals.id, made?.id ?? ''));
    expect(after?.status).toBe('withdrawn');
    expect(after?.outcomeNote).toBe('I found a walking group myself');
    const shown = await member.get('/c/alpha/me/referrals');
    expect(shown.body).toContain('Your referral is withdrawn.');
    expect(shown.body).toContain('Withdrawn on');
    expect(shown.body).not.toContain(`href="${withdrawUrl}"`);
    expect((await member.get('/c/alpha')).body).not.toContain('Your referral: see where it has got to');

    const api = await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/communities/alpha/me/referrals');
    expect(
      api
        .json<{ items: { reference: string; status: string; open: boolean }[] }>()
        .items.find((one) => one.reference === 'OWNR-2345'),
    ).toMatchObject({ status: 'withdrawn', open: false });
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/me/referrals/${made?.id}/withdraw`,
          { note: '' },
        )
      ).statusCode,
    ).toBe(409);
  });
});

describe('the triage queue, a page at a time', () => {
  it('for any filter, pages of any size list every matching referral once, urgent first, then overdue, then the rest, longest waiting first', async () => {
    const alpha = given.fixture.alpha.id;
    const [record] = await owner()
      .select({ id: personRecords.id, name: personRecords.preferredName })
      .from(personRecords)
      .where(eq(personRecords.communityId, alpha))
      .limit(1);
    if (!record) throw new Error('no record');
    const searchable = record.name.toLowerCase();
    // A spread of referrals: every status, urgency and source, some overdue, some contacted.
    const today = new Date().toISOString().slice(0, 10);
    const dayOffset = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
    const statuses = ['new', 'contacting', 'accepted', 'declined', 'withdrawn'] as const;
    const urgencies = ['routine', 'soon', 'urgent'] as const;
    await owner()
      .insert(referrals)
      .values(
        Array.from({ length: 30 }, (_, index) => ({
          communityId: alpha,
          reference: `PAGE-${String(index).padStart(3, '0')}`,
          personRecordId: record.id,
          source: index % 2 === 0 ? ('self' as const) : ('professional' as const),
          status: statuses[index % statuses.length],
          urgency: urgencies[index % urgencies.length],
          contactDueOn: dayOffset((index % 7) - 3),
          firstContactedAt: index % 4 === 0 ? new Date() : null,
          createdAt: new Date(Date.now() - (index % 9) * 3_600_000),
        })),
      );
    const filters: QueueFilter[] = [
      {},
      { status: 'open' },
      { status: 'new' },
      { status: 'declined' },
      { urgency: 'urgent' },
      { urgency: 'soon' },
      { status: 'open', urgency: 'urgent' },
      { status: 'open', overdue: true },
      { source: 'self' },
      { search: 'page-007' },
      { search: searchable.slice(1, 4), status: 'open' },
      { search: 'nobody-by-this-name' },
    ];
    const priorityOf = (row: {
      status: string;
      urgency: string;
      first_contacted_at: string | null;
      contact_due_on: string;
    }) =>
      ['new', 'contacting'].includes(row.status) && row.urgency === 'urgent'
        ? 0
        : ['new', 'contacting'].includes(row.status) && row.first_contacted_at === null && row.contact_due_on < today
          ? 1
          : 2;
    const everyReferral = (
      await owner().execute<{
        id: string;
        reference: string;
        status: string;
        urgency: string;
        source: string;
        first_contacted_at: string | null;
        contact_due_on: string;
        created_at: string;
        names: string;
      }>(
        sql`select r.id, r.reference, r.status, r.urgency, r.source, r.first_contacted_at::text, r.contact_due_on::text, r.created_at::text, p.preferred_name || ' ' || coalesce(p.full_name, '') as names from referrals r join person_records p on p.id = r.person_record_id where r.community_id = ${alpha}`,
      )
    ).rows;
    for (const filter of filters) {
      const expected = everyReferral
        .filter(
          (row) =>
            (filter.status === undefined ||
              (filter.status === 'open' ? ['new', 'contacting'].includes(row.status) : row.status === filter.status)) &&
            (filter.urgency === undefined || row.urgency === filter.urgency) &&
            (filter.source === undefined || row.source === filter.source) &&
            (!filter.overdue || priorityOf({ ...row, urgency: 'routine' }) === 1) &&
            (filter.search === undefined ||
              row.reference === filter.search.toUpperCase() ||
              row.names.toLowerCase().includes(filter.search.toLowerCase())),
        )
        .sort(
          (a, b) =>
            priorityOf(a) - priorityOf(b) ||
            new Date(a.created_at).getTime() - new Date(b.created_at).getTime() ||
            (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
        )
        .map((row) => row.reference);
      for (const limit of [1, 4, 50]) {
        const seen: string[] = [];
        let after: { priority: number; createdAt: string; id: string } | undefined;
        for (let page = 0; page < 100; page += 1) {
          const rows = await inCommunity(given.test.database.app, { communityId: alpha, personId: null }, (tx) =>
            queueRows(tx, alpha, filter, today, { limit, after }),
          );
          seen.push(...rows.slice(0, limit).map((row) => row.reference));
          const last = rows[limit - 1];
          if (rows.length <= limit || !last) break;
          after = { priority: last.priority, createdAt: last.createdAtExact, id: last.id };
        }
        expect(seen, `${JSON.stringify(filter)}, ${limit} a page`).toEqual(expected);
      }
    }
  });
});
