import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { consents, equalityMonitoring, personRecords } from '../../src/modules/people/schema.ts';
import {
  consentPurposes,
  evaluationConsented,
  messagePerson,
  peopleInEvaluation,
  recordConsent,
} from '../../src/modules/people/consent.ts';
import { auditEvents, outbox } from '../../src/platform/db/schema.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);

const recordsNamed = (name: string) =>
  given.test.database.owner.select().from(personRecords).where(eq(personRecords.preferredName, name));

describe('a coordinator keeps people’s records', () => {
  it('adds someone who is not online through the pages, and the record says so', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const added = await coordinator.submit('/c/alpha/people/new', '/c/alpha/people/new', {
      preferredName: 'Winston',
      fullName: 'Winston Churchill Brown',
      'dateOfBirth-day': '4',
      'dateOfBirth-month': '7',
      'dateOfBirth-year': '1941',
      phone: '020 7946 0123',
      contactMethod: 'phone',
      assistedDigital: 'yes',
    });
    expect(added.statusCode).toBe(303);
    const [winston] = await recordsNamed('Winston');
    expect(winston).toMatchObject({
      dateOfBirth: '1941-07-04',
      assistedDigital: true,
      phoneKey: '02079460123',
      contactMethod: 'phone',
    });
    expect(added.headers.location).toBe(`/c/alpha/people/${winston?.id}`);
    const page = await coordinator.get(`/c/alpha/people/${winston?.id}`);
    expect(page.body).toContain('Not online');
    expect(page.body).toContain('4 July 1941');
    const [audit] = await given.test.database.owner
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'person.created'), eq(auditEvents.subjectId, winston?.id ?? '')));
    expect(audit?.detail).toMatchObject({ onBehalf: true, assistedDigital: true });
  });

  it('a form with mistakes says what to fix, keeps what was typed and adds nobody', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const response = await coordinator.submit('/c/alpha/people/new', '/c/alpha/people/new', {
      preferredName: '',
      fullName: 'Nobody Atall',
      'dateOfBirth-day': '31',
      'dateOfBirth-month': '2',
      'dateOfBirth-year': '1950',
      phone: 'call me',
      email: 'not-an-email',
      postcode: 'NOWHERE',
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toContain('There is a problem');
    for (const message of [
      'Enter the name they like to be called',
      'Date of birth must be a real date',
      'Enter a phone number using numbers',
      'Enter an email address in the correct format',
      'Enter a real postcode',
    ]) {
      expect(response.body).toContain(message);
    }
    expect(response.body).toContain('value="Nobody Atall"');
    expect(response.body).toContain('value="31"');
    expect(
      await given.test.database.owner.select().from(personRecords).where(eq(personRecords.fullName, 'Nobody Atall')),
    ).toHaveLength(0);
  });

  it('is shown a likely duplicate instead of adding a second record, and can still add a different person', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const fields = { preferredName: 'Augusta', phone: '07700900123', contactMethod: 'sms' };
    const first = await coordinator.submit('/c/alpha/people/new', '/c/alpha/people/new', fields);
    expect(first.statusCode).toBe(200);
    expect(first.body).toContain('This may be someone we already know');
    expect(first.body).toContain('Ada Lovelace');
    expect(first.body).toContain('Same phone number');
    expect(await recordsNamed('Augusta')).toHaveLength(0);
    const token = /name="_csrf" value="([^"]+)"/.exec(first.body)?.[1] ?? '';
    const anyway = await coordinator.request('POST', '/c/alpha/people/new', {
      form: { ...fields, confirmNew: 'yes', _csrf: token },
    });
    expect(anyway.statusCode).toBe(303);
    expect(await recordsNamed('Augusta')).toHaveLength(1);
  });

  it('the button pressed twice adds one person', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const page = await coordinator.get('/c/alpha/people/new');
    const formKey = /name="formKey" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const token = /name="_csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const form = {
      _csrf: token,
      formKey,
      preferredName: 'Twice Pressed',
      contactMethod: 'post',
      address: '1 Acre Lane',
      postcode: 'SW2 5SG',
    };
    const [first, second] = await Promise.all([
      coordinator.request('POST', '/c/alpha/people/new', { form }),
      coordinator.request('POST', '/c/alpha/people/new', { form }),
    ]);
    expect(first.headers.location).toBe(second.headers.location);
    expect(await recordsNamed('Twice Pressed')).toHaveLength(1);
  });

  it('changes one section at a time; an interpreter needs a language', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const url = `/c/alpha/people/${given.fixture.alphaPersonId}/edit/communication`;
    const missing = await coordinator.submit(url, url, { communicationNeeds: ['large_print', 'interpreter'] });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Enter which language the interpreter should speak');
    const saved = await coordinator.submit(url, url, {
      communicationNeeds: ['large_print', 'interpreter'],
      interpreterLanguage: 'Somali',
    });
    expect(saved.statusCode).toBe(303);
    const [ada] = await given.test.database.owner
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, given.fixture.alphaPersonId));
    expect(ada).toMatchObject({
      communicationNeeds: ['large_print', 'interpreter'],
      interpreterLanguage: 'Somali',
      preferredName: 'Ada Lovelace',
    });
  });

  it('searches by name, phone typed another way, or record number', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    expect((await coordinator.get('/c/alpha/people?search=lovelace')).body).toContain('Ada Lovelace');
    const byPhone = await coordinator.get(`/c/alpha/people?search=${encodeURIComponent('+44 7700 900 123')}`);
    expect(byPhone.body).toContain('Ada Lovelace');
    expect(byPhone.body).toContain('Ada King');
    const [ada] = await given.test.database.owner
      .select()
      .from(personRecords)
      .where(eq(personRecords.id, given.fixture.alphaPersonId));
    expect((await coordinator.get(`/c/alpha/people?search=${ada?.number}`)).body).toContain('Ada Lovelace');
    expect((await coordinator.get('/c/alpha/people?search=zzzz')).body).toContain('No one found.');
  });
});

