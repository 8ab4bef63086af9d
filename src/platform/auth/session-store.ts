import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { createHash } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { sessions } from '../db/schema.ts';

const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');

/** Sessions kept in PostgreSQL, so that any app process can serve any signed-in person. */
export function postgresSessionStore(owner: Database, idleMinutes: number): SessionStore & { clearExpired(): Promise<number> } {
  // Rolling sessions would write on every request; a session whose data has not changed
  // is written again only when its expiry has moved by more than a minute.
  const lastWritten = new Map<string, { fingerprint: string; at: number }>();
  const idleMs = idleMinutes * 60_000;

  return {
    set(sessionId, session, callback) {
      const id = hashOf(sessionId);
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
      const fingerprint = JSON.stringify({ ...data, cookie: undefined });
      const now = Date.now();
      const previous = lastWritten.get(id);
      if (previous && previous.fingerprint === fingerprint && now - previous.at < 60_000) {
        callback();
        return;
      }
      const personId = typeof data.personId === 'string' ? data.personId : null;
      const expiresAt = new Date(now + idleMs);
      owner
        .insert(sessions)
        .values({ id, personId, data, expiresAt })
        .onConflictDoUpdate({ target: sessions.id, set: { personId, data, expiresAt } })
        .then(() => {
          if (lastWritten.size > 10_000) lastWritten.clear();
          lastWritten.set(id, { fingerprint, at: now });
          callback();
        }, callback);
    },
    get(sessionId, callback) {
      owner
        .select()
        .from(sessions)
        .where(eq(sessions.id, hashOf(sessionId)))
        .then(([row]) => {
          if (!row || row.expiresAt.getTime() <= Date.now()) callback(null, null);
          else callback(null, row.data as Session);
        }, callback);
    },
    destroy(sessionId, callback) {
      const id = hashOf(sessionId);
      lastWritten.delete(id);
      owner
        .delete(sessions)
        .where(eq(sessions.id, id))
        .then(() => callback(), callback);
    },
    async clearExpired() {
      const removed = await owner.delete(sessions).where(lt(sessions.expiresAt, new Date())).returning({ id: sessions.id });
      return removed.length;
    },
  };
}
