import type { SessionStore } from '@fastify/session';
import type { Session } from 'fastify';
import { createHash } from 'node:crypto';
import { eq, lt } from 'drizzle-orm';
import { loadSession, type SignedInPerson } from './people.ts';
import type { Database } from '../db/index.ts';
import { sessions } from '../db/schema.ts';

/** What the sessions table keeps of a session's id. */
export const hashOf = (sessionId: string) => createHash('sha256').update(sessionId).digest('base64url');

/** Sessions kept in PostgreSQL, so that any app process can serve any signed-in person. */
export type PostgresSessionStore = ReturnType<typeof postgresSessionStore>;

export function postgresSessionStore(owner: Database, idleMinutes: number) {
  // Rolling sessions would write on every request; a session whose data has not changed
  // is written again only when its expiry has moved by more than a minute.
  const lastWritten = new Map<string, { fingerprint: string; at: number }>();
  const idleMs = idleMinutes * 60_000;
  // The person signed in to a session is read with it, in one query, and handed to the
  // request that asked for the session (one round trip fewer on every signed-in page).
  const people = new Map<string, SignedInPerson>();

  const store: SessionStore = {
    set(sessionId, session, callback) {
      const id = hashOf(sessionId);
      const fingerprint = JSON.stringify({ ...session, cookie: undefined });
      const now = Date.now();
      const previous = lastWritten.get(id);
      if (previous && previous.fingerprint === fingerprint && now - previous.at < 60_000) {
        callback();
        return;
      }
      const data = JSON.parse(JSON.stringify(session)) as Record<string, unknown>;
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
      const id = hashOf(sessionId);
      loadSession(owner, id).then((found) => {
        const now = Date.now();
        if (!found || found.expiresAt.getTime() <= now) return callback(null, null);
        // Idle time starts again with each use; written at most once a minute per session.
        if (found.expiresAt.getTime() < now + idleMs - 60_000) {
          owner
            .update(sessions)
            .set({ expiresAt: new Date(now + idleMs) })
            .where(eq(sessions.id, id))
            .catch(() => undefined);
        }
        if (found.person) {
          if (people.size > 10_000) people.clear();
          people.set(id, found.person);
        }
        callback(null, found.data as Session);
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
  };
  return {
    ...store,
    /** The person read with this session, once (undefined if it was not read just now). */
    takePerson(sessionId: string): SignedInPerson | undefined {
      const id = hashOf(sessionId);
      const person = people.get(id);
      people.delete(id);
      return person;
    },
    async clearExpired() {
      const removed = await owner
        .delete(sessions)
        .where(lt(sessions.expiresAt, new Date()))
        .returning({ id: sessions.id });
      return removed.length;
    },
  };
}
