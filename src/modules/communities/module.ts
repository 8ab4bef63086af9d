// Communities: their home page, members, invitations, settings, audit, and the platform admin's list.
import type { CoproduceModule } from '../../platform/module.ts';
import { communitiesApi, communityApi } from './api.ts';
import { directoryPages } from './directory-routes.ts';
import { platformPages } from './platform-routes.ts';
import { communityPages } from './routes.ts';

export const communities: CoproduceModule = {
  name: 'communities',
  plugins: [
    { plugin: directoryPages, prefix: '/communities' },
    { plugin: communityPages, prefix: '/c/:community' },
    { plugin: platformPages, prefix: '/platform' },
    { plugin: communitiesApi, prefix: '/api/v1' },
    { plugin: communityApi, prefix: '/api/v1/communities/:community' },
  ],
  navigation: [
    { key: 'nav.home', path: '', roles: 'any-member', order: 10 },
    { key: 'nav.members', path: '/members', roles: ['admin', 'coordinator'], order: 90 },
    { key: 'nav.audit', path: '/audit', roles: ['admin'], order: 120 },
    { key: 'nav.settings', path: '/settings', roles: ['admin'], order: 130 },
  ],
};
