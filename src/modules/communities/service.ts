import { z } from 'zod';
import { record } from '../../platform/audit.ts';
import type { Database } from '../../platform/db/index.ts';
import { hashToken, newToken } from '../../platform/auth/secrets.ts';
import { conflict, DomainError, forbidden, notFound } from '../../platform/http/problems.ts';
import { languages, translator, isLanguage, type Language } from '../../platform/i18n.ts';
import { enqueue } from '../../platform/notify/outbox.ts';
import {
  type Community,
  type CommunityTransaction,
  inCommunity,
  isRole,
  type RequestAsker,
  type Role,
  roles,
  scopeToCommunity,
} from '../../platform/tenancy.ts';
import { email, markEmailConfirmed } from '../accounts/service.ts';
import { giveRecordEmail, linkInvitedRecord, recordToInvite } from '../people/service.ts';
import * as store from './store.ts';
import type { Dependencies } from '../../dependencies.ts';
import { stylesheetFor } from '../../platform/stylesheet.ts';
import { keptFor } from '../../platform/kept.ts';

export const membershipStatuses = ['requested', 'active', 'declined', 'removed'] as const;
export type MembershipStatus = (typeof membershipStatuses)[number];

const roleList = z
  .array(z.enum(roles, { error: 'errors.roles.invalid' }), { error: 'errors.roles.missing' })
  .min(1, 'errors.roles.missing')
  .transform((list) => [...new Set(list)]);

/** A checkbox group sends one value as a string and several as an array. */
export const formRoles = z.preprocess(
  (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]),
  roleList,
);

export const communityDetails = z.object({
  name: z
    .string({ error: 'errors.communityName.missing' })
    .trim()
    .min(1, 'errors.communityName.missing')
    .max(120, 'errors.communityName.tooLong'),
  description: z.string().trim().max(2000, 'errors.description.tooLong').default(''),
  contactEmail: z
    .union([z.literal(''), email])
    .optional()
    .transform((value) => value || null),
  contactPhone: z
    .string()
    .trim()
    .max(40, 'errors.phone.invalid')
    .regex(/^[0-9 +()-]*$/, 'errors.phone.invalid')
    .optional()
    .transform((value) => value || null),
  brandColour: z
    .string()
    .trim()
    .regex(/^(#[0-9a-fA-F]{6})?$/, 'errors.brandColour.invalid')
    .optional()
    .transform((value) => (value ? value.toLowerCase() : null)),
  languages: z
    .preprocess(
      (value) => (value === undefined ? ['en'] : Array.isArray(value) ? value : [value]),
      z.array(z.enum(languages, { error: 'errors.languages.invalid' })).min(1, 'errors.languages.missing'),
    )
    .transform((list) => [...new Set(list)]),
  requireStaffTwoFactor: z
    .preprocess(
      (value) =>
        value === true || value === 'true' || value === 'on' || (Array.isArray(value) && value.includes('true')),
      z.boolean(),
    )
    .default(false),
  contactWithinWorkingDays: z.coerce
    .number({ error: 'errors.settings.contactWithin' })
    .int('errors.settings.contactWithin')
    .min(1, 'errors.settings.contactWithin')
    .max(20, 'errors.settings.contactWithin')
    .default(3),
  referralRetentionMonths: z.coerce
    .number({ error: 'errors.settings.retention' })
    .int('errors.settings.retention')
    .min(1, 'errors.settings.retention')
    .max(120, 'errors.settings.retention')
    .default(12),
});

/** For PATCH: only the fields sent change; no defaults fill in the rest. */
export const communityPatch = z
  .object({
    name: z.string(),
    description: z.string(),
    contactEmail: z.string().nullable(),
    contactPhone: z.string().nullable(),
    brandColour: z.string().nullable(),
    languages: z.array(z.enum(languages)),
    requireStaffTwoFactor: z.boolean(),
    contactWithinWorkingDays: z.number().int(),
    referralRetentionMonths: z.number().int(),
  })
  .partial()
  .strict();

export const newCommunity = communityDetails.extend({
  slug: z
    .string({ error: 'errors.slug.missing' })
    .trim()
    .toLowerCase()
    .min(2, 'errors.slug.invalid')
    .max(40, 'errors.slug.invalid')
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'errors.slug.invalid')
    .refine((slug) => !reservedSlugs.has(slug), 'errors.slug.reserved'),
  // Left empty, nobody is invited yet.
  firstAdminEmail: z
    .preprocess((value) => (value === '' ? undefined : value), email.optional())
    .transform((value) => value ?? null),
});

const reservedSlugs = new Set(['api', 'admin', 'mine', 'new', 'platform', 'assets', 'public']);

export const joinRequest = z.object({
  message: z
    .string()
    .trim()
    .max(1000, 'errors.message.tooLong')
    .optional()
    .transform((value) => value || null),
});

export const invitation = z.object({ email, roles: formRoles });

const invitationDays = 14;

// ——— Communities ———

export async function listAllCommunities(db: Database) {
  return store.allCommunities(db);
}

export async function createCommunity(
  dependencies: Dependencies,
  actorId: string,
  input: z.infer<typeof newCommunity>,
  language: Language,
) {
  const { firstAdminEmail, ...details } = input;
  const created = await dependencies.db.transaction(async (tx) => {
    const community = await store.insertCommunity(tx, details);
    if (!community) throw new DomainError('validation-failed', 409, [{ field: 'slug', code: 'errors.slug.taken' }]);
    // The rest of the work sees the new community's rows, in the same transaction.
    const scoped = await scopeToCommunity(tx, { communityId: community.id, personId: actorId });
    await record(scoped, {
      communityId: community.id,
      actorId,
      action: 'community.created',
      subjectType: 'community',
      subjectId: community.id,
      detail: { slug: community.slug },
    });
    const invitation = firstAdminEmail
      ? await createInvitation(
          dependencies,
          scoped,
          community,
          actorId,
          { email: firstAdminEmail, roles: ['admin', 'member'] },
          language,
        )
      : null;
    return { community, invitation };
  });
  if (created.community.brandColour) void stylesheetFor(created.community.brandColour);
  return created;
}

/** Who runs a community: its active admins, by name. */
export async function adminsOf(tx: CommunityTransaction, communityId: string) {
  return store.activeMembersWithRole(tx, communityId, 'admin');
}

/** The community's active members holding a role (its safeguarding leads, say): names, email addresses, languages. */
export async function membersWithRole(tx: CommunityTransaction, communityId: string, role: Role) {
  return store.activeMembersWithRole(tx, communityId, role);
}

export async function updateCommunity(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  input: z.infer<typeof communityDetails>,
) {
  const updated = await store.changeCommunity(tx, community.id, input);
  if (!updated) throw notFound();
  if (updated.brandColour) void stylesheetFor(updated.brandColour);
  const changed = Object.keys(input).filter(
    (key) => JSON.stringify(input[key as keyof typeof input]) !== JSON.stringify(community[key as keyof Community]),
  );
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'community.updated',
    subjectType: 'community',
    subjectId: community.id,
    detail: { changed },
  });
  return updated;
}

