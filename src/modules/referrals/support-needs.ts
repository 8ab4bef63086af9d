import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { checkboxList, optionalText } from '../../platform/fields.ts';
import { type FieldError, invalid } from '../../platform/http/problems.ts';
import { languages, type Language, type Translate } from '../../platform/i18n.ts';
import type { Community, CommunityTransaction } from '../../platform/tenancy.ts';
import type { Need } from './schema.ts';
import { needs, replaceSupportNeeds, supportNeedsOf } from './store.ts';

/** One kind of support a community lists, with its own words in any of its languages. */
export interface SupportNeed {
  need: Need;
  wording: Partial<Record<string, string>>;
}

const wordsLimit = 120;
const wordsField = optionalText('errors.supportNeeds.wordsTooLong', wordsLimit);

/** What the API takes: the list in the order it is offered, each with words in the languages wanted. */
export const supportNeedList = z.object({
  needs: z
    .array(
      z.object({
        need: z.enum(needs, { error: 'errors.supportNeeds.unknown' }),
        wording: z.partialRecord(z.enum(languages), wordsField).default({}),
      }),
    )
    .min(1, 'errors.supportNeeds.missing')
    .refine((list) => new Set(list.map((one) => one.need)).size === list.length, 'errors.supportNeeds.repeated'),
});
export type SupportNeedList = z.infer<typeof supportNeedList>;

/** What the page sends: the needs ticked, and `words-{need}-{language}` for each. */
export const supportNeedForm = z.object({
  offered: checkboxList(needs, 'errors.supportNeeds.unknown').refine(
    (list) => list.length > 0,
    'errors.supportNeeds.missing',
  ),
});

/** The page's fields as the API's list, in the standard order, or an error on each wording too long. */
export function listFromForm(
  offered: readonly Need[],
  body: Record<string, unknown>,
): { list: SupportNeedList; errors: FieldError[] } {
  const errors: FieldError[] = [];
  const list = needs
    .filter((need) => offered.includes(need))
    .map((need) => {
      const wording: Partial<Record<string, string>> = {};
      for (const language of languages) {
        const words = String(body[`words-${need}-${language}`] ?? '').trim();
        if (words.length > wordsLimit)
          errors.push({ field: `words-${need}-${language}`, code: 'errors.supportNeeds.wordsTooLong' });
        else if (words) wording[language] = words;
      }
      return { need, wording };
    });
  return { list: { needs: list }, errors };
}

/** The community's list in its order; with nothing chosen, every standard need with the standard words. */
export async function offeredNeeds(tx: CommunityTransaction, communityId: string): Promise<SupportNeed[]> {
  const rows = await supportNeedsOf(tx, communityId);
  return rows.length ? rows : needs.map((need) => ({ need, wording: {} }));
}

/** The words for every need in one language: the community's where it gave them, otherwise the standard ones. */
export function needWords(list: readonly SupportNeed[], language: Language, t: Translate): Record<string, string> {
  const own = new Map(list.map((one) => [one.need, one.wording[language]]));
  return Object.fromEntries(needs.map((need) => [need, own.get(need) || t(`referrals.needs.${need}`)]));
}

/** Checkbox items for a referral form: the offered needs, in the community's words and order. */
export function needItems(list: readonly SupportNeed[], words: Record<string, string>, chosen: unknown) {
  const picked = new Set(([] as unknown[]).concat(chosen ?? []).map(String));
  return list.map((one) => ({ value: one.need, text: words[one.need], checked: picked.has(one.need) }));
}

/** A referral may ask only for support the community lists. */
export async function checkNeedsOffered(
  tx: CommunityTransaction,
  communityId: string,
  asked: readonly string[],
): Promise<void> {
  if (asked.length === 0) return;
  const offered = new Set((await offeredNeeds(tx, communityId)).map((one) => one.need as string));
  if (asked.some((need) => !offered.has(need)))
    throw invalid([{ field: 'needs', code: 'errors.supportNeeds.notOffered' }]);
}

/** Replaces the community's list, all at once, and records who changed it. */
export async function saveSupportNeeds(
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  list: SupportNeedList,
): Promise<SupportNeed[]> {
  await replaceSupportNeeds(tx, community.id, list.needs);
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'support-needs.changed',
    subjectType: 'community',
    subjectId: community.id,
    detail: { needs: list.needs.map((one) => one.need) },
  });
  return offeredNeeds(tx, community.id);
}
