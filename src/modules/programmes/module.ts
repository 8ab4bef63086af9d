// Programmes: what a community runs (a time bank, a peer network, a hub), and who is in each.
import type { CoproduceModule } from '../../platform/module.ts';
import { programmeApi } from './api.ts';
import { programmePages, publicProgrammePages } from './routes.ts';
import { personData, programmeKindsOf } from './service.ts';

export const programmes: CoproduceModule = {
  name: 'programmes',
  plugins: [
    { plugin: publicProgrammePages, prefix: '/communities/:slug/programmes' },
    { plugin: programmePages, prefix: '/c/:community/programmes' },
    { plugin: programmeApi, prefix: '/api/v1/communities/:community/programmes' },
  ],
  personData,
  navigation: [{ key: 'nav.programmes', path: '/programmes', roles: ['admin', 'coordinator'], order: 110 }],
  headerFacts: { programmeKinds: programmeKindsOf },
};
