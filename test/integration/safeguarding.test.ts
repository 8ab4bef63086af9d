import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { concernActions, safeguardingConcerns } from '../../src/modules/safeguarding/schema.ts';
import { auditEvents, outbox } from '../../src/platform/db/schema.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;

describe('safeguarding concerns', () => {
  it('any member raises one; someone in danger now is shown 999 and 111; the leads are told that there is one, not what it says', async () => {
    const member = await signedIn('member@alpha.test');
    const form = await member.get('/c/alpha/concerns/new');
    expect(form.body).toContain('Call <a href="tel:999"');
    const missing = await member.submit('/c/alpha/concerns/new', '/c/alpha/concerns/new', { about: 'Bob' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Select yes if someone is in danger right now');
    expect(missing.body).toContain('value="Bob"');
    const raised = await member.submit('/c/alpha/concerns/new', '/c/alpha/concerns/new', {
      about: 'Bob at the Tuesday group',
      whatHappened: 'He said his son takes his pension and he has no food.',
      whenHappened: 'Tuesday',
      dangerNow: 'yes',
    });
    expect(raised.headers.location).toBe('/c/alpha/concerns/sent');
    const sent = await member.get('/c/alpha/concerns/sent');
    expect(sent.body).toContain('Your concern has been sent');
    expect(sent.body).toContain('Call <a href="tel:999"');
    expect(sent.body).toContain('Call <a href="tel:111"');
    const [concern] = await owner()
      .select()
      .from(safeguardingConcerns)
      .where(eq(safeguardingConcerns.about, 'Bob at the Tuesday group'));
    expect(concern).toMatchObject({ dangerNow: true, status: 'open' });
    const told = await owner().select().from(outbox).where(eq(outbox.template, 'concern-raised'));
    expect(told.map((message) => message.recipient)).toContain('safeguarding-lead@alpha.test');
    expect(told.every((message) => !message.body.includes('pension'))).toBe(true);
    expect(told.find((message) => message.recipient === 'safeguarding-lead@alpha.test')?.subject).toMatch(/^Urgent/);
  });

  it('raised from a person’s record, the concern points at the record; a member’s own concern points at nobody’s', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const url = `/c/alpha/concerns/new?person=${given.fixture.alphaPersonId}`;
    const form = await coordinator.get(url);
    expect(form.body).toContain(`name="personRecordId" value="${given.fixture.alphaPersonId}"`);
    expect(form.body).toContain('value="Ada Lovelace"');
    await coordinator.submit(url, '/c/alpha/concerns/new', {
      personRecordId: given.fixture.alphaPersonId,
      about: 'Ada Lovelace',
      whatHappened: 'Missed three groups and is not answering the phone.',
      dangerNow: 'no',
    });
    const [linked] = await owner()
      .select()
      .from(safeguardingConcerns)
      .where(eq(safeguardingConcerns.whatHappened, 'Missed three groups and is not answering the phone.'));
    expect(linked?.personRecordId).toBe(given.fixture.alphaPersonId);
    const member = await signedIn('member@alpha.test');
    expect((await member.get('/c/alpha/concerns/new')).body).not.toContain('name="personRecordId"');
    // A record of another community cannot be named.
    const wrong = await call(await tokenFor('member@beta.test'), 'POST', '/api/v1/communities/beta/concerns', {
      about: 'x',
      whatHappened: 'y',
      dangerNow: false,
      personRecordId: given.fixture.alphaPersonId,
    });
    expect(wrong.statusCode).toBe(400);
  });

  it('only the leads and admins read concerns, each read is audited, and everyone else is told there is nothing there', async () => {
    const { alphaConcernId } = given.fixture;
    for (const email of ['coordinator@alpha.test', 'member@alpha.test', 'peer-supporter@alpha.test']) {
      const visitor = await signedIn(email);
      expect((await visitor.get(`/c/alpha/concerns/${alphaConcernId}`)).statusCode, email).toBe(404);
      expect((await visitor.get('/c/alpha/concerns')).statusCode, email).toBe(404);
      expect(
        (await call(await tokenFor(email), 'GET', `/api/v1/communities/alpha/concerns/${alphaConcernId}`)).statusCode,
        email,
      ).toBe(404);
    }
    const before = await owner()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'restricted.read'), eq(auditEvents.subjectId, alphaConcernId)));
    const lead = await signedIn('safeguarding-lead@alpha.test');
    const page = await lead.get(`/c/alpha/concerns/${alphaConcernId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Seemed frightened of a visitor');
    const after = await owner()
      .select()
      .from(auditEvents)
      .where(and(eq(auditEvents.action, 'restricted.read'), eq(auditEvents.subjectId, alphaConcernId)));
    expect(after.length).toBe(before.length + 1);
    expect(
      (await call(await tokenFor('admin@alpha.test'), 'GET', `/api/v1/communities/alpha/concerns/${alphaConcernId}`))
        .statusCode,
    ).toBe(200);
    expect(
      (await call(await tokenFor('admin@beta.test'), 'GET', `/api/v1/communities/beta/concerns/${alphaConcernId}`))
        .statusCode,
    ).toBe(404);
    // The form tells whoever raises a concern the same readers as the list tells its readers.
    const form = await (await signedIn('member@alpha.test')).get('/c/alpha/concerns/new');
    expect(form.body).toContain('safeguarding leads and admins can read this');
    expect((await lead.get('/c/alpha/concerns')).body).toContain('Only safeguarding leads and admins can see these');
  });

  it('the lead records what was done and moves the concern on; the log only grows', async () => {
    const { alphaConcernId } = given.fixture;
    const lead = await tokenFor('safeguarding-lead@alpha.test');
    const empty = await call(lead, 'POST', `/api/v1/communities/alpha/concerns/${alphaConcernId}/actions`, {
      note: '',
    });
    expect(empty.statusCode).toBe(400);
    const actioned = await call(lead, 'POST', `/api/v1/communities/alpha/concerns/${alphaConcernId}/actions`, {
      note: 'Spoke with Ada; referred to adult social care.',
      statusTo: 'actioned',
    });
    expect(actioned.json()).toMatchObject({
      status: 'actioned',
      actions: [{ note: 'Spoke with Ada; referred to adult social care.', statusTo: 'actioned' }],
    });
    const closed = await call(lead, 'POST', `/api/v1/communities/alpha/concerns/${alphaConcernId}/actions`, {
      note: 'Social care confirmed a plan is in place.',
      statusTo: 'closed',
    });
    expect(closed.json<{ actions: unknown[] }>().actions).toHaveLength(2);
    expect(
      await owner().select().from(concernActions).where(eq(concernActions.concernId, alphaConcernId)),
    ).toHaveLength(2);
    // The application cannot rewrite the log.
    const { sql } = await import('drizzle-orm');
    await expect(given.test.database.app.execute(sql`update concern_actions set note = 'changed'`)).rejects.toThrow();
  });

  it('a concern with no action for two days is marked overdue for the leads, and is not once something is recorded', async () => {
    const [quiet] = await owner()
      .insert(safeguardingConcerns)
      .values({
        communityId: given.fixture.alpha.id,
        about: 'Quiet concern',
        whatHappened: 'Seen crying at the bus stop.',
        dangerNow: false,
        createdAt: new Date(Date.now() - 3 * 86_400_000),
      })
      .returning({ id: safeguardingConcerns.id });
    const lead = await signedIn('safeguarding-lead@alpha.test');
    const row = (body: string) =>
      body.slice(body.indexOf('Quiet concern'), body.indexOf('</tr>', body.indexOf('Quiet concern')));
    expect(row((await lead.get('/c/alpha/concerns')).body)).toContain('No action for 2 days');
    expect((await lead.get('/c/alpha')).body).toMatch(/concerns? (has|have) had no action for 2 days or more/);
    await call(
      await tokenFor('safeguarding-lead@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/concerns/${quiet?.id}/actions`,
      { note: 'Called her daughter.' },
    );
    expect(row((await lead.get('/c/alpha/concerns')).body)).not.toContain('No action for 2 days');
  });
});

