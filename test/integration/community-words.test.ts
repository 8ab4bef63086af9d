// Each page speaks to its reader, and each community in its own words and languages: a member
// reads "About you", a facilitator reads "What helps Jade", a community lists the support it
// offers in its own words, and offers only the languages it chose.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { supportNeeds } from '../../src/modules/referrals/schema.ts';
import { communities } from '../../src/platform/db/schema.ts';
import { Visitor } from '../support/browser-like.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;

describe('pages written for the person reading them', () => {
  it('a member reads their own details as “you”; staff read the same record as “them”', async () => {
    const own = await (await signedIn('member@alpha.test')).get('/c/alpha/me');
    expect(own.statusCode).toBe(200);
    for (const words of [
      'About you',
      'How to get in touch with you',
      'What you have agreed to',
      'You can change your mind about any of these at any time.',
    ])
      expect(own.body, words).toContain(words);
    for (const words of ['About them', 'What the person has agreed to']) expect(own.body, words).not.toContain(words);
    const change = await (await signedIn('member@alpha.test')).get('/c/alpha/me/details/interests');
    expect(change.body).toContain('<h1>Your skills, experience and availability</h1>');
    expect(change.body).toContain('When you are free');

    const staff = await (
      await signedIn('coordinator@alpha.test')
    ).get(`/c/alpha/people/${given.fixture.alphaTimebankMemberId}`);
    expect(staff.body).toContain('About them');
    expect(staff.body).toContain('What the person has agreed to');
  });

  it('a facilitator reads a member’s crisis plan under headings that name the member, with phone numbers to tap', async () => {
    const member = await signedIn('member@alpha.test');
    const saved = await member.submit('/c/alpha/network/crisis-plan', '/c/alpha/network/crisis-plan', {
      warningSigns: 'I stop answering the phone',
      whatHelps: 'A walk with a friend',
      whatDoesNotHelp: '',
      whoToContact: 'My sister Ann, 07700 900123',
      writtenWith: '',
      facilitatorIds: [],
      groupIds: given.fixture.alphaGroupId,
    });
    expect(saved.statusCode).toBe(303);
    const read = await (
      await signedIn('facilitator@alpha.test')
    ).get(`/c/alpha/network/crisis-plans/${given.fixture.alphaTimebankMemberId}`);
    expect(read.statusCode).toBe(200);
    for (const words of [
      'What helps Alpha member',
      'Who Alpha member would like to be contacted',
      'Signs that things are getting difficult for Alpha member',
      'Not written',
    ])
      expect(read.body, words).toContain(words);
    for (const words of ['What helps me', 'Who I would like to be contacted', 'Who helped you write it'])
      expect(read.body, words).not.toContain(words);
    expect(read.body).toContain('href="tel:07700900123"');
  });
});