describe('merging two records of the same person', () => {
  it('keeps both histories under the record that stays, and marks the other as merged', async () => {
    const { alphaPersonId: keptId, alphaOtherPersonId: goneId, alpha } = given.fixture;
    const owner = given.test.database.owner;
    // Both records have a consent history; the merged-in one has the later evaluation decision.
    await inCommunity(given.test.database.app, { communityId: alpha.id, personId: null }, async (tx) => {
      await recordConsent(tx, {
        communityId: alpha.id,
        personRecordId: keptId,
        purpose: 'evaluation',
        granted: true,
        method: 'spoken',
        recordedBy: null,
        onBehalf: true,
      });
      await recordConsent(tx, {
        communityId: alpha.id,
        personRecordId: keptId,
        purpose: 'contact_sms',
        granted: true,
        method: 'spoken',
        recordedBy: null,
        onBehalf: true,
      });
      await new Promise((resolve) => setTimeout(resolve, 5));
      await recordConsent(tx, {
        communityId: alpha.id,
        personRecordId: goneId,
        purpose: 'evaluation',
        granted: false,
        method: 'paper',
        recordedBy: null,
        onBehalf: true,
      });
    });
    await owner.insert(equalityMonitoring).values({ personRecordId: goneId, communityId: alpha.id, ageBand: '65_74' });
    await owner.update(personRecords).set({ email: 'ada@example.org' }).where(eq(personRecords.id, goneId));

    const coordinator = await signedIn('coordinator@alpha.test');
    const page = await coordinator.get(`/c/alpha/people/${keptId}`);
    expect(page.body).toContain('This may be someone we already know');
    expect(page.body).toContain(`href="/c/alpha/people/${keptId}/merge/${goneId}">Compare with Ada King`);
    const compare = await coordinator.get(`/c/alpha/people/${keptId}/merge/${goneId}`);
    expect(compare.body).toContain('Merge Ada King into Ada Lovelace');
    const merged = await coordinator.submit(
      `/c/alpha/people/${keptId}/merge/${goneId}`,
      `/c/alpha/people/${keptId}/merge/${goneId}`,
      {},
    );
    expect(merged.statusCode).toBe(303);

    const [kept] = await owner.select().from(personRecords).where(eq(personRecords.id, keptId));
    const [gone] = await owner.select().from(personRecords).where(eq(personRecords.id, goneId));
    expect(kept).toMatchObject({ status: 'active', preferredName: 'Ada Lovelace', email: 'ada@example.org' });
    expect(gone).toMatchObject({ status: 'merged', mergedIntoId: keptId, preferredName: 'Ada King' });
    const history = await owner.select().from(consents).where(eq(consents.personRecordId, keptId));
    expect(history).toHaveLength(3);
    const current = history.filter((row) => row.supersededAt === null);
    expect(current.map((row) => [row.purpose, row.granted]).sort()).toEqual([
      ['contact_sms', true],
      ['evaluation', false],
    ]);
    expect(
      await owner.select().from(equalityMonitoring).where(eq(equalityMonitoring.personRecordId, keptId)),
    ).toHaveLength(1);
    // The merged record's address leads to the one that stays.
    expect((await coordinator.get(`/c/alpha/people/${goneId}`)).headers.location).toBe(`/c/alpha/people/${keptId}`);
    expect((await coordinator.get(`/c/alpha/people/${keptId}`)).body).toContain('was merged into this one');
    // Merging again changes nothing and says why.
    const again = await coordinator.submit(
      `/c/alpha/people/${keptId}/merge/${goneId}`,
      `/c/alpha/people/${keptId}/merge/${goneId}`,
      {},
    );
    expect(again.statusCode).toBe(409);
    expect(again.body).toContain('already been merged or erased');
  });
});

