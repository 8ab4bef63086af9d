import type { FastifyRequest } from 'fastify';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/index.ts';
import { keptFor } from '../kept.ts';
import type { Role } from '../tenancy.ts';

const kindsKept = keptFor<readonly string[]>(30_000);

/** The kinds of programme a community runs (open ones), kept half a minute: every page's header asks. */
export function programmeKindsOf(owner: Database, communityId: string): Promise<readonly string[]> {
  return kindsKept.get(communityId, async () =>
    (
      await owner.execute<{ kind: string }>(
        sql`select distinct kind from programmes where community_id = ${communityId} and status = 'open'`,
      )
    ).rows.map((row) => row.kind),
  );
}
/** A programme was added or changed: its community's header is worked out again. */
export const forgetProgrammeKinds = (communityId: string) => kindsKept.forget(communityId);

const hubTeamsKept = keptFor<ReadonlySet<string>>(30_000);

/** The accounts of the people in a community's hub teams, kept half a minute: the header links the hub only for them. */
export function hubTeamAccountsOf(owner: Database, communityId: string): Promise<ReadonlySet<string>> {
  return hubTeamsKept.get(communityId, async () => {
    const rows = await owner.execute<{ account_id: string }>(
      sql`select distinct r.account_id from hub_team_members t join person_records r on r.id = t.person_record_id where t.community_id = ${communityId} and r.account_id is not null`,
    );
    return new Set(rows.rows.map((row) => row.account_id));
  });
}
/** Someone joined or left a hub team. */
export const forgetHubTeam = (communityId: string) => hubTeamsKept.forget(communityId);

interface NavigationItem {
  text: string;
  href: string;
  current: boolean;
}

/**
 * Links each role needs, in the header. Modules add theirs here as they arrive. The header fits
 * about nine: an admin's less frequent pages (inviting, messages sent) are on their home page.
 */
/** Who takes part in programmes: a referrer or safeguarding lead who is only that has no use for their pages. */
const takingPart: readonly Role[] = ['member', 'peer_supporter', 'facilitator', 'coordinator', 'partner', 'admin'];

const communityLinks: {
  key: string;
  path: string;
  roles: readonly Role[] | 'any-member';
  kind?: string;
  orInHubTeam?: true;
}[] = [
  { key: 'nav.home', path: '', roles: 'any-member' },
  { key: 'nav.referrals', path: '/referrals', roles: ['admin', 'coordinator'] },
  { key: 'nav.timebank', path: '/timebank', roles: takingPart, kind: 'timebank' },
  { key: 'nav.network', path: '/network', roles: takingPart, kind: 'peer_network' },
  { key: 'nav.support', path: '/support', roles: takingPart, kind: 'peer_support' },
  // Coordinators and the people in the hub team (admins reach it from their home page: the header fits about nine links).
  { key: 'nav.hub', path: '/hub', roles: ['coordinator'], kind: 'hub', orInHubTeam: true },
  { key: 'nav.myReferrals', path: '/referrals/mine', roles: ['referrer'] },
  { key: 'nav.people', path: '/people', roles: ['admin', 'coordinator'] },
  { key: 'nav.members', path: '/members', roles: ['admin', 'coordinator'] },
  { key: 'nav.concerns', path: '/concerns', roles: ['safeguarding_lead'] },
  { key: 'nav.programmes', path: '/programmes', roles: ['admin', 'coordinator'] },
  { key: 'nav.audit', path: '/audit', roles: ['admin'] },
  { key: 'nav.settings', path: '/settings', roles: ['admin'] },
];

export function navigationFor(request: FastifyRequest): NavigationItem[] {
  const path = request.url.split('?')[0] ?? '';
  const items: NavigationItem[] = [];
  const community = request.community;
  const held = request.roles ?? [];
  if (community && held.length > 0) {
    for (const link of communityLinks) {
      if (
        link.roles !== 'any-member' &&
        !held.some((role) => link.roles.includes(role)) &&
        !(link.orInHubTeam && request.inHubTeam)
      )
        continue;
      // A module's link shows where the community runs a programme of its kind.
      if (link.kind && !(request.programmeKinds ?? []).includes(link.kind)) continue;
      const href = `/c/${community.slug}${link.path}`;
      items.push({ text: request.t(link.key), href, current: path === href });
    }
  }
  if (request.person?.isPlatformAdmin) {
    items.push({
      text: request.t('nav.platform'),
      href: '/platform/communities',
      current: path.startsWith('/platform'),
    });
  }
  return items;
}