describe('the support a community lists', () => {
  const offer = (offered: string[], words: Record<string, string> = {}) => ({ offered, ...words });

  it('an admin chooses the list and its words; referral forms, the check page and the referral show them', async () => {
    const admin = await signedIn('admin@alpha.test');
    const settings = await admin.get('/c/alpha/settings');
    expect(settings.body).toContain('href="/c/alpha/settings/support-needs"');
    const page = await admin.get('/c/alpha/settings/support-needs');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<h1>Support people can ask for</h1>');
    expect((page.body.match(/name="offered"[^>]*checked/g) ?? []).length).toBe(12);

    // Nothing ticked: a clear message, and nothing changes.
    const none = await admin.submit('/c/alpha/settings/support-needs', '/c/alpha/settings/support-needs', offer([]));
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select at least one kind of support');
    const tooLong = await admin.submit(
      '/c/alpha/settings/support-needs',
      '/c/alpha/settings/support-needs',
      offer(['loneliness'], { 'words-loneliness-en': 'x'.repeat(121) }),
    );
    expect(tooLong.statusCode).toBe(400);
    expect(tooLong.body).toContain('Your words must be 120 characters or fewer');
    expect(tooLong.body).toContain('x'.repeat(121));
    expect(
      await owner().select().from(supportNeeds).where(eq(supportNeeds.communityId, given.fixture.alpha.id)),
    ).toHaveLength(0);

    const saved = await admin.submit(
      '/c/alpha/settings/support-needs',
      '/c/alpha/settings/support-needs',
      offer(['loneliness', 'peer_support'], {
        'words-peer_support-en': 'Meeting people who have been there too',
        'words-loneliness-en': '',
      }),
    );
    expect(saved.statusCode).toBe(303);
    const after = await admin.get('/c/alpha/settings/support-needs');
    expect(after.body).toContain('The list of support is saved.');
    expect((after.body.match(/name="offered"[^>]*checked/g) ?? []).length).toBe(2);
    expect(after.body).toContain('value="Meeting people who have been there too"');

    // Someone referring themselves sees the community's list, in its words.
    const visitor = new Visitor(given.test.app);
    await visitor.get('/c/alpha/refer-yourself');
    const support = await visitor.get('/c/alpha/refer-yourself/support');
    expect(support.body).toContain('Meeting people who have been there too');
    expect(support.body).toContain('Feeling lonely or cut off');
    expect(support.body).not.toContain('Practical help at home');
    expect(support.body).not.toContain('value="practical_help"');

    // The referrer's form too, and a need the community does not list is refused with a clear message.
    const referrer = await signedIn('referrer@alpha.test');
    const form = await referrer.get('/c/alpha/referrals/new');
    expect(form.body).toContain('Meeting people who have been there too');
    expect(form.body).not.toContain('value="housing"');
    const token = await tokenFor('referrer@alpha.test');
    const refused = await call(token, 'POST', '/api/v1/communities/alpha/referrals', {
      source: 'professional',
      preferredName: 'Iris',
      phone: '07700 900777',
      needs: ['housing'],
      reason: 'Lonely since her husband died',
      programmeIds: [given.fixture.alphaProgrammeId],
      agreedToReferral: true,
      agreedToUpdates: true,
      referrerOrganisation: 'Alpha Surgery',
      urgency: 'routine',
    });
    expect(refused.statusCode, refused.body).toBe(400);
    expect(refused.headers['content-type']).toContain('application/problem+json');
    expect(refused.json<{ errors: { field: string }[] }>().errors.map((error) => error.field)).toContain('needs');
    const accepted = await call(token, 'POST', '/api/v1/communities/alpha/referrals', {
      source: 'professional',
      preferredName: 'Iris',
      phone: '07700 900777',
      needs: ['peer_support'],
      reason: 'Lonely since her husband died',
      programmeIds: [given.fixture.alphaProgrammeId],
      agreedToReferral: true,
      agreedToUpdates: true,
      referrerOrganisation: 'Alpha Surgery',
      urgency: 'routine',
    });
    expect(accepted.statusCode, accepted.body).toBe(201);
    const referral = await (
      await signedIn('coordinator@alpha.test')
    ).get(`/c/alpha/referrals/${accepted.json<{ id: string }>().id}`);
    expect(referral.body).toContain('Meeting people who have been there too');
  });

  it('the API reads and replaces the list; only admins replace it, and bad lists change nothing', async () => {
    const admin = await tokenFor('admin@alpha.test');
    const put = (token: string, body: unknown) => call(token, 'PUT', '/api/v1/communities/alpha/support-needs', body);
    const replaced = await put(admin, {
      needs: [{ need: 'confidence', wording: { en: 'Believing in myself again' } }, { need: 'learning' }],
    });
    expect(replaced.statusCode, replaced.body).toBe(200);
    expect(replaced.json()).toEqual({
      items: [
        { need: 'confidence', words: 'Believing in myself again', wording: { en: 'Believing in myself again' } },
        { need: 'learning', words: 'Learning something new', wording: {} },
      ],
    });
    const member = await tokenFor('member@alpha.test');
    const read = await call(member, 'GET', '/api/v1/communities/alpha/support-needs');
    expect(read.statusCode).toBe(200);
    expect(read.json<{ items: { need: string }[] }>().items.map((one) => one.need)).toEqual(['confidence', 'learning']);
    expect((await put(member, { needs: [{ need: 'housing' }] })).statusCode).toBe(403);
    expect(
      (await call(await tokenFor('member@beta.test'), 'GET', '/api/v1/communities/alpha/support-needs')).statusCode,
    ).toBe(404);
    for (const bad of [
      { needs: [] },
      { needs: [{ need: 'flying' }] },
      { needs: [{ need: 'learning' }, { need: 'learning' }] },
      { needs: [{ need: 'learning', wording: { en: 'x'.repeat(121) } }] },
    ]) {
      const refused = await put(admin, bad);
      expect(refused.statusCode, JSON.stringify(bad)).toBe(400);
      expect(refused.json<{ errors: unknown[] }>().errors.length).toBeGreaterThan(0);
    }
    expect(
      (await call(member, 'GET', '/api/v1/communities/alpha/support-needs')).json<{ items: unknown[] }>().items,
    ).toHaveLength(2);
  });
});

describe('the languages a community offers', () => {
  it('a community in English only shows English and no language switch; one that adds Welsh offers it', async () => {
    const member = await signedIn('member@alpha.test');
    const english = await member.get('/c/alpha?lang=cy');
    expect(english.body).toContain('<html lang="en"');
    expect(english.body).not.toContain('hreflang="cy"');
    const publicPage = await new Visitor(given.test.app).get('/c/alpha/refer-yourself?lang=es');
    expect(publicPage.body).toContain('<html lang="en"');

    await owner()
      .update(communities)
      .set({ languages: ['en', 'cy'] })
      .where(eq(communities.id, given.fixture.alpha.id));
    try {
      const welsh = await member.get('/c/alpha?lang=cy');
      expect(welsh.body).toContain('<html lang="cy"');
      expect(welsh.body).toContain('hreflang="en"');
      expect(welsh.body).not.toContain('hreflang="es"');
      // Outside any community, every language is offered.
      const mine = await member.get('/communities/mine?lang=es');
      expect(mine.body).toContain('<html lang="es"');
    } finally {
      await owner()
        .update(communities)
        .set({ languages: sql`array['en']::text[]` })
        .where(eq(communities.id, given.fixture.alpha.id));
    }
  });
});
