// A new community's first hour, through its pages, on an install that cannot send email: the
// platform admin creates it and gives its admin the link; invitations are listed, sent again and
// cancelled; someone who made an account without the link still finds their invitation.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { accounts } from '../../src/platform/db/schema.ts';
import { Visitor } from '../support/browser-like.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const linkIn = (html: string) => /data-testid="invitation-link">https?:\/\/[^/]+([^<]+)</.exec(html)?.[1] ?? '';

describe('a new community', () => {
  it('the platform admin creates it, sees the first admin’s link once, and the community’s invitations; names on the list are links', async () => {
    const platform = await signedIn('platform@fixture.test');
    const created = await platform.submit('/platform/communities/new', '/platform/communities/new', {
      name: 'Southwark Circle',
      slug: 'southwark',
      description: 'Neighbours helping neighbours.',
      contactEmail: '',
      languages: ['en'],
      firstAdminEmail: 'amira@southwark.test',
    });
    expect(created.statusCode).toBe(303);
    expect(created.headers.location).toBe('/platform/communities/southwark');
    const page = await platform.get('/platform/communities/southwark');
    expect(page.body).toContain('Southwark Circle has been created.');
    expect(page.body).toContain('Email is not set up here, so no email was sent to amira@southwark.test.');
    const link = linkIn(page.body);
    expect(link).toMatch(/^\/communities\/southwark\/invitations\//);
    // Shown once: the next visit lists the invitation without its link.
    const again = await platform.get('/platform/communities/southwark');
    expect(linkIn(again.body)).toBe('');
    expect(again.body).toContain('amira@southwark.test');
    expect((await platform.get('/platform/communities')).body).toContain('href="/platform/communities/southwark"');

    // Amira follows the link, makes her account with her address filled in, and is the admin.
    const amira = new Visitor(given.test.app);
    const invitation = await amira.get(link);
    expect(invitation.statusCode).toBe(200);
    const register = /href="(\/register\?[^"]+)"/.exec(invitation.body)?.[1]?.replace(/&amp;/g, '&') ?? '';
    expect((await amira.get(register)).body).toContain('value="amira@southwark.test"');
    const registered = await amira.submit(register, '/register', {
      displayName: 'Amira Khan',
      email: 'amira@southwark.test',
      password: 'a-long-enough-password',
      next: link,
    });
    expect(registered.headers.location).toBe('/c/southwark');
    expect((await amira.get('/c/southwark')).body).toContain('Admin');
    expect((await platform.get('/platform/communities/southwark')).body).toContain('Amira Khan (amira@southwark.test)');
  });
});

