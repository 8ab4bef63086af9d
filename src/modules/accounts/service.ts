import * as OTPAuth from 'otpauth';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database, Transaction } from '../../platform/db/index.ts';
import { hashPassword, hashToken, newToken, verifyPassword } from '../../platform/auth/secrets.ts';
import { hashOf } from '../../platform/auth/session-store.ts';
import { conflict, DomainError, notFound } from '../../platform/http/problems.ts';
import { claimFormIn } from '../../platform/http/idempotency.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import { languages, translator, isLanguage } from '../../platform/i18n.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as store from './store.ts';
import type { Person } from './store.ts';

export const email = z
  .string({ error: 'errors.email.missing' })
  .trim()
  .min(1, 'errors.email.missing')
  .max(254, 'errors.email.invalid')
  .pipe(z.email('errors.email.invalid'));

export const newPassword = z
  .string({ error: 'errors.password.missing' })
  .min(1, 'errors.password.missing')
  .min(10, 'errors.password.tooShort')
  .max(200, 'errors.password.tooLong');

export const registration = z.object({
  displayName: z
    .string({ error: 'errors.displayName.missing' })
    .trim()
    .min(1, 'errors.displayName.missing')
    .max(100, 'errors.displayName.tooLong'),
  email,
  password: newPassword,
});

export const signInDetails = z.object({
  email,
  password: z
    .string({ error: 'errors.password.missing' })
    .min(1, 'errors.password.missing')
    .max(200, 'errors.password.tooLong'),
});

export const twoFactorCode = z.object({
  code: z
    .string({ error: 'errors.code.missing' })
    .transform((value) => value.replace(/\s/g, ''))
    .pipe(
      z
        .string()
        .min(1, 'errors.code.missing')
        .regex(/^\d{6}$/, 'errors.code.format'),
    ),
});

export const languageChoice = z.object({ language: z.enum(languages, { error: 'errors.language.invalid' }) });

export const tokenName = z.object({
  name: z
    .string({ error: 'errors.tokenName.missing' })
    .trim()
    .min(1, 'errors.tokenName.missing')
    .max(100, 'errors.tokenName.tooLong'),
});

/** How many failures lock an account or an address, within what window, for how long. */
export const lockRules = {
  account: { failures: 5, windowMinutes: 15, lockMinutes: 15 },
  address: { failures: 20, windowMinutes: 15, lockMinutes: 15 },
} as const;

const resetLinkMinutes = 60;

export type { Person };

export async function findPersonByEmail(db: Database, address: string): Promise<Person | undefined> {
  return store.accountByEmail(db, address);
}

/** Makes an account and sends the link that confirms its email address, in one change. */
export async function register(dependencies: Dependencies, input: z.infer<typeof registration>, language: string) {
  const passwordHash = await hashPassword(input.password);
  return dependencies.db.transaction(async (tx) => {
    const created = await store.insertAccount(tx, {
      email: input.email,
      displayName: input.displayName,
      passwordHash,
      preferredLanguage: isLanguage(language) ? language : 'en',
    });
    if (!created) throw conflict('email-taken');
    await record(tx, {
      actorId: created.id,
      action: 'person.registered',
      subjectType: 'person',
      subjectId: created.id,
    });
    await sendEmailConfirmation(dependencies, tx, created);
    return created;
  });
}

// ——— Confirming an email address ———

const confirmationLinkDays = 3;

/**
 * Sends a one-use link to the account's address (through the outbox, like every message).
 * Until it is followed the account joins no community and links to no record, so nothing
 * personal is ever sent to an address nobody has shown they read.
 */
export async function sendEmailConfirmation(
  dependencies: Dependencies,
  tx: Transaction,
  person: { id: string; email: string; displayName: string; preferredLanguage: string },
): Promise<string> {
  const token = newToken();
  const t = translator(isLanguage(person.preferredLanguage) ? person.preferredLanguage : 'en');
  await store.insertEmailVerification(tx, {
    personId: person.id,
    email: person.email,
    tokenHash: hashToken(token),
    expiresAt: new Date(Date.now() + confirmationLinkDays * 86_400_000),
  });
  return enqueue(
    tx,
    {
      channel: 'email',
      template: 'email-confirmation',
      recipient: person.email,
      subject: t('messages.emailConfirmation.subject'),
      body: t('messages.emailConfirmation.body', {
        name: person.displayName,
        link: `${dependencies.publicUrl}/verify-email/${token}`,
        days: confirmationLinkDays,
      }),
    },
    dependencies.notifyConfigured,
  );
}

