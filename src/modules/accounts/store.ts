// The accounts module's queries on the platform's tables: accounts (people), email confirmations,
// sign-in failures, password resets, sessions and API tokens.
import { and, desc, eq, gt, isNull, ne, sql } from 'drizzle-orm';
import type { Database, Transaction } from '../../platform/db/index.ts';
import {
  apiTokens,
  emailVerifications,
  outbox,
  passwordResets,
  accounts,
  sessions,
  signInFailures,
} from '../../platform/db/schema.ts';

type Db = Database | Transaction;

export type Person = typeof accounts.$inferSelect;

// ——— Accounts ———

/** The account (not erased) with this address, in any case. */
export async function accountByEmail(db: Db, address: string): Promise<Person | undefined> {
  const [person] = await db
    .select()
    .from(accounts)
    .where(and(sql`lower(${accounts.email}) = lower(${address})`, isNull(accounts.erasedAt)))
    .limit(1);
  return person;
}

/** A new account; nothing when the address is taken. */
export async function insertAccount(tx: Transaction, values: typeof accounts.$inferInsert) {
  const [created] = await tx.insert(accounts).values(values).onConflictDoNothing().returning();
  return created;
}

export async function accountById(db: Db, personId: string): Promise<Person | undefined> {
  const [person] = await db.select().from(accounts).where(eq(accounts.id, personId));
  return person;
}

export async function setPreferredLanguage(db: Db, personId: string, language: string): Promise<void> {
  await db.update(accounts).set({ preferredLanguage: language }).where(eq(accounts.id, personId));
}

// ——— Confirming an email address ———

export async function insertEmailVerification(
  tx: Transaction,
  values: { personId: string; email: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await tx.insert(emailVerifications).values(values);
}

/** The account, when its address is not yet confirmed and it is not erased. */
export async function unconfirmedAccount(tx: Transaction, personId: string) {
  const [person] = await tx
    .select()
    .from(accounts)
    .where(and(eq(accounts.id, personId), isNull(accounts.emailVerifiedAt), isNull(accounts.erasedAt)));
  return person;
}

/** The account and address of a confirmation link unused and in date. */
export async function confirmationLink(db: Db, tokenHash: string) {
  const [link] = await db
    .select({ personId: emailVerifications.personId, email: emailVerifications.email })
    .from(emailVerifications)
    .where(
      and(
        eq(emailVerifications.tokenHash, tokenHash),
        isNull(emailVerifications.usedAt),
        gt(emailVerifications.expiresAt, new Date()),
      ),
    );
  return link;
}

/** Uses up a confirmation link unused and in date; nothing when there was none. */
export async function useConfirmationLink(tx: Transaction, tokenHash: string) {
  const [link] = await tx
    .update(emailVerifications)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(emailVerifications.tokenHash, tokenHash),
        isNull(emailVerifications.usedAt),
        gt(emailVerifications.expiresAt, new Date()),
      ),
    )
    .returning({ personId: emailVerifications.personId, email: emailVerifications.email });
  return link;
}

/** The newest message of a template sent to an address. */
export async function lastMessageTo(owner: Database, email: string, template: string) {
  const [message] = await owner
    .select({ subject: outbox.subject, body: outbox.body })
    .from(outbox)
    .where(and(eq(outbox.recipient, email), eq(outbox.template, template)))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  return message;
}

/** The address of an account not erased, and when it was confirmed. */
export async function addressOf(tx: Transaction, personId: string) {
  const [person] = await tx
    .select({ email: accounts.email, verifiedAt: accounts.emailVerifiedAt })
    .from(accounts)
    .where(and(eq(accounts.id, personId), isNull(accounts.erasedAt)));
  return person;
}

export async function markAddressConfirmed(tx: Transaction, personId: string): Promise<void> {
  await tx.update(accounts).set({ emailVerifiedAt: new Date() }).where(eq(accounts.id, personId));
}

// ——— Signing in ———

/** The locks still in force on any of these keys. */
export function locksOn(db: Database, keys: string[]) {
  return db
    .select({ lockedUntil: signInFailures.lockedUntil })
    .from(signInFailures)
    .where(and(sql`${signInFailures.key} in ${keys}`, gt(signInFailures.lockedUntil, new Date())));
}

/** Counts a failure against a key (a new window once the last has passed); returns the failures in the window. */
export async function addFailure(db: Database, key: string, windowMinutes: number) {
  const [row] = await db
    .insert(signInFailures)
    .values({ key, failures: 1, windowStartedAt: new Date() })
    .onConflictDoUpdate({
      target: signInFailures.key,
      set: {
        failures: sql`case when ${signInFailures.windowStartedAt} < now() - make_interval(mins => ${windowMinutes}) then 1 else ${signInFailures.failures} + 1 end`,
        windowStartedAt: sql`case when ${signInFailures.windowStartedAt} < now() - make_interval(mins => ${windowMinutes}) then now() else ${signInFailures.windowStartedAt} end`,
      },
    })
    .returning({ failures: signInFailures.failures });
  return row;
}

/** Locks a key for this many minutes, starting its count again. */
export async function lockKey(db: Database, key: string, lockMinutes: number): Promise<void> {
  await db
    .update(signInFailures)
    .set({
      lockedUntil: sql`now() + make_interval(mins => ${lockMinutes})`,
      failures: 0,
      windowStartedAt: new Date(),
    })
    .where(eq(signInFailures.key, key));
}

export async function clearFailures(db: Database, key: string): Promise<void> {
  await db.delete(signInFailures).where(eq(signInFailures.key, key));
}

