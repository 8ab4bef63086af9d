import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { personRecords } from '../../src/modules/people/schema.ts';
import { referrals } from '../../src/modules/referrals/schema.ts';
import { caseloadEntries, hubActions, reviewItems, reviewMeetings } from '../../src/modules/caseload/schema.ts';
import { nextReviewDay } from '../../src/modules/caseload/service.ts';
import { approvalProblem, penceFromForm } from '../../src/modules/caseload/budgets.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor: freshToken, call } = callers(() => given.test.app);
// One token per person for the whole file: making a token is a sign-in, and sign-ins are rate limited.
const tokens = new Map<string, Promise<string>>();
const tokenFor = (email: string) =>
  tokens.get(email) ?? (tokens.set(email, freshToken(email)), tokens.get(email) ?? freshToken(email));
const owner = () => given.test.database.owner;
const count = async (table: string, where = sql`true`) =>
  (await owner().execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))
    .rows[0]?.n ?? 0;
const day = (daysAhead: number) => new Date(Date.now() + daysAhead * 86_400_000).toISOString().slice(0, 10);

describe('the review rhythm', () => {
  it('the next review day is the first of the team’s days from today, today included', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 7 }),
        fc.date({ min: new Date('2024-01-01'), max: new Date('2030-12-31'), noInvalidDate: true }),
        (days, date) => {
          const from = date.toISOString().slice(0, 10);
          const next = nextReviewDay(days, from);
          const isoDay = (value: string) => ((new Date(`${value}T12:00:00Z`).getUTCDay() + 6) % 7) + 1;
          expect(days).toContain(isoDay(next));
          const gap = (Date.parse(next) - Date.parse(from)) / 86_400_000;
          expect(gap).toBeGreaterThanOrEqual(0);
          expect(gap).toBeLessThan(7);
          for (let earlier = 0; earlier < gap; earlier += 1)
            expect(days).not.toContain(
              isoDay(new Date(Date.parse(from) + earlier * 86_400_000).toISOString().slice(0, 10)),
            );
        },
      ),
    );
  });
});

