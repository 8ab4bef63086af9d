// Referrals: in from GP practices and partners (pages, API and FHIR), self-referral, triage.
import type { CoproduceModule } from '../../platform/module.ts';
import { fhirRoutes } from './fhir.ts';
import { ownReferralRoutes } from './own-routes.ts';
import { referralRoutes } from './routes.ts';
import { selfReferralRoutes } from './self-referral-routes.ts';
import { personData } from './service.ts';
import { supportNeedRoutes } from './support-needs-routes.ts';

export const referrals: CoproduceModule = {
  name: 'referrals',
  plugins: [
    { plugin: referralRoutes },
    { plugin: selfReferralRoutes },
    { plugin: supportNeedRoutes },
    { plugin: ownReferralRoutes },
    { plugin: fhirRoutes },
  ],
  personData,
  navigation: [
    { key: 'nav.referrals', path: '/referrals', roles: ['admin', 'coordinator'], order: 20 },
    { key: 'nav.myReferrals', path: '/referrals/mine', roles: ['referrer'], order: 70 },
  ],
};
