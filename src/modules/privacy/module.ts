// Privacy: a person's data download, erasure, and forgetting old referrals.
import type { CoproduceModule } from '../../platform/module.ts';
import { privacyApi } from './api.ts';
import { privacyPages } from './routes.ts';
import { personData, pseudonymiseOldReferrals } from './service.ts';

export const privacy: CoproduceModule = {
  name: 'privacy',
  plugins: [
    { plugin: privacyPages, prefix: '/c/:community' },
    { plugin: privacyApi, prefix: '/api/v1/communities/:community' },
  ],
  personData,
  scheduledJobs: ({ personData: everyColumn }) => [
    // Every night: declined and withdrawn referrals past each community's retention lose what was written about the person.
    {
      name: 'pseudonymise-referrals',
      cron: '15 3 * * *',
      run: (owner) => pseudonymiseOldReferrals(owner, everyColumn),
    },
  ],
};
