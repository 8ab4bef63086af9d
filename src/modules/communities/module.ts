// Communities: their home page, members, invitations, settings, audit, and the platform admin's list.
import type { CoproduceModule } from '../../platform/module.ts';
import { communityRoutes } from './routes.ts';

export const communities: CoproduceModule = {
  name: 'communities',
  plugins: [{ plugin: communityRoutes }],
  navigation: [
    { key: 'nav.home', path: '', roles: 'any-member', order: 10 },
    { key: 'nav.members', path: '/members', roles: ['admin', 'coordinator'], order: 90 },
    { key: 'nav.audit', path: '/audit', roles: ['admin'], order: 120 },
    { key: 'nav.settings', path: '/settings', roles: ['admin'], order: 130 },
  ],
};
