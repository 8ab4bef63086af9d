// The modules' scheduled work, started with the server (platform/jobs.ts runs it through pg-boss).
import type { ScheduledJob } from './platform/jobs.ts';
import { pseudonymiseOldReferrals } from './modules/privacy/service.ts';
import { personDataSources } from './person-data.ts';
import { confirmWaitingExchanges, reconcileLedgers } from './modules/timebank/service.ts';

export const scheduledJobs: readonly ScheduledJob[] = [
  // Every night: declined and withdrawn referrals past each community's retention lose what was written about the person.
  { name: 'pseudonymise-referrals', cron: '15 3 * * *', run: (owner) => pseudonymiseOldReferrals(owner, personDataSources) },
  // Every hour: exchanges nobody disputed within the time bank's days are confirmed.
  { name: 'timebank-confirm-waiting', cron: '5 * * * *', run: (owner) => confirmWaitingExchanges(owner) },
  // Every night: each time bank's balances are checked against the movements they come from.
  { name: 'timebank-reconcile', cron: '45 2 * * *', run: async (owner) => ({ differences: await reconcileLedgers(owner) }) },
];