/** Records a code's step as the last accepted, only when it is later than the last; says whether it was. */
export async function takeCodeStep(db: Db, personId: string, step: number): Promise<boolean> {
  const [used] = await db
    .update(accounts)
    .set({ totpLastStep: step })
    .where(
      and(eq(accounts.id, personId), sql`(${accounts.totpLastStep} is null or ${accounts.totpLastStep} < ${step})`),
    )
    .returning({ id: accounts.id });
  return used !== undefined;
}

/** Turns two-step sign-in on with this key, unless it is on already; returns the account when it turned on. */
export async function enableTwoFactor(tx: Transaction, personId: string, secret: string, step: number) {
  const [turnedOn] = await tx
    .update(accounts)
    .set({ totpSecret: secret, totpEnabledAt: new Date(), totpLastStep: step })
    .where(and(eq(accounts.id, personId), isNull(accounts.totpEnabledAt)))
    .returning({ id: accounts.id });
  return turnedOn;
}

export async function disableTwoFactor(tx: Transaction, personId: string): Promise<void> {
  await tx.update(accounts).set({ totpSecret: null, totpEnabledAt: null }).where(eq(accounts.id, personId));
}

/** Signs the account out of every browser but the one with this session hash. */
export async function endOtherSessions(tx: Transaction, personId: string, keptSessionHash: string): Promise<void> {
  await tx.delete(sessions).where(and(eq(sessions.personId, personId), ne(sessions.id, keptSessionHash)));
}

export async function endSessions(tx: Transaction, personId: string): Promise<void> {
  await tx.delete(sessions).where(eq(sessions.personId, personId));
}

/** Every API token of the account stops working. */
export async function revokeApiTokensOf(tx: Transaction, personId: string): Promise<void> {
  await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(and(eq(apiTokens.personId, personId), isNull(apiTokens.revokedAt)));
}

// ——— Passwords ———

export async function insertPasswordReset(
  tx: Transaction,
  values: { personId: string; tokenHash: string; expiresAt: Date },
): Promise<void> {
  await tx.insert(passwordResets).values(values);
}

/** The account (not erased) with this address, in any case, for the command line. */
export async function accountByEmailForAdmin(tx: Transaction, address: string) {
  const [existing] = await tx
    .select()
    .from(accounts)
    .where(and(sql`lower(${accounts.email}) = lower(${address})`, isNull(accounts.erasedAt)));
  return existing;
}

export async function makeAccountPlatformAdmin(tx: Transaction, personId: string): Promise<void> {
  await tx.update(accounts).set({ isPlatformAdmin: true }).where(eq(accounts.id, personId));
}

export async function insertPlatformAdmin(tx: Transaction, values: { email: string; displayName: string }) {
  const [made] = await tx
    .insert(accounts)
    .values({ ...values, isPlatformAdmin: true, emailVerifiedAt: new Date() })
    .returning({ id: accounts.id });
  return made;
}

/** The reset link (id and account) with this hash, if unused and in date. */
export async function validReset(db: Database, tokenHash: string) {
  const [reset] = await db
    .select({ id: passwordResets.id, personId: passwordResets.personId })
    .from(passwordResets)
    .where(
      and(
        eq(passwordResets.tokenHash, tokenHash),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, new Date()),
      ),
    )
    .limit(1);
  return reset;
}

/** Uses up a reset link unused and in date; nothing when there was none. */
export async function useReset(tx: Transaction, tokenHash: string) {
  const [reset] = await tx
    .update(passwordResets)
    .set({ usedAt: new Date() })
    .where(
      and(
        eq(passwordResets.tokenHash, tokenHash),
        isNull(passwordResets.usedAt),
        gt(passwordResets.expiresAt, new Date()),
      ),
    )
    .returning({ personId: passwordResets.personId });
  return reset;
}

export async function setPasswordHash(tx: Transaction, personId: string, passwordHash: string): Promise<void> {
  await tx.update(accounts).set({ passwordHash }).where(eq(accounts.id, personId));
}

// ——— API tokens ———

export async function insertApiToken(tx: Transaction, values: { personId: string; name: string; tokenHash: string }) {
  const [created] = await tx
    .insert(apiTokens)
    .values(values)
    .returning({ id: apiTokens.id, name: apiTokens.name, createdAt: apiTokens.createdAt });
  return created;
}

export function activeApiTokens(db: Database, personId: string) {
  return db
    .select({
      id: apiTokens.id,
      name: apiTokens.name,
      createdAt: apiTokens.createdAt,
      lastUsedAt: apiTokens.lastUsedAt,
    })
    .from(apiTokens)
    .where(and(eq(apiTokens.personId, personId), isNull(apiTokens.revokedAt)))
    .orderBy(apiTokens.createdAt);
}

/**
 * Revokes one of the account's tokens still working; nothing when there was none. `onlyUnused`:
 * only if it has never been used (a token made by a form sent twice, never shown).
 */
export async function revokeApiToken(
  tx: Transaction,
  personId: string,
  tokenId: string,
  options: { onlyUnused?: boolean } = {},
) {
  const [revoked] = await tx
    .update(apiTokens)
    .set({ revokedAt: new Date() })
    .where(
      and(
        eq(apiTokens.id, tokenId),
        eq(apiTokens.personId, personId),
        isNull(apiTokens.revokedAt),
        options.onlyUnused ? isNull(apiTokens.lastUsedAt) : undefined,
      ),
    )
    .returning({ id: apiTokens.id });
  return revoked;
}
