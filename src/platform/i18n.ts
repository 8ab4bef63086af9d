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

export function translator(language: Language): Translate {
  return instance.getFixedT(language);
}

export function hasKey(key: string, language: Language = 'en'): boolean {
  return instance.exists(key, { lng: language, fallbackLng: false });
}
