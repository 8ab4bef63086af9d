// The logs of a run that saves personal data hold none of it: not what was typed, searched for
// or failed, not the ids of people's records, not passwords or tokens.
import { sql } from 'drizzle-orm';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { access } from '../../src/platform/auth/access.ts';
import { readConfig } from '../../src/platform/config.ts';
import { loggedError, withoutValues } from '../../src/platform/logging.ts';
import { testEnvironment } from '../support/app.ts';
import { Visitor } from '../support/browser-like.ts';
import { createTestDatabase, type TestDatabase } from '../support/database.ts';
import { fixturePassword, seedFixture } from '../support/fixtures.ts';

const person = {
  preferredName: 'Zebedee Quintrell',
  fullName: 'Zebedee Marchbanks Quintrell-Hawksmoor',
  email: 'zebedee.quintrell@example.org',
  phone: '07700 900461',
  nhsNumber: '9434765919',
  address: '17 Wistaria Crescent, Brixton',
  livedExperience: 'Lived with bipolar disorder since Candlemas 1989',
};
const newAccount = {
  displayName: 'Ottoline Fairweather-Gunn',
  email: 'ottoline.fairweather@example.org',
  password: 'a-long-secret-passphrase-41',
};
const searched = 'Hawksmoor';

let database: TestDatabase;
const lines: string[] = [];
let recordId = '';
let token = '';

beforeAll(async () => {
  database = await createTestDatabase();
  await seedFixture(database.owner);
  const logStream = new Writable({ write: (chunk, _encoding, done) => (lines.push(String(chunk)), done()) });
  const app = await buildApp({
    config: readConfig({ ...testEnvironment, LOG_LEVEL: 'trace' }),
    databases: database,
    logStream,
  });
  // A query that fails with what someone typed as its parameter, as a defect would.
  app.get('/c/:community/failing-search', { config: { access: access.anyMember } }, async (request) => {
    const asked = (request.query as { q?: string }).q ?? '';
    await database.app.execute(sql`select ${asked}::uuid`);
    return 'unreachable';
  });
  await app.ready();

  // Someone registers, signs in, and changes their language.
  const visitor = new Visitor(app);
  await visitor.submit('/register', '/register', newAccount);
  // A coordinator adds a record with every kind of detail, finds it, and fails a search.
  const coordinator = new Visitor(app);
  await coordinator.signIn('coordinator@alpha.test', fixturePassword);
  const tokenResponse = await app.inject({
    method: 'POST',
    url: '/api/v1/tokens',
    payload: { email: 'coordinator@alpha.test', password: fixturePassword },
  });
  token = tokenResponse.json<{ token: string }>().token;
  const created = await app.inject({
    method: 'POST',
    url: '/api/v1/communities/alpha/people',
    headers: { authorization: `Bearer ${token}` },
    payload: { ...person, allowDuplicate: true },
  });
  expect(created.statusCode).toBe(201);
  recordId = created.json<{ id: string }>().id;
  expect((await coordinator.get(`/c/alpha/people?search=${searched}`)).statusCode).toBe(200);
  expect((await coordinator.get(`/c/alpha/people/${recordId}`)).statusCode).toBe(200);
  expect((await coordinator.get(`/c/alpha/failing-search?q=${encodeURIComponent(person.fullName)}`)).statusCode).toBe(
    500,
  );
  // Hostile input answers 400, with what was sent in the request only.
  const nul = await app.inject({
    method: 'PATCH',
    url: `/api/v1/communities/alpha/people/${recordId}`,
    headers: { authorization: `Bearer ${token}` },
    payload: { address: `${person.address}\u0000` },
  });
  expect(nul.statusCode).toBe(400);
  // A duplicate email at registration: PostgreSQL's detail would name it.
  await visitor.submit('/register', '/register', newAccount);
  await app.close();
});
afterAll(() => database.drop());

describe('the logs', () => {
  it('were written, with a request id on every request line', () => {
    const requestLines = lines
      .map((line) => JSON.parse(line) as { reqId?: string; req?: unknown })
      .filter((line) => line.req);
    expect(requestLines.length).toBeGreaterThan(5);
    for (const line of requestLines) expect(line.reqId).toBeTruthy();
    expect(lines.some((line) => line.includes('"level":50'))).toBe(true);
  });

  it('hold nothing a person typed, searched for or is', () => {
    const everything = lines.join('\n');
    const personal = [
      ...Object.values(person),
      newAccount.displayName,
      newAccount.email,
      newAccount.password,
      fixturePassword,
      searched,
      'Quintrell',
      '900461',
      '943 476 5919',
      recordId,
      token,
      'coordinator@alpha.test',
    ];
    const found = personal.filter((value) => value && everything.toLowerCase().includes(value.toLowerCase()));
    expect(found).toEqual([]);
  });
});

describe('an error as it is logged', () => {
  it('keeps its kind, code and SQL, and drops the values', () => {
    const failure = Object.assign(new Error('invalid input syntax for type uuid: "Zebedee Quintrell"'), {
      code: '22P02',
      detail: 'Key (email)=(zebedee@example.org) already exists.',
      where: "unnamed portal parameter $1 = '…'",
      routine: 'string_to_uuid',
    });
    const wrapped = Object.assign(new Error('Failed query: select $1::uuid\nparams: Zebedee Quintrell'), {
      query: 'select $1::uuid',
      params: ['Zebedee Quintrell'],
      cause: failure,
    });
    const logged = JSON.stringify(loggedError(wrapped));
    expect(logged).not.toContain('Zebedee');
    expect(logged).toContain('select $1::uuid');
    expect(logged).toContain('22P02');
    expect(withoutValues('duplicate key value violates unique constraint "people_email_unique"')).toContain(
      'people_email_unique',
    );
    expect(withoutValues('Key (lower(email))=(a@b.c) already exists.')).not.toContain('a@b.c');
  });
});
