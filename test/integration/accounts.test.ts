import { and, desc, eq, isNull, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import * as OTPAuth from 'otpauth';
import { apiTokens, memberships, outbox, accounts } from '../../src/platform/db/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { codeAt, Visitor } from '../support/browser-like.ts';
import { fixturePassword, fixtureTwoStepKeys } from '../support/fixtures.ts';
import { lastLinkTo } from '../support/outbox.ts';

const given = useFixtureApp();

async function lastMessageTo(recipient: string) {
  const [message] = await given.test.database.owner
    .select()
    .from(outbox)
    .where(eq(outbox.recipient, recipient))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  return message;
}

describe('registering', () => {
  it('a second account with the same email (in any case) is refused and the form keeps what was typed', async () => {
    const visitor = new Visitor(given.test.app);
    const response = await visitor.submit('/register', '/register', {
      displayName: 'Copy Cat',
      email: 'MEMBER@alpha.test',
      password: 'a-long-enough-password',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('An account already uses this email address');
    expect(response.body).toContain('value="Copy Cat"');
    expect(response.body).not.toContain('a-long-enough-password');
    expect(
      await given.test.database.owner.select().from(accounts).where(eq(accounts.displayName, 'Copy Cat')),
    ).toHaveLength(0);
  });
});

describe('a forgotten password', () => {
  it('sends a link through the outbox; the link sets a new password once, signs the person in and everyone else out', async () => {
    const elsewhere = new Visitor(given.test.app);
    await elsewhere.signIn('member@alpha.test', fixturePassword);
    const made = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: 'member@alpha.test', password: fixturePassword },
    });
    expect(made.statusCode).toBe(201);
    const visitor = new Visitor(given.test.app);
    const asked = await visitor.submit('/forgot-password', '/forgot-password', { email: 'member@alpha.test' });
    expect(asked.headers.location).toBe('/forgot-password/sent');
    const message = await lastMessageTo('member@alpha.test');
    expect(message?.template).toBe('password-reset');
    expect(message?.status).toBe('not_sent');
    const link = /http:\/\/localhost:3000(\/reset-password\/\S+)/.exec(message?.body ?? '')?.[1];
    if (!link) throw new Error('no link in the message');

    const weak = await visitor.submit(link, link, { password: 'short' });
    expect(weak.statusCode).toBe(400);
    const done = await visitor.submit(link, link, { password: 'a-brand-new-password' });
    expect(done.headers.location).toBe('/account');
    expect((await visitor.get('/account')).statusCode).toBe(200);
    expect((await elsewhere.get('/account')).statusCode).toBe(302);
    const tokens = await given.test.database.owner
      .select()
      .from(apiTokens)
      .where(
        eq(
          apiTokens.personId,
          (await given.test.database.owner.select().from(accounts).where(eq(accounts.email, 'member@alpha.test')))[0]
            ?.id ?? '',
        ),
      );
    expect(tokens.every((token) => token.revokedAt !== null)).toBe(true);
    expect((await new Visitor(given.test.app).get(link)).statusCode).toBe(410);
    await new Visitor(given.test.app).signIn('member@alpha.test', 'a-brand-new-password');
  });

  it('answers the same for an email no account has, and sends nothing', async () => {
    const visitor = new Visitor(given.test.app);
    const asked = await visitor.submit('/forgot-password', '/forgot-password', { email: 'no.one@alpha.test' });
    expect(asked.headers.location).toBe('/forgot-password/sent');
    expect(await lastMessageTo('no.one@alpha.test')).toBeUndefined();
  });
});

