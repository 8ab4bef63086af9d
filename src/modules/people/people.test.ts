import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isValidNhsNumber, phoneKey, withDateFromParts } from '../../platform/fields.ts';
import { hasKey } from '../../platform/i18n.ts';
import {
  type ConsentDecision,
  consentPurposes,
  currentFrom,
  inEvaluation,
  mayMessage,
  mayTellReferrer,
} from './consent.ts';
import {
  checkRecord,
  communicationNeeds,
  contactMethods,
  duplicateReasons,
  equalityOptions,
  equalityQuestions,
  mergedDetails,
  personDetails,
  type PersonRecord,
} from './service.ts';

/** An NHS number with a correct check digit, made from nine digits (or none when no check digit exists). */
function withCheckDigit(nine: number[]): string | null {
  const total = nine.reduce((sum, digit, index) => sum + digit * (10 - index), 0);
  const check = 11 - (total % 11);
  if (check === 10) return null;
  return `${nine.join('')}${check === 11 ? 0 : check}`;
}

const aRecord = (overrides: Partial<PersonRecord> = {}): PersonRecord => ({
  id: '00000000-0000-4000-8000-000000000001',
  communityId: '00000000-0000-4000-8000-000000000000',
  number: 1,
  accountId: null,
  preferredName: 'Ada',
  fullName: '',
  listName: 'Ada',
  messageSafe: null,
  pronouns: '',
  dateOfBirth: null,
  nhsNumber: null,
  email: null,
  phone: null,
  phoneKey: null,
  address: '',
  postcode: null,
  contactMethod: null,
  contactTimes: '',
  communicationNeeds: [],
  interpreterLanguage: '',
  communicationOther: '',
  emergencyContactName: '',
  emergencyContactPhone: '',
  emergencyContactRelationship: '',
  gpPractice: '',
  skillsAndInterests: '',
  livedExperience: '',
  availability: '',
  assistedDigital: false,
  status: 'active',
  mergedIntoId: null,
  createdBy: null,
  createdAt: new Date(0),
  updatedAt: new Date(0),
  erasedAt: null,
  ...overrides,
});

describe('NHS numbers', () => {
  it('a number with the right check digit is accepted, and changing any one digit makes it wrong', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 9 }), { minLength: 9, maxLength: 9 }),
        fc.integer({ min: 0, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        (nine, position, shift) => {
          const number = withCheckDigit(nine);
          if (number === null) return;
          expect(isValidNhsNumber(number)).toBe(true);
          const digits = [...number].map(Number);
          digits[position] = ((digits[position] ?? 0) + shift) % 10;
          expect(isValidNhsNumber(digits.join(''))).toBe(false);
        },
      ),
    );
  });

  it('the form takes an NHS number with spaces and keeps ten digits', () => {
    const parsed = personDetails.parse({ preferredName: 'Ada', nhsNumber: ' 943 476 5919 ' });
    expect(parsed.nhsNumber).toBe('9434765919');
    expect(personDetails.safeParse({ preferredName: 'Ada', nhsNumber: '943 476 5918' }).success).toBe(false);
  });
});

describe('phone numbers', () => {
  it('the same number typed in different ways has one key', () => {
    expect(phoneKey('07700 900123')).toBe('07700900123');
    expect(phoneKey('+44 7700 900123')).toBe('07700900123');
    expect(phoneKey('0044 (0)7700-900123')).toBe('07700900123');
    expect(phoneKey(null)).toBeNull();
  });
});

describe('dates from the NHS date input', () => {
  it('day, month and year become one date, and a wrong date stays wrong', () => {
    expect(
      withDateFromParts({ 'dateOfBirth-day': '5', 'dateOfBirth-month': '3', 'dateOfBirth-year': '1958' }, 'dateOfBirth')
        .dateOfBirth,
    ).toBe('1958-03-05');
    const wrong = withDateFromParts(
      { 'dateOfBirth-day': '31', 'dateOfBirth-month': '2', 'dateOfBirth-year': '1958' },
      'dateOfBirth',
    );
    expect(personDetails.safeParse({ preferredName: 'Ada', ...wrong }).success).toBe(false);
    expect(
      withDateFromParts({ 'dateOfBirth-day': '', 'dateOfBirth-month': '', 'dateOfBirth-year': '' }, 'dateOfBirth')
        .dateOfBirth,
    ).toBeUndefined();
  });
});

