// Safeguarding: concerns raised about someone, read only by the community's safeguarding leads.
import type { CoproduceModule } from '../../platform/module.ts';
import { safeguardingRoutes } from './routes.ts';
import { personData } from './service.ts';

export const safeguarding: CoproduceModule = {
  name: 'safeguarding',
  plugins: [{ plugin: safeguardingRoutes }],
  personData,
  navigation: [{ key: 'nav.concerns', path: '/concerns', roles: ['safeguarding_lead'], order: 100 }],
};