/** Sends the link again (a new one; earlier ones still work until they expire). */
export async function resendEmailConfirmation(
  dependencies: Dependencies,
  personId: string,
): Promise<string | undefined> {
  return dependencies.db.transaction(async (tx) => {
    const person = await store.unconfirmedAccount(tx, personId);
    if (!person) return undefined;
    return sendEmailConfirmation(dependencies, tx, person);
  });
}

/** The account and address a confirmation link is for, while it is unused and in date. */
export async function findConfirmationLink(db: Database, token: string) {
  const link = await store.confirmationLink(db, hashToken(token));
  return link;
}

/** Follows a confirmation link: the address it was sent to is the account's, so it is confirmed. */
export async function confirmEmail(dependencies: Dependencies, token: string): Promise<string> {
  return dependencies.db.transaction(async (tx) => {
    const link = await store.useConfirmationLink(tx, hashToken(token));
    if (!link) throw new DomainError('confirmation-link-expired', 410);
    const confirmed = await markEmailConfirmed(tx, link.personId, link.email);
    if (!confirmed) throw new DomainError('confirmation-link-expired', 410);
    return link.personId;
  });
}

/** The last confirmation message sent to an address, for servers that send none (a preview). */
export async function lastConfirmationMessage(
  owner: Database,
  email: string,
): Promise<{ subject: string; body: string; link: string | undefined } | undefined> {
  const message = await store.lastMessageTo(owner, email, 'email-confirmation');
  if (!message) return undefined;
  const link = /\/verify-email\/[A-Za-z0-9_-]+/.exec(message.body)?.[0];
  return { ...message, link };
}

/** Confirms the account's address when it is `email` (a link or an invitation sent there proves it). */
export async function markEmailConfirmed(tx: Transaction, personId: string, email: string): Promise<boolean> {
  const person = await store.addressOf(tx, personId);
  if (!person || person.email.toLowerCase() !== email.toLowerCase()) return false;
  if (person.verifiedAt) return true;
  await store.markAddressConfirmed(tx, personId);
  await record(tx, { actorId: personId, action: 'person.email-confirmed', subjectType: 'person', subjectId: personId });
  return true;
}

/** Joining a community, or linking to a record in one, needs a confirmed address. */
export function requireConfirmedEmail(person: { emailVerified: boolean }): void {
  if (!person.emailVerified) throw new DomainError('email-not-confirmed', 403);
}

type SignInOutcome =
  | { outcome: 'signed-in'; person: Person }
  | { outcome: 'two-factor'; person: Person }
  | { outcome: 'wrong' }
  | { outcome: 'locked'; minutes: number };

async function lockedFor(db: Database, keys: string[]): Promise<number> {
  const rows = await store.locksOn(db, keys);
  const until = Math.max(0, ...rows.map((row) => row.lockedUntil?.getTime() ?? 0));
  return until > 0 ? Math.ceil((until - Date.now()) / 60_000) : 0;
}

/** Counts a failure against a key; returns true when the key is now locked. */
async function countFailure(
  db: Database,
  key: string,
  rule: { failures: number; windowMinutes: number; lockMinutes: number },
) {
  const row = await store.addFailure(db, key, rule.windowMinutes);
  if (row && row.failures >= rule.failures) {
    await store.lockKey(db, key, rule.lockMinutes);
    return true;
  }
  return false;
}

/**
 * Checks an email and password. The answer for a wrong password and for an unknown email
 * is the same, and so is the lock, so nothing reveals whether an account exists.
 */