describe('the hub’s caseload', () => {
  it('a referral accepted into the hub puts the person on the caseload, and the next review meeting’s agenda shows them as new', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const [person] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Hana Hubbed' })
      .returning({ id: personRecords.id });
    const [referral] = await owner()
      .insert(referrals)
      .values({
        communityId: given.fixture.alpha.id,
        reference: 'HUBB-2345',
        personRecordId: person?.id ?? '',
        source: 'self',
        reason: 'x',
        contactDueOn: '2026-01-05',
      })
      .returning({ id: referrals.id });
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${referral?.id}/accept`, {
          programmeIds: [given.fixture.alphaHubId],
          note: '',
        })
      ).statusCode,
    ).toBe(200);
    const [entry] = await owner()
      .select()
      .from(caseloadEntries)
      .where(eq(caseloadEntries.personRecordId, person?.id ?? ''));
    expect(entry?.referralId).toBe(referral?.id);
    // Opening today's meeting again brings its agenda up to date.
    const meeting = await call(coordinator, 'POST', '/api/v1/communities/alpha/review-meetings', {});
    expect(meeting.json<{ id: string }>().id).toBe(given.fixture.alphaReviewMeetingId);
    const line = meeting
      .json<{ agenda: { entryId: string; reasons: string[] }[] }>()
      .agenda.find((one) => one.entryId === entry?.id);
    expect(line?.reasons).toContain('new_referral');
    // Ada is there for her open risk flag.
    expect(
      meeting
        .json<{ agenda: { entryId: string; reasons: string[] }[] }>()
        .agenda.find((one) => one.entryId === given.fixture.alphaEntryId)?.reasons,
    ).toContain('risk_flag');
  });

  it('the chair records a discussion and an action for a peer supporter in one change; the action is on the supporter’s home page; bad input changes nothing', async () => {
    const { alphaReviewMeetingId, alphaEntryId } = given.fixture;
    const chair = await signedIn('coordinator@alpha.test');
    const url = `/c/alpha/hub/review-meetings/${alphaReviewMeetingId}/people/${alphaEntryId}`;
    const supporter =
      (
        await owner().execute<{ id: string }>(
          sql`select r.id from person_records r join people p on p.id = r.account_id where p.email = 'peer-supporter@alpha.test'`,
        )
      ).rows[0]?.id ?? '';
    const before = await count('hub_actions');
    const half = await chair.submit(url, url, {
      discussion: 'Ada is worried about the letter',
      description: 'Go with Ada to the council',
      ownerRecordId: '',
      'dueOn-day': '40',
      'dueOn-month': '2',
      'dueOn-year': '2027',
    });
    expect(half.statusCode).toBe(400);
    expect(half.body).toContain('Choose who will do it');
    expect(half.body).toContain('Enter when it is due as a real date');
    expect(half.body).toContain('Ada is worried about the letter');
    expect(await count('hub_actions')).toBe(before);
    expect(
      await count(
        'review_items',
        sql`meeting_id = ${alphaReviewMeetingId} and entry_id = ${alphaEntryId} and recorded_at is not null`,
      ),
    ).toBe(0);
    const due = day(5);
    const [year, month, dayOfMonth] = due.split('-');
    const saved = await chair.submit(url, url, {
      discussion: 'Ada is worried about the letter',
      decisions: 'Dev goes with her',
      description: 'Go with Ada to the council',
      ownerRecordId: supporter,
      'dueOn-day': dayOfMonth ?? '',
      'dueOn-month': month ?? '',
      'dueOn-year': year ?? '',
    });
    expect(saved.statusCode).toBe(303);
    expect(await count('hub_actions')).toBe(before + 1);
    const [item] = await owner()
      .select()
      .from(reviewItems)
      .where(and(eq(reviewItems.meetingId, alphaReviewMeetingId), eq(reviewItems.entryId, alphaEntryId)));
    expect(item).toMatchObject({ decisions: 'Dev goes with her' });
    const home = await (await signedIn('peer-supporter@alpha.test')).get('/c/alpha');
    expect(home.body).toContain('Go with Ada to the council');
    // Someone outside the team cannot own an action.
    const outsider = await call(await tokenFor('coordinator@alpha.test'), 'POST', '/api/v1/communities/alpha/actions', {
      entryId: alphaEntryId,
      description: 'x',
      ownerRecordId: given.fixture.alphaOtherPersonId,
      dueOn: day(3),
    });
    expect(outsider.statusCode).toBe(400);
  });

  it('a peer supporter sees the people they work with, and another person on the caseload not at all; risk detail is the clinical team’s and every read is audited', async () => {
    const { alphaEntryId, alphaOtherEntryId } = given.fixture;
    const peer = await signedIn('peer-supporter@alpha.test');
    const own = await peer.get(`/c/alpha/hub/caseload/${alphaEntryId}`);
    expect(own.statusCode).toBe(200);
    expect(own.body).toContain('Visits in pairs at first');
    expect(own.body).not.toContain('self-harm');
    expect((await peer.get(`/c/alpha/hub/caseload/${alphaOtherEntryId}`)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'GET',
          `/api/v1/communities/alpha/caseload/${alphaOtherEntryId}/risks`,
        )
      ).statusCode,
    ).toBe(404);
    const listed = await call(await tokenFor('peer-supporter@alpha.test'), 'GET', '/api/v1/communities/alpha/caseload');
    expect(listed.json<{ items: { id: string }[] }>().items.map((one) => one.id)).toEqual([alphaEntryId]);
    // An agenda names everyone: review meetings are not a peer supporter's, nor are key contacts or new actions.
    expect((await peer.get(`/c/alpha/hub/review-meetings/${given.fixture.alphaReviewMeetingId}`)).statusCode).toBe(404);
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'GET',
          `/api/v1/communities/alpha/review-meetings/${given.fixture.alphaReviewMeetingId}`,
        )
      ).statusCode,
    ).toBe(404);
    // A cursor made up does not change that: the meeting is still not there for them.
    const meetingUrl = `/api/v1/communities/alpha/review-meetings/${given.fixture.alphaReviewMeetingId}?cursor=not-a-cursor`;
    expect((await call(await tokenFor('peer-supporter@alpha.test'), 'GET', meetingUrl)).statusCode).toBe(404);
    expect((await call(await tokenFor('coordinator@alpha.test'), 'GET', meetingUrl)).statusCode).toBe(400);
    expect(
      (
        await call(await tokenFor('peer-supporter@alpha.test'), 'POST', '/api/v1/communities/alpha/actions', {
          entryId: alphaEntryId,
          description: 'x',
          ownerRecordId: given.fixture.alphaTimebankMemberId,
          dueOn: day(3),
        })
      ).statusCode,
    ).toBe(404);
    // Not in the team: nothing at all.
    for (const email of ['member@alpha.test', 'facilitator@alpha.test', 'referrer@alpha.test'])
      expect((await (await signedIn(email)).get(`/c/alpha/hub/caseload/${alphaEntryId}`)).statusCode, email).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'GET',
          `/api/v1/communities/alpha/caseload/${alphaEntryId}/risks`,
        )
      ).statusCode,
    ).toBe(404);

    const reads = () => count('audit_events', sql`action = 'restricted.read' and subject_type = 'risk_flag'`);
    const before = await reads();
    const clinician = await call(
      await tokenFor('partner@alpha.test'),
      'GET',
      `/api/v1/communities/alpha/caseload/${alphaEntryId}/risks`,
    );
    expect(clinician.json<{ items: { detail: string | null }[] }>().items[0]?.detail).toContain('self-harm');
    const peerView = await call(
      await tokenFor('peer-supporter@alpha.test'),
      'GET',
      `/api/v1/communities/alpha/caseload/${alphaEntryId}/risks`,
    );
    expect(peerView.json<{ items: { detail: string | null; agreedApproach: string }[] }>().items[0]).toMatchObject({
      detail: null,
      agreedApproach: 'Visits in pairs at first; call before arriving',
    });
    expect(await reads()).toBe(before + 2);
    // A peer supporter cannot raise one; hostile input to a clinician writes nothing.
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/caseload/${alphaEntryId}/risks`,
          { detail: 'x', agreedApproach: 'y', reviewOn: day(10) },
        )
      ).statusCode,
    ).toBe(404);
    for (const body of [
      {},
      { detail: '', agreedApproach: 'y', reviewOn: day(10) },
      { detail: 'x', agreedApproach: 'y', reviewOn: day(-10) },
      { detail: 'x', agreedApproach: 'y', reviewOn: 'soon' },
    ]) {
      expect(
        (
          await call(
            await tokenFor('partner@alpha.test'),
            'POST',
            `/api/v1/communities/alpha/caseload/${alphaEntryId}/risks`,
            body,
          )
        ).statusCode,
        JSON.stringify(body),
      ).toBe(400);
    }
    expect(await count('risk_flags')).toBe(1);
    // A form sent twice (the same key) records once.
    const team = await signedIn('coordinator@alpha.test');
    const formKey = '8f0b6a52-3c1d-4e7a-9b2f-0d4c5e6f7a81';
    const notes = () => count('caseload_contacts', sql`entry_id = ${alphaEntryId}`);
    const beforeNotes = await notes();
    for (let press = 0; press < 2; press += 1) {
      const sent = await team.submit(
        `/c/alpha/hub/caseload/${alphaEntryId}`,
        `/c/alpha/hub/caseload/${alphaEntryId}/contacts`,
        {
          formKey,
          note: 'Phoned Ada',
          'occurredOn-day': day(0).slice(8),
          'occurredOn-month': day(0).slice(5, 7),
          'occurredOn-year': day(0).slice(0, 4),
        },
      );
      expect(sent.statusCode).toBe(303);
    }
    expect(await notes()).toBe(beforeNotes + 1);
  });

  it('the team adds someone to the agenda; closing keeps the agenda and minutes, and a closed meeting changes no more; starting twice opens one', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const first = await call(coordinator, 'POST', '/api/v1/communities/alpha/review-meetings', { heldOn: day(1) });
    const second = await call(coordinator, 'POST', '/api/v1/communities/alpha/review-meetings', { heldOn: day(1) });
    expect(second.json<{ id: string }>().id).toBe(first.json<{ id: string }>().id);
    const meetingId = first.json<{ id: string }>().id;
    const added = await call(coordinator, 'POST', `/api/v1/communities/alpha/review-meetings/${meetingId}/agenda`, {
      entryId: given.fixture.alphaOtherEntryId,
    });
    expect(
      added
        .json<{ agenda: { entryId: string; reasons: string[] }[] }>()
        .agenda.find((one) => one.entryId === given.fixture.alphaOtherEntryId)?.reasons,
    ).toContain('added');
    const closed = await call(coordinator, 'POST', `/api/v1/communities/alpha/review-meetings/${meetingId}/close`, {
      minutes: 'Short meeting.',
    });
    expect(closed.json()).toMatchObject({ closed: true, minutes: 'Short meeting.' });
    const kept = closed.json<{ agenda: unknown[] }>().agenda.length;
    expect(await count('review_items', sql`meeting_id = ${meetingId}`)).toBe(kept);
    expect(
      (
        await call(
          coordinator,
          'PUT',
          `/api/v1/communities/alpha/review-meetings/${meetingId}/people/${given.fixture.alphaOtherEntryId}`,
          { discussion: 'late' },
        )
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/review-meetings/${meetingId}/close`, {
          minutes: 'again',
        })
      ).statusCode,
    ).toBe(400);
    const [meeting] = await owner().select().from(reviewMeetings).where(eq(reviewMeetings.id, meetingId));
    expect(meeting?.minutes).toBe('Short meeting.');
  });

  it('the agenda reads a page at a time in the order of names, and follows a name that changes', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const opened = await call(coordinator, 'POST', '/api/v1/communities/alpha/review-meetings', { heldOn: day(3) });
    const meetingId = opened.json<{ id: string }>().id;
    for (const entryId of [given.fixture.alphaEntryId, given.fixture.alphaOtherEntryId])
      await call(coordinator, 'POST', `/api/v1/communities/alpha/review-meetings/${meetingId}/agenda`, { entryId });
    type Page = { agenda: { entryId: string; personRecordId: string; name: string }[]; nextCursor: string | null };
    const pageOf = async (cursor?: string) =>
      (
        await call(
          coordinator,
          'GET',
          `/api/v1/communities/alpha/review-meetings/${meetingId}?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        )
      ).json<Page>();
    /** Every line of the agenda, one page of one at a time. */
    const wholeAgenda = async () => {
      const lines: Page['agenda'] = [];
      let page = await pageOf();
      lines.push(...page.agenda);
      while (page.nextCursor) {
        page = await pageOf(page.nextCursor);
        lines.push(...page.agenda);
      }
      return lines;
    };
    const everyItemSortsByItsName = async () =>
      count(
        'review_items',
        sql`sort_name <> (select lower(p.preferred_name) from caseload_entries e join person_records p on p.id = e.person_record_id where e.id = review_items.entry_id)`,
      );
    const before = await wholeAgenda();
    expect(before.map((line) => line.name.toLowerCase())).toEqual(before.map((line) => line.name.toLowerCase()).sort());
    expect(before.length).toBeGreaterThanOrEqual(2);
    expect(await everyItemSortsByItsName()).toBe(0);
    // The first by name is renamed to come last: the agenda follows, and every page still holds one line.
    const first = before[0];
    if (!first) throw new Error('no agenda');
    const renamed = await call(coordinator, 'PATCH', `/api/v1/communities/alpha/people/${first.personRecordId}`, {
      preferredName: 'Zephyrine Last',
    });
    expect(renamed.statusCode).toBe(200);
    const after = await wholeAgenda();
    expect(after.map((line) => line.entryId)).toEqual([...before.slice(1), first].map((line) => line.entryId));
    expect(after[after.length - 1]?.name).toBe('Zephyrine Last');
    expect(await everyItemSortsByItsName()).toBe(0);
    await call(coordinator, 'PATCH', `/api/v1/communities/alpha/people/${first.personRecordId}`, {
      preferredName: first.name,
    });
    expect((await wholeAgenda()).map((line) => line.entryId)).toEqual(before.map((line) => line.entryId));
    // Names beyond plain letters page without skipping anyone: the cursor is the database's own sort name.
    const [one, two] = before;
    if (!one || !two) throw new Error('no agenda');
    for (const [line, name] of [
      [one, 'Émile Ward'],
      [two, 'Øyvind Berg'],
    ] as const)
      await call(coordinator, 'PATCH', `/api/v1/communities/alpha/people/${line.personRecordId}`, {
        preferredName: name,
      });
    const accented = await wholeAgenda();
    expect(accented.map((line) => line.entryId).sort()).toEqual(before.map((line) => line.entryId).sort());
    expect(accented.map((line) => line.name)).toEqual(expect.arrayContaining(['Émile Ward', 'Øyvind Berg']));
    // So do the caseload and the people's records, one a page: every entry and record once, in order.
    const wholeList = async <Item extends { id: string; name?: string; preferredName?: string }>(path: string) => {
      const items: Item[] = [];
      let cursor: string | null = null;
      do {
        const page: { items: Item[]; nextCursor: string | null } = (
          await call(coordinator, 'GET', `${path}?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        ).json();
        items.push(...page.items);
        cursor = page.nextCursor;
      } while (cursor);
      return items;
    };
    const caseload = await wholeList<{ id: string; name: string }>('/api/v1/communities/alpha/caseload');
    const caseloadIds = await count(
      'caseload_entries',
      sql`closed_at is null and community_id = ${given.fixture.alpha.id}`,
    );
    expect(caseload).toHaveLength(caseloadIds);
    expect(new Set(caseload.map((entry) => entry.id)).size).toBe(caseload.length);
    expect(caseload.map((entry) => entry.name)).toEqual(expect.arrayContaining(['Émile Ward', 'Øyvind Berg']));
    const records = await wholeList<{ id: string; preferredName: string }>('/api/v1/communities/alpha/people');
    const activeRecords = await count(
      'person_records',
      sql`status = 'active' and community_id = ${given.fixture.alpha.id}`,
    );
    expect(records).toHaveLength(activeRecords);
    expect(records[0]).not.toHaveProperty('sortName');
    expect(new Set(records.map((record) => record.id)).size).toBe(records.length);
    expect(records.map((record) => record.preferredName)).toEqual(
      expect.arrayContaining(['Émile Ward', 'Øyvind Berg']),
    );
    // A search for a name with a capital beyond A to Z finds it (the caseload's search as the people's).
    const found = (
      await call(coordinator, 'GET', `/api/v1/communities/alpha/caseload?q=${encodeURIComponent('Émile')}`)
    ).json<{ items: { name: string }[] }>();
    expect(found.items.map((entry) => entry.name)).toEqual(['Émile Ward']);
    for (const line of [one, two])
      await call(coordinator, 'PATCH', `/api/v1/communities/alpha/people/${line.personRecordId}`, {
        preferredName: line.name,
      });
  });

  it('actions are done by their owner; an overdue one puts the person on the agenda', async () => {
    const { alphaActionId } = given.fixture;
    const [action] = await owner().select().from(hubActions).where(eq(hubActions.id, alphaActionId));
    await owner()
      .update(hubActions)
      .set({ dueOn: day(-3) })
      .where(eq(hubActions.id, alphaActionId));
    const agenda = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      '/api/v1/communities/alpha/review-meetings',
      {},
    );
    expect(
      agenda
        .json<{ agenda: { entryId: string; reasons: string[] }[] }>()
        .agenda.find((one) => one.entryId === action?.entryId)?.reasons,
    ).toContain('overdue_action');
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/actions/${alphaActionId}/done`,
        )
      ).statusCode,
    ).toBe(204);
    const [done] = await owner().select().from(hubActions).where(eq(hubActions.id, alphaActionId));
    expect(done?.doneAt).not.toBeNull();
  });
});

