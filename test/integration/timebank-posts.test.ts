// Offers and requests: posting, finding by words typed without accents, answering, private
// messages, following categories, background checks, reminders.
import { randomUUID } from 'node:crypto';
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { consents, personRecords } from '../../src/modules/people/schema.ts';
import { searchPosts, sendReminders } from '../../src/modules/timebank/posts.ts';
import { timebankPosts } from '../../src/modules/timebank/schema.ts';
import * as timebank from '../../src/modules/timebank/service.ts';
import { outbox, accounts } from '../../src/platform/db/schema.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const inMonths = (months: number) => new Date(Date.now() + months * 30 * 86_400_000).toISOString().slice(0, 10);
const today = () => new Date().toISOString().slice(0, 10);

/** An alpha account's own record, in the time bank and onboarded, agreeing to email. */
async function member(email: string, name: string, neighbourhood = 'Herne Hill'): Promise<string> {
  const [account] = await owner().select({ id: accounts.id }).from(accounts).where(eq(accounts.email, email));
  const [existing] = await owner()
    .select({ id: personRecords.id })
    .from(personRecords)
    .where(eq(personRecords.accountId, account?.id ?? ''));
  const id =
    existing?.id ??
    (
      await owner()
        .insert(personRecords)
        .values({ communityId: given.fixture.alpha.id, preferredName: name, accountId: account?.id, email })
        .returning({ id: personRecords.id })
    )[0]?.id ??
    '';
  await inCommunity(given.test.database.app, { communityId: given.fixture.alpha.id, personId: null }, (tx) =>
    timebank.joinTimebank(tx, {
      communityId: given.fixture.alpha.id,
      personRecordId: id,
      cameFrom: 'self',
      actorId: null,
      onboarded: true,
      neighbourhood,
    }),
  );
  // An account's record may exist already (the fixture's facilitator facilitates a peer group): it takes this test's name.
  if (existing) await owner().update(personRecords).set({ preferredName: name }).where(eq(personRecords.id, id));
  await owner()
    .insert(consents)
    .values({
      communityId: given.fixture.alpha.id,
      personRecordId: id,
      purpose: 'contact_email',
      granted: true,
      method: 'online',
    })
    .onConflictDoNothing();
  return id;
}

async function category(
  name: string,
  checkLevel: 'none' | 'basic' | 'enhanced' | 'enhanced_barred' = 'none',
  homeVisit = false,
): Promise<string> {
  const response = await call(
    await tokenFor('coordinator@alpha.test'),
    'POST',
    '/api/v1/communities/alpha/timebank/categories',
    { name, checkLevel, homeVisit },
  );
  return response.json<{ id: string }>().id;
}

const counts = async () =>
  (
    await owner().execute<{ posts: number; responses: number; messages: number; checks: number }>(
      sql`select (select count(*)::int from timebank_posts) as posts, (select count(*)::int from timebank_responses) as responses, (select count(*)::int from timebank_messages) as messages, (select count(*)::int from timebank_checks) as checks`,
    )
  ).rows[0];