describe('linking a concern to a record', () => {
  it('a lead finds the record and links the concern to it afterwards; the log says so; a wrong record is refused and changes nothing', async () => {
    const { personRecords } = await import('../../src/modules/people/schema.ts');
    const [person] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Bernard', fullName: 'Bernard Quist' })
      .returning({ id: personRecords.id, number: personRecords.number });
    const raised = await call(await tokenFor('member@alpha.test'), 'POST', '/api/v1/communities/alpha/concerns', {
      about: 'Bernard from the Tuesday walk',
      whatHappened: 'Bruises on his arms again',
      dangerNow: false,
    });
    expect(raised.statusCode).toBe(201);
    const concernId = raised.json<{ id: string }>().id;
    const url = `/c/alpha/concerns/${concernId}`;

    const lead = await signedIn('safeguarding-lead@alpha.test');
    const before = await lead.get(url);
    expect(before.body).toContain('Not linked to a record yet');
    expect(before.body).toContain(`href="${url}/person"`);
    const search = await lead.get(`${url}/person?q=Quist`);
    expect(search.statusCode).toBe(200);
    expect(search.body).toContain('1 person found for “Quist”');
    const wrong = await lead.submit(`${url}/person?q=Quist`, `${url}/person`, {
      personRecordId: given.fixture.alphaInvitationId,
      q: 'Quist',
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      (await owner().select().from(safeguardingConcerns).where(eq(safeguardingConcerns.id, concernId)))[0]
        ?.personRecordId,
    ).toBeNull();

    const linked = await lead.submit(`${url}/person?q=Quist`, `${url}/person`, {
      personRecordId: person?.id ?? '',
      q: 'Quist',
    });
    expect(linked.statusCode).toBe(303);
    const after = await lead.get(url);
    expect(after.body).toContain('The concern is linked to the person');
    expect(after.body).toContain(`Record ${person?.number}: Bernard`);
    expect(after.body).toContain(`Linked to record ${person?.number}.`);
    // A lead keeps no records: the name is not a link to a page they cannot open.
    expect(after.body).not.toContain(`/c/alpha/people/${person?.id}`);
    expect((await (await signedIn('admin@alpha.test')).get(url)).body).toContain(
      `href="/c/alpha/people/${person?.id}"`,
    );

    // The API does the same; others are told there is nothing here.
    const api = await call(
      await tokenFor('admin@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/concerns/${concernId}/person`,
      { personRecordId: given.fixture.alphaPersonId },
    );
    expect(api.statusCode, api.body).toBe(200);
    expect(api.json<{ personRecordId: string }>().personRecordId).toBe(given.fixture.alphaPersonId);
    expect(
      (
        await call(
          await tokenFor('coordinator@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/concerns/${concernId}/person`,
          { personRecordId: person?.id },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(await tokenFor('admin@beta.test'), 'PUT', `/api/v1/communities/alpha/concerns/${concernId}/person`, {
          personRecordId: person?.id,
        })
      ).statusCode,
    ).toBe(404);
  });
});
