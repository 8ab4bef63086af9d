// A person's journey: the milestones from referral onwards, for them and for the community.
import type { CoproduceModule } from '../../platform/module.ts';
import { journeyRoutes } from './routes.ts';
import { personData } from './service.ts';

export const journey: CoproduceModule = {
  name: 'journey',
  plugins: [{ plugin: journeyRoutes }],
  personData,
};