// ——— Joining ———

async function messageAdmins(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  template: string,
  subject: string,
  body: string,
) {
  if (!community.contactEmail) return;
  await enqueue(
    tx,
    { communityId: community.id, channel: 'email', template, recipient: community.contactEmail, subject, body },
    dependencies.notifyConfigured,
  );
}

/** Asking twice changes nothing; asking again after a decline asks again. */
export async function requestToJoin(
  dependencies: Dependencies,
  community: Community,
  person: { id: string; displayName: string },
  message: string | null,
) {
  forgetCounts(community.id);
  return inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, async (tx) => {
    const existing = await store.membershipOf(tx, community.id, person.id);
    if (existing?.status === 'active') throw conflict('already-member');
    if (existing?.status === 'requested') return existing;
    const saved = existing
      ? await store.changeMembership(tx, existing.id, {
          status: 'requested',
          requestMessage: message,
          requestedAt: new Date(),
          decidedAt: null,
          decidedBy: null,
        })
      : await store.insertMembershipUnlessThere(tx, {
          communityId: community.id,
          personId: person.id,
          status: 'requested',
          roles: [],
          requestMessage: message,
        });
    // Asked twice at the same moment: the other request made it.
    if (!saved) return getMembershipRow(tx, community.id, person.id);
    await record(tx, {
      communityId: community.id,
      actorId: person.id,
      action: 'membership.requested',
      subjectType: 'membership',
      subjectId: saved.id,
    });
    const t = translator(community.languages.find(isLanguage) ?? 'en');
    await messageAdmins(
      dependencies,
      tx,
      community,
      'join-request',
      t('messages.joinRequest.subject', { community: community.name }),
      t('messages.joinRequest.body', {
        name: person.displayName,
        community: community.name,
        link: `${dependencies.publicUrl}/c/${community.slug}/members?status=requested`,
      }),
    );
    return saved;
  });
}