describe('two-step sign-in', () => {
  it('a person turns it on with a code, and then signing in asks for a code', async () => {
    const visitor = new Visitor(given.test.app);
    await visitor.signIn('safeguarding-lead@alpha.test', fixturePassword);
    const setup = await visitor.get('/account/two-factor');
    const secret = /id="secret"[^>]*>([A-Z2-7 ]+)</.exec(setup.body)?.[1]?.replace(/ /g, '');
    if (!secret) throw new Error('no setup key on the page');
    const totp = new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30 });
    const wrong = await visitor.submit('/account/two-factor', '/account/two-factor', {
      code: '000000' === totp.generate() ? '111111' : '000000',
    });
    expect(wrong.statusCode).toBe(400);
    const on = await visitor.submit('/account/two-factor', '/account/two-factor', { code: totp.generate() });
    expect(on.headers.location).toBe('/account');

    const later = new Visitor(given.test.app);
    const password = await later.submit('/sign-in', '/sign-in', {
      email: 'safeguarding-lead@alpha.test',
      password: fixturePassword,
    });
    expect(password.headers.location).toBe('/sign-in/two-factor');
    expect((await later.get('/account')).statusCode).toBe(302);
    // The code that turned it on is used up: signing in takes the next one (clock drift lets it in early).
    const code = await later.submit('/sign-in/two-factor', '/sign-in/two-factor', {
      code: totp.generate({ timestamp: Date.now() + 30_000 }),
    });
    expect(code.headers.location).toBe('/c/alpha');
    expect((await later.get('/account')).statusCode).toBe(200);

    // Knowing the password buys no more guesses at the code: five wrong codes lock, even
    // with the password typed again between them.
    const guesser = new Visitor(given.test.app);
    const wrongCode = totp.generate() === '123456' ? '654321' : '123456';
    let last = 0;
    for (let guess = 1; guess <= 5; guess += 1) {
      await guesser.submit('/sign-in', '/sign-in', {
        email: 'safeguarding-lead@alpha.test',
        password: fixturePassword,
      });
      last = (await guesser.submit('/sign-in/two-factor', '/sign-in/two-factor', { code: wrongCode })).statusCode;
    }
    expect(last).toBe(429);
  });

  it('turning it on ends every browser and token that signed in with one step, and the key cannot be replaced afterwards', async () => {
    const email = 'two.step.newcomer@fixture.test';
    const hash = (
      await given.test.database.owner
        .select({ hash: accounts.passwordHash })
        .from(accounts)
        .where(eq(accounts.email, given.fixture.noMembership))
    )[0]?.hash;
    await given.test.database.owner
      .insert(accounts)
      .values({ email, displayName: 'Two Step Newcomer', passwordHash: hash, emailVerifiedAt: new Date() });
    const elsewhere = new Visitor(given.test.app);
    await elsewhere.signIn(email, fixturePassword);
    const token = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { email, password: fixturePassword },
      })
    ).json<{ token: string }>().token;
    const visitor = new Visitor(given.test.app);
    await visitor.signIn(email, fixturePassword);
    const setup = await visitor.get('/account/two-factor');
    const key = /id="secret"[^>]*>([A-Z2-7 ]+)</.exec(setup.body)?.[1]?.replace(/ /g, '') ?? '';
    expect(
      (await visitor.submit('/account/two-factor', '/account/two-factor', { code: codeAt(key) })).headers.location,
    ).toBe('/account');
    expect((await visitor.get('/account')).statusCode).toBe(200);
    expect((await elsewhere.get('/account')).statusCode).toBe(302);
    expect(
      (await given.test.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } }))
        .statusCode,
    ).toBe(401);
    // A second enrolment (another key, from a page opened before) is refused: the first key stands.
    const [before] = await given.test.database.owner
      .select({ secret: accounts.totpSecret })
      .from(accounts)
      .where(eq(accounts.email, email));
    const again = await visitor.request('POST', '/account/two-factor', {
      form: { code: codeAt(key, Date.now() + 30_000), _csrf: await visitor.csrfFrom('/account') },
    });
    expect(again.headers.location).toBe('/account/two-factor');
    const [after] = await given.test.database.owner
      .select({ secret: accounts.totpSecret })
      .from(accounts)
      .where(eq(accounts.email, email));
    expect(after?.secret).toBe(before?.secret);
  });

  it('a code works once: the same code in a second session within its 30 seconds is refused', async () => {
    const key = fixtureTwoStepKeys[given.fixture.platformAdmin] ?? '';
    const code = codeAt(key);
    const first = new Visitor(given.test.app);
    await first.submit('/sign-in', '/sign-in', { email: given.fixture.platformAdmin, password: fixturePassword });
    expect((await first.submit('/sign-in/two-factor', '/sign-in/two-factor', { code })).statusCode).toBe(302);
    const second = new Visitor(given.test.app);
    await second.submit('/sign-in', '/sign-in', { email: given.fixture.platformAdmin, password: fixturePassword });
    const replayed = await second.submit('/sign-in/two-factor', '/sign-in/two-factor', { code });
    expect(replayed.statusCode).toBe(400);
    expect(replayed.body).toContain('The security code is not right, or it was already used');
    expect((await second.get('/account')).statusCode).toBe(302);
    // Two sessions racing with one fresh code: exactly one gets in.
    const racers = [new Visitor(given.test.app), new Visitor(given.test.app)];
    for (const racer of racers)
      await racer.submit('/sign-in', '/sign-in', { email: given.fixture.platformAdmin, password: fixturePassword });
    const fresh = codeAt(key, Date.now() + 30_000);
    const tokens = await Promise.all(racers.map((racer) => racer.csrfFrom('/sign-in/two-factor')));
    const answers = await Promise.all(
      racers.map((racer, index) =>
        racer.request('POST', '/sign-in/two-factor', { form: { code: fresh, _csrf: tokens[index] ?? '' } }),
      ),
    );
    expect(answers.map((answer) => answer.statusCode).sort()).toEqual([302, 400]);
  });

  it('a platform admin without it is sent to turn it on before any platform page, and the API says so', async () => {
    const hash = (
      await given.test.database.owner
        .select({ hash: accounts.passwordHash })
        .from(accounts)
        .where(eq(accounts.email, given.fixture.platformAdmin))
    )[0]?.hash;
    await given.test.database.owner.insert(accounts).values({
      email: 'new.platform.admin@fixture.test',
      displayName: 'New Platform Admin',
      passwordHash: hash,
      isPlatformAdmin: true,
      emailVerifiedAt: new Date(),
    });
    const admin = new Visitor(given.test.app);
    const signedIn = await admin.signIn('new.platform.admin@fixture.test', fixturePassword);
    expect(signedIn.headers.location).toBe('/platform/communities');
    const page = await admin.get('/platform/communities');
    expect(page.headers.location).toBe('/account/two-factor?required=platform');
    const setup = await admin.get('/account/two-factor?required=platform');
    expect(setup.body).toContain('Platform admins sign in with two steps');
    expect((await admin.get('/api/v1/communities', { 'content-type': 'application/json' })).statusCode).toBe(403);
    const token = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: 'new.platform.admin@fixture.test', password: fixturePassword },
    });
    const refused = await given.test.app.inject({
      method: 'GET',
      url: '/api/v1/communities',
      headers: { authorization: `Bearer ${token.json<{ token: string }>().token}` },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'two-factor-required' });
  });

  it('a community that requires it sends staff without it to turn it on, and leaves members alone', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    const saved = await admin.submit('/c/alpha/settings', '/c/alpha/settings', {
      name: 'Alpha Time Bank',
      description: 'A test community.',
      contactEmail: 'hello@alpha.test',
      languages: 'en',
      requireStaffTwoFactor: 'true',
    });
    expect(saved.statusCode).toBe(303);
    expect((await admin.get('/c/alpha')).headers.location).toBe('/account/two-factor?required=1');
    const member = new Visitor(given.test.app);
    await member.signIn('facilitator@alpha.test', fixturePassword);
    expect((await member.get('/c/alpha')).statusCode).toBe(200);
    await given.test.database.owner.execute(
      sql`update communities set require_staff_two_factor = false where slug = 'alpha'`,
    );
  });
});

