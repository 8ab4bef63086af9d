import { and, eq, sql } from 'drizzle-orm';
import fc from 'fast-check';
import ICAL from 'ical.js';
import { describe, expect, it } from 'vitest';
import { auditEvents } from '../../src/platform/db/schema.ts';
import { personRecords } from '../../src/modules/people/schema.ts';
import { programmes } from '../../src/modules/programmes/schema.ts';
import { referrals } from '../../src/modules/referrals/schema.ts';
import {
  crisisPlans,
  peerGroundRules,
  peerGroups,
  peerMeetings,
  peerMembershipChanges,
  peerNetworkMembers,
} from '../../src/modules/peer-network/schema.ts';
import { scheduleMeetings } from '../../src/modules/peer-network/service.ts';
import { inCommunity } from '../../src/platform/tenancy.ts';
import { useFixtureApp } from '../support/app.ts';
import { callers } from '../support/callers.ts';

const given = useFixtureApp();
const { signedIn, tokenFor, call } = callers(() => given.test.app);
const owner = () => given.test.database.owner;
const count = async (table: string, where = sql`true`) =>
  (await owner().execute<{ n: number }>(sql`select count(*)::int as n from ${sql.identifier(table)} where ${where}`))
    .rows[0]?.n ?? 0;
const recordOf = async (email: string) =>
  (
    await owner().execute<{ id: string }>(
      sql`select r.id from person_records r join people p on p.id = r.account_id where p.email = ${email} and r.community_id = ${given.fixture.alpha.id}`,
    )
  ).rows[0]?.id;

describe('joining the peer network', () => {
  it('a member joins by themselves, steps back by their own choice, and comes back without a referral', async () => {
    const { alphaNetworkId } = given.fixture;
    const visitor = await signedIn('peer-supporter@alpha.test');
    const home = await visitor.get('/c/alpha/network');
    expect(home.body).toContain('Join the network');
    const joined = await visitor.submit('/c/alpha/network', `/c/alpha/network/${alphaNetworkId}/join`, {});
    expect(joined.statusCode).toBe(303);
    const id = await recordOf('peer-supporter@alpha.test');
    const [member] = await owner()
      .select()
      .from(peerNetworkMembers)
      .where(eq(peerNetworkMembers.personRecordId, id ?? ''));
    expect(member).toMatchObject({ active: true, cameBy: 'self' });
    // Pressing again changes nothing.
    await visitor.submit('/c/alpha/network', `/c/alpha/network/${alphaNetworkId}/join`, {});
    expect(await count('peer_membership_changes', sql`member_id = ${member?.id}`)).toBe(1);

    await visitor.submit(
      `/c/alpha/network/${alphaNetworkId}/step-back`,
      `/c/alpha/network/${alphaNetworkId}/step-back`,
      {},
    );
    expect((await visitor.get('/c/alpha/network')).body).toContain('Come back to the network');
    await visitor.submit('/c/alpha/network', `/c/alpha/network/${alphaNetworkId}/join`, {});
    const changes = await owner()
      .select({ change: peerMembershipChanges.change })
      .from(peerMembershipChanges)
      .where(eq(peerMembershipChanges.memberId, member?.id ?? ''))
      .orderBy(peerMembershipChanges.at);
    expect(changes.map((one) => one.change)).toEqual(['joined', 'went_inactive', 'returned']);
    expect(await count('referrals', sql`person_record_id = ${id}`)).toBe(0);
    // Nobody else can step them back: the API answers for the asker's own membership only.
    const coordinator = await tokenFor('coordinator@alpha.test');
    expect(
      (await call(coordinator, 'POST', `/api/v1/communities/alpha/networks/${alphaNetworkId}/members/step-back`))
        .statusCode,
    ).toBe(404);
    const [still] = await owner()
      .select()
      .from(peerNetworkMembers)
      .where(eq(peerNetworkMembers.id, member?.id ?? ''));
    expect(still?.active).toBe(true);
  });

  it('a network that takes people by referral says so, and nobody is added', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const [closed] = await owner()
      .insert(programmes)
      .values({
        communityId: given.fixture.alpha.id,
        name: 'Referral-only network',
        kind: 'peer_network',
        whoFor: 'x',
        howToJoin: 'y',
      })
      .returning({ id: programmes.id });
    await coordinator.submit(`/c/alpha/network/${closed?.id}/settings`, `/c/alpha/network/${closed?.id}/settings`, {});
    const member = await signedIn('member@alpha.test');
    const refused = await member.submit('/c/alpha/network', `/c/alpha/network/${closed?.id}/join`, {});
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('This network takes people by referral');
    expect(await count('peer_network_members', sql`programme_id = ${closed?.id}`)).toBe(0);
    const api = await call(
      await tokenFor('member@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/networks/${closed?.id}/members`,
      {},
    );
    expect(api.statusCode).toBe(409);
  });

  it('a referral accepted into a peer network makes the person a member, from the referral', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const [person] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Referred Rita' })
      .returning({ id: personRecords.id });
    const [referral] = await owner()
      .insert(referrals)
      .values({
        communityId: given.fixture.alpha.id,
        reference: 'NETW-2345',
        personRecordId: person?.id ?? '',
        source: 'self',
        reason: 'x',
        contactDueOn: '2026-01-05',
      })
      .returning({ id: referrals.id });
    const accepted = await call(coordinator, 'POST', `/api/v1/communities/alpha/referrals/${referral?.id}/accept`, {
      programmeIds: [given.fixture.alphaNetworkId],
      note: '',
    });
    expect(accepted.statusCode).toBe(200);
    const [member] = await owner()
      .select()
      .from(peerNetworkMembers)
      .where(eq(peerNetworkMembers.personRecordId, person?.id ?? ''));
    expect(member).toMatchObject({ active: true, cameBy: 'referral', referralId: referral?.id });
  });
});

