import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { translator } from '../../platform/i18n.ts';
import { needs } from './schema.ts';
import { listFromForm, needItems, needWords, supportNeedList } from './support-needs.ts';

const t = translator('en');
const subset = fc.subarray([...needs], { minLength: 1 });
const words = fc.option(
  fc.string({ minLength: 1, maxLength: 40 }).filter((text) => text.trim() !== ''),
  { nil: undefined },
);

describe('a community’s support list', () => {
  it('the form lists exactly what was ticked, in the standard order, with words only where some were given', () => {
    fc.assert(
      fc.property(subset, fc.array(words, { minLength: needs.length, maxLength: needs.length }), (ticked, given) => {
        const body = Object.fromEntries(needs.map((need, index) => [`words-${need}-en`, given[index] ?? '']));
        const { list, errors } = listFromForm(ticked, body);
        expect(errors).toEqual([]);
        expect(list.needs.map((one) => one.need)).toEqual(needs.filter((need) => ticked.includes(need)));
        for (const one of list.needs) expect(one.wording.en).toBe(given[needs.indexOf(one.need)]?.trim() || undefined);
        expect(supportNeedList.safeParse(list).success).toBe(true);
      }),
    );
  });

  it('every need has words in every case, the community’s own where it gave them; a form offers only the listed needs, in its order', () => {
    fc.assert(
      fc.property(fc.shuffledSubarray([...needs], { minLength: 1 }), words, (listed, own) => {
        const list = listed.map((need, index) => ({ need, wording: index === 0 && own ? { en: own } : {} }));
        const text = needWords(list, 'en', t);
        for (const need of needs) expect(text[need]).toBeTruthy();
        expect(text[listed[0] ?? 'loneliness']).toBe(own ?? t(`referrals.needs.${listed[0]}`));
        expect(needItems(list, text, listed.slice(0, 1)).map((item) => [item.value, item.checked])).toEqual(
          listed.map((need, index) => [need, index === 0]),
        );
      }),
    );
  });

  it('words longer than 120 characters are refused on their own field', () => {
    const { errors } = listFromForm(['housing'], { 'words-housing-cy': 'x'.repeat(121) });
    expect(errors).toEqual([{ field: 'words-housing-cy', code: 'errors.supportNeeds.wordsTooLong' }]);
  });
});
