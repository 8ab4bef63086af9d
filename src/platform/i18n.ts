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
 * A translate function for one language. A message asked for without options is looked up
 * once and remembered: pages ask for dozens each, and i18next's lookup was a measured cost.
 */
export function translator(language: Language): Translate {
  let translate = translators.get(language);
  if (!translate) {
    const fixed = instance.getFixedT(language);
    const remembered = new Map<string, string>();
    const call = fixed as unknown as (key: string | string[], options?: unknown) => string;
    translate = ((key: string | string[], options?: unknown) => {
      if (options !== undefined || typeof key !== 'string') return call(key, options);
      let text = remembered.get(key);
      if (text === undefined) {
        text = fixed(key);
        remembered.set(key, text);
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