export async function signIn(
  dependencies: Dependencies,
  input: z.infer<typeof signInDetails>,
  address: string,
): Promise<SignInOutcome> {
  const accountKey = `account:${input.email.toLowerCase()}`;
  const addressKey = `address:${address}`;
  const locked = await lockedFor(dependencies.db, [accountKey, addressKey]);
  if (locked > 0) return { outcome: 'locked', minutes: locked };
  const person = await findPersonByEmail(dependencies.db, input.email);
  const correct = await verifyPassword(person?.passwordHash ?? null, input.password);
  if (!person || !correct) {
    const accountLocked = await countFailure(dependencies.db, accountKey, lockRules.account);
    const addressLocked = await countFailure(dependencies.db, addressKey, lockRules.address);
    if (accountLocked || addressLocked) {
      if (person)
        await record(dependencies.db, {
          actorId: null,
          action: 'person.locked',
          subjectType: 'person',
          subjectId: person.id,
        });
      return { outcome: 'locked', minutes: lockRules.account.lockMinutes };
    }
    return { outcome: 'wrong' };
  }
  await store.clearFailures(dependencies.db, accountKey);
  if (person.totpEnabledAt && person.totpSecret) return { outcome: 'two-factor', person };
  await record(dependencies.db, {
    actorId: person.id,
    action: 'person.signed-in',
    subjectType: 'person',
    subjectId: person.id,
  });
  return { outcome: 'signed-in', person };
}

function totpFor(secret: string, label: string) {
  return new OTPAuth.TOTP({
    issuer: 'Coproduce',
    label,
    algorithm: 'SHA1',
    digits: 6,
    period: 30,
    secret: OTPAuth.Secret.fromBase32(secret),
  });
}

export function newTwoFactorSecret(): string {
  return new OTPAuth.Secret({ size: 20 }).base32;
}

export function twoFactorUri(secret: string, label: string): string {
  return totpFor(secret, label).toString();
}

/**
 * The 30-second step a code belongs to, if it is right: the current step or the one either
 * side (clock drift). Undefined for a wrong code.
 */
export function codeStep(secret: string, code: string, now = Date.now()): number | undefined {
  const delta = totpFor(secret, 'check').validate({ token: code, window: 1, timestamp: now });
  return delta === null ? undefined : Math.floor(now / 30_000) + delta;
}

/**
 * Uses up a code: it is accepted only if its step is later than the last accepted one, so a
 * code seen over someone's shoulder (or replayed in a second session) within its 30 seconds
 * is refused. One statement, so two sessions racing with the same code cannot both win.
 */
async function useCode(tx: Transaction | Database, personId: string, step: number): Promise<boolean> {
  return store.takeCodeStep(tx, personId, step);
}

/**
 * Completes a sign-in that needs a code. Wrong codes are counted against the person and the
 * address, on a counter that a correct password does not clear: knowing the password does not
 * buy more guesses at the code.
 */
export async function completeTwoFactor(
  dependencies: Dependencies,
  personId: string,
  code: string,
  address: string,
): Promise<SignInOutcome> {
  const person = await store.accountById(dependencies.db, personId);
  if (!person?.totpSecret) return { outcome: 'wrong' };
  const codeKey = `code:${person.id}`;
  const addressKey = `address:${address}`;
  const locked = await lockedFor(dependencies.db, [codeKey, addressKey, `account:${person.email.toLowerCase()}`]);
  if (locked > 0) return { outcome: 'locked', minutes: locked };
  const step = codeStep(person.totpSecret, code);
  if (step === undefined || !(await useCode(dependencies.db, person.id, step))) {
    const codeLocked = await countFailure(dependencies.db, codeKey, lockRules.account);
    const addressLocked = await countFailure(dependencies.db, addressKey, lockRules.address);
    if (codeLocked || addressLocked) return { outcome: 'locked', minutes: lockRules.account.lockMinutes };
    return { outcome: 'wrong' };
  }
  await store.clearFailures(dependencies.db, codeKey);
  await record(dependencies.db, {
    actorId: person.id,
    action: 'person.signed-in',
    subjectType: 'person',
    subjectId: person.id,
    detail: { twoFactor: true },
  });
  return { outcome: 'signed-in', person };
}

