import { and, asc, eq, sql } from 'drizzle-orm';
import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import { notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { programmeKinds, programmes } from './schema.ts';

export { programmeKinds };
export type Programme = typeof programmes.$inferSelect;

const text = (missing: string, tooLong: string, max: number) => z.string({ error: missing }).trim().min(1, missing).max(max, tooLong);

/** What an admin says about a programme, in plain words for the people it is for. */
export const programmeDetails = z.object({
  name: text('errors.programme.name.missing', 'errors.programme.name.tooLong', 120),
  kind: z.enum(programmeKinds, { error: 'errors.programme.kind.missing' }),
  whoFor: text('errors.programme.whoFor.missing', 'errors.programme.text.tooLong', 2000),
  howToJoin: text('errors.programme.howToJoin.missing', 'errors.programme.text.tooLong', 2000),
  whereAndWhen: z.string().trim().max(2000, 'errors.programme.text.tooLong').default(''),
  contact: z.string().trim().max(500, 'errors.programme.contact.tooLong').default(''),
  status: z.enum(['open', 'closed'], { error: 'errors.programme.status.invalid' }).default('open'),
});

export type ProgrammeDetails = z.infer<typeof programmeDetails>;

/** A community's programmes by name; people looking for support see only open ones. */
export async function listProgrammes(tx: CommunityTransaction, communityId: string, options: { openOnly: boolean }) {
  const conditions = [eq(programmes.communityId, communityId)];
  if (options.openOnly) conditions.push(eq(programmes.status, 'open'));
  return tx
    .select()
    .from(programmes)
    .where(and(...conditions))
    .orderBy(asc(programmes.name));
}

export async function getProgramme(tx: CommunityTransaction, communityId: string, programmeId: string): Promise<Programme> {
  const [found] = await tx
    .select()
    .from(programmes)
    .where(and(eq(programmes.communityId, communityId), eq(programmes.id, programmeId)));
  if (!found) throw notFound();
  return found;
}

export async function createProgramme(tx: CommunityTransaction, communityId: string, actorId: string, details: ProgrammeDetails): Promise<Programme> {
  const [created] = await tx
    .insert(programmes)
    .values({ ...details, communityId })
    .returning();
  if (!created) throw new Error('programme insert returned nothing');
  await record(tx, { communityId, actorId, action: 'programme.created', subjectType: 'programme', subjectId: created.id, detail: { kind: created.kind } });
  return created;
}

export async function updateProgramme(tx: CommunityTransaction, communityId: string, actorId: string, programmeId: string, details: ProgrammeDetails): Promise<Programme> {
  const [updated] = await tx
    .update(programmes)
    .set({ ...details, updatedAt: sql`now()` })
    .where(and(eq(programmes.communityId, communityId), eq(programmes.id, programmeId)))
    .returning();
  if (!updated) throw notFound();
  await record(tx, { communityId, actorId, action: 'programme.updated', subjectType: 'programme', subjectId: programmeId });
  return updated;
}