describe('support plans and personal budgets', () => {
  it('money typed in pounds becomes pence; anything else is not money', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 99_999_999 }), (pence) => {
        const typed = `${Math.floor(pence / 100)}.${String(pence % 100).padStart(2, '0')}`;
        expect(penceFromForm(typed)).toBe(pence);
        expect(penceFromForm(`£${typed}`)).toBe(pence);
      }),
    );
    for (const bad of ['1.234', '-5', 'ten', '1e3', '12.5.0']) expect(Number.isNaN(penceFromForm(bad))).toBe(true);
    expect(penceFromForm('12.5')).toBe(1250);
    expect(penceFromForm('1,200')).toBe(120_000);
  });

  it('a spend within the balance is approved; beyond it only with an explicit overspend and a note', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -50_000, max: 100_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.boolean(),
        fc.string({ maxLength: 5 }),
        (balance, amount, overspend, note) => {
          const problem = approvalProblem(balance, amount, { overspend, note });
          if (amount <= balance) expect(problem).toBeNull();
          else expect(problem === null).toBe(overspend && note.trim() !== '');
        },
      ),
    );
  });

  it('whoever asks for a spend cannot approve it, on the page or through the API; someone else can', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const made = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/caseload/${given.fixture.alphaOtherEntryId}/budgets`,
      { source: 'Alpha personal health budget', allocatedPence: 10_000 },
    );
    expect(made.statusCode).toBe(201);
    const alphaBudgetId = made.json<{ id: string }>().id;
    const asked = await call(coordinator, 'POST', `/api/v1/communities/alpha/budgets/${alphaBudgetId}/spends`, {
      description: 'Taxi to the assessment',
      amountPence: 1_200,
      spentOn: day(0),
      receipt: 'Receipt 0500',
    });
    const own = asked
      .json<{ items: { id: string; description: string; status: string }[] }>()
      .items.find((item) => item.description === 'Taxi to the assessment');
    const refused = await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${own?.id}/approve`, {});
    expect(refused.statusCode).toBe(403);
    expect(refused.json()).toMatchObject({ code: 'spend-own-request' });
    const page = await signedIn('coordinator@alpha.test');
    const budgetPage = await page.get(`/c/alpha/hub/budgets/${alphaBudgetId}`);
    expect(budgetPage.body).toContain('You asked for this spend, so another coordinator approves or refuses it.');
    expect(budgetPage.body).not.toContain(`/hub/spends/${own?.id}/approve`);
    const byPage = await page.submit(
      `/c/alpha/hub/budgets/${alphaBudgetId}`,
      `/c/alpha/hub/spends/${own?.id}/approve`,
      { budgetId: alphaBudgetId },
    );
    expect(byPage.statusCode).toBe(403);
    expect(
      (await call(coordinator, 'GET', `/api/v1/communities/alpha/budgets/${alphaBudgetId}`))
        .json<{ items: { id: string; status: string }[] }>()
        .items.find((item) => item.id === own?.id)?.status,
    ).toBe('requested');
    const admin = await tokenFor('admin@alpha.test');
    const approved = await call(admin, 'POST', `/api/v1/communities/alpha/spends/${own?.id}/approve`, {});
    expect(approved.statusCode).toBe(200);
  });

  it('the person sees their plan; a personal budget refuses an overspend unless it is explicitly approved, and records why', async () => {
    const { alphaEntryId, alphaBudgetId, alphaSpendId } = given.fixture;
    const coordinator = await tokenFor('coordinator@alpha.test');
    const goal = await call(coordinator, 'POST', `/api/v1/communities/alpha/plans/${alphaEntryId}`, {
      goal: 'Swim twice a week',
      steps: 'Get a pass; go with Dev the first time',
      whoDoesWhat: 'Ada books; Dev goes along',
    });
    expect(goal.statusCode).toBe(201);
    expect(
      (await call(coordinator, 'POST', `/api/v1/communities/alpha/plans/${alphaEntryId}`, { goal: '' })).statusCode,
    ).toBe(400);
    // Ada has no account in the fixture: the member's own page says there is no plan.
    expect((await (await signedIn('member@alpha.test')).get('/c/alpha/hub/my-plan')).body).toContain(
      'You do not have a support plan',
    );

    // £200 allocated, £50 waiting: approved. Then £180 asked for: more than the £150 left.
    expect(
      (await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${alphaSpendId}/approve`, {})).json(),
    ).toMatchObject({ overspent: false });
    // The clinician asks for the next spend: whoever asks does not approve.
    const clinician = await tokenFor('partner@alpha.test');
    const budget = await call(clinician, 'POST', `/api/v1/communities/alpha/budgets/${alphaBudgetId}/spends`, {
      description: 'Gym membership',
      amountPence: 18_000,
      spentOn: day(0),
      receipt: 'Receipt 0412',
      planGoalId: goal.json<{ id: string }>().id,
    });
    const spend = budget
      .json<{ items: { id: string; description: string }[] }>()
      .items.find((item) => item.description === 'Gym membership');
    const page = await signedIn('coordinator@alpha.test');
    const refused = await page.submit(
      `/c/alpha/hub/budgets/${alphaBudgetId}`,
      `/c/alpha/hub/spends/${spend?.id}/approve`,
      { budgetId: alphaBudgetId },
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('This spend is more than the budget has left');
    const noReason = await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${spend?.id}/approve`, {
      overspend: true,
    });
    expect(noReason.statusCode).toBe(400);
    const still = await call(coordinator, 'GET', `/api/v1/communities/alpha/budgets/${alphaBudgetId}`);
    expect(still.json()).toMatchObject({ balancePence: 15_000 });
    // A peer supporter cannot approve, nor see the budget.
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/spends/${spend?.id}/approve`,
          { overspend: true, note: 'x' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'GET',
          `/api/v1/communities/alpha/budgets/${alphaBudgetId}`,
        )
      ).statusCode,
    ).toBe(404);
    const approved = await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${spend?.id}/approve`, {
      overspend: true,
      note: 'Agreed at the review: the gym is his main goal',
    });
    expect(approved.json()).toMatchObject({ overspent: true });
    const after = await call(coordinator, 'GET', `/api/v1/communities/alpha/budgets/${alphaBudgetId}`);
    expect(after.json()).toMatchObject({ balancePence: -3_000 });
    expect(
      await count(
        'audit_events',
        sql`action = 'hub.spend_approved_over_budget' and reason = 'Agreed at the review: the gym is his main goal'`,
      ),
    ).toBe(1);
    // Twice is once.
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${spend?.id}/approve`, {
          overspend: true,
          note: 'again',
        })
      ).statusCode,
    ).toBe(400);
    // A refused spend stays refused.
    const small = (
      await call(clinician, 'POST', `/api/v1/communities/alpha/budgets/${alphaBudgetId}/spends`, {
        description: 'Bus fares',
        amountPence: 500,
        spentOn: day(0),
      })
    )
      .json<{ items: { id: string; description: string }[] }>()
      .items.find((item) => item.description === 'Bus fares');
    expect((await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${small?.id}/refuse`)).statusCode).toBe(
      204,
    );
    expect(
      (
        await call(coordinator, 'POST', `/api/v1/communities/alpha/spends/${small?.id}/approve`, {
          overspend: true,
          note: 'x',
        })
      ).statusCode,
    ).toBe(400);
    for (const body of [
      { description: 'x', amountPence: 0, spentOn: day(0) },
      { description: 'x', amountPence: 10.5, spentOn: day(0) },
      { description: '', amountPence: 100, spentOn: day(0) },
      { description: 'x', amountPence: 100, spentOn: day(5) },
      { description: 'x', amountPence: 100, spentOn: day(0), planGoalId: given.fixture.alphaEntryId },
    ]) {
      expect(
        (await call(coordinator, 'POST', `/api/v1/communities/alpha/budgets/${alphaBudgetId}/spends`, body)).statusCode,
        JSON.stringify(body),
      ).toBe(400);
    }
  });
});