// ——— Memberships ———

/**
 * Someone accepted into a programme who has an account becomes an active member, with the
 * member role; an admin's earlier removal stands.
 */
export async function welcomeAsMember(
  tx: CommunityTransaction,
  communityId: string,
  personId: string,
  actorId: string | null,
): Promise<void> {
  forgetCounts(communityId);
  const existing = await store.membershipOf(tx, communityId, personId);
  if (existing?.status === 'active' || existing?.status === 'removed') return;
  const saved = existing
    ? await store.changeMembershipId(tx, existing.id, {
        status: 'active',
        roles: ['member'],
        decidedAt: new Date(),
        decidedBy: actorId,
      })
    : await store.insertMembershipIdUnlessThere(tx, {
        communityId,
        personId,
        status: 'active',
        roles: ['member'],
        decidedAt: new Date(),
        decidedBy: actorId,
      });
  if (saved)
    await record(tx, {
      communityId,
      actorId,
      action: 'membership.approved',
      subjectType: 'membership',
      subjectId: saved.id,
      detail: { roles: ['member'], throughReferral: true },
    });
}

async function getMembershipRow(tx: CommunityTransaction, communityId: string, personId: string) {
  const row = await store.membershipOf(tx, communityId, personId);
  if (!row) throw conflict('already-requested');
  return row;
}

/** Decisions about who runs a community are taken one at a time (no two admins removing each other). */
async function lockCommunity(tx: CommunityTransaction, communityId: string): Promise<void> {
  await store.lockCommunity(tx, communityId);
}

export interface MembershipListFilter {
  status?: MembershipStatus;
  after?: { name: string; id: string };
  limit: number;
}

export type MembershipRow = Awaited<ReturnType<typeof getMembership>>;

/** Admins manage members: their roles, and removing them. Coordinators see members and decide requests to join. */
export const managesMembers = (asker: RequestAsker) => asker.hasRole('admin');

/** The roles an approval gives: members, unless an admin gives others (a coordinator lets people in as members). */
export function rolesToGive(asker: RequestAsker, asked: Role[] | undefined): Role[] {
  const grant = asked ?? ['member'];
  if (!managesMembers(asker) && (grant.length !== 1 || grant[0] !== 'member')) throw forbidden();
  return grant;
}

/** Memberships by name, then id (a stable order for cursor pagination). */
export async function listMemberships(tx: CommunityTransaction, communityId: string, filter: MembershipListFilter) {
  const rows = await store.membershipPage(tx, communityId, filter);
  return rows.map((row) => ({ ...row, roles: row.roles.filter(isRole) }));
}

/**
 * The counts on a coordinator's home page, kept 5 seconds per community: counting 100,000
 * memberships on every visit to the home page made it the slowest page (measured). A change
 * to memberships made by this process forgets them at once.
 */
const homeCounts = keptFor<Record<MembershipStatus, number>>(5_000);
export const keptCountByStatus = (tx: CommunityTransaction, communityId: string) =>
  homeCounts.get(communityId, () => countByStatus(tx, communityId));
const forgetCounts = (communityId: string) => homeCounts.forget(communityId);

export async function countByStatus(
  tx: CommunityTransaction,
  communityId: string,
): Promise<Record<MembershipStatus, number>> {
  const rows = await store.membershipCountsByStatus(tx, communityId);
  const counts = { requested: 0, active: 0, declined: 0, removed: 0 };
  for (const row of rows) counts[row.status] = row.count;
  return counts;
}

export async function getMembership(tx: CommunityTransaction, communityId: string, membershipId: string) {
  const row = await store.membershipById(tx, communityId, membershipId);
  if (!row) throw notFound();
  return { ...row, roles: row.roles.filter(isRole) };
}

async function activeAdminCount(tx: CommunityTransaction, communityId: string, excluding: string): Promise<number> {
  return store.otherActiveAdmins(tx, communityId, excluding);
}

async function tellMember(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  membership: MembershipRow,
  template: 'approved' | 'declined',
) {
  const language = await store.languageOfAccount(tx, membership.personId);
  const t = translator(isLanguage(language) ? language : 'en');
  await enqueue(
    tx,
    {
      communityId: community.id,
      channel: 'email',
      template: `membership-${template}`,
      recipient: membership.email,
      subject: t(`messages.${template}.subject`, { community: community.name }),
      body: t(`messages.${template}.body`, {
        name: membership.displayName,
        community: community.name,
        link: `${dependencies.publicUrl}/c/${community.slug}`,
      }),
    },
    dependencies.notifyConfigured,
  );
}

