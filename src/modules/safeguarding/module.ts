// Safeguarding: concerns raised about someone, read only by the community's safeguarding leads.
import type { CoproduceModule } from '../../platform/module.ts';
import { concernApi } from './api.ts';
import { concernPages } from './routes.ts';
import { personData } from './service.ts';

export const safeguarding: CoproduceModule = {
  name: 'safeguarding',
  plugins: [
    { plugin: concernPages, prefix: '/c/:community/concerns' },
    { plugin: concernApi, prefix: '/api/v1/communities/:community/concerns' },
  ],
  personData,
  navigation: [{ key: 'nav.concerns', path: '/concerns', roles: ['safeguarding_lead'], order: 100 }],
};