describe('confirming an email address', () => {
  it('a new account joins nothing until the link sent to its address is followed; the link works once', async () => {
    const visitor = new Visitor(given.test.app);
    const registered = await visitor.submit('/register', '/register', {
      displayName: 'Nell Newcomer',
      email: 'nell.newcomer@example.net',
      password: 'a-long-enough-password',
    });
    expect(registered.headers.location).toBe('/account/confirm-email');
    const waiting = await visitor.get('/account/confirm-email');
    expect(waiting.body).toContain('We have sent a link to nell.newcomer@example.net');
    const message = await lastMessageTo('nell.newcomer@example.net');
    expect(message).toMatchObject({ template: 'email-confirmation', status: 'not_sent' });
    // This server sends no email (no GOV.UK Notify): the page shows the message it would have sent.
    const link = await lastLinkTo(given.test.database.owner, 'nell.newcomer@example.net', 'email-confirmation');
    expect(waiting.body).toContain(`href="${link}"`);

    // Not yet: joining by page or API waits, and nothing is asked.
    const sentBack = (await visitor.get('/communities/alpha/join')).headers.location;
    expect(sentBack).toBe(`/account/confirm-email?next=${encodeURIComponent('/communities/alpha/join')}`);
    expect((await visitor.get(String(sentBack))).statusCode).toBe(200);
    const early = await visitor.request('POST', '/communities/alpha/join', {
      form: { message: 'Hello', _csrf: await visitor.csrfFrom('/account') },
    });
    expect(early.statusCode).toBe(303);
    const token = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { email: 'nell.newcomer@example.net', password: 'a-long-enough-password' },
      })
    ).json<{ token: string }>().token;
    const api = (method: string, url: string, payload?: object) =>
      given.test.app.inject({ method: method as 'GET', url, payload, headers: { authorization: `Bearer ${token}` } });
    expect((await api('GET', '/api/v1/me')).json()).toMatchObject({ emailConfirmed: false });
    const refused = await api('POST', '/api/v1/join-requests', { community: 'alpha' });
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'email-not-confirmed' });
    const [account] = await given.test.database.owner
      .select()
      .from(accounts)
      .where(eq(accounts.email, 'nell.newcomer@example.net'));
    expect(
      await given.test.database.owner
        .select()
        .from(memberships)
        .where(eq(memberships.personId, account?.id ?? '')),
    ).toHaveLength(0);

    // A new link can be sent; either works once.
    expect((await api('POST', '/api/v1/email-confirmations')).json()).toMatchObject({
      status: 'accepted',
      alreadyConfirmed: false,
    });
    // A link checker (no session) opening it confirms nothing: it is asked to press a button.
    const checker = await new Visitor(given.test.app).get(link);
    expect(checker.statusCode).toBe(200);
    expect(checker.body).toContain('Confirm my email address');
    expect((await api('GET', '/api/v1/me')).json()).toMatchObject({ emailConfirmed: false });
    const confirmed = await visitor.get(link);
    expect(confirmed.statusCode).toBe(200);
    expect(confirmed.body).toContain('Your email address is confirmed');
    expect(confirmed.body).toContain('href="/communities/alpha/join"');
    expect((await new Visitor(given.test.app).get(link)).statusCode).toBe(410);
    expect((await api('GET', '/api/v1/me')).json()).toMatchObject({ emailConfirmed: true });
    expect((await api('POST', '/api/v1/email-confirmations')).json()).toMatchObject({ alreadyConfirmed: true });
    expect((await api('POST', '/api/v1/join-requests', { community: 'alpha' })).statusCode).toBe(201);
    expect(
      await given.test.database.owner
        .execute(
          sql`select 1 from audit_events where action = 'person.email-confirmed' and actor_id = ${account?.id ?? ''}`,
        )
        .then((result) => result.rows.length),
    ).toBe(1);
  });

  it('on another device the link confirms with a press; through the API, with the token from the link', async () => {
    const made = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'api.newcomer@example.net', password: 'a-long-enough-password', displayName: 'Api Newcomer' },
    });
    expect(made.json()).toMatchObject({ emailConfirmed: false });
    const link = await lastLinkTo(given.test.database.owner, 'api.newcomer@example.net', 'email-confirmation');
    // Opened on another device, where nobody is signed in, it confirms with a press.
    const elsewhere = new Visitor(given.test.app);
    const pressed = await elsewhere.submit(link, link, {});
    expect(pressed.statusCode).toBe(200);
    expect(pressed.body).toContain('Your email address is confirmed');
    expect(pressed.body).toContain('href="/sign-in"');
    const second = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'api.second@example.net', password: 'a-long-enough-password', displayName: 'Api Second' },
    });
    expect(second.statusCode).toBe(201);
    const tokenFromLink =
      (await lastLinkTo(given.test.database.owner, 'api.second@example.net', 'email-confirmation')).split('/').pop() ??
      '';
    expect(
      (
        await given.test.app.inject({
          method: 'POST',
          url: '/api/v1/email-confirmations/confirm',
          payload: { token: 'not-it' },
        })
      ).statusCode,
    ).toBe(410);
    const confirmed = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/email-confirmations/confirm',
      payload: { token: tokenFromLink },
    });
    expect(confirmed.statusCode).toBe(200);
    for (const address of ['api.newcomer@example.net', 'api.second@example.net']) {
      const [account] = await given.test.database.owner.select().from(accounts).where(eq(accounts.email, address));
      expect(account?.emailVerifiedAt).toBeInstanceOf(Date);
    }
  });
});