describe('a member’s own details and consent', () => {
  it('a member sees their own record, made from their account, and changes their consent', async () => {
    const member = await signedIn('member@alpha.test');
    const page = await member.get('/c/alpha/me');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Alpha member');
    expect(page.body).toContain('Not asked');
    const saved = await member.submit('/c/alpha/me/consents/contact_email', '/c/alpha/me/consents/contact_email', {
      granted: 'yes',
    });
    expect(saved.statusCode).toBe(303);
    const [own] = await given.test.database.owner
      .select()
      .from(personRecords)
      .where(eq(personRecords.preferredName, 'Alpha member'));
    const [decision] = await given.test.database.owner
      .select()
      .from(consents)
      .where(eq(consents.personRecordId, own?.id ?? ''));
    expect(decision).toMatchObject({ purpose: 'contact_email', granted: true, method: 'online', onBehalf: false });
    const missing = await member.submit('/c/alpha/me/consents/contact_sms', '/c/alpha/me/consents/contact_sms', {});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Select yes or no');
  });

  it('equality answers are read back only by the person; coordinators see counts, and small counts are hidden', async () => {
    const member = await signedIn('member@alpha.test');
    await member.submit('/c/alpha/me/equality', '/c/alpha/me/equality', {
      ageBand: '65_74',
      ethnicity: 'white_irish',
      sex: 'prefer_not',
    });
    const token = await tokenFor('member@alpha.test');
    expect((await call(token, 'GET', '/api/v1/communities/alpha/me/equality-monitoring')).json()).toMatchObject({
      ageBand: '65_74',
      ethnicity: 'white_irish',
    });
    const coordinator = await tokenFor('coordinator@alpha.test');
    const summary = (await call(coordinator, 'GET', '/api/v1/communities/alpha/equality-monitoring')).json<{
      total: number;
      questions: Record<string, { answer: string | null; count: number | null }[]>;
    }>();
    expect(summary.total).toBeGreaterThanOrEqual(1);
    expect(summary.questions.ethnicity?.find((row) => row.answer === 'white_irish')?.count).toBeNull();
    const wrong = await call(token, 'PUT', '/api/v1/communities/alpha/me/equality-monitoring', { ageBand: 'ancient' });
    expect(wrong.statusCode).toBe(400);
  });
});