describe('offers and requests', () => {
  it('a member offers café company; another finds it typing "cafe", answers, and they exchange messages without sharing addresses', async () => {
    const poster = await member('peer-supporter@alpha.test', 'Pat Poster');
    const finder = await member('facilitator@alpha.test', 'Fran Finder');
    const cafe = await category('Café company');
    const following = await member('safeguarding-lead@alpha.test', 'Sue Follower', 'Brixton');
    await call(await tokenFor('safeguarding-lead@alpha.test'), 'PUT', '/api/v1/communities/alpha/timebank/follows', {
      categoryIds: [cafe],
    });

    const posterPage = await signedIn('peer-supporter@alpha.test');
    const missing = await posterPage.submit('/c/alpha/timebank/posts/new?kind=offer', '/c/alpha/timebank/posts/new', {
      kind: 'offer',
      title: '',
      categoryId: cafe,
      place: 'neighbourhood',
      neighbourhood: '',
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Say what it is, in a few words');
    const posted = await posterPage.submit('/c/alpha/timebank/posts/new?kind=offer', '/c/alpha/timebank/posts/new', {
      kind: 'offer',
      title: 'Company at the Café Rio on Thursdays',
      description: 'I go every Thursday morning and would like company. Gardening chat welcome.',
      categoryId: cafe,
      place: 'neighbourhood',
      neighbourhood: 'Herne Hill',
      whenAvailable: 'Thursday mornings',
      'endsOn-day': String(new Date(inMonths(2)).getUTCDate()),
      'endsOn-month': String(new Date(inMonths(2)).getUTCMonth() + 1),
      'endsOn-year': String(new Date(inMonths(2)).getUTCFullYear()),
      formKey: randomUUID(),
    });
    expect(posted.statusCode).toBe(303);
    const postUrl = String(posted.headers.location);
    const postId = postUrl.split('/').pop() ?? '';
    // The follower heard of it; nobody else did.
    const alerts = await owner().select().from(outbox).where(eq(outbox.template, 'timebank-new-post'));
    expect(alerts.map((alert) => alert.recipient)).toEqual(['safeguarding-lead@alpha.test']);
    expect(following).toBeTruthy();

    const finderPage = await signedIn('facilitator@alpha.test');
    for (const words of ['cafe', 'CAFÉ rio', 'gardens', 'thursday']) {
      const found = await finderPage.get(`/c/alpha/timebank/posts?q=${encodeURIComponent(words)}`);
      expect(found.body, words).toContain('Company at the Café Rio on Thursdays');
    }
    expect((await finderPage.get('/c/alpha/timebank/posts?q=plumbing')).body).not.toContain('Café Rio');
    expect((await finderPage.get('/c/alpha/timebank/posts?kind=request&q=cafe')).body).not.toContain('Café Rio');
    expect((await finderPage.get('/c/alpha/timebank/posts?near=yes&q=cafe')).body).toContain('Café Rio');
    // Another community's search never finds it.
    const elsewhere = await call(
      await tokenFor('member@beta.test'),
      'GET',
      '/api/v1/communities/beta/timebank/offers?q=cafe',
    );
    expect(elsewhere.json<{ items: unknown[] }>().items).toEqual([]);
    const api = await call(
      await tokenFor('facilitator@alpha.test'),
      'GET',
      '/api/v1/communities/alpha/timebank/offers?q=cafe',
    );
    expect(api.json<{ items: { id: string; homeVisit: boolean }[] }>().items.map((item) => item.id)).toEqual([postId]);

    const noMessage = await finderPage.submit(postUrl, `${postUrl}/respond`, { message: '' });
    expect(noMessage.statusCode).toBe(400);
    expect(noMessage.body).toContain('Write a message');
    const answered = await finderPage.submit(postUrl, `${postUrl}/respond`, {
      message: 'I would love to come along this Thursday.',
    });
    expect(answered.statusCode).toBe(303);
    const conversationUrl = String(answered.headers.location);
    const told = await owner().select().from(outbox).where(eq(outbox.template, 'timebank-response'));
    expect(told.map((message) => message.recipient)).toEqual(['peer-supporter@alpha.test']);
    expect(told[0]?.body).not.toContain('facilitator@alpha.test');
    // Answering twice is one answer.
    const again = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/posts/${postId}/responses`,
      { message: 'Me again' },
    );
    expect(again.statusCode).toBe(409);

    const posterView = await posterPage.get(postUrl);
    expect(posterView.body).toContain('Fran Finder');
    const reply = await posterPage.submit(conversationUrl, conversationUrl, {
      message: 'Lovely, see you at 10.',
      formKey: randomUUID(),
    });
    expect(reply.statusCode).toBe(303);
    const thread = await finderPage.get(conversationUrl);
    expect(thread.body).toContain('Lovely, see you at 10.');
    expect(thread.body).not.toContain('peer-supporter@alpha.test');
    expect(thread.body).toContain(`/timebank/exchanges/new?with=${poster}`);
    // Nobody else reads it.
    expect((await (await signedIn('member@alpha.test')).get(conversationUrl)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'GET',
          `/api/v1/communities/alpha/timebank/conversations/${conversationUrl.split('/').pop()}`,
        )
      ).statusCode,
    ).toBe(404);
    expect(finder).toBeTruthy();

    // Closed, it no longer shows.
    await posterPage.submit(postUrl, `${postUrl}/close`, {});
    expect((await finderPage.get('/c/alpha/timebank/posts?q=cafe')).body).not.toContain('Café Rio');
  });

  it('bad posts answer 400 and write nothing; someone still joining cannot post; a member cannot post for someone else', async () => {
    await member('peer-supporter@alpha.test', 'Pat Poster');
    const token = await tokenFor('peer-supporter@alpha.test');
    const categoryId = await category('Shopping');
    const before = await counts();
    const base = { title: 'Shopping on Fridays', categoryId, place: 'online', endsOn: inMonths(1) };
    for (const [what, body] of [
      ['no title', { ...base, title: '   ' }],
      ['ended already', { ...base, endsOn: '2020-01-01' }],
      ['more than a year away', { ...base, endsOn: inMonths(14) }],
      ['a neighbourhood place without a neighbourhood', { ...base, place: 'neighbourhood', neighbourhood: '' }],
      ['an unknown place', { ...base, place: 'the moon' }],
      ['another community’s category', { ...base, categoryId: randomUUID() }],
      ['for someone else, as a member', { ...base, forPersonId: given.fixture.alphaPersonId }],
      ['a title of 500 characters', { ...base, title: 'x'.repeat(500) }],
    ] as const) {
      const answer = await call(token, 'POST', '/api/v1/communities/alpha/timebank/requests', body, {
        'idempotency-key': randomUUID(),
      });
      expect(answer.statusCode, what).toBe(400);
    }
    const [joining] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Still Joining' })
      .returning({ id: personRecords.id });
    await call(await tokenFor('coordinator@alpha.test'), 'POST', '/api/v1/communities/alpha/timebank/members', {
      personRecordId: joining?.id,
    });
    const forJoining = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/requests',
      { ...base, forPersonId: joining?.id },
      { 'idempotency-key': randomUUID() },
    );
    expect(forJoining.statusCode).toBe(400);
    expect(await counts()).toEqual(before);
    // A coordinator posts for a member who is not online.
    const forAda = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/requests',
      { ...base, forPersonId: given.fixture.alphaPersonId },
      { 'idempotency-key': randomUUID() },
    );
    expect(forAda.statusCode).toBe(201);
    expect(forAda.json<{ poster: string }>().poster).toBe('Ada Lovelace');
  });
});

describe('searching many matches', () => {
  it('ranks the newest matches, best first, then gives the older ones newest first, each once across pages', async () => {
    const poster = await member('member@alpha.test', 'Mo Member');
    const categoryId = await category('Walks together');
    const communityId = given.fixture.alpha.id;
    // Six posts about walks, a day apart: the oldest two say it most, so rank best of all.
    const titles = ['Walks walks walks', 'Walks and walks', 'A walk', 'A walk round', 'A walk out', 'A walk in'];
    const ids: string[] = titles.map(() => randomUUID());
    await owner()
      .insert(timebankPosts)
      .values(
        titles.map((title, index) => ({
          id: ids[index],
          communityId,
          kind: 'offer' as const,
          personRecordId: poster,
          title,
          categoryId,
          place: 'online' as const,
          endsOn: inMonths(2),
          createdAt: new Date(Date.now() - (10 - index) * 86_400_000),
        })),
      );
    const pages: { id: string; rank: number }[][] = [];
    let after: { rank: number; createdAt: string; id: string } | undefined;
    do {
      const found = await inCommunity(given.test.database.app, { communityId, personId: null }, (tx) =>
        searchPosts(tx, communityId, { q: 'walk', limit: 2, ranked: 3, after }),
      );
      pages.push(found.items.map((item) => ({ id: item.id, rank: item.rank })));
      after = found.next ?? undefined;
    } while (after && pages.length < 10);
    const order = pages.flat().map((item) => ids.indexOf(item.id));
    // The newest three (5, 4, 3) ranked among themselves, then 2, 1, 0 newest first, though 0 and 1 rank best.
    expect(order.slice(0, 3).sort()).toEqual([3, 4, 5]);
    expect(order.slice(3)).toEqual([2, 1, 0]);
    expect(
      pages
        .flat()
        .slice(3)
        .map((item) => item.rank),
    ).toEqual([-1, -1, -1]);
    expect(pages.map((page) => page.length)).toEqual([2, 2, 2]);
    // With every match ranked, the best come first.
    const all = await inCommunity(given.test.database.app, { communityId, personId: null }, (tx) =>
      searchPosts(tx, communityId, { q: 'walk', limit: 6 }),
    );
    expect(all.items.slice(0, 2).map((item) => ids.indexOf(item.id))).toEqual([0, 1]);
  });
});

describe('background checks', () => {
  it('someone without a current check cannot take up a home-visit request that needs one, sees why, and can once a coordinator records one', async () => {
    const helper = await member('member@alpha.test', 'Alpha member');
    const personalCare = await category('Personal care at home', 'enhanced_barred', true);
    const request = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/requests',
      {
        title: 'Help getting washed and dressed',
        categoryId: personalCare,
        place: 'home',
        endsOn: inMonths(1),
        forPersonId: given.fixture.alphaPersonId,
      },
      { 'idempotency-key': randomUUID() },
    );
    const postId = request.json<{ id: string }>().id;
    const helperPage = await signedIn('member@alpha.test');
    const page = await helperPage.get(`/c/alpha/timebank/posts/${postId}`);
    expect(page.body).toContain('This help needs an enhanced DBS check with a barred list check');
    expect(page.body).not.toContain('Send: I can help');
    const before = await counts();
    const refused = await call(
      await tokenFor('member@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/posts/${postId}/responses`,
      { message: 'I can help' },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.json<{ code: string }>().code).toBe('timebank-check-needed');
    // Recording such help given is refused too.
    const exchange = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/exchanges',
      {
        giver: helper,
        receiver: given.fixture.alphaPersonId,
        minutes: 60,
        occurredOn: today(),
        categoryId: personalCare,
      },
    );
    expect(exchange.statusCode).toBe(400);
    expect(await counts()).toEqual(before);

    const coordinator = await signedIn('coordinator@alpha.test');
    const memberUrl = `/c/alpha/timebank/members/${helper}`;
    const bad = await coordinator.submit(memberUrl, `${memberUrl}/checks`, {
      level: 'enhanced_barred',
      certificateNumber: '1234',
      'issuedOn-day': '1',
      'issuedOn-month': '1',
      'issuedOn-year': '2026',
      'expiresOn-day': '1',
      'expiresOn-month': '1',
      'expiresOn-year': '2025',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The certificate number is 12 digits');
    expect(bad.body).toContain('The renewal date must be after the date it was issued');
    // A basic check is not enough; an expired enhanced one is not current.
    await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/members/${helper}/checks`,
      { level: 'basic', certificateNumber: '000000000001', issuedOn: '2026-01-01', expiresOn: '2029-01-01' },
    );
    await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/members/${helper}/checks`,
      { level: 'enhanced_barred', certificateNumber: '000000000002', issuedOn: '2022-01-01', expiresOn: '2025-01-01' },
    );
    expect((await helperPage.get(`/c/alpha/timebank/posts/${postId}`)).body).toContain(
      'This help needs an enhanced DBS check with a barred list check',
    );
    const recorded = await coordinator.submit(memberUrl, `${memberUrl}/checks`, {
      level: 'enhanced_barred',
      certificateNumber: '001234567890',
      'issuedOn-day': '1',
      'issuedOn-month': '3',
      'issuedOn-year': '2026',
      'expiresOn-day': '1',
      'expiresOn-month': '3',
      'expiresOn-year': '2029',
    });
    expect(recorded.statusCode).toBe(303);
    expect((await helperPage.get(`/c/alpha/timebank/posts/${postId}`)).body).toContain('Send: I can help');
    const answered = await call(
      await tokenFor('member@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/timebank/posts/${postId}/responses`,
      { message: 'I can help on Tuesdays' },
    );
    expect(answered.statusCode).toBe(201);
  });

  it('checks running out show on the coordinator’s page, and their people and posters of ending posts are reminded once', async () => {
    const due = await member('partner@alpha.test', 'Dee Due');
    await owner().execute(
      sql`insert into timebank_checks (community_id, person_record_id, level, certificate_number, issued_on, expires_on) values (${given.fixture.alpha.id}, ${due}, 'basic', '000000000099', current_date - 1000, current_date + 10)`,
    );
    const categoryId = await category('Reminders');
    await call(
      await tokenFor('partner@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/offers',
      { title: 'Ending soon', categoryId, place: 'online', endsOn: inMonths(0) },
      { 'idempotency-key': randomUUID() },
    );
    const home = await (await signedIn('coordinator@alpha.test')).get('/c/alpha/timebank');
    expect(home.body).toContain('Background checks due for renewal');
    expect(home.body).toContain('Dee Due');
    const first = await sendReminders(owner(), 'http://localhost:3000', false);
    expect(first.checks).toBeGreaterThanOrEqual(1);
    expect(first.posts).toBeGreaterThanOrEqual(1);
    const second = await sendReminders(owner(), 'http://localhost:3000', false);
    expect(second).toEqual({ posts: 0, checks: 0 });
    const told = await owner().select().from(outbox).where(eq(outbox.recipient, 'partner@alpha.test'));
    expect(told.map((message) => message.template).sort()).toEqual(['timebank-check-expiring', 'timebank-post-ending']);
  });
});

describe('changing a post', () => {
  it('the poster changes their open post on a page or through the API; a mistake changes nothing; nobody else can', async () => {
    const categoryId = given.fixture.alphaCategoryId;
    const made = await call(
      await tokenFor('member@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/timebank/offers',
      { title: 'Help with weeding', categoryId, place: 'online', endsOn: inMonths(2) },
      { 'idempotency-key': randomUUID() },
    );
    expect(made.statusCode, made.body).toBe(201);
    const postId = made.json<{ id: string }>().id;
    const member = await signedIn('member@alpha.test');
    const url = `/c/alpha/timebank/posts/${postId}`;
    expect((await member.get(url)).body).toContain(`href="${url}/edit"`);
    const form = await member.get(`${url}/edit`);
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('<h1>Change your post</h1>');
    expect(form.body).toContain('value="Help with weeding"');
    const [day, month, year] = [inMonths(3).slice(8, 10), inMonths(3).slice(5, 7), inMonths(3).slice(0, 4)];
    const blank = await member.submit(`${url}/edit`, `${url}/edit`, {
      title: '',
      categoryId,
      place: 'online',
      'endsOn-day': day,
      'endsOn-month': month,
      'endsOn-year': year,
    });
    expect(blank.statusCode).toBe(400);
    const saved = await member.submit(`${url}/edit`, `${url}/edit`, {
      title: 'Help with weeding and pruning',
      description: 'Saturday mornings',
      categoryId,
      place: 'online',
      'endsOn-day': day,
      'endsOn-month': month,
      'endsOn-year': year,
    });
    expect(saved.statusCode).toBe(303);
    const page = await member.get(url);
    expect(page.body).toContain('Your post is changed.');
    expect(page.body).toContain('Help with weeding and pruning');

    // Someone else: not theirs to change, on the page or through the API.
    expect((await (await signedIn('peer-supporter@alpha.test')).get(`${url}/edit`)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/timebank/posts/${postId}`,
          { title: 'Mine now', categoryId, place: 'online', endsOn: inMonths(2) },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(await tokenFor('member@beta.test'), 'PUT', `/api/v1/communities/alpha/timebank/posts/${postId}`, {
          title: 'Mine now',
          categoryId,
          place: 'online',
          endsOn: inMonths(2),
        })
      ).statusCode,
    ).toBe(404);

    const viaApi = await call(
      await tokenFor('member@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/timebank/posts/${postId}`,
      { title: 'Pruning only', categoryId, place: 'online', endsOn: inMonths(1) },
    );
    expect(viaApi.statusCode, viaApi.body).toBe(200);
    expect(viaApi.json()).toMatchObject({ id: postId, title: 'Pruning only', kind: 'offer' });
    expect(
      (
        await call(await tokenFor('member@alpha.test'), 'PUT', `/api/v1/communities/alpha/timebank/posts/${postId}`, {
          title: '',
          categoryId,
          place: 'online',
          endsOn: inMonths(1),
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/timebank/posts/${postId}/close`,
        )
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await call(await tokenFor('member@alpha.test'), 'PUT', `/api/v1/communities/alpha/timebank/posts/${postId}`, {
          title: 'Too late',
          categoryId,
          place: 'online',
          endsOn: inMonths(1),
        })
      ).statusCode,
    ).toBe(409);
  });
});
