// The hub: the team's caseload, review meetings, risk flags, plans and personal budgets.
import type { CoproduceModule } from '../../platform/module.ts';
import { caseloadApi } from './api.ts';
import { budgetApi } from './budgets-api.ts';
import { budgetPages } from './budgets-routes.ts';
import { personData as budgets } from './budgets.ts';
import { caseloadRoutes } from './routes.ts';
import { acceptIntoHub, inHubTeam, personData } from './service.ts';

export const caseload: CoproduceModule = {
  name: 'caseload',
  plugins: [
    { plugin: caseloadRoutes, prefix: '/c/:community/hub' },
    { plugin: budgetPages, prefix: '/c/:community/hub' },
    { plugin: caseloadApi, prefix: '/api/v1/communities/:community' },
    { plugin: budgetApi, prefix: '/api/v1/communities/:community' },
  ],
  personData: [...personData, ...budgets],
  // The person is on the hub team's caseload: the team's, not one worker's.
  acceptance: { hub: acceptIntoHub },
  // Coordinators and the people in the hub team (admins reach it from their home page: the header fits about nine links).
  navigation: [{ key: 'nav.hub', path: '/hub', roles: ['coordinator'], kind: 'hub', orInHubTeam: true, order: 60 }],
  headerFacts: { inHubTeam },
};
