// Referrals: in from GP practices and partners (pages, API and FHIR), self-referral, triage.
import type { CoproduceModule } from '../../platform/module.ts';
import { referralApi } from './api.ts';
import { fhirApi } from './fhir.ts';
import { ownReferralPages } from './own-routes.ts';
import { referralPages } from './routes.ts';
import { referralClaim, selfReferralPages } from './self-referral-routes.ts';
import { personData } from './service.ts';
import { supportNeedPages } from './support-needs-routes.ts';

export const referrals: CoproduceModule = {
  name: 'referrals',
  plugins: [
    { plugin: referralPages, prefix: '/c/:community/referrals' },
    { plugin: referralApi, prefix: '/api/v1/communities/:community' },
    { plugin: selfReferralPages, prefix: '/c/:community/refer-yourself' },
    { plugin: referralClaim, prefix: '/communities/:slug/referrals' },
    { plugin: supportNeedPages, prefix: '/c/:community/settings/support-needs' },
    { plugin: ownReferralPages, prefix: '/c/:community/me/referrals' },
    { plugin: fhirApi, prefix: '/fhir/r4/:community' },
  ],
  personData,
  navigation: [
    { key: 'nav.referrals', path: '/referrals', roles: ['admin', 'coordinator'], order: 20 },
    { key: 'nav.myReferrals', path: '/referrals/mine', roles: ['referrer'], order: 70 },
  ],
};