/** Approving someone already active changes nothing (a double click does not approve twice). */
export async function approve(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  membershipId: string,
  grant: Role[] = ['member'],
) {
  forgetCounts(community.id);
  const membership = await getMembership(tx, community.id, membershipId);
  if (membership.status === 'active') return membership;
  if (membership.status !== 'requested') throw conflict('not-waiting');
  const changed = await store.changeMembershipIn(tx, membershipId, 'requested', {
    status: 'active',
    roles: grant,
    decidedAt: new Date(),
    decidedBy: actorId,
  });
  // Someone else decided first, between the read and this write.
  if (changed.length === 0) return getMembership(tx, community.id, membershipId);
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'membership.approved',
    subjectType: 'membership',
    subjectId: membershipId,
    detail: { roles: grant },
  });
  await tellMember(dependencies, tx, community, membership, 'approved');
  return getMembership(tx, community.id, membershipId);
}

export async function decline(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  membershipId: string,
) {
  forgetCounts(community.id);
  const membership = await getMembership(tx, community.id, membershipId);
  if (membership.status === 'declined') return membership;
  if (membership.status !== 'requested') throw conflict('not-waiting');
  const changed = await store.changeMembershipIn(tx, membershipId, 'requested', {
    status: 'declined',
    decidedAt: new Date(),
    decidedBy: actorId,
  });
  if (changed.length === 0) throw conflict('not-waiting');
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'membership.declined',
    subjectType: 'membership',
    subjectId: membershipId,
  });
  await tellMember(dependencies, tx, community, membership, 'declined');
  return getMembership(tx, community.id, membershipId);
}

/** A community always keeps at least one admin. */
export async function setRoles(
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  membershipId: string,
  next: Role[],
) {
  await lockCommunity(tx, community.id);
  const membership = await getMembership(tx, community.id, membershipId);
  if (membership.status !== 'active') throw conflict('not-active');
  if (
    membership.roles.includes('admin') &&
    !next.includes('admin') &&
    (await activeAdminCount(tx, community.id, membershipId)) === 0
  ) {
    throw new DomainError('last-admin', 409, [{ field: 'roles', code: 'errors.roles.lastAdmin' }]);
  }
  await store.changeMembershipWhile(tx, membershipId, 'active', { roles: next });
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'membership.roles-changed',
    subjectType: 'membership',
    subjectId: membershipId,
    detail: { from: membership.roles, to: next },
  });
  return getMembership(tx, community.id, membershipId);
}

export async function remove(tx: CommunityTransaction, community: Community, actorId: string, membershipId: string) {
  forgetCounts(community.id);
  await lockCommunity(tx, community.id);
  const membership = await getMembership(tx, community.id, membershipId);
  if (membership.status === 'removed') return membership;
  if (membership.status !== 'active') throw conflict('not-active');
  if (membership.roles.includes('admin') && (await activeAdminCount(tx, community.id, membershipId)) === 0) {
    throw new DomainError('last-admin', 409, [{ field: 'roles', code: 'errors.roles.lastAdmin' }]);
  }
  await store.changeMembershipWhile(tx, membershipId, 'active', {
    status: 'removed',
    roles: [],
    decidedAt: new Date(),
    decidedBy: actorId,
  });
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'membership.removed',
    subjectType: 'membership',
    subjectId: membershipId,
    detail: { roles: membership.roles },
  });
  return getMembership(tx, community.id, membershipId);
}

// ——— Invitations ———

export async function createInvitation(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  input: { email: string; roles: Role[]; personRecordId?: string | null },
  language: Language,
) {
  // A second click on "Send invitation" finds the first one: no second invitation or email.
  const recent = await store.recentInvitation(tx, community.id, input.email, input.roles);
  // The link cannot be shown again (only its hash is kept): a second click is told it was sent.
  if (recent) return sentInvitation(dependencies, recent, null);
  const token = newToken();
  const created = await store.insertInvitation(tx, {
    communityId: community.id,
    email: input.email,
    roles: input.roles,
    tokenHash: hashToken(token),
    invitedBy: actorId,
    expiresAt: new Date(Date.now() + invitationDays * 86_400_000),
    personRecordId: input.personRecordId ?? null,
  });
  if (!created) throw new Error('invitation insert returned nothing');
  const link = await emailInvitation(dependencies, tx, community, input.email, token, language);
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'invitation.sent',
    subjectType: 'invitation',
    subjectId: created.id,
    detail: { roles: input.roles },
  });
  return sentInvitation(dependencies, { ...created, roles: input.roles }, link);
}