describe('likely duplicates', () => {
  it('the same email, phone, NHS number, or a name with the same date of birth, make two records likely the same person', () => {
    const a = aRecord({
      preferredName: 'Ada',
      fullName: 'Ada King',
      email: 'ADA@example.org',
      phoneKey: '07700900123',
      nhsNumber: '9434765919',
      dateOfBirth: '1950-12-10',
    });
    expect(duplicateReasons(a, aRecord({ email: 'ada@example.org' }))).toEqual(['email']);
    expect(duplicateReasons(a, aRecord({ phoneKey: '07700900123' }))).toEqual(['phone']);
    expect(duplicateReasons(a, aRecord({ nhsNumber: '9434765919' }))).toEqual(['nhsNumber']);
    expect(duplicateReasons(a, aRecord({ preferredName: 'ada king', dateOfBirth: '1950-12-10' }))).toEqual([
      'nameAndBirth',
    ]);
    expect(duplicateReasons(a, aRecord({ preferredName: 'Grace', dateOfBirth: '1950-12-10' }))).toEqual([]);
    expect(duplicateReasons(a, aRecord({ preferredName: 'Ada' }))).toEqual([]);
  });

  it('likeness goes both ways', () => {
    const field = fc.option(fc.constantFrom('a@x.org', 'b@x.org', '07700900123', '9434765919'), { nil: null });
    const person = fc.record({
      email: field,
      phoneKey: field,
      nhsNumber: field,
      preferredName: fc.constantFrom('Ada', 'Grace'),
      fullName: fc.constantFrom('', 'Ada King'),
      dateOfBirth: fc.option(fc.constantFrom('1950-12-10', '1960-01-01'), { nil: null }),
    });
    fc.assert(
      fc.property(person, person, (a, b) => {
        expect(duplicateReasons(a, b)).toEqual(duplicateReasons(b, a));
      }),
    );
  });
});

describe('merging two records', () => {
  it('what the record that stays already says never changes; it only gains what it lacks', () => {
    const text = fc.constantFrom('', 'one', 'two');
    const nullable = fc.option(fc.constantFrom('one', 'two'), { nil: null });
    const record = fc.record({
      fullName: text,
      pronouns: text,
      email: nullable,
      phone: nullable,
      address: text,
      gpPractice: text,
      livedExperience: text,
      communicationNeeds: fc.subarray([...communicationNeeds]),
    });
    fc.assert(
      fc.property(record, record, (kept, gone) => {
        const into = aRecord(kept);
        const change = mergedDetails(into, aRecord(gone));
        const merged = { ...into, ...change };
        for (const field of [
          'fullName',
          'pronouns',
          'email',
          'phone',
          'address',
          'gpPractice',
          'livedExperience',
        ] as const) {
          if (into[field]) expect(merged[field]).toBe(into[field]);
          else expect(merged[field]).toBe(gone[field] || into[field]);
        }
        expect(new Set(merged.communicationNeeds)).toEqual(
          new Set([...kept.communicationNeeds, ...gone.communicationNeeds]),
        );
      }),
    );
  });
});

describe('rules across a record’s fields', () => {
  it('an interpreter needs a language, and the best way to get in touch needs its details', () => {
    expect(checkRecord({ communicationNeeds: ['interpreter'] })).toEqual([
      { field: 'interpreterLanguage', code: 'errors.person.interpreterLanguage.missing' },
    ]);
    expect(checkRecord({ communicationNeeds: ['interpreter'], interpreterLanguage: 'Somali' })).toEqual([]);
    expect(checkRecord({ contactMethod: 'sms' })).toEqual([
      { field: 'phone', code: 'errors.person.contactMethod.needsPhone' },
    ]);
    expect(checkRecord({ contactMethod: 'post', postcode: 'SW2 1AA' })).toEqual([]);
  });
});

describe('consent', () => {
  const decision = fc.record({
    purpose: fc.constantFrom(...consentPurposes),
    granted: fc.boolean(),
    method: fc.constantFrom('online' as const, 'spoken' as const, 'paper' as const),
    recordedAt: fc.date({ noInvalidDate: true }),
    recordedBy: fc.constant(null),
    onBehalf: fc.boolean(),
    note: fc.constant(''),
  });

  it('the latest decision for a purpose is the one that stands, whatever came before', () => {
    fc.assert(
      fc.property(fc.array(decision, { maxLength: 30 }), (history: ConsentDecision[]) => {
        const state = currentFrom(history);
        for (const purpose of consentPurposes) {
          const last = history.filter((one) => one.purpose === purpose).at(-1);
          expect(state[purpose]?.granted ?? false).toBe(last?.granted ?? false);
        }
        const lastOf = (purpose: string) => history.filter((one) => one.purpose === purpose).at(-1)?.granted === true;
        expect(mayMessage(state, 'email')).toBe(lastOf('contact_email'));
        expect(mayMessage(state, 'sms')).toBe(lastOf('contact_sms'));
        expect(mayTellReferrer(state)).toBe(lastOf('tell_referrer'));
        expect(inEvaluation(state)).toBe(lastOf('evaluation'));
      }),
    );
  });

  it('a purpose nobody asked about is not consent', () => {
    const state = currentFrom([]);
    expect(mayMessage(state, 'email')).toBe(false);
    expect(mayTellReferrer(state)).toBe(false);
    expect(inEvaluation(state)).toBe(false);
  });
});

describe('the words for every choice', () => {
  it('each option a form offers has its words in the catalogue', () => {
    const keys = [
      ...contactMethods.map((value) => `people.contactMethods.${value}`),
      ...communicationNeeds.map((value) => `people.needs.${value}`),
      ...equalityQuestions.flatMap((question) => [
        `people.equality.${question}.question`,
        ...equalityOptions[question].map((value) => `people.equality.${question}.options.${value}`),
      ]),
      ...consentPurposes.flatMap((purpose) =>
        ['name', 'question', 'explain'].map((part) => `consent.purposes.${purpose}.${part}`),
      ),
    ];
    expect(keys.filter((key) => !hasKey(key))).toEqual([]);
  });
});
