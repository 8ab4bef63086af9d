import { and, desc, eq } from 'drizzle-orm';
import type { Database } from '../../src/platform/db/index.ts';
import { outbox } from '../../src/platform/db/schema.ts';

/** The path of the link in the last message of a kind sent to an address, as the person would follow it. */
export async function lastLinkTo(owner: Database, recipient: string, template: string): Promise<string> {
  const [message] = await owner
    .select({ body: outbox.body })
    .from(outbox)
    .where(and(eq(outbox.recipient, recipient), eq(outbox.template, template)))
    .orderBy(desc(outbox.createdAt))
    .limit(1);
  const link = /https?:\/\/\S+/.exec(message?.body ?? '')?.[0];
  if (!link) throw new Error(`no ${template} message with a link to ${recipient}`);
  return new URL(link).pathname;
}