/**
 * Invites someone the community already knows (referred, or added by a coordinator) to use the
 * service online, as a member: accepting links their account to their record. Their record
 * keeps the address if it had none.
 */
export async function inviteKnownPerson(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  personRecordId: string,
  address: string,
  language: Language,
) {
  const found = await recordToInvite(tx, community.id, personRecordId);
  if (!found || found.status !== 'active') throw notFound();
  if (found.accountId)
    throw new DomainError('already-online', 409, [{ field: 'email', code: 'errors.invitation.alreadyOnline' }]);
  if (!found.email) await giveRecordEmail(tx, found.id, address);
  return createInvitation(
    dependencies,
    tx,
    community,
    actorId,
    { email: address, roles: ['member'], personRecordId: found.id },
    language,
  );
}

/** What sending an invitation answers: its link only when a new one was made now (it is shown once). */
function sentInvitation(
  dependencies: Dependencies,
  invitation: { id: string; email: string; roles: readonly string[]; expiresAt: Date },
  link: string | null,
) {
  return {
    id: invitation.id,
    email: invitation.email,
    roles: invitation.roles.filter(isRole),
    expiresAt: invitation.expiresAt,
    link,
    emailed: dependencies.notifyConfigured,
  };
}

/** Puts the invitation's email in the outbox (sent when email is set up) and gives its link, to show once to whoever sent it. */
async function emailInvitation(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  email: string,
  token: string,
  language: Language,
): Promise<string> {
  const link = `${dependencies.publicUrl}/communities/${community.slug}/invitations/${token}`;
  const t = translator(language);
  await enqueue(
    tx,
    {
      communityId: community.id,
      channel: 'email',
      template: 'invitation',
      recipient: email,
      subject: t('messages.invitation.subject', { community: community.name }),
      body: t('messages.invitation.body', { community: community.name, link, days: invitationDays }),
    },
    dependencies.notifyConfigured,
  );
  return link;
}

export type InvitationState = 'waiting' | 'expired';

/** The invitations nobody has accepted and nobody cancelled, newest first: waiting, or expired and worth sending again. */
export async function listInvitations(tx: CommunityTransaction, communityId: string) {
  const rows = await store.openInvitations(tx, communityId);
  const now = Date.now();
  return rows.map((row) => ({
    ...row,
    roles: row.roles.filter(isRole),
    state: (row.expiresAt.getTime() > now ? 'waiting' : 'expired') as InvitationState,
  }));
}

/** An invitation not yet accepted: waiting, expired or cancelled (sending it again opens it again). */
async function unacceptedInvitation(tx: CommunityTransaction, communityId: string, invitationId: string) {
  const found = await store.unacceptedInvitation(tx, communityId, invitationId);
  if (!found) throw notFound();
  return found;
}

/**
 * Sends an invitation again with a new link (the old link stops working) and a new expiry; a
 * cancelled one is opened again. Twice within a minute is one sending: the second is told what
 * the first did.
 */
export async function resendInvitation(
  dependencies: Dependencies,
  tx: CommunityTransaction,
  community: Community,
  actorId: string,
  invitationId: string,
  language: Language,
) {
  const found = await unacceptedInvitation(tx, community.id, invitationId);
  if (!found.revokedAt && found.createdAt.getTime() > Date.now() - 60_000)
    return sentInvitation(dependencies, found, null);
  const token = newToken();
  const updated = await store.changeInvitation(tx, found.id, {
    tokenHash: hashToken(token),
    createdAt: new Date(),
    expiresAt: new Date(Date.now() + invitationDays * 86_400_000),
    invitedBy: actorId,
    revokedAt: null,
  });
  if (!updated) throw notFound();
  const link = await emailInvitation(dependencies, tx, community, found.email, token, language);
  await record(tx, {
    communityId: community.id,
    actorId,
    action: 'invitation.resent',
    subjectType: 'invitation',
    subjectId: found.id,
    detail: { roles: found.roles },
  });
  return sentInvitation(dependencies, updated, link);
}