describe('groups and meetings', () => {
  it('a coordinator starts a group; its meetings are made eight weeks ahead on its day at its London time; bad input changes nothing', async () => {
    const coordinator = await signedIn('coordinator@alpha.test');
    const before = await count('peer_groups');
    const bad = await coordinator.submit('/c/alpha/network/groups/new', '/c/alpha/network/groups/new', {
      programmeId: given.fixture.alphaNetworkId,
      name: '',
      weekday: '9',
      startsAt: '25:00',
      durationMinutes: '5',
      venue: '',
      onlineLink: 'http://insecure.example',
      capacity: '-3',
    });
    expect(bad.statusCode).toBe(400);
    for (const message of [
      'Enter the name of the group',
      'Choose the day of the week',
      'Enter the start time',
      'Enter how long it lasts',
      'Enter where the group meets',
      'starts with https://',
      'Enter the largest number',
    ])
      expect(bad.body).toContain(message);
    expect(bad.body).toContain('value="http://insecure.example"');
    expect(await count('peer_groups')).toBe(before);

    const made = await coordinator.submit('/c/alpha/network/groups/new', '/c/alpha/network/groups/new', {
      programmeId: given.fixture.alphaNetworkId,
      name: 'Friday group',
      weekday: '5',
      startsAt: '19:15',
      durationMinutes: '90',
      venue: 'Library',
      capacity: '',
    });
    expect(made.statusCode).toBe(303);
    const groupId = String(made.headers.location).split('/').pop() ?? '';
    const meetings = await owner().execute<{ dow: number; local: string }>(
      sql`select extract(isodow from starts_at at time zone 'Europe/London')::int as dow, to_char(starts_at at time zone 'Europe/London', 'HH24:MI') as local from peer_meetings where group_id = ${groupId}`,
    );
    expect(meetings.rows.length).toBeGreaterThanOrEqual(8);
    expect(meetings.rows.every((row) => row.dow === 5 && row.local === '19:15')).toBe(true);

    // A new time moves the meetings to come.
    const api = await tokenFor('coordinator@alpha.test');
    const moved = await call(api, 'PUT', `/api/v1/communities/alpha/groups/${groupId}`, {
      name: 'Friday group',
      weekday: 6,
      startsAt: '10:00',
      durationMinutes: 60,
      venue: 'Library',
      accessDetails: '',
      onlineLink: '',
      capacity: 12,
      facilitatorIds: [],
    });
    expect(moved.statusCode).toBe(200);
    const after = await owner().execute<{ dow: number }>(
      sql`select distinct extract(isodow from starts_at at time zone 'Europe/London')::int as dow from peer_meetings where group_id = ${groupId} and starts_at > now()`,
    );
    expect(after.rows.map((row) => row.dow)).toEqual([6]);
  });

  it('scheduling: every meeting is on the group’s weekday at its London time, across clock changes, and scheduling twice makes each meeting once', async () => {
    const [group] = await owner()
      .insert(peerGroups)
      .values({
        communityId: given.fixture.alpha.id,
        programmeId: given.fixture.alphaNetworkId,
        name: 'Property group',
        weekday: 1,
        startsAt: '09:00',
        venue: 'x',
        createdAt: new Date(Date.now() - 400 * 86_400_000),
      })
      .returning({ id: peerGroups.id });
    const groupId = group?.id ?? '';
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 23 }),
        fc.constantFrom(0, 15, 30, 45),
        fc.integer({ min: 1, max: 300 }),
        async (weekday, hour, minute, daysBack) => {
          const time = `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
          await owner().execute(sql`delete from peer_meetings where group_id = ${groupId}`);
          await owner().update(peerGroups).set({ weekday, startsAt: time }).where(eq(peerGroups.id, groupId));
          const from = new Date(Date.now() - daysBack * 86_400_000).toISOString().slice(0, 10);
          await scheduleMeetings(owner(), groupId, 2, from);
          await scheduleMeetings(owner(), groupId, 2, from);
          const rows = await owner().execute<{ dow: number; local: string; n: number }>(
            sql`select extract(isodow from starts_at at time zone 'Europe/London')::int as dow, to_char(starts_at at time zone 'Europe/London', 'HH24:MI') as local, count(*) over (partition by starts_at)::int as n from peer_meetings where group_id = ${groupId}`,
          );
          const weeks = Math.floor((daysBack + 14) / 7);
          expect(rows.rows.length).toBeGreaterThanOrEqual(weeks);
          expect(rows.rows.length).toBeLessThanOrEqual(weeks + 1);
          // 01:00–01:59 on the day the clocks go forward does not exist in London: PostgreSQL moves it an hour on.
          for (const row of rows.rows) {
            expect(row.dow).toBe(weekday);
            expect(row.n).toBe(1);
            if (hour !== 1) expect(row.local).toBe(time);
          }
        },
      ),
      { numRuns: 20 },
    );
  });

  it('members say whether they are coming; a full meeting refuses another yes; a past one refuses any answer', async () => {
    const { alphaGroupId, alphaMeetingId } = given.fixture;
    const member = await signedIn('member@alpha.test');
    const [next] = await owner()
      .select()
      .from(peerMeetings)
      .where(and(eq(peerMeetings.groupId, alphaGroupId), sql`${peerMeetings.startsAt} > now()`))
      .orderBy(peerMeetings.startsAt)
      .limit(1);
    const page = `/c/alpha/network/meetings/${next?.id}`;
    expect((await member.get(page)).body).toContain('Be kind. What is said here stays here.');
    const missing = await member.submit(page, `${page}/reply`, {});
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Say whether you are coming');
    expect((await member.submit(page, `${page}/reply`, { coming: 'yes' })).statusCode).toBe(303);
    expect(await count('peer_meeting_replies', sql`meeting_id = ${next?.id} and coming`)).toBe(1);

    await owner().update(peerGroups).set({ capacity: 1 }).where(eq(peerGroups.id, alphaGroupId));
    const api = await call(
      await tokenFor('member@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/meetings/${next?.id}/reply`,
      { coming: true },
    );
    expect(api.statusCode).toBe(204);
    const other = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Second' })
      .returning({ id: personRecords.id });
    await owner()
      .insert(peerNetworkMembers)
      .values({
        communityId: given.fixture.alpha.id,
        programmeId: given.fixture.alphaNetworkId,
        personRecordId: other[0]?.id ?? '',
        cameBy: 'coordinator',
      });
    await expect(
      inCommunity(given.test.database.app, { communityId: given.fixture.alpha.id, personId: null }, async (tx) =>
        (await import('../../src/modules/peer-network/service.ts')).replyToMeeting(
          tx,
          given.fixture.alpha.id,
          next?.id ?? '',
          other[0]?.id ?? '',
          true,
        ),
      ),
    ).rejects.toMatchObject({ status: 400, fieldErrors: [{ code: 'errors.network.reply.full' }] });
    await owner().update(peerGroups).set({ capacity: null }).where(eq(peerGroups.id, alphaGroupId));
    const past = await call(
      await tokenFor('member@alpha.test'),
      'PUT',
      `/api/v1/communities/alpha/meetings/${alphaMeetingId}/reply`,
      { coming: true },
    );
    expect(past.statusCode).toBe(400);
    expect(await count('peer_meeting_replies', sql`meeting_id = ${alphaMeetingId}`)).toBe(0);
  });
});

