import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { memberships, outbox, accounts } from '../../src/platform/db/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { fixturePassword, fixtureTwoStepKeys } from '../support/fixtures.ts';
import { codeAt } from '../support/browser-like.ts';

const given = useFixtureApp();

async function tokenFor(email: string): Promise<string> {
  const response = await given.test.app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { email, password: fixturePassword, name: 'test' },
  });
  expect(response.statusCode).toBe(201);
  return response.json<{ token: string }>().token;
}

function call(token: string, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) {
  return given.test.app.inject({
    method: method as 'GET',
    url,
    payload: payload as object,
    headers: { authorization: `Bearer ${token}`, ...headers },
  });
}

describe('personal access tokens', () => {
  it('a token made with email and password works on /api/v1/me, is listed, and stops working once revoked', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    expect(token).toMatch(/^cp_/);
    const me = await call(token, 'GET', '/api/v1/me');
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({
      email: 'coordinator@alpha.test',
      memberships: [
        { community: { slug: 'alpha', name: 'Alpha Time Bank' }, status: 'active', roles: ['coordinator'] },
      ],
    });
    const listed = await call(token, 'GET', '/api/v1/tokens');
    const items = listed.json<{ items: { id: string; name: string }[] }>().items;
    expect(items.map((item) => item.name)).toContain('test');
    expect(JSON.stringify(listed.json())).not.toContain(token);
    const own = items[0];
    if (!own) throw new Error('no token listed');
    expect((await call(token, 'DELETE', `/api/v1/tokens/${own.id}`)).statusCode).toBe(204);
    const after = await call(token, 'GET', '/api/v1/me');
    expect(after.statusCode).toBe(401);
    expect(after.headers['content-type']).toContain('application/problem+json');
  });

  it('a wrong password gives a problem document and no token', async () => {
    const response = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: 'member@alpha.test', password: 'not it' },
    });
    expect(response.statusCode).toBe(401);
    expect(response.json()).toMatchObject({
      status: 401,
      code: 'sign-in-failed',
      type: 'urn:coproduce:problem:sign-in-failed',
    });
  });

  it('a person cannot revoke someone else’s token', async () => {
    const mine = await tokenFor('member@alpha.test');
    const theirs = await tokenFor('facilitator@alpha.test');
    const theirList = await call(theirs, 'GET', '/api/v1/tokens');
    const theirId = theirList.json<{ items: { id: string }[] }>().items[0]?.id;
    expect((await call(mine, 'DELETE', `/api/v1/tokens/${theirId}`)).statusCode).toBe(404);
    expect((await call(theirs, 'GET', '/api/v1/me')).statusCode).toBe(200);
  });
});

describe('problem+json', () => {
  it('bad input answers 400 with an error for each field, in plain words, and changes nothing', async () => {
    const response = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/accounts',
      payload: { email: 'nope', password: 'short', displayName: '' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const problem = response.json<{ errors: { field: string; code: string; message: string }[] }>();
    expect(problem.errors).toEqual(
      expect.arrayContaining([
        {
          field: 'email',
          code: 'errors.email.invalid',
          message: 'Enter an email address in the correct format, like name@example.com',
        },
        { field: 'password', code: 'errors.password.tooShort', message: 'Password must be 10 characters or more' },
        { field: 'displayName', code: 'errors.displayName.missing', message: 'Enter your name' },
      ]),
    );
    expect(await given.test.database.owner.select().from(accounts).where(eq(accounts.email, 'nope'))).toHaveLength(0);
  });

  it('an unknown API path is a 404 problem', async () => {
    const response = await given.test.app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404, code: 'not-found' });
  });

  it('a browser session changes nothing through the API without a JSON request (cross-site request forgery)', async () => {
    const bodiless = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/memberships/00000000-0000-4000-8000-000000000000/remove',
      headers: { cookie: 'coproduce_session=x' },
    });
    expect([401, 415]).toContain(bodiless.statusCode);
  });

  it('a form post to the API with a browser session is refused (cross-site request forgery)', async () => {
    const response = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/join-requests',
      payload: 'community=alpha',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: 'coproduce_session=x' },
    });
    expect([401, 415]).toContain(response.statusCode);
  });
});

