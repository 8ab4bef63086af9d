// Everything a request carries is checked once here, after it is parsed and before any route
// sees it: form bodies, JSON bodies, query strings and path parameters. PostgreSQL refuses the
// NUL character in text, so a NUL anywhere is a 400 with the field named, never a 500.
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { DomainError, type FieldError } from './problems.ts';

const nul = '\u0000';

/** The name of the first field holding a NUL (in its value or its name), if any. */
export function fieldWithNul(value: unknown, field = '', depth = 0): string | undefined {
  if (typeof value === 'string') return value.includes(nul) ? field || 'body' : undefined;
  // No form or API body nests this deep; the schema refuses what lies below.
  if (depth > 64) return undefined;
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = fieldWithNul(item, field, depth + 1);
      if (found) return found;
    }
    return undefined;
  }
  if (typeof value === 'object' && value !== null) {
    for (const [name, item] of Object.entries(value)) {
      const path = field ? `${field}.${name}` : name;
      if (name.includes(nul)) return path.replaceAll(nul, '');
      const found = fieldWithNul(item, path, depth + 1);
      if (found) return found;
    }
  }
  return undefined;
}

/** A field error when what was sent holds a NUL character. */
export function nulByteErrors(...parts: unknown[]): FieldError[] {
  for (const part of parts) {
    const field = fieldWithNul(part);
    if (field) return [{ field, code: 'errors.generic.nulByte' }];
  }
  return [];
}

export const inputChecks = fp(async (app: FastifyInstance) => {
  app.addHook('preValidation', async (request) => {
    const errors = nulByteErrors(request.params, request.query, request.body);
    if (errors.length) throw new DomainError('validation-failed', 400, errors);
  });
});
