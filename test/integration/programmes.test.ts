import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { programmes } from '../../src/modules/programmes/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { Visitor } from '../support/browser-like.ts';
import { fixturePassword } from '../support/fixtures.ts';

const given = useFixtureApp();

const aProgramme = {
  name: 'Alpha Peer Network',
  kind: 'peer_network',
  whoFor: 'Adults who would like to meet others with similar experiences',
  howToJoin: 'Refer yourself on this website',
  whereAndWhen: 'Wednesdays 6pm at the library',
};

describe('programmes', () => {
  it('an admin adds a programme through the pages, and anyone sees it on the community’s public page', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    const added = await admin.submit('/c/alpha/programmes/new', '/c/alpha/programmes/new', aProgramme);
    expect(added.headers.location).toBe('/c/alpha/programmes');
    const list = await admin.get('/c/alpha/programmes');
    expect(list.body).toContain('Alpha Peer Network has been added.');

    const publicPage = await given.test.app.inject({ method: 'GET', url: '/communities/alpha/programmes' });
    expect(publicPage.statusCode).toBe(200);
    expect(publicPage.body).toContain('Alpha Peer Network');
    expect(publicPage.body).toContain('Wednesdays 6pm at the library');
    expect(publicPage.body).toContain('Peer support network');
    // The page wears the community's name, for visitors who are not members yet.
    expect(publicPage.body).toMatch(
      /<a class="nhsuk-header__service-name app-header__community" href="\/communities\/alpha\/programmes">Alpha Time Bank<\/a>/,
    );
  });

  it('a programme that is not taking people is shown to staff but not on the public page', async () => {
    const [created] = await given.test.database.owner
      .insert(programmes)
      .values({
        communityId: given.fixture.alpha.id,
        name: 'Closed Course',
        kind: 'learning',
        whoFor: 'x',
        howToJoin: 'y',
        status: 'closed',
      })
      .returning();
    const publicPage = await given.test.app.inject({ method: 'GET', url: '/communities/alpha/programmes' });
    expect(publicPage.body).not.toContain('Closed Course');
    const coordinator = new Visitor(given.test.app);
    await coordinator.signIn('coordinator@alpha.test', fixturePassword);
    const list = await coordinator.get('/c/alpha/programmes');
    expect(list.body).toContain('Closed Course');
    expect(list.body).toContain('Not taking new people');
    expect(created?.status).toBe('closed');
  });

  it('a form with missing answers says what to fix, keeps what was typed and adds nothing', async () => {
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    const response = await admin.submit('/c/alpha/programmes/new', '/c/alpha/programmes/new', {
      name: 'Half Done',
      kind: 'wizardry',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('Select what kind of programme it is');
    expect(response.body).toContain('Enter who the programme is for');
    expect(response.body).toContain('Enter how to join');
    expect(response.body).toContain('value="Half Done"');
    expect(
      await given.test.database.owner.select().from(programmes).where(eq(programmes.name, 'Half Done')),
    ).toHaveLength(0);
  });

  it('through the API: an admin creates (once per key) and changes a programme; hostile text is kept as text; another community’s programme is not found', async () => {
    const token = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { email: 'admin@alpha.test', password: fixturePassword },
      })
    ).json<{ token: string }>().token;
    const headers = { authorization: `Bearer ${token}`, 'idempotency-key': 'programme-1' };
    const hostile = {
      ...aProgramme,
      name: '<script>alert(1)</script> Drop Table',
      whoFor: "'; drop table programmes; --",
    };
    const first = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/programmes',
      payload: hostile,
      headers,
    });
    const second = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/programmes',
      payload: hostile,
      headers,
    });
    expect(first.statusCode).toBe(201);
    expect(second.json()).toEqual(first.json());
    const id = first.json<{ id: string }>().id;
    expect(
      await given.test.database.owner.select().from(programmes).where(eq(programmes.whoFor, hostile.whoFor)),
    ).toHaveLength(1);
    const page = await given.test.app.inject({ method: 'GET', url: '/communities/alpha/programmes' });
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;');

    const changed = await given.test.app.inject({
      method: 'PUT',
      url: `/api/v1/communities/alpha/programmes/${id}`,
      payload: { ...aProgramme, status: 'closed' },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(changed.json()).toMatchObject({ id, status: 'closed', name: 'Alpha Peer Network' });
    const tooLong = await given.test.app.inject({
      method: 'POST',
      url: '/api/v1/communities/alpha/programmes',
      payload: { ...aProgramme, whoFor: 'x'.repeat(100_000) },
      headers: { authorization: `Bearer ${token}` },
    });
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.json()).toMatchObject({ errors: [{ field: 'whoFor', code: 'errors.programme.text.tooLong' }] });

    const betaAdmin = (
      await given.test.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        payload: { email: 'admin@beta.test', password: fixturePassword },
      })
    ).json<{ token: string }>().token;
    const [betaProgramme] = await given.test.database.owner
      .insert(programmes)
      .values({
        communityId: given.fixture.beta.id,
        name: 'Beta Group',
        kind: 'peer_network',
        whoFor: 'x',
        howToJoin: 'y',
      })
      .returning();
    const crossing = await given.test.app.inject({
      method: 'PUT',
      url: `/api/v1/communities/beta/programmes/${id}`,
      payload: aProgramme,
      headers: { authorization: `Bearer ${betaAdmin}` },
    });
    expect(crossing.statusCode).toBe(404);
    const reading = await given.test.app.inject({
      method: 'GET',
      url: `/api/v1/communities/alpha/programmes/${betaProgramme?.id}`,
      headers: { authorization: `Bearer ${token}` },
    });
    expect(reading.statusCode).toBe(404);
  });
});