describe('communities through the API', () => {
  it('a member reads their community; a member of another community gets 404, never a hint it exists', async () => {
    const member = await tokenFor('member@alpha.test');
    const other = await tokenFor(given.fixture.otherCommunityMember);
    const mine = await call(member, 'GET', '/api/v1/communities/alpha');
    expect(mine.statusCode).toBe(200);
    expect(mine.json()).toMatchObject({ slug: 'alpha', name: 'Alpha Time Bank' });
    const theirs = await call(other, 'GET', '/api/v1/communities/alpha');
    const missing = await call(other, 'GET', '/api/v1/communities/no-such-community');
    expect(theirs.statusCode).toBe(404);
    expect(missing.statusCode).toBe(404);
    expect(theirs.body).toBe(missing.body.replace('no-such-community', 'alpha'));
  });

  it('PATCH changes only what is sent, and a wrong value is a field error', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const before = (await call(admin, 'GET', '/api/v1/communities/alpha')).json<Record<string, unknown>>();
    const patched = await call(admin, 'PATCH', '/api/v1/communities/alpha', { contactPhone: '020 7946 0001' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toEqual({ ...before, contactPhone: '020 7946 0001' });
    const wrong = await call(admin, 'PATCH', '/api/v1/communities/alpha', { brandColour: 'green' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.json()).toMatchObject({ errors: [{ field: 'brandColour', code: 'errors.brandColour.invalid' }] });
    const unknown = await call(admin, 'PATCH', '/api/v1/communities/alpha', { slug: 'elsewhere' });
    expect(unknown.statusCode).toBe(400);
  });

  it('memberships are listed page by page with a cursor, without repeats or gaps', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const response = await call(
        admin,
        'GET',
        `/api/v1/communities/alpha/memberships?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
      );
      expect(response.statusCode).toBe(200);
      const page = response.json<{ items: { id: string }[]; nextCursor: string | null }>();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
      pages += 1;
    } while (cursor && pages < 20);
    const all = await given.test.database.owner
      .select({ id: memberships.id })
      .from(memberships)
      .where(eq(memberships.communityId, given.fixture.alpha.id));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.sort()).toEqual(all.map((row) => row.id).sort());
    expect(pages).toBeGreaterThan(1);
    const tampered = await call(admin, 'GET', '/api/v1/communities/alpha/memberships?cursor=garbage');
    expect(tampered.statusCode).toBe(400);
    expect(tampered.json()).toMatchObject({ errors: [{ field: 'cursor' }] });
  });

  it('an admin approves a request to join with roles, and a coordinator cannot change roles', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const coordinator = await tokenFor('coordinator@alpha.test');
    const waiting = await call(admin, 'GET', '/api/v1/communities/alpha/memberships?status=requested');
    const request = waiting.json<{ items: { id: string }[] }>().items[0];
    if (!request) throw new Error('nobody waiting');
    const approved = await call(admin, 'POST', `/api/v1/communities/alpha/memberships/${request.id}/approve`, {
      roles: ['member', 'peer_supporter'],
    });
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ status: 'active', roles: ['member', 'peer_supporter'] });
    const another = waiting.json<{ items: { id: string }[] }>().items[1];
    if (!another) throw new Error('nobody else waiting');
    const promoting = await call(coordinator, 'POST', `/api/v1/communities/alpha/memberships/${another.id}/approve`, {
      roles: ['admin'],
    });
    expect(promoting.statusCode).toBe(403);
    const lettingIn = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/memberships/${another.id}/approve`,
      {},
    );
    expect(lettingIn.json()).toMatchObject({ status: 'active', roles: ['member'] });
    const refused = await call(coordinator, 'POST', `/api/v1/communities/alpha/memberships/${request.id}/roles`, {
      roles: ['admin'],
    });
    expect(refused.statusCode).toBe(403);
    const wrongRoles = await call(admin, 'POST', `/api/v1/communities/alpha/memberships/${request.id}/roles`, {
      roles: ['wizard'],
    });
    expect(wrongRoles.statusCode).toBe(400);
  });

  it('the last admin cannot be removed or lose the admin role', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const me = await call(admin, 'GET', '/api/v1/communities/alpha/memberships?status=active&limit=100');
    const own = me
      .json<{ items: { id: string; person: { email: string } }[] }>()
      .items.find((item) => item.person.email === 'admin@alpha.test');
    if (!own) throw new Error('admin membership not found');
    const demote = await call(admin, 'POST', `/api/v1/communities/alpha/memberships/${own.id}/roles`, {
      roles: ['member'],
    });
    expect(demote.statusCode).toBe(409);
    expect(demote.json()).toMatchObject({ code: 'last-admin' });
    const remove = await call(admin, 'POST', `/api/v1/communities/alpha/memberships/${own.id}/remove`);
    expect(remove.statusCode).toBe(409);
  });
});

