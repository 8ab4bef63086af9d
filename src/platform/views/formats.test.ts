import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import nunjucks from 'nunjucks';
import { addFilters, formatDay, templateFolders } from './index.ts';

describe('days as people write them', () => {
  it('a day is written the same from its text or its Date, however often it is asked for, in each language', () => {
    fc.assert(
      fc.property(
        fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2100-12-31T00:00:00Z'), noInvalidDate: true }),
        fc.constantFrom('en', 'cy', 'es'),
        (date, language) => {
          const day = date.toISOString().slice(0, 10);
          const fromDate = formatDay(new Date(`${day}T00:00:00Z`), language);
          expect(formatDay(day, language)).toBe(fromDate);
          expect(formatDay(`${day}T10:00:00Z`, language)).toBe(fromDate);
          expect(formatDay(day, language)).toBe(fromDate);
        },
      ),
    );
  });

  it('the same day differs between languages, and nonsense is written as nothing', () => {
    expect(formatDay('2026-03-12', 'en')).toBe('12 March 2026');
    expect(formatDay('2026-03-12', 'cy')).not.toBe(formatDay('2026-03-12', 'en'));
    expect(formatDay('not a day', 'en')).toBe('');
    expect(formatDay('not a day', 'en')).toBe('');
  });
});

describe('the trim filter', () => {
  const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(templateFolders), { autoescape: true });
  addFilters(environment);

  it('trims as nunjucks’ own did, for any text', () => {
    fc.assert(
      fc.property(
        fc
          .array(fc.constantFrom(' ', '\n', '\t', '\u00a0', 'a', '<', '\u2028'), { maxLength: 40 })
          .map((parts) => parts.join('')),
        (text) => {
          const expected = nunjucks.renderString('{{ text | safe }}', { text: text.replace(/^\s*|\s*$/g, '') });
          expect(environment.renderString('{{ text | safe | trim }}', { text })).toBe(expected);
        },
      ),
    );
  });

  it('keeps markup marked safe, and escapes text that is not', () => {
    expect(environment.renderString('{{ html | safe | trim }}', { html: '  <b>kept</b>\n ' })).toBe('<b>kept</b>');
    expect(environment.renderString('{{ text | trim }}', { text: '  <b>escaped</b>  ' })).toBe(
      '&lt;b&gt;escaped&lt;/b&gt;',
    );
    expect(environment.renderString('[{{ nothing | trim }}]', {})).toBe('[]');
  });
});
