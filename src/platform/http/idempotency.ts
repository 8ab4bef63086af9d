import type { FastifyReply, FastifyRequest } from 'fastify';
import { and, eq, lt } from 'drizzle-orm';
import { createHash } from 'node:crypto';
import type { Database, Transaction } from '../db/index.ts';
import { idempotencyRecords } from '../db/schema.ts';
import { DomainError, unauthenticated } from './problems.ts';

export const idempotencyHeader = {
  'idempotency-key': {
    type: 'string',
    maxLength: 200,
    description: 'Any unique string. A repeat with the same key returns the first result instead of creating again.',
  },
} as const;

/**
 * Runs `create` once per Idempotency-Key and person: a repeat returns the first status and
 * body; the same key with a different request is refused (422); one still running is 409.
 */
export async function once(
  db: Database,
  request: FastifyRequest,
  reply: FastifyReply,
  create: () => Promise<{ status: number; body: unknown }>,
): Promise<FastifyReply> {
  const key = request.headers['idempotency-key'];
  if (typeof key !== 'string' || key === '') {
    const result = await create();
    return reply.code(result.status).send(result.body);
  }
  if (!request.person) throw unauthenticated();
  if (key.length > 200)
    throw new DomainError('validation-failed', 400, [{ field: 'Idempotency-Key', code: 'errors.idempotency.tooLong' }]);
  const personId = request.person.id;
  const fingerprint = createHash('sha256')
    .update(`${request.method} ${request.url}\n${JSON.stringify(request.body ?? null)}`)
    .digest('hex');
  const [claimed] = await db
    .insert(idempotencyRecords)
    .values({ personId, key, requestFingerprint: fingerprint })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });
  if (!claimed) {
    const [earlier] = await db
      .select()
      .from(idempotencyRecords)
      .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, key)));
    if (!earlier || earlier.requestFingerprint !== fingerprint) throw new DomainError('idempotency-key-reused', 422);
    if (earlier.statusCode === null) throw new DomainError('idempotency-in-progress', 409);
    // The stored answer is already JSON (dates as text): send it as it is, past the route's schema.
    return reply
      .code(earlier.statusCode)
      .header('idempotent-replayed', 'true')
      .type('application/json; charset=utf-8')
      .serializer((payload) => JSON.stringify(payload))
      .send(earlier.responseBody);
  }
  try {
    const result = await create();
    await db
      .update(idempotencyRecords)
      .set({ statusCode: result.status, responseBody: result.body })
      .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, key)));
    return reply.code(result.status).send(result.body);
  } catch (error) {
    // A request that failed created nothing: the same key may be tried again.
    await db
      .delete(idempotencyRecords)
      .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, key)));
    throw error;
  }
}

/** Keys are kept for a day. */
export async function clearOldIdempotencyRecords(owner: Database): Promise<number> {
  const removed = await owner
    .delete(idempotencyRecords)
    .where(lt(idempotencyRecords.createdAt, new Date(Date.now() - 24 * 3600_000)))
    .returning({ key: idempotencyRecords.key });
  return removed.length;
}

/**
 * A form's key: a UUID made when its page was shown, or, for a page of several forms (one for
 * each person listed), that UUID and the person's.
 */
const formKeyPattern = /^[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}(?:-[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12})?$/;

/**
 * A page's form posted twice (a second press of the button, a slow connection) does its work
 * once. The form carries a key made when the page was shown; it is claimed for the person who
 * posts it, like an API's Idempotency-Key, and a repeat is sent where the first one went.
 */
export async function oncePerForm(
  db: Database,
  personId: string,
  key: unknown,
  work: () => Promise<string>,
): Promise<string> {
  if (typeof key !== 'string' || !formKeyPattern.test(key)) return work();
  const formKey = `form:${key}`;
  const [claimed] = await db
    .insert(idempotencyRecords)
    .values({ personId, key: formKey, requestFingerprint: 'form' })
    .onConflictDoNothing()
    .returning({ key: idempotencyRecords.key });
  if (!claimed) {
    // The first is still at work: wait for it (briefly), then go where it went.
    for (let tries = 0; tries < 50; tries += 1) {
      const [earlier] = await db
        .select({ body: idempotencyRecords.responseBody })
        .from(idempotencyRecords)
        .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, formKey)));
      const redirect = (earlier?.body as { redirect?: unknown } | null | undefined)?.redirect;
      if (typeof redirect === 'string') return redirect;
      if (!earlier) return work();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new DomainError('idempotency-in-progress', 409);
  }
  try {
    const redirect = await work();
    await db
      .update(idempotencyRecords)
      .set({ statusCode: 303, responseBody: { redirect } })
      .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, formKey)));
    return redirect;
  } catch (error) {
    await db
      .delete(idempotencyRecords)
      .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, formKey)));
    throw error;
  }
}

/**
 * A form whose result is shown on its own response and never kept (a new API token): a repeat of
 * it cannot be sent where the first went, so it replaces what the first made instead. In the
 * caller's transaction, this claims the form's key for the person and gives what an earlier send
 * of the same form made (its row locked until the transaction ends, so repeats take turns), and
 * `keep` to record what this send made. Without a well-formed key there is nothing to claim.
 */
export async function claimFormIn(
  tx: Transaction,
  personId: string,
  key: unknown,
): Promise<{ earlier: unknown; keep: (made: unknown) => Promise<void> } | undefined> {
  if (typeof key !== 'string' || !formKeyPattern.test(key)) return undefined;
  const formKey = `form:${key}`;
  await tx
    .insert(idempotencyRecords)
    .values({ personId, key: formKey, requestFingerprint: 'form' })
    .onConflictDoNothing();
  const [claimed] = await tx
    .select({ made: idempotencyRecords.responseBody })
    .from(idempotencyRecords)
    .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, formKey)))
    .for('update');
  return {
    earlier: claimed?.made ?? undefined,
    keep: async (made) => {
      await tx
        .update(idempotencyRecords)
        .set({ statusCode: 200, responseBody: made })
        .where(and(eq(idempotencyRecords.personId, personId), eq(idempotencyRecords.key, formKey)));
    },
  };
}