/**
 * Turns two-step sign-in on, once: an account that has it cannot have its key replaced this way.
 * Every other browser and every API token made with the password alone stops working, so
 * nothing signed in with one step carries on as if it had two (this browser, which has just
 * typed a code, stays signed in).
 */
export async function turnOnTwoFactor(
  dependencies: Dependencies,
  personId: string,
  secret: string,
  code: string,
  thisSessionId: string,
): Promise<boolean> {
  const step = codeStep(secret, code);
  if (step === undefined) return false;
  return dependencies.db.transaction(async (tx) => {
    const turnedOn = await store.enableTwoFactor(tx, personId, secret, step);
    if (!turnedOn) return false;
    await store.endOtherSessions(tx, personId, hashOf(thisSessionId));
    await store.revokeApiTokensOf(tx, personId);
    await record(tx, { actorId: personId, action: 'person.two-factor-on', subjectType: 'person', subjectId: personId });
    return true;
  });
}

export async function turnOffTwoFactor(dependencies: Dependencies, personId: string, code: string): Promise<boolean> {
  const person = await store.accountById(dependencies.db, personId);
  const step = person?.totpSecret ? codeStep(person.totpSecret, code) : undefined;
  if (step === undefined || !(await useCode(dependencies.db, personId, step))) return false;
  await dependencies.db.transaction(async (tx) => {
    await store.disableTwoFactor(tx, personId);
    await record(tx, {
      actorId: personId,
      action: 'person.two-factor-off',
      subjectType: 'person',
      subjectId: personId,
    });
  });
  return true;
}

/**
 * Sends a reset link when the email belongs to an account, and does nothing otherwise;
 * the person sees the same page either way.
 */
export async function requestPasswordReset(
  dependencies: Dependencies,
  address: string,
  language: string,
): Promise<void> {
  const person = await findPersonByEmail(dependencies.db, address);
  if (!person) return;
  const token = newToken();
  const t = translator(
    isLanguage(person.preferredLanguage) ? person.preferredLanguage : isLanguage(language) ? language : 'en',
  );
  const link = `${dependencies.publicUrl}/reset-password/${token}`;
  await dependencies.db.transaction(async (tx) => {
    await store.insertPasswordReset(tx, {
      personId: person.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + resetLinkMinutes * 60_000),
    });
    await enqueue(
      tx,
      {
        channel: 'email',
        template: 'password-reset',
        recipient: person.email,
        subject: t('messages.passwordReset.subject'),
        body: t('messages.passwordReset.body', { name: person.displayName, link, minutes: resetLinkMinutes }),
      },
      dependencies.notifyConfigured,
    );
    await record(tx, {
      actorId: null,
      action: 'person.password-reset-requested',
      subjectType: 'person',
      subjectId: person.id,
    });
  });
}

// ——— The first platform admin ———

const firstPasswordLinkHours = 24;

/**
 * Makes someone a platform admin from the command line (`npm run platform-admin`), the one way
 * into a new install: an existing account is promoted; otherwise an account is made, its
 * address taken as confirmed (the operator vouches for it), with a one-use link to choose a
 * password (a day, sent through the outbox too). Their first sign-in asks them to turn on
 * two-step sign-in, as for every platform admin. Audited either way. Runs as the owner.
 */
