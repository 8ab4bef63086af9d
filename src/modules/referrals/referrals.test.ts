import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addWorkingDays, isWorkingDay, workingDaysBetween } from '../../platform/working-days.ts';
import {
  canMove,
  contactDueOn,
  isOverdue,
  newReference,
  referenceFormat,
  referralStatuses,
  referrerView,
  urgencies,
} from './service.ts';
import { ladderFrom, milestoneKinds, rungs } from '../journey/service.ts';

const day = fc
  .date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2030-12-31T00:00:00Z'), noInvalidDate: true })
  .map((date) => date.toISOString().slice(0, 10));

describe('working days', () => {
  it('bank holidays and weekends are not working days', () => {
    expect(isWorkingDay('2026-12-25')).toBe(false);
    expect(isWorkingDay('2026-12-28')).toBe(false); // Boxing Day's substitute
    expect(isWorkingDay('2026-11-28')).toBe(false); // a Saturday
    expect(isWorkingDay('2026-11-26')).toBe(true);
    expect(addWorkingDays('2026-12-24', 1)).toBe('2026-12-29');
  });

  it('adding n working days lands on a working day exactly n working days later', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 20 }), (start, count) => {
        const due = addWorkingDays(start, count);
        expect(isWorkingDay(due)).toBe(true);
        expect(workingDaysBetween(start, due)).toBe(count);
        expect(addWorkingDays(start, count + 1) > due).toBe(true);
      }),
    );
  });
});

describe('a referral’s life', () => {
  it('only an open referral moves, it never goes back to new, and "contacting" comes only from new', () => {
    for (const from of referralStatuses) {
      for (const to of referralStatuses) {
        const expected =
          (from === 'new' || from === 'contacting') && to !== 'new' && (to !== 'contacting' || from === 'new');
        expect(canMove(from, to), `${from} → ${to}`).toBe(expected);
      }
    }
  });

  it('any path of allowed moves ends, at most, after three moves, and a closed referral stays closed', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...referralStatuses), { maxLength: 10 }), (attempts) => {
        let status: (typeof referralStatuses)[number] = 'new';
        let moves = 0;
        for (const to of attempts) {
          if (!canMove(status, to)) continue;
          status = to;
          moves += 1;
        }
        expect(moves).toBeLessThanOrEqual(2);
        if (!['new', 'contacting'].includes(status))
          for (const to of referralStatuses) expect(canMove(status, to)).toBe(false);
      }),
    );
  });

  it('contact is due sooner for more urgent referrals, and never on a day off', () => {
    fc.assert(
      fc.property(day, fc.integer({ min: 1, max: 20 }), (received, days) => {
        const [routine, soon, urgent] = urgencies.map((urgency) => contactDueOn(received, urgency, days)) as [
          string,
          string,
          string,
        ];
        expect(urgent <= soon && soon <= routine).toBe(true);
        for (const due of [routine, soon, urgent]) expect(isWorkingDay(due)).toBe(true);
        expect(workingDaysBetween(received, urgent)).toBe(1);
      }),
    );
  });

  it('a referral is overdue only while open, before anyone tried to contact, after its due day', () => {
    const base = { contactDueOn: '2026-11-20', firstContactedAt: null };
    expect(isOverdue({ ...base, status: 'new' }, '2026-11-23')).toBe(true);
    expect(isOverdue({ ...base, status: 'new' }, '2026-11-20')).toBe(false);
    expect(isOverdue({ ...base, status: 'new', firstContactedAt: new Date() }, '2026-11-23')).toBe(false);
    expect(isOverdue({ ...base, status: 'accepted' }, '2026-11-23')).toBe(false);
  });

  it('references are eight characters people can read out, without 0, O, 1, I or L', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { minLength: 8, maxLength: 8 }), (numbers) => {
        let index = 0;
        const reference = newReference((max) => (numbers[index++] ?? 0) % max);
        expect(reference).toMatch(referenceFormat);
        expect(reference).not.toMatch(/[01IOL]/);
      }),
    );
  });
});

describe('what a referrer may see', () => {
  const referral = fc.record({
    status: fc.constantFrom(...referralStatuses),
    acceptedProgrammes: fc.array(fc.string(), { maxLength: 3 }),
    declineReason: fc.constantFrom(null, 'no_places' as const, 'other' as const),
    statusChangedAt: fc.date({ noInvalidDate: true }),
  });

  it('without the person’s agreement, the referrer learns nothing beyond "received", whatever happened', () => {
    fc.assert(
      fc.property(referral, referral, (one, other) => {
        expect(referrerView(one, false)).toEqual(referrerView(other, false));
        expect(referrerView(one, false)).toMatchObject({
          shared: false,
          status: 'received',
          acceptedProgrammes: [],
          declineReason: null,
          updatedAt: null,
        });
      }),
    );
  });

  it('with it, the referrer sees the status as it is', () => {
    fc.assert(
      fc.property(referral, (one) => {
        expect(referrerView(one, true)).toMatchObject({
          shared: true,
          status: one.status,
          acceptedProgrammes: one.acceptedProgrammes,
        });
      }),
    );
  });
});

describe('the ladder', () => {
  const step = fc.record({
    kind: fc.constantFrom(...milestoneKinds),
    at: fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }),
  });

  it('a new step never takes anyone down the ladder, and each rung keeps the first day it was reached', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 20 }), step, (steps, next) => {
        const before = ladderFrom(steps);
        const after = ladderFrom([...steps, next]);
        const rank = (rung: string | null) => (rung === null ? -1 : rungs.indexOf(rung as (typeof rungs)[number]));
        expect(rank(after.highest)).toBeGreaterThanOrEqual(rank(before.highest));
        for (const [index, rung] of after.steps.entries()) {
          const was = before.steps[index]?.reachedAt;
          if (was && rung.reachedAt) expect(rung.reachedAt.getTime()).toBeLessThanOrEqual(was.getTime());
        }
      }),
    );
  });
});
