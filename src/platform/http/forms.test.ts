import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { safeNext } from './forms.ts';

/** Where a browser on this site would go when told `Location: path`. */
const origin = 'https://coproduce.example';
const leadsElsewhere = (path: string) =>
  new URL(path, `${origin}/c/lambeth/`).origin !== origin || path.startsWith('//') || /[\\\s]/.test(path);

describe('going back after signing in', () => {
  it('keeps a path on this site, with its query', () => {
    expect(safeNext('/c/lambeth')).toBe('/c/lambeth');
    expect(safeNext('/c/lambeth/members?status=requested')).toBe('/c/lambeth/members?status=requested');
    expect(safeNext('/c/lambeth/people/1#contact')).toBe('/c/lambeth/people/1#contact');
  });

  it.each([
    ['two slashes', '//evil.example'],
    ['three slashes', '///evil.example'],
    ['a dot-dot that normalises to two slashes', '/..//evil.example/phish'],
    ['a dot-dot after a dot', '/./..//evil.example'],
    ['an encoded dot-dot', '/%2e%2e//evil.example'],
    ['a backslash', '/\\evil.example'],
    ['a slash and a backslash', '/\\/evil.example'],
    ['encoded slashes without a leading slash', '%2F%2Fevil.example'],
    ['a tab', '/\t/evil.example'],
    ['a new line', '/\n/evil.example'],
    ['a carriage return', '/\r/evil.example'],
    ['a NUL byte', '/\u0000/evil.example'],
    ['a non-breaking space', '/\u00a0/evil.example'],
    ['an absolute address', 'https://evil.example/'],
    ['a protocol-relative address with credentials', '//user@evil.example'],
    ['javascript:', 'javascript:alert(1)'],
    ['data:', 'data:text/html,<script>alert(1)</script>'],
    ['nothing', ''],
    ['not text', 42],
    ['missing', undefined],
    ['a list', ['/c/lambeth', '//evil.example']],
  ])('sends %s home', (_name, next) => {
    expect(safeNext(next)).toBe('/');
  });

  it('never answers with a path that leads to another site, whatever it is given', () => {
    const pieces = fc.constantFrom(
      '/',
      '//',
      '\\',
      '..',
      '.',
      '%2e',
      '%2F',
      '%5C',
      'evil.example',
      '@',
      ':',
      '?',
      '#',
      '\t',
      '\n',
      ' ',
      'c',
      'http:',
      'javascript:',
    );
    fc.assert(
      fc.property(
        fc.array(pieces, { maxLength: 8 }).map((parts) => parts.join('')),
        fc.string(),
        (built, random) => {
          for (const next of [built, random, `/${built}`, `/${random}`]) {
            const path = safeNext(next);
            expect(path.startsWith('/')).toBe(true);
            expect(leadsElsewhere(path)).toBe(false);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });
});