export async function makePlatformAdmin(
  owner: Database,
  who: { email: string; displayName?: string },
  publicUrl: string,
  notifyConfigured: boolean,
): Promise<{ accountId: string; created: boolean; link?: string }> {
  const address = email.parse(who.email);
  return owner.transaction(async (tx) => {
    const existing = await store.accountByEmailForAdmin(tx, address);
    if (existing) {
      await store.makeAccountPlatformAdmin(tx, existing.id);
      await record(tx, {
        actorId: null,
        action: 'platform.admin-granted',
        subjectType: 'person',
        subjectId: existing.id,
        detail: { by: 'command line', created: false, already: existing.isPlatformAdmin },
      });
      return { accountId: existing.id, created: false };
    }
    const displayName = who.displayName?.trim() || address.split('@')[0] || address;
    const made = await store.insertPlatformAdmin(tx, { email: address, displayName });
    if (!made) throw new Error('the account was not made');
    const token = newToken();
    const link = `${publicUrl}/reset-password/${token}`;
    await store.insertPasswordReset(tx, {
      personId: made.id,
      tokenHash: hashToken(token),
      expiresAt: new Date(Date.now() + firstPasswordLinkHours * 3600_000),
    });
    const t = translator('en');
    await enqueue(
      tx,
      {
        channel: 'email',
        template: 'platform-admin',
        recipient: address,
        subject: t('messages.platformAdmin.subject'),
        body: t('messages.platformAdmin.body', { name: displayName, link, hours: firstPasswordLinkHours }),
      },
      notifyConfigured,
    );
    await record(tx, {
      actorId: null,
      action: 'platform.admin-granted',
      subjectType: 'person',
      subjectId: made.id,
      detail: { by: 'command line', created: true },
    });
    return { accountId: made.id, created: true, link };
  });
}

/** The person a reset link belongs to, if the link is unused and in date. */
export async function findValidReset(db: Database, token: string) {
  const reset = await store.validReset(db, hashToken(token));
  return reset;
}

/** Sets the new password, uses up the link, and signs the person out everywhere else. */
export async function completePasswordReset(dependencies: Dependencies, token: string, password: string) {
  const passwordHash = await hashPassword(password);
  return dependencies.db.transaction(async (tx) => {
    const reset = await store.useReset(tx, hashToken(token));
    if (!reset) throw new DomainError('reset-link-expired', 410);
    await store.setPasswordHash(tx, reset.personId, passwordHash);
    // Whoever knew the old password is signed out everywhere, and their tokens stop working.
    await store.endSessions(tx, reset.personId);
    await store.revokeApiTokensOf(tx, reset.personId);
    await record(tx, {
      actorId: reset.personId,
      action: 'person.password-reset',
      subjectType: 'person',
      subjectId: reset.personId,
    });
    return reset.personId;
  });
}

/**
 * A new API token, shown once. Given the form's key (the account page's form), the same form
 * sent again with the same name (a double press, a retry on a slow connection) revokes the token
 * the first send made, if it has not been used: the browser showed only the last answer, so each
 * press leaves one working token, the one on the page. A different name, or a token already in
 * use (the form sent again after going back), makes a token beside it.
 */
export async function createApiToken(dependencies: Dependencies, personId: string, name: string, formKey?: unknown) {
  const token = newToken('cp_');
  return dependencies.db.transaction(async (tx) => {
    const form = await claimFormIn(tx, personId, formKey);
    const earlier = form?.earlier as { tokenId?: unknown; name?: unknown } | undefined;
    const replaced =
      typeof earlier?.tokenId === 'string' && earlier.name === name
        ? await store.revokeApiToken(tx, personId, earlier.tokenId, { onlyUnused: true })
        : undefined;
    if (replaced)
      await record(tx, {
        actorId: personId,
        action: 'token.revoked',
        subjectType: 'api_token',
        subjectId: replaced.id,
      });
    const created = await store.insertApiToken(tx, { personId, name, tokenHash: hashToken(token) });
    if (!created) throw new Error('token insert returned nothing');
    await record(tx, { actorId: personId, action: 'token.created', subjectType: 'api_token', subjectId: created.id });
    await form?.keep({ tokenId: created.id, name });
    return { ...created, token, replaced: replaced !== undefined };
  });
}

export async function listApiTokens(dependencies: Dependencies, personId: string) {
  return store.activeApiTokens(dependencies.db, personId);
}

export async function revokeApiToken(dependencies: Dependencies, personId: string, tokenId: string) {
  await dependencies.db.transaction(async (tx) => {
    const revoked = await store.revokeApiToken(tx, personId, tokenId);
    if (!revoked) throw notFound();
    await record(tx, { actorId: personId, action: 'token.revoked', subjectType: 'api_token', subjectId: tokenId });
  });
}

export async function setPreferredLanguage(
  dependencies: Dependencies,
  personId: string,
  language: (typeof languages)[number],
) {
  await store.setPreferredLanguage(dependencies.db, personId, language);
}

export { languages };
