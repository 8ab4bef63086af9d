import { and, asc, eq, lt } from 'drizzle-orm';
import { NotifyClient } from 'notifications-node-client';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.ts';
import type { Database, Transaction } from '../db/index.ts';
import { accounts, outbox } from '../db/schema.ts';

/** Where to write to an account, and in which language. */
export async function addressOfAccount(tx: Transaction, accountId: string) {
  const [address] = await tx
    .select({ email: accounts.email, language: accounts.preferredLanguage })
    .from(accounts)
    .where(eq(accounts.id, accountId));
  return address;
}

export interface Message {
  communityId?: string | null;
  channel: 'email' | 'sms';
  template: string;
  recipient: string;
  subject: string;
  body: string;
}

/**
 * Puts a message in the outbox inside the caller's transaction, so that a message is
 * recorded exactly when the change that caused it is. Sending happens afterwards.
 */
export async function enqueue(
  tx: Transaction | Database,
  message: Message,
  notifyConfigured: boolean,
): Promise<string> {
  // No RETURNING: a message outside any community is one the application may write but not read.
  const id = randomUUID();
  await tx.insert(outbox).values({
    ...message,
    id,
    communityId: message.communityId ?? null,
    status: notifyConfigured ? 'queued' : 'not_sent',
  });
  return id;
}

/**
 * Sends queued messages through GOV.UK Notify. Each message goes through one generic
 * template whose personalisation carries the subject and body.
 */
export async function sendQueued(owner: Database, notify: NonNullable<Config['notify']>, limit = 50): Promise<number> {
  const client = new NotifyClient(notify.apiKey);
  const queued = await owner
    .select()
    .from(outbox)
    .where(and(eq(outbox.status, 'queued'), lt(outbox.attempts, 5)))
    .orderBy(asc(outbox.createdAt))
    .limit(limit);
  let sent = 0;
  for (const message of queued) {
    try {
      if (message.channel === 'email' && notify.emailTemplateId) {
        await client.sendEmail(notify.emailTemplateId, message.recipient, {
          personalisation: { subject: message.subject, body: message.body },
          reference: message.id,
        });
      } else if (message.channel === 'sms' && notify.smsTemplateId) {
        await client.sendSms(notify.smsTemplateId, message.recipient, {
          personalisation: { body: message.body },
          reference: message.id,
        });
      } else {
        throw new Error(`no GOV.UK Notify template is configured for ${message.channel}`);
      }
      await owner
        .update(outbox)
        .set({ status: 'sent', sentAt: new Date(), attempts: message.attempts + 1 })
        .where(eq(outbox.id, message.id));
      sent += 1;
    } catch (error) {
      const attempts = message.attempts + 1;
      await owner
        .update(outbox)
        .set({
          attempts,
          status: attempts >= 5 ? 'failed' : 'queued',
          error: error instanceof Error ? error.message.slice(0, 500) : 'unknown error',
        })
        .where(eq(outbox.id, message.id));
    }
  }
  return sent;
}

export const outboxStatuses = ['queued', 'sent', 'failed', 'not_sent'] as const;
