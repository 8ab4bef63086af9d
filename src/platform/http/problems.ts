import type { ZodError } from 'zod';

/** One field's error: the field's name and a catalogue key for the message. */
export interface FieldError {
  field: string;
  code: string;
}

/**
 * A rule the request broke, as a value with a code. One place (the error handler) turns it
 * into an error summary on a page or problem+json in the API.
 */
export class DomainError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly fieldErrors: FieldError[] = [],
    /** More members of the problem document, such as the records a new one may duplicate. */
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(code);
  }
}

export const notFound = () => new DomainError('not-found', 404);
export const forbidden = () => new DomainError('forbidden', 403);
export const unauthenticated = () => new DomainError('unauthenticated', 401);
export const conflict = (code: string) => new DomainError(code, 409);
export const invalid = (fieldErrors: FieldError[]) => new DomainError('validation-failed', 400, fieldErrors);

/** Turns a zod failure into field errors whose codes are catalogue keys (the schema's messages). */
export function fieldErrorsFrom(error: ZodError): FieldError[] {
  const seen = new Set<string>();
  const result: FieldError[] = [];
  for (const issue of error.issues) {
    const field = issue.path.map(String).join('.') || 'form';
    if (seen.has(field)) continue;
    seen.add(field);
    result.push({ field, code: issue.message.startsWith('errors.') ? issue.message : 'errors.generic.invalid' });
  }
  return result;
}