describe('the people API', () => {
  it('adding a likely duplicate answers 409 with the records it may be; allowDuplicate adds it', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const body = { preferredName: 'Ada', dateOfBirth: '1950-12-10', fullName: 'Augusta Ada King' };
    const conflict = await call(token, 'POST', '/api/v1/communities/alpha/people', body);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.headers['content-type']).toContain('application/problem+json');
    expect(conflict.json()).toMatchObject({
      code: 'likely-duplicate',
      duplicates: [{ person: { id: given.fixture.alphaPersonId }, reasons: ['nameAndBirth'] }],
    });
    const created = await call(token, 'POST', '/api/v1/communities/alpha/people', { ...body, allowDuplicate: true });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ preferredName: 'Ada', dateOfBirth: '1950-12-10', hasAccount: false });
  });

  it('bad and hostile input answers 400 with field errors and writes nothing', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const before = await given.test.database.owner.select({ count: sql<number>`count(*)::int` }).from(personRecords);
    const cases: [unknown, string[]][] = [
      [{}, ['preferredName']],
      [{ preferredName: 42 }, ['preferredName']],
      [{ preferredName: 'x'.repeat(100_000) }, ['preferredName']],
      [
        { preferredName: 'Ok', livedExperience: 'y'.repeat(100_000), communicationNeeds: ['telepathy'] },
        ['livedExperience', 'communicationNeeds.0'],
      ],
      [
        { preferredName: 'Ok', nhsNumber: "1'; drop table person_records; --", dateOfBirth: '2999-01-01' },
        ['nhsNumber', 'dateOfBirth'],
      ],
      [{ preferredName: 'Ok', contactMethod: 'email' }, ['email']],
    ];
    for (const [payload, fields] of cases) {
      const response = await call(token, 'POST', '/api/v1/communities/alpha/people', payload);
      expect(response.statusCode, JSON.stringify(payload).slice(0, 80)).toBe(400);
      expect(response.json<{ errors: { field: string }[] }>().errors.map((error) => error.field)).toEqual(
        expect.arrayContaining(fields),
      );
    }
    const after = await given.test.database.owner.select({ count: sql<number>`count(*)::int` }).from(personRecords);
    expect(after).toEqual(before);
    // HTML in a name is kept as text and shown as text.
    const html = await call(token, 'POST', '/api/v1/communities/alpha/people', {
      preferredName: '<script>alert(1)</script>',
      allowDuplicate: true,
    });
    const coordinator = await signedIn('coordinator@alpha.test');
    const page = await coordinator.get(`/c/alpha/people/${html.json<{ id: string }>().id}`);
    expect(page.body).not.toContain('<script>alert(1)</script>');
    expect(page.body).toContain('&lt;script&gt;');
  });

  it('another community’s records are not there at all', async () => {
    const token = await tokenFor('admin@beta.test');
    expect(
      (await call(token, 'GET', `/api/v1/communities/beta/people/${given.fixture.alphaPersonId}`)).statusCode,
    ).toBe(404);
    expect(
      (await call(token, 'GET', `/api/v1/communities/alpha/people/${given.fixture.alphaPersonId}`)).statusCode,
    ).toBe(404);
    const list = await call(token, 'GET', '/api/v1/communities/beta/people?search=ada');
    expect(list.json<{ items: unknown[] }>().items).toEqual([]);
  });

  it('consent recorded for a person shows as history, with the current decision', async () => {
    const token = await tokenFor('coordinator@alpha.test');
    const [winston] = await recordsNamed('Winston');
    const url = `/api/v1/communities/alpha/people/${winston?.id}/consents`;
    await call(token, 'POST', `${url}/contact_sms`, { granted: true, method: 'spoken' });
    const withdrawn = await call(token, 'POST', `${url}/contact_sms`, {
      granted: false,
      method: 'paper',
      note: 'Letter received',
    });
    expect(withdrawn.json()).toMatchObject({
      current: { contact_sms: false },
      history: [
        { purpose: 'contact_sms', granted: false, current: true, method: 'paper' },
        { granted: true, current: false },
      ],
    });
    expect(
      (await call(token, 'POST', `${url}/contact_sms`, { granted: 'maybe', method: 'telepathy' })).statusCode,
    ).toBe(400);
  });
});

describe('consent is enforced', () => {
  it('a message goes by a channel only with current consent to it; evaluation counts only those who agreed', async () => {
    const { alpha } = given.fixture;
    const db = given.test.database;
    const [person] = await db.owner
      .insert(personRecords)
      .values({
        communityId: alpha.id,
        preferredName: 'Property Person',
        email: 'property@example.org',
        phone: '07700 900999',
      })
      .returning();
    if (!person) throw new Error('no person');
    const purposes = fc.constantFrom(
      'contact_email' as const,
      'contact_sms' as const,
      'evaluation' as const,
      ...consentPurposes,
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(purposes, fc.boolean()), { maxLength: 8 }),
        fc.constantFrom('email' as const, 'sms' as const),
        async (decisions, channel) => {
          await db.owner.delete(consents).where(eq(consents.personRecordId, person.id));
          const outcome = await inCommunity(db.app, { communityId: alpha.id, personId: null }, async (tx) => {
            for (const [purpose, granted] of decisions)
              await recordConsent(tx, {
                communityId: alpha.id,
                personRecordId: person.id,
                purpose,
                granted,
                method: 'spoken',
                recordedBy: null,
                onBehalf: true,
              });
            const sent = await messagePerson(tx, false, person, channel, {
              template: 'property',
              subject: 'Hello',
              body: `A message by ${channel}`,
            });
            const counted = (await peopleInEvaluation(tx, alpha.id)).has(person.id);
            const [filtered] = await tx
              .select({ id: personRecords.id })
              .from(personRecords)
              .where(and(eq(personRecords.id, person.id), evaluationConsented(personRecords.id)));
            return { sent, counted, filtered: filtered !== undefined };
          });
          const last = (purpose: string) => decisions.filter(([one]) => one === purpose).at(-1)?.[1] === true;
          expect(outcome.sent).toBe(
            last(channel === 'email' ? 'contact_email' : 'contact_sms') ? 'queued' : 'no-consent',
          );
          expect(outcome.counted).toBe(last('evaluation'));
          expect(outcome.filtered).toBe(last('evaluation'));
        },
      ),
      { numRuns: 40 },
    );
    const queued = await db.owner.select().from(outbox).where(eq(outbox.template, 'property'));
    // Every message recorded went to an address the person gave.
    expect(
      queued.every((message) => message.recipient === 'property@example.org' || message.recipient === '07700 900999'),
    ).toBe(true);
  });
});
