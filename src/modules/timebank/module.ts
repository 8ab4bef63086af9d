// The time bank: offers and requests, exchanges of hours, the ledger, onboarding, reports.
import type { CoproduceModule } from '../../platform/module.ts';
import { takingPart } from '../../platform/tenancy.ts';
import { sendReminders } from './posts.ts';
import { timebankRoutes } from './routes.ts';
import {
  acceptIntoTimebank,
  confirmWaitingExchanges,
  countFinishedDays,
  personData,
  reconcileLedgers,
} from './service.ts';

export const timebank: CoproduceModule = {
  name: 'timebank',
  plugins: [{ plugin: timebankRoutes }],
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
