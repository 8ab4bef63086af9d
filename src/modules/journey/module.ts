// A person's journey: the milestones from referral onwards, for them and for the community.
import type { CoproduceModule } from '../../platform/module.ts';
import { journeyApi } from './api.ts';
import { journeyPages } from './routes.ts';
import { personData } from './service.ts';

export const journey: CoproduceModule = {
  name: 'journey',
  plugins: [
    { plugin: journeyPages, prefix: '/c/:community' },
    { plugin: journeyApi, prefix: '/api/v1/communities/:community' },
  ],
  personData,
};