describe('joining and approving through pages', () => {
  it('asking twice makes one request, and approving twice approves once', async () => {
    const newcomer = new Visitor(given.test.app);
    await newcomer.signIn(given.fixture.noMembership, fixturePassword);
    await newcomer.submit('/communities/alpha/join', '/communities/alpha/join', { message: 'Hello' });
    await newcomer.submit('/communities/alpha/join', '/communities/alpha/join', { message: 'Hello' });
    const [person] = await given.test.database.owner
      .select()
      .from(accounts)
      .where(eq(accounts.email, given.fixture.noMembership));
    const rows = await given.test.database.owner
      .select()
      .from(memberships)
      .where(eq(memberships.personId, person?.id ?? ''));
    const inAlpha = rows.filter((row) => row.communityId === given.fixture.alpha.id);
    expect(inAlpha).toHaveLength(1);
    const membershipId = inAlpha[0]?.id;

    const coordinator = new Visitor(given.test.app);
    await coordinator.signIn('coordinator@alpha.test', fixturePassword);
    const page = `/c/alpha/members/${membershipId}`;
    const token = await coordinator.csrfFrom(page);
    const first = await coordinator.request('POST', `${page}/approve`, { form: { _csrf: token } });
    const second = await coordinator.request('POST', `${page}/approve`, { form: { _csrf: token } });
    expect(first.statusCode).toBe(303);
    expect(second.statusCode).toBe(303);
    const approvals = await given.test.database.owner.execute<{ count: string }>(
      sql`select count(*)::text as count from audit_events where action = 'membership.approved' and subject_id = ${membershipId ?? ''}`,
    );
    expect(approvals.rows[0]?.count).toBe('1');
    expect((await lastMessageTo(given.fixture.noMembership))?.template).toBe('membership-approved');
    expect((await newcomer.get('/c/alpha')).statusCode).toBe(200);
  });
});

