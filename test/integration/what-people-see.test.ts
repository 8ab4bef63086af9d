// Pages show what a person came to see: an exchange's details, a home page with what is waiting
// for them now, links only where they lead somewhere, and names that tell people apart.
import { eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { personRecords } from '../../src/modules/people/schema.ts';
import { roles } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const emailOf = (role: string) => `${role.replace('_', '-')}@alpha.test`;
const today = new Date();

/** Every link inside the page's main content that stays on this site. */
const linksIn = (html: string) => {
  const main = html.slice(html.indexOf('<main'), html.indexOf('</main>'));
  return [...main.matchAll(/<a [^>]*href="(\/[^"#]*)"/g)].map((match) => (match[1] ?? '').replace(/&amp;/g, '&'));
};

describe('an exchange’s page', () => {
  it('shows who, how long, when, the kind of help and the note, titled for the reader, and says who confirms for someone not online', async () => {
    const url = `/c/alpha/timebank/exchanges/${given.fixture.alphaExchangeId}`;
    const member = await signedIn('member@alpha.test');
    const own = await member.get(url);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('<h1>Time you gave</h1>');
    for (const detail of ['Alpha member', 'Ada Lovelace', '1 hour', 'Gardening', 'Weeding'])
      expect(own.body, detail).toContain(detail);
    expect(own.body).toContain('Ada Lovelace is not online, so a coordinator will check with them and confirm it.');
    const coordinator = await (await signedIn('coordinator@alpha.test')).get(url);
    expect(coordinator.body).toContain('<h1>An exchange of time</h1>');
    for (const detail of ['Alpha member', 'Ada Lovelace', '1 hour', 'Gardening', 'Weeding'])
      expect(coordinator.body, detail).toContain(detail);

    // Recording time received from someone not online: the page says what actually happens next.
    const recorded = await member.submit('/c/alpha/timebank/exchanges/new', '/c/alpha/timebank/exchanges/new', {
      direction: 'received',
      other: given.fixture.alphaPersonId,
      timeHours: '2',
      timeMinutes: '0',
      'occurredOn-day': String(today.getDate()),
      'occurredOn-month': String(today.getMonth() + 1),
      'occurredOn-year': String(today.getFullYear()),
      categoryId: given.fixture.alphaCategoryId,
      note: 'Took me to the library',
    });
    expect(recorded.statusCode).toBe(303);
    const page = await member.get(String(recorded.headers.location));
    expect(page.body).toContain('<h1>Time you received</h1>');
    expect(page.body).toContain(
      'Time recorded. Ada Lovelace is not online, so a coordinator will check with them and confirm it.',
    );
    expect(page.body).not.toContain('We have asked Ada Lovelace to confirm it');
    expect(page.body).toContain('2 hours');
  });
});

describe('names', () => {
  it('the exchange picker names people the same way and tells two people of one name apart', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const made = await owner()
      .insert(personRecords)
      .values([
        { communityId: given.fixture.alpha.id, preferredName: 'Winston', fullName: 'Winston Okafor' },
        { communityId: given.fixture.alpha.id, preferredName: 'Winston Okafor' },
      ])
      .returning({ id: personRecords.id, number: personRecords.number });
    for (const person of made) {
      await coordinator.submit('/c/alpha/timebank/members', '/c/alpha/timebank/members', { personRecordId: person.id });
      await owner().execute(
        sql`update timebank_members set onboarded_at = now() where person_record_id = ${person.id}`,
      );
    }
    const picker = await coordinator.submit(
      '/c/alpha/timebank/group-exchanges/new',
      '/c/alpha/timebank/group-exchanges/new',
      { find: 'givers', giverSearch: 'Winston' },
    );
    expect(picker.statusCode).toBe(200);
    for (const person of made) expect(picker.body).toContain(`Winston Okafor (${person.number})`);
    expect(picker.body).not.toMatch(/>\s*Winston\s*</);
    const [winston] = await owner()
      .select({ listName: personRecords.listName })
      .from(personRecords)
      .where(eq(personRecords.id, made[0]?.id ?? ''));
    expect(winston?.listName).toBe('Winston Okafor');
    // A chosen name is never replaced by a different full name.
    const [ada] = await owner()
      .select({ listName: personRecords.listName })
      .from(personRecords)
      .where(eq(personRecords.id, given.fixture.alphaPersonId));
    expect(ada?.listName).toBe('Ada Lovelace');
  });
});

describe('home pages', () => {
  it('no role is promised content that never comes, and every link on a home page leads somewhere', async () => {
    for (const role of roles) {
      const visitor = await signedIn(emailOf(role));
      const home = await visitor.get('/c/alpha');
      expect(home.statusCode, role).toBe(200);
      expect(home.body, role).not.toMatch(/will appear here|will come to you here/);
      for (const link of new Set(linksIn(home.body))) {
        const answer = await visitor.get(link);
        expect([200, 302, 303], `${role}: ${link}`).toContain(answer.statusCode);
        if (answer.statusCode === 200) expect(answer.body, `${role}: ${link}`).not.toContain('Page not found');
        expect(answer.body, `${role}: ${link}`).not.toContain('You do not have a support plan');
      }
    }
  });

  it('shows each person what is waiting for them now', async () => {
    const member = await (await signedIn('member@alpha.test')).get('/c/alpha');
    expect(member.body).toMatch(/Your balance/);
    const peer = await (await signedIn('peer-supporter@alpha.test')).get('/c/alpha');
    expect(peer.body).toContain('Ada Lovelace');
    const facilitator = await (await signedIn('facilitator@alpha.test')).get('/c/alpha');
    expect(facilitator.body).toContain('Tuesday group');
    const lead = await (await signedIn('safeguarding-lead@alpha.test')).get('/c/alpha');
    expect(lead.body).toMatch(/1 concern is waiting/);
    expect(lead.body).not.toContain('Hub team');
    const referrer = await (await signedIn('referrer@alpha.test')).get('/c/alpha');
    expect(referrer.body).not.toContain('Hub team');
  });
});

describe('a referral form', () => {
  it('fills in the referrer’s own organisation, as they last gave it, and never another practice', async () => {
    const referrer = await signedIn('referrer@alpha.test');
    expect((await referrer.get('/c/alpha/referrals/new')).body).toMatch(
      /name="referrerOrganisation"[^>]*value=""|name="referrerOrganisation"(?![^>]*value=)/,
    );
    const sent = await referrer.submit('/c/alpha/referrals/new', '/c/alpha/referrals/new', {
      preferredName: 'Olive',
      phone: '020 7946 0998',
      reason: 'Would like company.',
      needs: ['loneliness'],
      programmeIds: given.fixture.alphaProgrammeId,
      urgency: 'routine',
      agreedToReferral: 'yes',
      referrerOrganisation: 'Beech House Surgery',
    });
    expect(sent.statusCode).toBe(303);
    // Another referrer's referral, sent later, is not what this referrer's next form fills in.
    await owner().execute(
      sql`update referrals set referrer_organisation = 'Elsewhere Practice', created_at = now() + interval '1 minute' where reference = 'ALPH-2345'`,
    );
    expect((await referrer.get('/c/alpha/referrals/new')).body).toContain('value="Beech House Surgery"');
    expect((await (await signedIn('coordinator@alpha.test')).get('/c/alpha/referrals/new')).body).not.toContain(
      'Beech House Surgery',
    );
  });
});

describe('phone numbers', () => {
  it('every phone number on these pages is a tap-to-call link, the crisis lines on the peer network’s pages too', async () => {
    const pages: [string, string, string[]][] = [
      ['member@alpha.test', '/c/alpha/network', ['tel:999', 'tel:111', 'tel:116123']],
      ['member@alpha.test', `/c/alpha/network/groups/${given.fixture.alphaGroupId}`, ['tel:116123']],
      ['member@alpha.test', '/c/alpha/concerns/new', ['tel:999', 'tel:116123']],
      ['coordinator@alpha.test', `/c/alpha/people/${given.fixture.alphaPersonId}`, ['tel:07700900123']],
    ];
    for (const [email, url, links] of pages) {
      const page = await (await signedIn(email)).get(url);
      expect(page.statusCode, url).toBe(200);
      for (const link of links) expect(page.body, `${url}: ${link}`).toContain(`href="${link}"`);
      const main = page.body.slice(page.body.indexOf('<main'), page.body.indexOf('</main>'));
      const text = main
        .replace(/<a href="tel:[^"]*"[^>]*>[^<]*<\/a>/g, '')
        .replace(/<input[^>]*>/g, '')
        .replace(/<[^>]+>/g, ' ');
      expect(text.match(/(?<![\d+])(?:999|111|116 ?\d{3}|0\d(?:[ -]?\d){8,9})(?!\d)/g), url).toBeNull();
    }
    const visitor = await given.test.app.inject({ method: 'GET', url: '/c/alpha/refer-yourself' });
    expect(visitor.body).toContain('href="tel:999"');
  });
});

describe('the referral page and the triage queue', () => {
  it('a referral shows how to contact the person, whether a message is safe, their date of birth and communication needs', async () => {
    const referrer = await signedIn('referrer@alpha.test');
    const sent = await referrer.submit('/c/alpha/referrals/new', '/c/alpha/referrals/new', {
      preferredName: 'Pearl',
      phone: '020 7946 0997',
      messageSafe: 'no',
      'dateOfBirth-day': '3',
      'dateOfBirth-month': '4',
      'dateOfBirth-year': '1941',
      communicationNeeds: ['large_print'],
      reason: 'Lives alone and would like a phone friend.',
      programmeIds: given.fixture.alphaProgrammeId,
      urgency: 'urgent',
      agreedToReferral: 'yes',
    });
    expect(sent.statusCode, sent.body).toBe(303);
    const id = String(sent.headers.location).split('/').pop();
    const page = await (await signedIn('coordinator@alpha.test')).get(`/c/alpha/referrals/${id}`);
    expect(page.body).toContain('href="tel:02079460997"');
    expect(page.body).toContain('do not leave a message');
    expect(page.body).toContain('3 April 1941');
    expect(page.body).toContain('Large print');

    // The newest referral is urgent: it is first in the queue, before older overdue ones.
    const queue = await (await signedIn('coordinator@alpha.test')).get('/c/alpha/referrals');
    const order = [...queue.body.matchAll(/href="\/c\/alpha\/referrals\/([0-9a-f-]{36})"/g)].map((match) => match[1]);
    expect(order[0]).toBe(id);

    // Accepted into the time bank: the referral links straight to her joining steps.
    const coordinator = await signedIn('coordinator@alpha.test');
    const accepted = await coordinator.submit(`/c/alpha/referrals/${id}/accept`, `/c/alpha/referrals/${id}/accept`, {
      programmeIds: given.fixture.alphaProgrammeId,
    });
    expect(accepted.statusCode).toBe(303);
    const after = await coordinator.get(`/c/alpha/referrals/${id}`);
    const steps =
      /href="(\/c\/alpha\/timebank\/members\/[0-9a-f-]{36})"[^>]*>Go to Pearl’s time bank joining steps/.exec(
        after.body,
      )?.[1];
    expect(steps).toBeTruthy();
    // The history tells the change before telling (or not telling) the referrer of it.
    const history = after.body.slice(after.body.indexOf('app-timeline'));
    expect(history.indexOf('Status changed to Accepted')).toBeGreaterThan(0);
    expect(history.indexOf('Status changed to Accepted')).toBeLessThan(history.indexOf('Referrer not told'));
    expect((await coordinator.get(steps ?? '')).statusCode).toBe(200);
  });
});

describe('what staff and members expect to find', () => {
  it('GET /api/v1/me names the person’s record in each community', async () => {
    const me = (await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/me')).json<{
      memberships: { community: { slug: string }; personRecord: { id: string; number: number } | null }[];
    }>();
    expect(me.memberships.find((membership) => membership.community.slug === 'alpha')?.personRecord?.id).toBe(
      given.fixture.alphaTimebankMemberId,
    );
  });

  it('coordinators list every exchange, not only open ones', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    await call(await tokenFor('coordinator@alpha.test'), 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: given.fixture.alphaTimebankMemberId,
      receiver: given.fixture.alphaPersonId,
      minutes: 45,
      occurredOn: new Date().toISOString().slice(0, 10),
      categoryId: given.fixture.alphaCategoryId,
      confirmNow: true,
      note: 'Listed when confirmed',
    });
    const waiting = await coordinator.get('/c/alpha/timebank/exchanges');
    expect(waiting.body).not.toContain('45 minutes');
    const confirmed = await coordinator.get('/c/alpha/timebank/exchanges?status=confirmed');
    expect(confirmed.body).toContain('<h1>Exchanges</h1>');
    expect(confirmed.body).toContain('45 minutes');
    expect((await coordinator.get('/c/alpha/timebank/exchanges?status=every')).body).toContain('45 minutes');
  });

  it('whoever raised a concern sees it was received and acted on, never what was written or done', async () => {
    const member = await signedIn('member@alpha.test');
    await member.submit('/c/alpha/concerns/new', '/c/alpha/concerns/new', {
      about: 'A neighbour',
      whatHappened: 'Distinctive words nobody else wrote',
      dangerNow: 'no',
    });
    expect((await member.get('/c/alpha')).body).toContain('href="/c/alpha/concerns/mine"');
    const before = await member.get('/c/alpha/concerns/mine');
    expect(before.body).toContain('Received');
    expect(before.body).not.toContain('Distinctive words');
    expect(before.body).not.toContain('A neighbour');
    const [concern] = (
      await owner().execute<{ id: string }>(
        sql`select id from safeguarding_concerns where what_happened = 'Distinctive words nobody else wrote'`,
      )
    ).rows;
    await call(
      await tokenFor('safeguarding-lead@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/concerns/${concern?.id}/actions`,
      { note: 'Visited them: the lead’s own words', statusTo: 'actioned' },
    );
    const after = await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/communities/alpha/concerns/mine');
    expect(after.json<{ items: { state: string }[] }>().items[0]?.state).toBe('acted_on');
    expect(after.body).not.toContain('lead’s own words');
    expect((await member.get('/c/alpha/concerns/mine')).body).toContain('Acted on');
  });

  it('platform admins read the whole platform’s audit log, with each event’s community', async () => {
    const platform = await signedIn('platform@fixture.test');
    const page = await platform.get('/platform/audit');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Audit log of the whole platform');
    expect(page.body).toContain('Alpha Time Bank');
    expect((await (await signedIn('admin@alpha.test')).get('/platform/audit')).statusCode).toBe(403);
  });
});
