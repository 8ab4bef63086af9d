import type { z } from 'zod';
import { fieldErrorsFrom, type FieldError } from './problems.ts';

export type FormResult<T> =
  { ok: true; data: T } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** Checks a submitted form against the same zod schema the API uses. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): FormResult<z.infer<T>> {
  const values = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  delete values._csrf;
  delete values.password;
  delete values.code;
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return {
    ok: false,
    errors: fieldErrorsFrom(parsed.error).map((error) =>
      sentTwice(schema, body, error.field) ? { ...error, code: 'errors.generic.repeated' } : error,
    ),
    values,
  };
}

/**
 * True when a field that takes one answer came more than once (`language=en&language=cy`):
 * the same form with only the first answer has no error on that field.
 */
function sentTwice(schema: z.ZodType, body: unknown, field: string): boolean {
  const sent = (body as Record<string, unknown> | null | undefined)?.[field];
  if (!Array.isArray(sent) || sent.length < 2) return false;
  const once = schema.safeParse({ ...(body as Record<string, unknown>), [field]: sent[0] });
  return once.success || !once.error.issues.some((issue) => String(issue.path[0]) === field);
}

/**
 * A local path to go to after signing in; anything else goes home (no open redirects).
 * Checked after normalising too: `/..//evil.example` becomes `//evil.example`, another site.
 */
export function safeNext(next: unknown): string {
  // Browsers drop tabs and new lines from addresses and read a backslash as a slash, so
  // anything with them, or with any other control character, could lead to another site.
  if (typeof next !== 'string' || next.length > 2000 || !next.startsWith('/')) return '/';
  if (
    [...next].some(
      (character) => character <= ' ' || character === '\u007f' || character === '\\' || /\s/.test(character),
    )
  )
    return '/';
  let resolved: URL;
  try {
    resolved = new URL(next, 'http://this.site');
  } catch {
    return '/';
  }
  if (resolved.origin !== 'http://this.site') return '/';
  const path = `${resolved.pathname}${resolved.search}${resolved.hash}`;
  if (!path.startsWith('/') || path.startsWith('//')) return '/';
  return path;
}
