import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { hasKey, languages, rememberedWithOptions, translator } from './i18n.ts';
import { isValidNhsNumber } from './fields.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

function filesUnder(folder: string, ending: string): string[] {
  return readdirSync(folder).flatMap((name) => {
    const full = path.join(folder, name);
    return statSync(full).isDirectory() ? filesUnder(full, ending) : full.endsWith(ending) ? [full] : [];
  });
}

function leafKeys(value: unknown, prefix = ''): string[] {
  if (Array.isArray(value)) return [prefix];
  if (value && typeof value === 'object')
    return Object.entries(value).flatMap(([key, child]) => leafKeys(child, prefix ? `${prefix}.${key}` : key));
  return [prefix];
}

const catalogue = (language: string) =>
  JSON.parse(readFileSync(path.join(root, 'locales', language, 'translation.json'), 'utf8')) as Record<string, unknown>;
const withoutPluralForm = (key: string) => key.replace(/_(zero|one|two|few|many|other)$/, '');
const templates = filesUnder(path.join(root, 'src'), '.njk');
const sources = filesUnder(path.join(root, 'src'), '.ts').filter((file) => !file.endsWith('.test.ts'));

describe('the message catalogues', () => {
  it('Welsh and Spanish have every message English has, and nothing else', () => {
    const english = new Set(leafKeys(catalogue('en')).map(withoutPluralForm));
    for (const language of languages) {
      expect(new Set(leafKeys(catalogue(language)).map(withoutPluralForm)), language).toEqual(english);
    }
  });

  it('every message a page or rule asks for exists', () => {
    const used = new Set<string>();
    for (const file of [...templates, ...sources]) {
      const text = readFileSync(file, 'utf8');
      for (const match of text.matchAll(/\bt\('([a-zA-Z][\w.-]*[\w])'/g)) if (match[1]) used.add(match[1]);
      for (const match of text.matchAll(/'(errors\.[a-zA-Z.]+[a-zA-Z])'/g)) if (match[1]) used.add(match[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((key) => !hasKey(key) && !hasKey(`${key}_one`) && !hasKey(`${key}_other`));
    expect(missing).toEqual([]);
  });

  it('no page has words outside the catalogues', () => {
    const offenders: string[] = [];
    for (const file of templates) {
      const text = readFileSync(file, 'utf8')
        .replace(/\{#[\s\S]*?#\}/g, '')
        .replace(/\{%[\s\S]*?%\}/g, '')
        .replace(/\{\{[\s\S]*?\}\}/g, '');
      const visible = text.replace(/<[^>]*>/g, ' ').replace(/&[a-z]+;/g, ' ');
      const words = visible.match(/[A-Za-z]{2,}/g);
      if (words) offenders.push(`${path.relative(root, file)}: ${words.slice(0, 5).join(' ')}`);
      for (const attribute of text.matchAll(/(aria-label|title|alt|placeholder)="([^"]*[A-Za-z][^"]*)"/g)) {
        offenders.push(`${path.relative(root, file)}: ${attribute[1]}="${attribute[2]}"`);
      }
    }
    expect(offenders).toEqual([]);
  });

  it('every NHS number given as an example passes the NHS number check', () => {
    for (const language of languages) {
      const examples = [...JSON.stringify(catalogue(language)).matchAll(/\b(\d{3}) (\d{3}) (\d{4})\b/g)].map(
        (match) => `${match[1]}${match[2]}${match[3]}`,
      );
      expect(examples.length, language).toBeGreaterThan(0);
      for (const example of examples) expect(isValidNhsNumber(example), `${language}: ${example}`).toBe(true);
    }
  });
});

describe('messages remembered once looked up', () => {
  it('a message with a count or a name is the one asked for, however often and in whatever order', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...languages),
        fc.array(fc.record({ count: fc.integer({ min: 0, max: 10_000 }), name: fc.string({ maxLength: 12 }) }), {
          minLength: 1,
          maxLength: 20,
        }),
        (language, asked) => {
          const t = translator(language);
          for (const { count, name } of asked) {
            const hours = t('duration.hours', { count });
            expect(hours).toContain(String(count));
            expect(t('duration.hours', { count })).toBe(hours);
            expect(t('timebank.statement.title', { name })).toContain(name);
          }
        },
      ),
    );
  });

  it('one and two hours differ, in every language, and past the limit messages are still right', () => {
    for (const language of languages) {
      const t = translator(language);
      expect(t('duration.hours', { count: 1 })).not.toBe(t('duration.hours', { count: 2 }));
    }
    const t = translator('en');
    for (let count = 0; count <= rememberedWithOptions + 10; count += 1)
      expect(t('duration.minutes', { count })).toBe(count === 1 ? '1 minute' : `${count} minutes`);
  });
});
