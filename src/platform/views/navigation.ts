import type { FastifyRequest } from 'fastify';
import type { NavigationLink } from '../module.ts';

interface NavigationItem {
  text: string;
  href: string;
  current: boolean;
}

/** The header's links the person asking may follow, in this community. The header fits about nine. */
export function navigationFor(request: FastifyRequest, communityLinks: readonly NavigationLink[]): NavigationItem[] {
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