describe('inviting', () => {
  it('an admin who sends the same invitation twice sends one email', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    const token = await admin.csrfFrom('/c/alpha/invitations/new');
    const form = { _csrf: token, email: 'twice@alpha.test', roles: ['member', 'peer_supporter'] };
    expect((await admin.request('POST', '/c/alpha/invitations/new', { form })).statusCode).toBe(303);
    expect((await admin.request('POST', '/c/alpha/invitations/new', { form })).statusCode).toBe(303);
    const sent = await given.test.database.owner.select().from(outbox).where(eq(outbox.recipient, 'twice@alpha.test'));
    expect(sent).toHaveLength(1);
    const different = { ...form, roles: ['member'] };
    expect((await admin.request('POST', '/c/alpha/invitations/new', { form: different })).statusCode).toBe(303);
    expect(
      await given.test.database.owner.select().from(outbox).where(eq(outbox.recipient, 'twice@alpha.test')),
    ).toHaveLength(2);
  });

  it('the invited person creates an account from the link, accepts, and is in with the invited roles', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    await admin.submit('/c/alpha/invitations/new', '/c/alpha/invitations/new', {
      email: 'Invited.Person@alpha.test',
      roles: ['member', 'facilitator'],
    });
    const message = await lastMessageTo('Invited.Person@alpha.test');
    const link = /http:\/\/localhost:3000(\/communities\/alpha\/invitations\/\S+)/.exec(message?.body ?? '')?.[1];
    if (!link) throw new Error('no invitation link');

    const someoneElse = new Visitor(given.test.app);
    await someoneElse.signIn('member@beta.test', fixturePassword);
    const refused = await someoneElse.get(link);
    expect(refused.body).toContain('This invitation is for someone else');
    expect(refused.body).not.toContain('Accept invitation');

    // Someone not signed in reads the invitation, and makes an account with the invited address filled in.
    const invited = new Visitor(given.test.app);
    const invitation = await invited.get(link);
    expect(invitation.statusCode).toBe(200);
    expect(invitation.body).toContain('This invitation is for Invited.Person@alpha.test');
    const registerHref = /href="(\/register\?[^"]+)"/.exec(invitation.body)?.[1]?.replace(/&amp;/g, '&');
    expect(registerHref).toBe(`/register?${new URLSearchParams({ email: 'Invited.Person@alpha.test', next: link })}`);
    expect((await invited.get(registerHref ?? '')).body).toContain('value="Invited.Person@alpha.test"');
    expect(invitation.body).toContain(`/sign-in?next=${encodeURIComponent(link)}`);
    const registered = await invited.submit(`/register?next=${encodeURIComponent(link)}`, '/register', {
      displayName: 'Invited Person',
      email: 'invited.person@alpha.test',
      password: 'a-long-enough-password',
      next: link,
    });
    // Made from the invitation, for its address: the account is in at once.
    expect(registered.headers.location).toBe('/c/alpha');
    const home = await invited.get('/c/alpha');
    expect(home.body).toContain('You are here as: Member, Facilitator');
    expect((await invited.submit('/c/alpha', link, {})).statusCode).toBe(410);
  });

  it('an invitation with no role or a wrong email says what to fix and sends nothing', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    const response = await admin.submit('/c/alpha/invitations/new', '/c/alpha/invitations/new', {
      email: 'not an email',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select at least one role');
    expect(response.body).toContain('Enter an email address in the correct format');
    expect(response.body).toContain('value="not an email"');
  });
});