describe('a person on the caseload, from the pages', () => {
  it('a coordinator finds a record and puts it on the caseload once; the person’s page leads with how to reach them and keeps its forms closed until asked for', async () => {
    const [person] = await owner()
      .insert(personRecords)
      .values({
        communityId: given.fixture.alpha.id,
        preferredName: 'Olu',
        fullName: 'Olu Bankole',
        phone: '07700 900321',
        messageSafe: false,
        contactMethod: 'phone',
        contactTimes: 'mornings',
        communicationNeeds: ['large_print'],
      })
      .returning({ id: personRecords.id });
    const coordinator = await signedIn('coordinator@alpha.test');
    const caseload = await coordinator.get('/c/alpha/hub/caseload');
    expect(caseload.body).toContain('href="/c/alpha/hub/caseload/add"');
    const found = await coordinator.get('/c/alpha/hub/caseload/add?q=Bankole');
    expect(found.statusCode).toBe(200);
    expect(found.body).toContain('1 person found for “Bankole”');
    expect(found.body).toContain(`value="${person?.id}"`);
    const formKey = /name="formKey" value="([^"]+)"/.exec(found.body)?.[1] ?? '';
    const token = /name="_csrf" value="([^"]+)"/.exec(found.body)?.[1] ?? '';
    const put = () =>
      coordinator.request('POST', '/c/alpha/hub/caseload', {
        form: { _csrf: token, formKey, personRecordId: person?.id ?? '', q: 'Bankole' },
      });
    const [first, second] = [await put(), await put()];
    expect(first.statusCode).toBe(303);
    expect(second.headers.location).toBe(first.headers.location);
    expect(await count('caseload_entries', sql`person_record_id = ${person?.id} and closed_at is null`)).toBe(1);
    expect((await coordinator.get('/c/alpha/hub/caseload/add?q=Bankole')).body).toContain('Already on the caseload');

    const url = String(first.headers.location);
    const page = await coordinator.get(url);
    expect(page.body).toContain('Put on the caseload.');
    expect(page.body).toContain('href="tel:07700900321"');
    expect(page.body).toContain('Phone call, mornings');
    expect(page.body).toContain('Large print');
    expect(page.body).toContain(`href="/c/alpha/people/${person?.id}"`);
    // Every form sits in a closed details element: the page opens on the person, not on 5,000 pixels of forms.
    const forms = [
      ...page.body.matchAll(
        /<form method="post"[^>]*action="[^"]*\/hub\/caseload\/[^"]+\/(risks|plan|budgets|actions|key-contacts|contacts|close)"/g,
      ),
    ].map((match) => match[1]);
    expect(forms.sort()).toEqual(['actions', 'budgets', 'close', 'contacts', 'key-contacts', 'plan', 'risks']);
    for (const name of forms) {
      const at = page.body.indexOf(`/${name}" novalidate`);
      const opened = page.body.lastIndexOf('<details', at);
      expect(opened, name).toBeGreaterThan(-1);
      expect(page.body.lastIndexOf('</details>', at), name).toBeLessThan(opened);
      expect(page.body.slice(opened, page.body.indexOf('>', opened)), name).not.toContain('open');
    }
    // A mistake opens the form it was made in, with the message.
    const wrong = await coordinator.submit(url, `${url}/contacts`, {
      note: '',
      'occurredOn-day': '',
      'occurredOn-month': '',
      'occurredOn-year': '',
    });
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toMatch(
      /<details class="nhsuk-details"\s+open>\s*<summary[^>]*>\s*<span class="nhsuk-details__summary-text">\s*Record being in touch/,
    );

    // A clinician in the team, who keeps no records, is not sent to the record pages.
    const clinician = await (
      await signedIn('partner@alpha.test')
    ).get(`/c/alpha/hub/caseload/${given.fixture.alphaEntryId}`);
    expect(clinician.statusCode).toBe(200);
    expect(clinician.body).not.toContain('/c/alpha/people/');
  });

  it('taking someone off the caseload needs a reason, keeps their history, and they can be put back; on the page and through the API', async () => {
    const [person] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Gwen Leaving' })
      .returning({ id: personRecords.id });
    const coordinator = await tokenFor('coordinator@alpha.test');
    const added = await call(coordinator, 'POST', '/api/v1/communities/alpha/caseload', { personRecordId: person?.id });
    expect(added.statusCode).toBe(200);
    const entryId = added.json<{ id: string }>().id;
    const url = `/c/alpha/hub/caseload/${entryId}`;
    const page = await signedIn('coordinator@alpha.test');
    const empty = await page.submit(url, `${url}/close`, { closeNote: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Say why they are leaving the caseload');
    expect(empty.body).toContain('href="#closeNote"');
    expect(await count('caseload_entries', sql`id = ${entryId} and closed_at is null`)).toBe(1);

    // A peer supporter cannot take anyone off the caseload.
    expect(
      (
        await call(
          await tokenFor('peer-supporter@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/caseload/${entryId}/close`,
          { note: 'x' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(await tokenFor('member@beta.test'), 'POST', `/api/v1/communities/alpha/caseload/${entryId}/close`, {
          note: 'x',
        })
      ).statusCode,
    ).toBe(404);

    const closed = await page.submit(url, `${url}/close`, { closeNote: 'Goals met; staying with the walking group' });
    expect(closed.statusCode).toBe(303);
    const after = await page.get(url);
    expect(after.body).toContain('Taken off the caseload. Their record and history stay.');
    expect(after.body).toContain('Left the caseload on');
    expect(after.body).toContain('Goals met; staying with the walking group');
    expect(after.body).not.toContain(`${url}/close`);
    expect((await page.get('/c/alpha/hub/caseload')).body).not.toContain('Gwen Leaving');
    const again = await call(coordinator, 'POST', `/api/v1/communities/alpha/caseload/${entryId}/close`, {
      note: 'twice',
    });
    expect(again.statusCode).toBe(409);

    const back = await call(coordinator, 'POST', '/api/v1/communities/alpha/caseload', { personRecordId: person?.id });
    expect(back.statusCode).toBe(200);
    expect(back.json<{ id: string }>().id).not.toBe(entryId);
    const apiClosed = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/caseload/${back.json<{ id: string }>().id}/close`,
      { note: '' },
    );
    expect(apiClosed.statusCode).toBe(400);
    expect(apiClosed.json<{ errors: { field: string }[] }>().errors[0]?.field).toBe('note');
  });
});

describe('the hub’s rhythm', () => {
  it('a coordinator sets the review days and quiet days on a page or through the API; a mistake changes nothing; the team cannot', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    expect((await coordinator.get('/c/alpha/hub')).body).toContain('href="/c/alpha/hub/settings"');
    const page = await coordinator.get('/c/alpha/hub/settings');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Review days and quiet days');
    const none = await coordinator.submit('/c/alpha/hub/settings', '/c/alpha/hub/settings', { quietDays: '10' });
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Select at least one review day');
    const bad = await coordinator.submit('/c/alpha/hub/settings', '/c/alpha/hub/settings', {
      reviewDays: ['2'],
      quietDays: '400',
    });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Enter a number of days between 1 and 90');
    const saved = await coordinator.submit('/c/alpha/hub/settings', '/c/alpha/hub/settings', {
      reviewDays: ['4', '2'],
      quietDays: '10',
    });
    expect(saved.statusCode).toBe(303);
    const api = await call(await tokenFor('coordinator@alpha.test'), 'GET', '/api/v1/communities/alpha/hub/settings');
    expect(api.json()).toEqual({ reviewDays: [2, 4], quietDays: 10 });
    const put = await call(await tokenFor('admin@alpha.test'), 'PUT', '/api/v1/communities/alpha/hub/settings', {
      reviewDays: [1, 3, 5],
      quietDays: 14,
    });
    expect(put.statusCode, put.body).toBe(200);
    expect(put.json()).toEqual({ reviewDays: [1, 3, 5], quietDays: 14 });
    expect(
      (
        await call(await tokenFor('admin@alpha.test'), 'PUT', '/api/v1/communities/alpha/hub/settings', {
          reviewDays: [8],
          quietDays: 14,
        })
      ).statusCode,
    ).toBe(400);
    expect(
      (
        await call(await tokenFor('partner@alpha.test'), 'PUT', '/api/v1/communities/alpha/hub/settings', {
          reviewDays: [2],
          quietDays: 14,
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (
        await call(await tokenFor('member@beta.test'), 'PUT', '/api/v1/communities/alpha/hub/settings', {
          reviewDays: [2],
          quietDays: 14,
        })
      ).statusCode,
    ).toBe(404);
  });
});

describe('changing a plan as it moves on', () => {
  it('the team changes a goal of the plan and planned spending; a mistake changes nothing; someone outside the team cannot', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const entryPage = await coordinator.get(`/c/alpha/hub/caseload/${given.fixture.alphaEntryId}`);
    expect(entryPage.body).toContain(`href="/c/alpha/hub/plan-goals/${given.fixture.alphaPlanGoalId}/edit"`);
    const goalUrl = `/c/alpha/hub/plan-goals/${given.fixture.alphaPlanGoalId}/edit`;
    expect((await coordinator.get(goalUrl)).body).toContain('value="Feel at home in the water"');
    expect((await coordinator.submit(goalUrl, goalUrl, { goal: '', steps: '', whoDoesWhat: '' })).statusCode).toBe(400);
    const saved = await coordinator.submit(goalUrl, goalUrl, {
      goal: 'Swim a length on my own',
      steps: 'Lessons first',
      whoDoesWhat: 'Ada books them',
    });
    expect(saved.statusCode).toBe(303);
    expect((await coordinator.get(String(saved.headers.location))).body).toContain('Swim a length on my own');

    const budgetPage = await coordinator.get(`/c/alpha/hub/budgets/${given.fixture.alphaBudgetId}`);
    const plannedUrl = `/c/alpha/hub/planned/${given.fixture.alphaPlannedId}/edit`;
    expect(budgetPage.body).toContain(`href="${plannedUrl}"`);
    expect(
      (await coordinator.submit(plannedUrl, plannedUrl, { description: 'Swimming lessons', amount: 'thirty' }))
        .statusCode,
    ).toBe(400);
    const changed = await coordinator.submit(plannedUrl, plannedUrl, {
      description: 'Swimming lessons (ten)',
      amount: '45.50',
      planGoalId: given.fixture.alphaPlanGoalId,
    });
    expect(changed.statusCode).toBe(303);
    const api = await call(
      await tokenFor('coordinator@alpha.test'),
      'GET',
      `/api/v1/communities/alpha/budgets/${given.fixture.alphaBudgetId}`,
    );
    expect(
      api
        .json<{ items: { id: string; description: string; amountPence: number }[] }>()
        .items.find((item) => item.id === given.fixture.alphaPlannedId),
    ).toMatchObject({ description: 'Swimming lessons (ten)', amountPence: 4_550 });
    // A spend is not planned spending: it changes only by approval or refusal.
    expect(
      (
        await call(
          await tokenFor('coordinator@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/planned/${given.fixture.alphaSpendId}`,
          { description: 'x', amountPence: 100 },
        )
      ).statusCode,
    ).toBe(404);
    const viaApi = await call(
      await tokenFor('coordinator@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/plan-goals/${given.fixture.alphaPlanGoalId}`,
      { goal: 'Swim two lengths', steps: '', whoDoesWhat: '' },
    );
    expect(viaApi.json()).toMatchObject({ goal: 'Swim two lengths' });
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'PUT',
          `/api/v1/communities/alpha/plan-goals/${given.fixture.alphaPlanGoalId}`,
          { goal: 'x' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/planned/${given.fixture.alphaPlannedId}`,
          { description: 'x', amountPence: 100 },
        )
      ).statusCode,
    ).toBe(404);
  });
});
