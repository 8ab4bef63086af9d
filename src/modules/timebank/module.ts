// The time bank: offers and requests, exchanges of hours, the ledger, onboarding, reports.
import type { CoproduceModule } from '../../platform/module.ts';
import { takingPart } from '../../platform/tenancy.ts';
import { timebankApi } from './api.ts';
import { confirmWaitingExchanges } from './exchanges.ts';
import { postsApi } from './posts-api.ts';
import { postPages } from './posts-routes.ts';
import { sendReminders } from './posts.ts';
import { reportsApi } from './reports-api.ts';
import { reportPages } from './reports-routes.ts';
import { timebankPages } from './routes.ts';
import { acceptIntoTimebank, countFinishedDays, personData, reconcileLedgers } from './service.ts';

const pages = '/c/:community/timebank';
const api = '/api/v1/communities/:community/timebank';

export const timebank: CoproduceModule = {
  name: 'timebank',
  plugins: [
    { plugin: timebankPages, prefix: pages },
    { plugin: postPages, prefix: pages },
    { plugin: reportPages, prefix: pages },
    { plugin: timebankApi, prefix: api },
    { plugin: postsApi, prefix: api },
    { plugin: reportsApi, prefix: api },
  ],
  personData,
  // The person joins the time bank and starts its onboarding.
  acceptance: { timebank: acceptIntoTimebank },
  navigation: [{ key: 'nav.timebank', path: '/timebank', roles: takingPart, kind: 'timebank', order: 30 }],
  scheduledJobs: ({ config }) => [
    // Every hour: exchanges nobody disputed within the time bank's days are confirmed.
    { name: 'timebank-confirm-waiting', cron: '5 * * * *', run: (owner) => confirmWaitingExchanges(owner) },
    // Every night: each time bank's balances are checked against the movements they come from.
    {
      name: 'timebank-reconcile',
      cron: '45 2 * * *',
      run: async (owner) => ({ differences: await reconcileLedgers(owner) }),
    },
    // Every night: each time bank adds up the day that ended, for reports.
    { name: 'timebank-day-totals', cron: '10 1 * * *', run: (owner) => countFinishedDays(owner) },
    // Every morning: people whose offer or request is about to end, or whose background check is about to run out, are told once.
    {
      name: 'timebank-reminders',
      cron: '30 8 * * *',
      run: (owner) => sendReminders(owner, config.publicUrl, config.notify !== undefined),
    },
  ],
};