describe('creating communities', () => {
  it('a platform admin creates a community and its first admin is invited by email; a taken name is a field error', async () => {
    // A platform admin signs in with two steps: a token needs the code too, and a code works once.
    const withoutCode = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: given.fixture.platformAdmin, password: fixturePassword },
    });
    expect(withoutCode.statusCode).toBe(401);
    const code = codeAt(fixtureTwoStepKeys[given.fixture.platformAdmin] ?? '');
    const withCode = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: given.fixture.platformAdmin, password: fixturePassword, code },
    });
    expect(withCode.statusCode).toBe(201);
    const replayed = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      payload: { email: given.fixture.platformAdmin, password: fixturePassword, code },
    });
    expect(replayed.statusCode).toBe(401);
    const platform = withCode.json<{ token: string }>().token;
    const created = await call(platform, 'POST', '/api/v1/communities', {
      slug: 'gamma',
      name: 'Gamma Learning Centre',
      contactEmail: 'hello@gamma.test',
      firstAdminEmail: 'lead@gamma.test',
      languages: ['en', 'cy'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      slug: 'gamma',
      name: 'Gamma Learning Centre',
      languages: ['en', 'cy'],
      requireStaffTwoFactor: false,
    });
    const [invitation] = await given.test.database.owner
      .select()
      .from(outbox)
      .where(eq(outbox.recipient, 'lead@gamma.test'));
    expect(invitation?.template).toBe('invitation');
    expect(invitation?.body).toContain('/communities/gamma/invitations/');
    const again = await call(platform, 'POST', '/api/v1/communities', { slug: 'gamma', name: 'Another' });
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ errors: [{ field: 'slug', code: 'errors.slug.taken' }] });
    const reserved = await call(platform, 'POST', '/api/v1/communities', { slug: 'api', name: 'Reserved' });
    expect(reserved.statusCode).toBe(400);
    const admin = await tokenFor('admin@alpha.test');
    expect((await call(admin, 'POST', '/api/v1/communities', { slug: 'delta', name: 'Delta' })).statusCode).toBe(403);
  });
});

describe('Idempotency-Key', () => {
  it('the same key twice creates one thing and returns the first answer', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const body = { email: 'invited.once@alpha.test', roles: ['member'] };
    const first = await call(admin, 'POST', '/api/v1/communities/alpha/invitations', body, {
      'idempotency-key': 'invite-1',
    });
    const second = await call(admin, 'POST', '/api/v1/communities/alpha/invitations', body, {
      'idempotency-key': 'invite-1',
    });
    expect(first.statusCode).toBe(201);
    expect(second.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    expect(second.headers['idempotent-replayed']).toBe('true');
    const audit = await call(admin, 'GET', '/api/v1/communities/alpha/audit-events?action=invitation.sent');
    expect(audit.json<{ items: unknown[] }>().items).toHaveLength(1);
    const reused = await call(
      admin,
      'POST',
      '/api/v1/communities/alpha/invitations',
      { ...body, email: 'someone.else@alpha.test' },
      { 'idempotency-key': 'invite-1' },
    );
    expect(reused.statusCode).toBe(422);
    expect(reused.json()).toMatchObject({ code: 'idempotency-key-reused' });
  });

  it('two requests with the same key at the same moment still create one thing', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const body = { email: 'invited.race@alpha.test', roles: ['member'] };
    const answers = await Promise.all(
      Array.from({ length: 4 }, () =>
        call(admin, 'POST', '/api/v1/communities/alpha/invitations', body, { 'idempotency-key': 'race-1' }),
      ),
    );
    const created = answers.filter((answer) => answer.statusCode === 201);
    expect(created.length).toBeGreaterThanOrEqual(1);
    for (const answer of answers) expect([201, 409]).toContain(answer.statusCode);
    const audit = await call(admin, 'GET', '/api/v1/communities/alpha/audit-events?action=invitation.sent&limit=100');
    const forRace = audit.json<{ items: { subjectId: string }[] }>().items;
    const ids = new Set(created.map((answer) => answer.json<{ id: string }>().id));
    expect(ids.size).toBe(1);
    expect(forRace.filter((event) => ids.has(event.subjectId))).toHaveLength(1);
  });
});

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.1, lists every API and FHIR route, and documents problem responses', async () => {
    const response = await given.test.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    expect(response.statusCode).toBe(200);
    const document = response.json<{
      openapi: string;
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    expect(document.openapi).toBe('3.1.0');
    const apiRoutes = given.test.app.routeCatalogue.filter(
      (route) =>
        (route.url.startsWith('/api/v1/') || route.url.startsWith('/fhir/')) && route.url !== '/api/v1/openapi.json',
    );
    for (const route of apiRoutes) {
      const path = route.url.replace(/:([a-zA-Z]+)/g, '{$1}');
      expect(document.paths[path]?.[route.method.toLowerCase()], `${route.method} ${route.url}`).toBeDefined();
    }
    expect(Object.keys(document.paths['/api/v1/me']?.get?.responses ?? {})).toContain('401');
  });
});