describe('invitations', () => {
  it('an admin sees the link once, sends again for a new one (the old stops working), and cancels', async () => {
    const admin = await signedIn('admin@alpha.test');
    const sent = await admin.submit('/c/alpha/invitations/new', '/c/alpha/invitations/new', {
      email: 'kofi@alpha.test',
      roles: ['coordinator'],
    });
    expect(sent.headers.location).toBe('/c/alpha/invitations');
    const listed = await admin.get('/c/alpha/invitations');
    const first = linkIn(listed.body);
    expect(first).toBeTruthy();
    expect(listed.body).toContain('kofi@alpha.test');
    const [row] = (
      await owner().execute<{ id: string }>(sql`select id from invitations where email = 'kofi@alpha.test'`)
    ).rows;
    // Sending again straight away is the same sending; a minute later it is a new link.
    await owner().execute(sql`update invitations set created_at = now() - interval '2 minutes' where id = ${row?.id}`);
    await admin.submit('/c/alpha/invitations', `/c/alpha/invitations/${row?.id}/resend`, {});
    const second = linkIn((await admin.get('/c/alpha/invitations')).body);
    expect(second).toBeTruthy();
    expect(second).not.toBe(first);
    const visitor = new Visitor(given.test.app);
    expect((await visitor.get(first)).statusCode).toBe(410);
    expect((await visitor.get(second)).statusCode).toBe(200);
    await admin.submit('/c/alpha/invitations', `/c/alpha/invitations/${row?.id}/cancel`, {});
    expect((await visitor.get(second)).statusCode).toBe(410);
    expect((await admin.get('/c/alpha/invitations')).body).not.toContain('kofi@alpha.test');
  });

  it('through the API: the link comes back once; list, send again and cancel; nobody but an admin of that community', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const created = await call(admin, 'POST', '/api/v1/communities/alpha/invitations', {
      email: 'api.invitee@alpha.test',
      roles: ['member'],
    });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      email: 'api.invitee@alpha.test',
      emailed: false,
      link: expect.stringMatching(/\/communities\/alpha\/invitations\//),
    });
    const id = created.json<{ id: string }>().id;
    const list = await call(admin, 'GET', '/api/v1/communities/alpha/invitations');
    expect(list.json<{ items: { id: string; state: string }[] }>().items.find((item) => item.id === id)?.state).toBe(
      'waiting',
    );
    for (const email of ['coordinator@alpha.test', 'member@alpha.test'])
      expect((await call(await tokenFor(email), 'GET', '/api/v1/communities/alpha/invitations')).statusCode).toBe(403);
    expect(
      (await call(await tokenFor('admin@beta.test'), 'POST', `/api/v1/communities/beta/invitations/${id}/cancel`))
        .statusCode,
    ).toBe(404);
    expect((await call(admin, 'POST', `/api/v1/communities/alpha/invitations/${id}/cancel`)).statusCode).toBe(204);
    // Sending a cancelled invitation again opens it again, with a new link.
    const reopened = await call(admin, 'POST', `/api/v1/communities/alpha/invitations/${id}/resend`);
    expect(reopened.statusCode).toBe(200);
    expect(reopened.json<{ link: string }>().link).toMatch(/\/communities\/alpha\/invitations\//);
  });

  it('someone who made an account without the link finds the invitation once their address is confirmed', async () => {
    const admin = await tokenFor('admin@alpha.test');
    await call(admin, 'POST', '/api/v1/communities/alpha/invitations', {
      email: 'lena@alpha.test',
      roles: ['member', 'facilitator'],
    });
    const lena = new Visitor(given.test.app);
    await lena.submit('/register', '/register', {
      displayName: 'Lena',
      email: 'lena@alpha.test',
      password: 'a-long-enough-password',
    });
    expect((await lena.get('/communities/mine')).body).not.toContain('Invitations for you');
    await owner().update(accounts).set({ emailVerifiedAt: new Date() }).where(eq(accounts.email, 'lena@alpha.test'));
    const mine = await lena.get('/communities/mine');
    expect(mine.body).toContain('Invitations for you');
    const action =
      /action="(\/communities\/alpha\/invitations\/waiting\/[0-9a-f-]{36}\/accept)"/.exec(mine.body)?.[1] ?? '';
    const joined = await lena.submit('/communities/mine', action, {});
    expect(joined.headers.location).toBe('/c/alpha');
    expect((await lena.get('/c/alpha')).body).toContain('You are here as: Member, Facilitator');
    // Someone else cannot take it by its id.
    expect(
      (await (await signedIn('member@beta.test')).submit('/communities/mine', action, {})).statusCode,
    ).toBeGreaterThanOrEqual(400);
  });
});

