import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outbox, sessions } from '../../src/platform/db/schema.ts';
import { startTestApp, type TestApp } from '../support/app.ts';
import { fixturePassword, seedFixture } from '../support/fixtures.ts';
import { Visitor } from '../support/browser-like.ts';

let test: TestApp;

beforeAll(async () => {
  test = await startTestApp();
  await seedFixture(test.database.owner);
});
afterAll(() => test.close());

describe('signing in and out', () => {
  it('a person signs in, gets a new session id, lands on their community and signs out', async () => {
    const visitor = new Visitor(test.app);
    await visitor.csrfFrom('/sign-in');
    const before = visitor.sessionCookie;
    expect(before).toBeDefined();
    const response = await visitor.submit('/sign-in', '/sign-in', {
      email: 'member@alpha.test',
      password: fixturePassword,
    });
    expect(response.statusCode).toBe(302);
    expect(response.headers.location).toBe('/c/alpha');
    expect(visitor.sessionCookie).not.toBe(before);
    const cookie = response.cookies.find((one) => one.name === 'coproduce_session');
    expect(cookie?.httpOnly).toBe(true);
    expect(cookie?.sameSite).toBe('Lax');
    const home = await visitor.get('/c/alpha');
    expect(home.statusCode).toBe(200);
    expect(home.body).toContain('Hello, Alpha member');

    const out = await visitor.submit('/c/alpha', '/sign-out', {});
    expect(out.statusCode).toBe(303);
    expect((await visitor.get('/c/alpha')).headers.location).toBe('/sign-in?next=%2Fc%2Falpha');
  });

  it('a session is kept in PostgreSQL and ends when it expires', async () => {
    const visitor = new Visitor(test.app);
    await visitor.signIn('member@alpha.test', fixturePassword);
    expect((await visitor.get('/account')).statusCode).toBe(200);
    await test.database.owner.update(sessions).set({ expiresAt: new Date(Date.now() - 1000) });
    const after = await visitor.get('/account');
    expect(after.statusCode).toBe(302);
    expect(after.headers.location).toContain('/sign-in');
  });

  it('a form without its CSRF token is refused and changes nothing', async () => {
    const visitor = new Visitor(test.app);
    await visitor.signIn('admin@alpha.test', fixturePassword);
    const response = await visitor.request('POST', '/c/alpha/invitations/new', {
      form: { email: 'new@alpha.test', roles: 'member' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.body).toContain('This form has expired');
    const sent = await test.database.owner.select().from(outbox).where(eq(outbox.recipient, 'new@alpha.test'));
    expect(sent).toHaveLength(0);
  });
});

describe('wrong passwords', () => {
  it('say the same thing whether or not the account exists, then lock the account', async () => {
    const visitor = new Visitor(test.app);
    const known = await visitor.submit('/sign-in', '/sign-in', {
      email: 'peer-supporter@alpha.test',
      password: 'wrong-password',
    });
    const unknown = await visitor.submit('/sign-in', '/sign-in', {
      email: 'nobody-here@alpha.test',
      password: 'wrong-password',
    });
    expect(known.statusCode).toBe(400);
    expect(unknown.statusCode).toBe(400);
    const message = 'Enter a correct email address and password';
    expect(known.body).toContain(message);
    expect(unknown.body).toContain(message);
    for (let attempt = 2; attempt <= 4; attempt += 1) {
      expect(
        (
          await visitor.submit('/sign-in', '/sign-in', {
            email: 'peer-supporter@alpha.test',
            password: 'wrong-password',
          })
        ).statusCode,
      ).toBe(400);
    }
    const fifth = await visitor.submit('/sign-in', '/sign-in', {
      email: 'peer-supporter@alpha.test',
      password: 'wrong-password',
    });
    expect(fifth.statusCode).toBe(429);
    expect(fifth.body).toContain('Too many attempts to sign in');
    // Locked: even the right password is refused until the lock ends.
    const right = await visitor.submit('/sign-in', '/sign-in', {
      email: 'peer-supporter@alpha.test',
      password: fixturePassword,
    });
    expect(right.statusCode).toBe(429);
  });
});

describe('stylesheets', () => {
  it('are compiled for the default colour and colours communities use, and for no other', async () => {
    expect((await test.app.inject({ method: 'GET', url: '/assets/css/coproduce-005eb8.css' })).statusCode).toBe(200);
    expect((await test.app.inject({ method: 'GET', url: '/assets/css/coproduce-123456.css' })).statusCode).toBe(404);
  });
});

describe('security headers', () => {
  it('every page has a content security policy that allows no inline script', async () => {
    const response = await test.app.inject({ method: 'GET', url: '/sign-in' });
    const policy = response.headers['content-security-policy'];
    expect(policy).toContain("script-src 'self'");
    expect(policy).not.toContain('unsafe-inline');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });
});