/** Cancels an invitation: its link stops working. Cancelling one already cancelled changes nothing. */
export async function cancelInvitation(
  tx: CommunityTransaction,
  communityId: string,
  actorId: string,
  invitationId: string,
) {
  const found = await store.unacceptedInvitation(tx, communityId, invitationId);
  if (!found) throw notFound();
  if (found.revokedAt) return;
  await store.markInvitationCancelled(tx, found.id);
  await record(tx, {
    communityId,
    actorId,
    action: 'invitation.cancelled',
    subjectType: 'invitation',
    subjectId: found.id,
    detail: {},
  });
}

/**
 * The invitations waiting for an address, in every community: shown to its owner once they have
 * confirmed it, so that an account made without the link still finds them. Read as the owner
 * (invitations belong to their communities); only names and roles leave this function.
 */
export async function invitationsWaitingFor(owner: Database, email: string) {
  const rows = await store.invitationsWaitingForAddress(owner, email);
  return rows.map((row) => ({ ...row, roles: row.roles.filter(isRole) }));
}

export async function findInvitation(tx: CommunityTransaction, communityId: string, token: string) {
  const found = await store.waitingInvitationByToken(tx, communityId, hashToken(token));
  return found;
}

/** Accepting makes the membership active with the invited roles (added to any it had). */
export async function acceptInvitation(
  tx: CommunityTransaction,
  community: Community,
  person: { id: string; email: string },
  token: string,
) {
  const found = await findInvitation(tx, community.id, token);
  if (!found) throw new DomainError('invitation-expired', 410);
  return accept(tx, community, person, found);
}

/**
 * Accepting an invitation found by its address, without the link: only for an address the
 * account has confirmed (the link itself is the proof otherwise).
 */
export async function acceptInvitationForConfirmedEmail(
  tx: CommunityTransaction,
  community: Community,
  person: { id: string; email: string; emailVerified: boolean },
  invitationId: string,
) {
  const found = await store.waitingInvitationById(tx, community.id, invitationId);
  if (!found) throw new DomainError('invitation-expired', 410);
  // Someone else's invitation is not there for them.
  if (found.email.toLowerCase() !== person.email.toLowerCase()) throw notFound();
  if (!person.emailVerified) throw new DomainError('email-not-confirmed', 403);
  return accept(tx, community, person, found);
}

async function accept(
  tx: CommunityTransaction,
  community: Community,
  person: { id: string; email: string },
  found: store.InvitationRow,
) {
  forgetCounts(community.id);
  if (found.email.toLowerCase() !== person.email.toLowerCase()) throw new DomainError('invitation-other-email', 403);
  const invited = found.roles.filter(isRole);
  const existing = await store.membershipOf(tx, community.id, person.id);
  const granted =
    existing?.status === 'active' ? [...new Set([...existing.roles.filter(isRole), ...invited])] : invited;
  const saved = existing
    ? await store.changeMembership(tx, existing.id, {
        status: 'active',
        roles: granted,
        decidedAt: new Date(),
        decidedBy: found.invitedBy,
      })
    : await store.insertMembership(tx, {
        communityId: community.id,
        personId: person.id,
        status: 'active',
        roles: granted,
        decidedAt: new Date(),
        decidedBy: found.invitedBy,
      });
  await store.markInvitationAccepted(tx, found.id, person.id);
  // Invited from their record: the account becomes theirs, unless the account already has a record here.
  if (found.personRecordId) {
    await linkInvitedRecord(tx, community.id, found.personRecordId, person.id);
  }
  // The invitation was sent to this address and its link came back: the address is confirmed.
  await markEmailConfirmed(tx, person.id, found.email);
  if (!saved) throw new Error('membership write returned nothing');
  await record(tx, {
    communityId: community.id,
    actorId: person.id,
    action: 'invitation.accepted',
    subjectType: 'membership',
    subjectId: saved.id,
    detail: { roles: granted },
  });
  return saved;
}

// ——— The outbox, as admins read it ———

/** Links that let someone in (reset links, invitations) are not shown to those who read the outbox. */
function withoutSecrets<T extends { body: string }>(message: T): T {
  return {
    ...message,
    body: message.body.replace(/\/(reset-password|invitations|verify-email)\/[A-Za-z0-9_-]+/g, '/$1/…'),
  };
}

export async function listOutbox(
  tx: CommunityTransaction,
  communityId: string,
  filter: { before?: { createdAt: string; id: string }; limit: number },
) {
  const rows = await store.outboxPage(tx, communityId, filter);
  return rows.map(withoutSecrets);
}

export async function listPlatformOutbox(owner: Database, limit: number) {
  return (await store.platformOutbox(owner, limit)).map(withoutSecrets);
}