describe('the register', () => {
  it('the group’s facilitator marks people with one tap each; twice is once; a drop-in who is new joins the network; others are told there is no register', async () => {
    const { alphaMeetingId, alphaTimebankMemberId } = given.fixture;
    const url = `/c/alpha/network/meetings/${alphaMeetingId}/register`;
    for (const email of ['member@alpha.test', 'peer-supporter@alpha.test', 'referrer@alpha.test'])
      expect((await (await signedIn(email)).get(url)).statusCode, email).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'GET',
          `/api/v1/communities/alpha/meetings/${alphaMeetingId}/attendance`,
        )
      ).statusCode,
    ).toBe(404);

    const facilitator = await signedIn('facilitator@alpha.test');
    const page = await facilitator.get(url);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Alpha member');
    await facilitator.submit(url, url, { personRecordId: alphaTimebankMemberId, present: 'yes' });
    await facilitator.submit(url, url, { personRecordId: alphaTimebankMemberId, present: 'yes' });
    expect(await count('peer_attendance', sql`meeting_id = ${alphaMeetingId}`)).toBe(1);
    expect((await facilitator.get(url)).body).toContain('1 person here');

    // Hostile input: nobody, someone of another community, someone not in the network.
    const [betaPerson] = await owner()
      .select({ id: personRecords.id })
      .from(personRecords)
      .where(eq(personRecords.communityId, given.fixture.beta.id))
      .limit(1);
    for (const fields of [
      {} as Record<string, string>,
      { personRecordId: 'not-a-uuid', present: 'yes' },
      { personRecordId: betaPerson?.id ?? '', present: 'yes' },
      { personRecordId: given.fixture.alphaOtherPersonId, present: 'yes' },
    ]) {
      const refused = await facilitator.submit(url, url, fields);
      expect(refused.statusCode, JSON.stringify(fields)).toBe(400);
    }
    expect(await count('peer_attendance', sql`meeting_id = ${alphaMeetingId}`)).toBe(1);

    const bothOrNeither = await facilitator.submit(url, `/c/alpha/network/meetings/${alphaMeetingId}/drop-in`, {});
    expect(bothOrNeither.statusCode).toBe(400);
    expect(bothOrNeither.body).toContain('Choose a member of the network, or enter the name of someone new');
    await facilitator.submit(url, `/c/alpha/network/meetings/${alphaMeetingId}/drop-in`, { newName: 'Walk-in Wendy' });
    const [wendy] = await owner().select().from(personRecords).where(eq(personRecords.preferredName, 'Walk-in Wendy'));
    const [membership] = await owner()
      .select()
      .from(peerNetworkMembers)
      .where(eq(peerNetworkMembers.personRecordId, wendy?.id ?? ''));
    expect(membership?.cameBy).toBe('drop_in');
    expect(
      await count(
        'peer_attendance',
        sql`meeting_id = ${alphaMeetingId} and person_record_id = ${wendy?.id} and drop_in`,
      ),
    ).toBe(1);

    // Undo, through the API: the list comes back.
    const api = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${alphaMeetingId}/attendance`,
      { personRecordId: wendy?.id, present: false },
    );
    expect(api.statusCode).toBe(200);
    expect(api.json<{ here: number }>().here).toBe(1);
    const malformed = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${alphaMeetingId}/attendance`,
      { personRecordId: wendy?.id, present: 'perhaps' },
    );
    expect(malformed.statusCode).toBe(400);

    // A meeting weeks ahead has no register yet.
    const [later] = await owner()
      .select()
      .from(peerMeetings)
      .where(
        and(
          eq(peerMeetings.groupId, given.fixture.alphaGroupId),
          sql`${peerMeetings.startsAt} > now() + interval '3 days'`,
        ),
      )
      .limit(1);
    const early = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${later?.id}/attendance`,
      { personRecordId: alphaTimebankMemberId, present: true },
    );
    expect(early.statusCode).toBe(400);
    expect(await count('peer_attendance', sql`meeting_id = ${later?.id}`)).toBe(0);
    // Its pages say when the register opens, and offer no taps.
    const laterPage = await facilitator.get(`/c/alpha/network/meetings/${later?.id}/register`);
    expect(laterPage.body).toContain('The register for this meeting opens on');
    expect(laterPage.body).not.toContain('name="present"');
    const groupPage = await facilitator.get(`/c/alpha/network/groups/${given.fixture.alphaGroupId}`);
    expect(groupPage.body).toContain('register opens on');
    expect(groupPage.body).not.toContain(`/meetings/${later?.id}/register"`);

    // Tomorrow evening's meeting: the register is open from today, on the page and in the API.
    const [tomorrow] = await owner()
      .insert(peerMeetings)
      .values({
        communityId: given.fixture.alpha.id,
        groupId: given.fixture.alphaGroupId,
        startsAt:
          sql`(date_trunc('day', now() at time zone 'Europe/London') + interval '1 day 18 hours') at time zone 'Europe/London'` as unknown as Date,
        durationMinutes: 90,
      })
      .onConflictDoNothing()
      .returning({ id: peerMeetings.id });
    const tomorrowId =
      tomorrow?.id ??
      (
        await owner()
          .select({ id: peerMeetings.id })
          .from(peerMeetings)
          .where(
            and(
              eq(peerMeetings.groupId, given.fixture.alphaGroupId),
              sql`(${peerMeetings.startsAt} at time zone 'Europe/London')::date = (now() at time zone 'Europe/London')::date + 1`,
            ),
          )
      )[0]?.id;
    const tomorrowPage = await facilitator.get(`/c/alpha/network/meetings/${tomorrowId}/register`);
    expect(tomorrowPage.body).toContain('name="present"');
    const marked = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${tomorrowId}/attendance`,
      { personRecordId: alphaTimebankMemberId, present: true },
    );
    expect(marked.statusCode).toBe(200);
  });

  it('coming to a meeting is coming back: a member who had stepped back is active again', async () => {
    const [person] = await owner()
      .insert(personRecords)
      .values({ communityId: given.fixture.alpha.id, preferredName: 'Returning Rob' })
      .returning({ id: personRecords.id });
    const [member] = await owner()
      .insert(peerNetworkMembers)
      .values({
        communityId: given.fixture.alpha.id,
        programmeId: given.fixture.alphaNetworkId,
        personRecordId: person?.id ?? '',
        cameBy: 'self',
        active: false,
      })
      .returning();
    const coordinator = await tokenFor('coordinator@alpha.test');
    const marked = await call(
      coordinator,
      'POST',
      `/api/v1/communities/alpha/meetings/${given.fixture.alphaMeetingId}/attendance`,
      { personRecordId: person?.id, present: true },
    );
    expect(marked.statusCode).toBe(200);
    const [now] = await owner()
      .select()
      .from(peerNetworkMembers)
      .where(eq(peerNetworkMembers.id, member?.id ?? ''));
    expect(now?.active).toBe(true);
    const numbers = await (await signedIn('coordinator@alpha.test')).get('/c/alpha/network/numbers');
    expect(numbers.statusCode).toBe(200);
    expect(numbers.body).toContain('Returning Rob');
    // Months are named with their years, in the table and under the chart, whose axis has values.
    expect(numbers.body).not.toMatch(/>\s*\d{4}-\d{2}\s*</);
    expect(numbers.body).toMatch(
      new RegExp(
        `${new Intl.DateTimeFormat('en-GB', { month: 'long', timeZone: 'Europe/London' }).format(new Date())} \\d{4}`,
      ),
    );
    expect(numbers.body).toContain('>Times people came</text>');
  });
});

describe('ground rules', () => {
  it('members propose and agree; a facilitator adopts; the new version is the one shown at meetings', async () => {
    const { alphaNetworkId } = given.fixture;
    const member = await signedIn('member@alpha.test');
    const propose = `/c/alpha/network/${alphaNetworkId}/ground-rules/propose`;
    const empty = await member.submit(propose, propose, { body: '', changeNote: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Enter the ground rules as you would like them');
    const before = await count('peer_ground_rules');
    const api = await tokenFor('member@alpha.test');
    const made = await call(
      api,
      'POST',
      `/api/v1/communities/alpha/networks/${alphaNetworkId}/ground-rules`,
      { body: 'Be kind. Phones on silent.', changeNote: 'Phones' },
      { 'idempotency-key': 'rules-1' },
    );
    const again = await call(
      api,
      'POST',
      `/api/v1/communities/alpha/networks/${alphaNetworkId}/ground-rules`,
      { body: 'Be kind. Phones on silent.', changeNote: 'Phones' },
      { 'idempotency-key': 'rules-1' },
    );
    expect(made.statusCode).toBe(201);
    expect(again.json<{ id: string }>().id).toBe(made.json<{ id: string }>().id);
    expect(await count('peer_ground_rules')).toBe(before + 1);
    const id = made.json<{ id: string }>().id;
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/ground-rules/${id}/agreements`,
        )
      ).statusCode,
    ).toBe(204);
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/ground-rules/${id}/agreements`,
        )
      ).statusCode,
    ).toBe(204);
    expect(await count('peer_ground_rules_agreements', sql`rules_id = ${id}`)).toBe(1);
    // Someone outside the network cannot agree; a member cannot adopt.
    expect(
      (
        await call(
          await tokenFor('referrer@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/ground-rules/${id}/agreements`,
        )
      ).statusCode,
    ).toBe(400);
    expect((await call(api, 'POST', `/api/v1/communities/alpha/ground-rules/${id}/adopt`)).statusCode).toBe(403);
    const adopted = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/ground-rules/${id}/adopt`,
    );
    expect(adopted.json()).toMatchObject({ status: 'current', version: 2 });
    const [old] = await owner()
      .select()
      .from(peerGroundRules)
      .where(eq(peerGroundRules.id, given.fixture.alphaRulesId));
    expect(old?.status).toBe('superseded');
    expect(
      (
        await call(
          await tokenFor('facilitator@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/ground-rules/${id}/adopt`,
        )
      ).statusCode,
    ).toBe(400);
    expect((await member.get(`/c/alpha/network/meetings/${given.fixture.alphaMeetingId}`)).body).toContain(
      'Phones on silent.',
    );
  });
});

