import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Database } from '../db/index.ts';
import { oncePerForm } from './idempotency.ts';
import { DomainError, fieldErrorsFrom, type FieldError, invalid } from './problems.ts';

export type FormResult<T> =
  { ok: true; data: T } | { ok: false; errors: FieldError[]; values: Record<string, unknown> };

/** Checks a submitted form against the same zod schema the API uses. */
export function parseForm<T extends z.ZodType>(schema: T, body: unknown): FormResult<z.infer<T>> {
  const values = valuesOf(body);
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

/** A form POST: what it asks, the page it came from, the work, and where to go next. */
interface FormParts<Schema extends z.ZodType, Result> {
  /** The same zod schema the API uses. */
  schema: Schema;
  /** What was sent, when it is not the request's body as it is (a step of a longer form, for instance). */
  body?: unknown;
  /**
   * The form's page again, with what was sent and what was wrong: shown with a 400, nothing saved.
   * A button with no page of its own leaves it out: a mistake is then the error page (a 400).
   */
  page?: (values: Record<string, unknown>, errors: FieldError[]) => Promise<FastifyReply> | FastifyReply;
  /**
   * Before saving: a page to show instead, when there is one (a mistake only the rules can see,
   * or a question to answer first, such as "is this someone you already know?").
   */
  check?: (data: z.infer<Schema>) => Promise<FastifyReply | undefined> | FastifyReply | undefined;
  /** The work, in its own transaction; a DomainError with field errors shows the page again. */
  save: (data: z.infer<Schema>) => Promise<Result>;
  /** What the next page says was done. */
  flash?: string | ((result: Result) => string | undefined);
  /**
   * Sent twice (a double press, a retry), saved once: the form's `formKey` is claimed for the
   * signed-in person, and a repeat goes where the first went.
   */
  once?: { db: Database; accountId: string };
  /**
   * Refusals that are not the person's mistake: where to go instead (a path, say the page showing
   * how things now are), or a page to show (with its own status, say 409), given what was sent
   * (never a password or a code) to fill the form again.
   */
  refused?: (
    error: DomainError,
    values: Record<string, unknown>,
  ) => string | FastifyReply | Promise<FastifyReply> | undefined;
  /**
   * The redirect's status: 303 ("now GET this"), unless the address has always answered 302 and
   * its callers expect it (signing in).
   */
  status?: 302 | 303;
}

/** After saving, go to the next page (a local path)... */
interface GoingOn<Result> {
  next: string | ((result: Result) => string);
  show?: undefined;
}
/**
 * ...or answer with a page on this response instead: something shown once and never kept, such
 * as a new token. A repeat cannot be sent where the first went, so such a form is not `once`.
 */
interface Showing<Result> {
  show: (result: Result) => Promise<FastifyReply> | FastifyReply;
  next?: undefined;
  once?: undefined;
}

export type FormSubmission<Schema extends z.ZodType, Result> = FormParts<Schema, Result> &
  (GoingOn<Result> | Showing<Result>);

/**
 * The one way a form POST is handled: check it against its schema (a mistake shows the page
 * again with a 400 and changes nothing), save it once, say what was done, and redirect (303),
 * or show what was made on this response when the form says so.
 */
export async function submitForm<Schema extends z.ZodType, Result>(
  request: FastifyRequest,
  reply: FastifyReply,
  form: FormSubmission<Schema, Result>,
): Promise<FastifyReply> {
  const body = form.body === undefined ? request.body : form.body;
  const parsed = parseForm(form.schema, body);
  if (!parsed.ok) return showAgain(form, parsed.values, parsed.errors);
  // A reply, once awaited, gives nothing back (Fastify resolves it when the page is sent): ask whether one went.
  await form.check?.(parsed.data);
  if (reply.sent) return reply;
  const saved = async () => {
    const result = await form.save(parsed.data);
    const flash = typeof form.flash === 'function' ? form.flash(result) : form.flash;
    if (flash) request.session.flash = flash;
    return result;
  };
  let to = '/';
  let shown: { result: Result } | undefined;
  try {
    if (form.show) shown = { result: await saved() };
    else {
      const { next } = form;
      const work = async () => {
        const result = await saved();
        return typeof next === 'function' ? next(result) : next;
      };
      to = form.once
        ? await oncePerForm(form.once.db, form.once.accountId, (body as Record<string, unknown> | null)?.formKey, work)
        : await work();
    }
  } catch (error) {
    if (error instanceof DomainError && error.status === 400 && error.fieldErrors.length > 0)
      return showAgain(form, valuesOf(body), error.fieldErrors);
    const instead = error instanceof DomainError ? form.refused?.(error, valuesOf(body)) : undefined;
    if (typeof instead === 'string') return reply.redirect(instead, 303);
    if (instead) return instead;
    throw error;
  }
  if (form.show && shown) return form.show(shown.result);
  return reply.redirect(to, form.status ?? 303);
}

function showAgain<Schema extends z.ZodType, Result>(
  form: FormSubmission<Schema, Result>,
  values: Record<string, unknown>,
  errors: FieldError[],
) {
  if (!form.page) throw invalid(errors);
  return form.page(values, errors);
}

/** What was sent, to fill the form again: never a password, a code or the CSRF token. */
function valuesOf(body: unknown): Record<string, unknown> {
  const values = typeof body === 'object' && body !== null ? { ...(body as Record<string, unknown>) } : {};
  delete values._csrf;
  delete values.password;
  delete values.code;
  return values;
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
