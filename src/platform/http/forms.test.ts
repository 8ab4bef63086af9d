import fc from 'fast-check';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { safeNext, submitForm } from './forms.ts';
import { DomainError } from './problems.ts';

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

describe('a form that answers otherwise', () => {
  const schema = z.object({ name: z.string().min(1, 'errors.name.missing') });
  const sent = (body: Record<string, unknown>) => {
    const request = { body, session: {} as Record<string, unknown> } as unknown as FastifyRequest;
    const answered: { redirect?: [string, number]; page?: unknown } = {};
    const reply = {
      sent: false,
      redirect: (to: string, status: number) => {
        answered.redirect = [to, status];
        return reply;
      },
    } as unknown as FastifyReply;
    return { request, reply, answered };
  };

  it('redirects with a 303, or the status it is given', async () => {
    const usual = sent({ name: 'Ada' });
    await submitForm(usual.request, usual.reply, { schema, save: async () => 'done', next: '/after' });
    expect(usual.answered.redirect).toEqual(['/after', 303]);
    const old = sent({ name: 'Ada' });
    await submitForm(old.request, old.reply, {
      schema,
      save: async (data) => `/hello/${data.name}`,
      next: (to) => to,
      status: 302,
    });
    expect(old.answered.redirect).toEqual(['/hello/Ada', 302]);
  });

  it('shows a page made from what was saved instead of redirecting, with the flash kept', async () => {
    const { request, reply, answered } = sent({ name: 'Ada' });
    await submitForm(request, reply, {
      schema,
      save: async (data) => ({ token: `token for ${data.name}` }),
      flash: 'made',
      show: (made) => {
        answered.page = made;
        return reply;
      },
    });
    expect(answered).toEqual({ page: { token: 'token for Ada' } });
    expect(request.session.flash).toBe('made');
  });

  it('gives a refusal what was sent, without the password', async () => {
    const { request, reply, answered } = sent({ name: 'Ada', password: 'secret', _csrf: 'x' });
    await submitForm(request, reply, {
      schema,
      save: async () => {
        throw new DomainError('locked', 429);
      },
      next: '/after',
      refused: (error, values) => {
        answered.page = { code: error.code, values };
        return reply;
      },
    });
    expect(answered).toEqual({ page: { code: 'locked', values: { name: 'Ada' } } });
  });
});