describe('crisis plans', () => {
  it('the member owns their plan and chooses who reads it; each read by someone else is audited; everyone else is told there is none', async () => {
    const owned = await recordOf('member@alpha.test');
    const member = await signedIn('member@alpha.test');
    const empty = await member.submit('/c/alpha/network/crisis-plan', '/c/alpha/network/crisis-plan', {
      whatHelps: '',
      warningSigns: '',
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Write at least one thing that helps you');
    const form = await member.get('/c/alpha/network/crisis-plan');
    for (const line of ['999', '111', '116 123']) expect(form.body).toContain(line);
    const [plan] = await owner()
      .select()
      .from(crisisPlans)
      .where(eq(crisisPlans.personRecordId, owned ?? ''));
    expect(plan?.whatHelps).toBe('A walk with a friend');

    const url = `/c/alpha/network/crisis-plans/${owned}`;
    const reads = () =>
      count('audit_events', sql`action = 'restricted.read' and subject_type = 'crisis_plan' and subject_id = ${owned}`);
    const before = await reads();
    const facilitator = await signedIn('facilitator@alpha.test');
    expect((await facilitator.get('/c/alpha/network')).body).toContain('Crisis plan of Alpha member');
    const read = await facilitator.get(url);
    expect(read.statusCode).toBe(200);
    expect(read.body).toContain('A walk with a friend');
    expect(read.body).toContain('116 123');
    expect(await reads()).toBe(before + 1);
    for (const email of [
      'coordinator@alpha.test',
      'admin@alpha.test',
      'peer-supporter@alpha.test',
      'safeguarding-lead@alpha.test',
    ])
      expect((await (await signedIn(email)).get(url)).statusCode, email).toBe(404);
    expect(
      (await call(await tokenFor('member@beta.test'), 'GET', `/api/v1/communities/alpha/crisis-plans/${owned}`))
        .statusCode,
    ).toBe(404);
    expect(await reads()).toBe(before + 1);
    // The owner reads their own without an audit row.
    expect((await member.get(url)).statusCode).toBe(200);
    expect(await reads()).toBe(before + 1);

    // Shared with a group instead: the group's members read it, the facilitator of that group too.
    const api = await tokenFor('member@alpha.test');
    const changed = await call(api, 'PUT', '/api/v1/communities/alpha/crisis-plan', {
      whatHelps: 'Music',
      facilitatorIds: [],
      groupIds: [given.fixture.alphaGroupId],
    });
    expect(changed.statusCode).toBe(200);
    const hostile = await call(api, 'PUT', '/api/v1/communities/alpha/crisis-plan', {
      whatHelps: 'x',
      facilitatorIds: [given.fixture.alphaPersonId],
      groupIds: [],
    });
    expect(hostile.statusCode).toBe(400);
    const [still] = await owner()
      .select()
      .from(crisisPlans)
      .where(eq(crisisPlans.personRecordId, owned ?? ''));
    expect(still?.whatHelps).toBe('Music');
    expect((await facilitator.get(url)).statusCode).toBe(200);
  });
});

describe('calendars', () => {
  it('a member’s private calendar address gives their meetings as iCalendar; a new address stops the old one', async () => {
    const member = await signedIn('member@alpha.test');
    const page = await member.get('/c/alpha/network/calendar');
    const token = /calendars\/([A-Za-z0-9_-]{20,})/.exec(page.body)?.[1];
    expect(token).toBeTruthy();
    const anonymous = await given.test.app.inject({ method: 'GET', url: `/calendars/${token}.ics` });
    expect(anonymous.statusCode).toBe(200);
    expect(anonymous.headers['content-type']).toContain('text/calendar');
    expect(anonymous.body).toContain('BEGIN:VEVENT');
    expect(anonymous.body).toContain('Tuesday group');
    await member.submit('/c/alpha/network/calendar', '/c/alpha/network/calendar/renew', {});
    const renewed = /calendars\/([A-Za-z0-9_-]{20,})/.exec((await member.get('/c/alpha/network/calendar')).body)?.[1];

    // Read by a real iCalendar parser, every meeting starts at its instant, in winter and in summer.
    const year = new Date().getUTCFullYear() + 1;
    await owner()
      .insert(peerMeetings)
      .values({
        communityId: given.fixture.alpha.id,
        groupId: given.fixture.alphaGroupId,
        startsAt: new Date(`${year}-07-06T17:00:00Z`),
        durationMinutes: 90,
      });
    const feed = (await given.test.app.inject({ method: 'GET', url: `/calendars/${renewed}.ics` })).body;
    expect(feed).not.toContain('X-WR-TIMEZONE');
    expect(feed).toContain('BEGIN:VTIMEZONE');
    const calendar = new ICAL.Component(ICAL.parse(feed));
    const zone = calendar.getFirstSubcomponent('vtimezone');
    if (!zone) throw new Error('no VTIMEZONE');
    ICAL.TimezoneService.register(zone);
    const starts = await owner()
      .select({ id: peerMeetings.id, startsAt: peerMeetings.startsAt })
      .from(peerMeetings)
      .where(eq(peerMeetings.groupId, given.fixture.alphaGroupId));
    const events = calendar.getAllSubcomponents('vevent').map((event) => new ICAL.Event(event));
    expect(events.length).toBeGreaterThan(1);
    for (const event of events) {
      expect(event.startDate.zone?.tzid).toBe('Europe/London');
      expect(event.startDate.toJSDate().toISOString(), event.uid).toBe(
        starts.find((meeting) => meeting.id === event.uid)?.startsAt.toISOString(),
      );
    }
    const summer = events.find((event) => event.startDate.year === year && event.startDate.month === 7);
    expect(summer?.startDate.hour).toBe(18);
    expect((await given.test.app.inject({ method: 'GET', url: `/calendars/${token}` })).statusCode).toBe(404);
    expect(
      await count('calendar_feeds', sql`revoked_at is null and person_record_id is not null`),
    ).toBeGreaterThanOrEqual(1);
    expect((await given.test.app.inject({ method: 'GET', url: '/calendars/guess' })).statusCode).toBe(404);
  });
});

describe('the API', () => {
  it('lists groups and a group’s meetings page by page; a group is created once per Idempotency-Key; bad input is 400 with the fields', async () => {
    const coordinator = await tokenFor('coordinator@alpha.test');
    const listed = await call(coordinator, 'GET', '/api/v1/communities/alpha/groups');
    expect(listed.json<{ items: { name: string }[] }>().items.map((group) => group.name)).toContain('Tuesday group');
    const first = await call(
      coordinator,
      'GET',
      `/api/v1/communities/alpha/groups/${given.fixture.alphaGroupId}/meetings?when=past&limit=1`,
    );
    const page = first.json<{ items: { id: string }[]; nextCursor: string }>();
    expect(page.items).toHaveLength(1);
    const second = await call(
      coordinator,
      'GET',
      `/api/v1/communities/alpha/groups/${given.fixture.alphaGroupId}/meetings?when=past&limit=1&cursor=${page.nextCursor}`,
    );
    expect(second.json<{ items: { id: string }[] }>().items[0]?.id).not.toBe(page.items[0]?.id);
    const body = {
      programmeId: given.fixture.alphaNetworkId,
      name: 'Sunday group',
      weekday: 7,
      startsAt: '11:00',
      durationMinutes: 60,
      venue: 'Park café',
      facilitatorIds: [],
    };
    const before = await count('peer_groups');
    const a = await call(coordinator, 'POST', '/api/v1/communities/alpha/groups', body, {
      'idempotency-key': 'sunday-1',
    });
    const b = await call(coordinator, 'POST', '/api/v1/communities/alpha/groups', body, {
      'idempotency-key': 'sunday-1',
    });
    expect(a.statusCode).toBe(201);
    expect(b.json<{ id: string }>().id).toBe(a.json<{ id: string }>().id);
    expect(await count('peer_groups')).toBe(before + 1);
    const bad = await call(coordinator, 'POST', '/api/v1/communities/alpha/groups', {
      ...body,
      weekday: 0,
      facilitatorIds: [given.fixture.alphaPersonId],
    });
    expect(bad.statusCode).toBe(400);
    const wrongPeople = await call(coordinator, 'POST', '/api/v1/communities/alpha/groups', {
      ...body,
      facilitatorIds: [given.fixture.alphaPersonId],
    });
    expect(wrongPeople.statusCode).toBe(400);
    expect(wrongPeople.json<{ errors: { field: string }[] }>().errors.map((error) => error.field)).toContain(
      'facilitatorIds',
    );
    expect(await count('peer_groups')).toBe(before + 1);
    const members = await call(
      await tokenFor('facilitator@alpha.test'),
      'GET',
      '/api/v1/communities/alpha/network-members?limit=2',
    );
    expect(members.statusCode).toBe(200);
    expect(
      (await call(await tokenFor('member@alpha.test'), 'GET', '/api/v1/communities/alpha/network-members')).statusCode,
    ).toBe(403);
    const audit = await owner().select().from(auditEvents).where(eq(auditEvents.action, 'network.group_created'));
    expect(audit.length).toBeGreaterThan(0);
  });
});

describe('cancelling a meeting', () => {
  it('a facilitator cancels a meeting to come with a reason; members see it cancelled and why; a started one cannot be; others are told it does not exist', async () => {
    const future = await owner().execute<{ id: string }>(
      sql`select id from peer_meetings where group_id = ${given.fixture.alphaGroupId} and starts_at > now() + interval '1 hour' and cancelled_at is null order by starts_at limit 2`,
    );
    const [first, second] = future.rows;
    expect(first && second).toBeTruthy();
    const member = await signedIn('member@alpha.test');
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/meetings/${first?.id}/reply`,
          { coming: true },
        )
      ).statusCode,
    ).toBe(204);

    const facilitator = await signedIn('facilitator@alpha.test');
    const meetingUrl = `/c/alpha/network/meetings/${first?.id}`;
    expect((await facilitator.get(meetingUrl)).body).toContain(`href="${meetingUrl}/cancel"`);
    expect((await member.get(meetingUrl)).body).not.toContain(`${meetingUrl}/cancel`);
    const form = await facilitator.get(`${meetingUrl}/cancel`);
    expect(form.body).toContain('1 person said they are coming');
    const empty = await facilitator.submit(`${meetingUrl}/cancel`, `${meetingUrl}/cancel`, { reason: '' });
    expect(empty.statusCode).toBe(400);
    expect(empty.body).toContain('Say why the meeting is cancelled');
    expect(await count('peer_meetings', sql`id = ${first?.id} and cancelled_at is not null`)).toBe(0);
    const cancelled = await facilitator.submit(`${meetingUrl}/cancel`, `${meetingUrl}/cancel`, {
      reason: 'The centre is closed for repairs',
    });
    expect(cancelled.statusCode).toBe(303);
    const told = await count('outbox', sql`template = 'network-meeting-cancelled'`);
    const flash = (await facilitator.get(meetingUrl)).body;
    expect(flash).toContain(
      told === 1
        ? '1 person who said they were coming has been sent a message'
        : `${told} people who said they were coming have been sent a message`,
    );
    const seen = await member.get(meetingUrl);
    expect(seen.body).toContain('Cancelled');
    expect(seen.body).toContain('The centre is closed for repairs');
    expect(seen.body).not.toContain('name="coming"');

    // Not twice; not a meeting that has started; not by a member or another community.
    expect(
      (
        await call(
          await tokenFor('facilitator@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/meetings/${first?.id}/cancel`,
          { reason: 'again' },
        )
      ).statusCode,
    ).toBe(409);
    const started = await call(
      await tokenFor('facilitator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${given.fixture.alphaMeetingId}/cancel`,
      { reason: 'too late' },
    );
    expect(started.statusCode).toBe(400);
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'POST',
          `/api/v1/communities/alpha/meetings/${second?.id}/cancel`,
          { reason: 'x' },
        )
      ).statusCode,
    ).toBe(404);
    expect(
      (
        await call(
          await tokenFor('member@beta.test'),
          'POST',
          `/api/v1/communities/alpha/meetings/${second?.id}/cancel`,
          { reason: 'x' },
        )
      ).statusCode,
    ).toBe(404);
    const viaApi = await call(
      await tokenFor('coordinator@alpha.test'),
      'POST',
      `/api/v1/communities/alpha/meetings/${second?.id}/cancel`,
      { reason: 'Snow' },
    );
    expect(viaApi.statusCode).toBe(200);
    expect(viaApi.json()).toEqual({ id: second?.id, told: 0 });
  });
});