describe('API tokens made on the account page', () => {
  const tokenOn = (body: string) => /<code>(cp_[^<]+)<\/code>/.exec(body)?.[1];
  const activeTokens = async (email: string) => ({
    rows: await given.test.database.owner
      .select({ name: apiTokens.name })
      .from(apiTokens)
      .innerJoin(accounts, eq(accounts.id, apiTokens.personId))
      .where(and(eq(accounts.email, email), isNull(apiTokens.revokedAt)))
      .orderBy(apiTokens.createdAt),
  });

  it('a form sent twice (a double press, a retry) leaves one working token: the one the page shows', async () => {
    const visitor = new Visitor(given.test.app);
    await visitor.signIn(given.fixture.noMembership, fixturePassword);
    const page = await visitor.get('/account');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const formKey = /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    expect(formKey).toMatch(/^[0-9a-f-]{36}$/);
    const send = () => visitor.request('POST', '/account/tokens', { form: { _csrf: csrf, formKey, name: 'Laptop' } });
    const first = await send();
    const second = await send();
    expect([first.statusCode, second.statusCode]).toEqual([200, 200]);
    const shownFirst = tokenOn(first.body);
    const shownLast = tokenOn(second.body);
    expect(shownFirst).toBeDefined();
    expect(shownLast).toBeDefined();
    expect(shownLast).not.toBe(shownFirst);
    expect((await activeTokens(given.fixture.noMembership)).rows.map((row) => row.name)).toEqual(['Laptop']);
    // The page that shows the second says the first was cancelled; the first's page said nothing of it.
    expect(second.body).toContain('the token made the first time was cancelled');
    expect(first.body).not.toContain('the token made the first time was cancelled');

    // Sent at the same moment, the two take turns: still one token, the one of the answer that came last.
    const [a, b] = await Promise.all([send(), send()]);
    expect([a.statusCode, b.statusCode]).toEqual([200, 200]);
    expect((await activeTokens(given.fixture.noMembership)).rows).toHaveLength(1);
    const me = (token: string | undefined) =>
      given.test.app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: `Bearer ${token}` } });
    const working = [];
    for (const token of [shownFirst, shownLast, tokenOn(a.body), tokenOn(b.body)])
      working.push((await me(token)).statusCode);
    expect(working.slice(0, 2)).toEqual([401, 401]);
    expect(working.slice(2).sort()).toEqual([200, 401]);

    // The same form sent again after going back, with another name, or once its token is in use,
    // is not a repeat: the token already made stays.
    const [current] = (await activeTokens(given.fixture.noMembership)).rows;
    expect(current?.name).toBe('Laptop');
    const renamed = await visitor.request('POST', '/account/tokens', {
      form: { _csrf: csrf, formKey, name: 'Tablet' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.body).not.toContain('the token made the first time was cancelled');
    expect((await activeTokens(given.fixture.noMembership)).rows.map((row) => row.name)).toEqual(['Laptop', 'Tablet']);
    const tablet = tokenOn(renamed.body);
    expect((await me(tablet)).statusCode).toBe(200);
    const afterUse = await visitor.request('POST', '/account/tokens', {
      form: { _csrf: csrf, formKey, name: 'Tablet' },
    });
    expect(afterUse.statusCode).toBe(200);
    expect((await me(tablet)).statusCode).toBe(200);
    expect((await activeTokens(given.fixture.noMembership)).rows.map((row) => row.name)).toEqual([
      'Laptop',
      'Tablet',
      'Tablet',
    ]);

    // A new showing of the page is a new form: its token is one more.
    const again = await visitor.get('/account');
    const newKey = /name="formKey" value="([^"]+)"/.exec(again.body)?.[1] ?? '';
    expect(newKey).not.toBe(formKey);
    const other = await visitor.request('POST', '/account/tokens', {
      form: { _csrf: csrf, formKey: newKey, name: 'Phone' },
    });
    expect(other.statusCode).toBe(200);
    expect((await activeTokens(given.fixture.noMembership)).rows.map((row) => row.name)).toEqual([
      'Laptop',
      'Tablet',
      'Tablet',
      'Phone',
    ]);
  });
});
