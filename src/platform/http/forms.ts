import type { z } from 'zod';
import { fieldErrorsFrom, type FieldError } from './problems.ts';

export type FormResult<T> = { ok: true; data: T } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** Checks a submitted form against the same zod schema the API uses. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): FormResult<z.infer<T>> {
  const values = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  delete values._csrf;
  delete values.password;
  delete values.code;
  const parsed = schema.safeParse(body ?? {});
  if (parsed.success) return { ok: true, data: parsed.data };
  return { ok: false, errors: fieldErrorsFrom(parsed.error), values };
}

/** A local path to go to after signing in; anything else goes home (no open redirects). */
export function safeNext(next: unknown): string {
  // Browsers drop tabs and new lines from addresses and read a backslash as a slash, so
  // anything with them, or starting with two slashes, could lead to another site.
  if (typeof next !== 'string' || !next.startsWith('/') || /[\s\\]/.test(next)) return '/';
  if ([...next].some((character) => character.charCodeAt(0) < 0x20 || character.charCodeAt(0) === 0x7f)) return '/';
  const resolved = new URL(next, 'http://this.site');
  if (resolved.origin !== 'http://this.site') return '/';
  return `${resolved.pathname}${resolved.search}${resolved.hash}`;
}