describe('reminders before a meeting', () => {
  it('the day before, people coming are reminded once, and nobody who said they are not coming', async () => {
    const { remindTomorrowsMeetings } = await import('../../src/modules/peer-network/service.ts');
    const { consents } = await import('../../src/modules/people/schema.ts');
    const memberRecord = given.fixture.alphaTimebankMemberId;
    await owner().insert(consents).values({
      communityId: given.fixture.alpha.id,
      personRecordId: memberRecord,
      purpose: 'contact_email',
      granted: true,
      method: 'online',
    });
    const tomorrow = new Date(Date.now() + 86_400_000);
    tomorrow.setUTCHours(17, 0, 0, 0);
    const [meeting] = await owner()
      .insert(peerMeetings)
      .values({
        communityId: given.fixture.alpha.id,
        groupId: given.fixture.alphaGroupId,
        startsAt: tomorrow,
        durationMinutes: 90,
      })
      .onConflictDoNothing()
      .returning({ id: peerMeetings.id });
    const meetingId =
      meeting?.id ??
      (
        await owner().execute<{ id: string }>(
          sql`select id from peer_meetings where group_id = ${given.fixture.alphaGroupId} and starts_at = ${tomorrow.toISOString()}`,
        )
      ).rows[0]?.id;
    expect(
      (
        await call(
          await tokenFor('member@alpha.test'),
          'PUT',
          `/api/v1/communities/alpha/meetings/${meetingId}/reply`,
          { coming: true },
        )
      ).statusCode,
    ).toBe(204);
    const reminders = () =>
      count('outbox', sql`template = 'network-meeting-reminder' and body like ${`%/network/meetings/${meetingId}%`}`);
    await remindTomorrowsMeetings(owner(), 'http://localhost', false);
    expect(await reminders()).toBe(1);
    await remindTomorrowsMeetings(owner(), 'http://localhost', false);
    expect(await reminders()).toBe(1);
    const [message] = (
      await owner().execute<{ subject: string; body: string }>(
        sql`select subject, body from outbox where template = 'network-meeting-reminder' and body like ${`%${meetingId}%`}`,
      )
    ).rows;
    expect(message?.subject).toMatch(/is tomorrow$/);
    expect(message?.body).toMatch(/meets tomorrow at \d\d:\d\d/);
  });
});
