import i18next, { type TFunction } from 'i18next';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const languages = ['en', 'cy', 'es'] as const;
export type Language = (typeof languages)[number];

/** Each language named in itself, for the language switcher. */
export const languageNames: Record<Language, string> = { en: 'English', cy: 'Cymraeg', es: 'Español' };

export function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (languages as readonly string[]).includes(value);
}

function catalogue(language: Language): Record<string, unknown> {
  const file = fileURLToPath(new URL(`../../locales/${language}/translation.json`, import.meta.url));
  return JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
}

const instance = i18next.createInstance();
await instance.init({
  lng: 'en',
  fallbackLng: 'en',
  supportedLngs: [...languages],
  resources: Object.fromEntries(languages.map((language) => [language, { translation: catalogue(language) }])),
  interpolation: { escapeValue: false },
  returnNull: false,
  initAsync: false,
});

export type Translate = TFunction;

const translators = new Map<Language, Translate>();

/**
 * How many messages asked for with options (a count, a name) one language remembers. Past it,
 * the remembered ones are forgotten and the count starts again: the options may hold anything a
 * page shows (names, numbers), so what is remembered must stay bounded.
 */
export const rememberedWithOptions = 5_000;

/**
 * What a message asked for with these options is remembered by: the key and each option, when
 * every option is a string, number or boolean (the message then depends on nothing else).
 * Undefined for options that hold anything else.
 */
function rememberedAs(key: string, options: unknown): string | undefined {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) return undefined;
  const said: unknown[] = [key];
  for (const name of Object.keys(options).sort()) {
    const value = (options as Record<string, unknown>)[name];
    const kind = typeof value;
    if (kind !== 'string' && kind !== 'number' && kind !== 'boolean') return undefined;
    said.push(name, value);
  }
  return JSON.stringify(said);
}

/**
 * A translate function for one language. A message is looked up once and remembered: pages ask
 * for dozens each (a statement's 50 lines, each with its hours and minutes), and i18next's lookup,
 * its plural rules and interpolation, was a fifth of a page's time in the app.
 */
export function translator(language: Language): Translate {
  let translate = translators.get(language);
  if (!translate) {
    const fixed = instance.getFixedT(language);
    const remembered = new Map<string, string>();
    const withOptions = new Map<string, string>();
    const call = fixed as unknown as (key: string | string[], options?: unknown) => string;
    translate = ((key: string | string[], options?: unknown) => {
      if (typeof key !== 'string') return call(key, options);
      if (options === undefined) {
        let text = remembered.get(key);
        if (text === undefined) {
          text = fixed(key);
          remembered.set(key, text);
        }
        return text;
      }
      const as = rememberedAs(key, options);
      if (as === undefined) return call(key, options);
      let text = withOptions.get(as);
      if (text === undefined) {
        text = call(key, options);
        if (typeof text !== 'string') return text;
        if (withOptions.size >= rememberedWithOptions) withOptions.clear();
        withOptions.set(as, text);
      }
      return text;
    }) as unknown as Translate;
    translators.set(language, translate);
  }
  return translate;
}

export function hasKey(key: string, language: Language = 'en'): boolean {
  return instance.exists(key, { lng: language, fallbackLng: false });
}
