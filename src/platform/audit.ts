import { and, desc, eq, gte, lt, lte, type SQL } from 'drizzle-orm';
import type { Database, Transaction } from './db/index.ts';
import { auditEvents, communities, accounts } from './db/schema.ts';
import type { CommunityTransaction } from './tenancy.ts';

export interface AuditEntry {
  communityId?: string | null;
  actorId: string | null;
  action: string;
  subjectType: string;
  subjectId?: string | null;
  reason?: string | null;
  detail?: Record<string, unknown>;
}

/** Records who did what to which record, and why, in the same transaction as the change. */
export async function record(tx: Transaction | Database, entry: AuditEntry | readonly AuditEntry[]): Promise<void> {
  const entries = Array.isArray(entry) ? entry : [entry as AuditEntry];
  if (entries.length === 0) return;
  await tx.insert(auditEvents).values(
    entries.map((one) => ({
      communityId: one.communityId ?? null,
      actorId: one.actorId,
      action: one.action,
      subjectType: one.subjectType,
      subjectId: one.subjectId ?? null,
      reason: one.reason ?? null,
      detail: one.detail ?? {},
    })),
  );
}

/**
 * Reading a restricted record (health, safeguarding) writes an audit row saying who read
 * it and why, before the record is returned.
 */
export async function readRestricted<T>(
  tx: CommunityTransaction,
  entry: Omit<AuditEntry, 'action'> & { reason: string },
  read: () => Promise<T>,
): Promise<T> {
  await record(tx, { ...entry, action: 'restricted.read' });
  return read();
}

export interface AuditFilter {
  action?: string;
  actorId?: string;
  subjectType?: string;
  from?: Date;
  to?: Date;
  /** The id of the last event already seen: events older than it come next. */
  before?: number;
  limit: number;
}

/** A community's audit events, newest first, filtered. */
export async function listAuditEvents(tx: CommunityTransaction, communityId: string, filter: AuditFilter) {
  return auditEventsWhere(tx, [eq(auditEvents.communityId, communityId)], filter);
}

/** Every community's audit log, and the platform's own events, newest first: for platform admins, read as the owner. */
export async function listPlatformAuditEvents(owner: Database, filter: AuditFilter) {
  return auditEventsWhere(owner, [], filter);
}

async function auditEventsWhere(db: CommunityTransaction | Database, conditions: SQL[], filter: AuditFilter) {
  if (filter.action) conditions.push(eq(auditEvents.action, filter.action));
  if (filter.actorId) conditions.push(eq(auditEvents.actorId, filter.actorId));
  if (filter.subjectType) conditions.push(eq(auditEvents.subjectType, filter.subjectType));
  if (filter.from) conditions.push(gte(auditEvents.at, filter.from));
  if (filter.to) conditions.push(lte(auditEvents.at, filter.to));
  if (filter.before) conditions.push(lt(auditEvents.id, filter.before));
  return db
    .select({
      id: auditEvents.id,
      communityName: communities.name,
      at: auditEvents.at,
      action: auditEvents.action,
      subjectType: auditEvents.subjectType,
      subjectId: auditEvents.subjectId,
      reason: auditEvents.reason,
      detail: auditEvents.detail,
      actorId: auditEvents.actorId,
      actorName: accounts.displayName,
    })
    .from(auditEvents)
    .leftJoin(accounts, eq(accounts.id, auditEvents.actorId))
    .leftJoin(communities, eq(communities.id, auditEvents.communityId))
    .where(and(...conditions))
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit);
}