describe('people the community already knows', () => {
  it('a neighbour who is not online is added to the time bank from its members page, once, and all their joining steps are ticked at once', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const search = await coordinator.get('/c/alpha/timebank/members?q=Dorothy%20Webb');
    expect(search.body).toContain('Not found? Add Dorothy Webb as someone new');
    expect(search.body).toContain('value="Dorothy Webb"');
    const formKey = /name="formKey" value="([0-9a-f-]{36})"/.exec(search.body)?.[1] ?? '';
    const fields = {
      preferredName: 'Dorothy',
      fullName: 'Dorothy Webb',
      phone: '020 7946 0555',
      assistedDigital: 'yes',
      formKey,
    };
    const bad = await coordinator.submit('/c/alpha/timebank/members?q=x', '/c/alpha/timebank/members/new', {
      ...fields,
      preferredName: '',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('nhsuk-error-summary');
    expect(bad.body).toContain('value="Dorothy Webb"');
    const first = await coordinator.submit('/c/alpha/timebank/members?q=x', '/c/alpha/timebank/members/new', fields);
    const second = await coordinator.submit('/c/alpha/timebank/members?q=x', '/c/alpha/timebank/members/new', fields);
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    const made = await owner().execute<{ id: string; assisted_digital: boolean }>(
      sql`select id, assisted_digital from person_records where full_name = 'Dorothy Webb'`,
    );
    expect(made.rows).toHaveLength(1);
    expect(made.rows[0]?.assisted_digital).toBe(true);
    const page = await coordinator.get(String(first.headers.location));
    const steps = [...page.body.matchAll(/name="stepId" type="checkbox" value="([0-9a-f-]{36})"/g)].map(
      (match) => match[1] ?? '',
    );
    expect(steps.length).toBeGreaterThan(1);
    const today = new Date();
    const ticked = await coordinator.submit(String(first.headers.location), `${String(first.headers.location)}/steps`, {
      stepId: steps,
      'doneOn-day': String(today.getDate()),
      'doneOn-month': String(today.getMonth() + 1),
      'doneOn-year': String(today.getFullYear()),
    });
    expect(ticked.statusCode).toBe(303);
    expect((await coordinator.get(String(first.headers.location))).body).toContain(
      'Every step is done: they are now a full member.',
    );
  });

  it('a referred person’s record offers the time bank, and an invitation online that makes their account that record', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const [olive] = await owner()
      .execute<{ id: string }>(
        sql`insert into person_records (community_id, preferred_name, full_name) values (${given.fixture.alpha.id}, 'Olive', 'Olive Grant') returning id`,
      )
      .then((result) => result.rows);
    const url = `/c/alpha/people/${olive?.id}`;
    const record = await coordinator.get(url);
    expect(record.body).toContain('Add Olive to the time bank');
    expect(record.body).toContain('Invite them to use this service online');
    const added = await coordinator.submit(url, '/c/alpha/timebank/members', { personRecordId: olive?.id ?? '' });
    expect(added.statusCode).toBe(303);
    expect((await coordinator.get(url)).body).toContain('Olive in the time bank');

    const wrong = await coordinator.submit(url, `${url}/invitation`, { email: 'not an address' });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('nhsuk-error-summary');
    const sent = await coordinator.submit(url, `${url}/invitation`, { email: 'olive@alpha.test' });
    expect(sent.headers.location).toBe(url);
    const link = linkIn((await coordinator.get(url)).body);
    expect(link).toMatch(/\/communities\/alpha\/invitations\//);
    const olivesBrowser = new Visitor(given.test.app);
    const registered = await olivesBrowser.submit('/register', '/register', {
      displayName: 'Olive G',
      email: 'olive@alpha.test',
      password: 'a-long-enough-password',
      next: link,
    });
    expect(registered.headers.location).toBe('/c/alpha');
    const [linked] = (
      await owner().execute<{ account_id: string | null; assisted_digital: boolean }>(
        sql`select account_id, assisted_digital from person_records where id = ${olive?.id}`,
      )
    ).rows;
    expect(linked?.account_id).toBeTruthy();
    expect(
      (await owner().execute(sql`select 1 from person_records where account_id = ${linked?.account_id ?? null}`)).rows,
    ).toHaveLength(1);
    // She sees her own time bank place, not a new empty record.
    expect((await olivesBrowser.get('/c/alpha')).body).toContain('Your balance');
    // Once online, the record no longer offers an invitation.
    expect((await coordinator.get(url)).body).not.toContain('Invite them to use this service online');
  });
});

describe('an admin’s home page', () => {
  it('lists what is left to start, each linked, and the list goes once all is done', async () => {
    const platform = await signedIn('platform@fixture.test');
    await platform.submit('/platform/communities/new', '/platform/communities/new', {
      name: 'Empty Start',
      slug: 'empty-start',
      description: 'New.',
      contactEmail: '',
      languages: ['en'],
      firstAdminEmail: 'admin@alpha.test',
    });
    const link = linkIn((await platform.get('/platform/communities/empty-start')).body);
    const admin = await signedIn('admin@alpha.test');
    await admin.submit(link, link, {});
    const home = await admin.get('/c/empty-start');
    expect(home.body).toContain('Getting started');
    for (const href of [
      '/c/empty-start/programmes/new',
      '/c/empty-start/invitations/new?role=coordinator',
      '/c/empty-start/invitations/new?role=referrer',
    ]) {
      expect(home.body).toContain(`href="${href}"`);
      expect((await admin.get(href)).statusCode, href).toBe(200);
    }
    expect((await admin.get('/c/empty-start/invitations/new?role=coordinator')).body).toMatch(
      /value="coordinator" checked/,
    );
    // The alpha community has everything: no list.
    expect((await admin.get('/c/alpha')).body).not.toContain('Getting started');
  });
});
