// The modules' scheduled work, started with the server (platform/jobs.ts runs it through pg-boss).
import type { ScheduledJob } from './platform/jobs.ts';
import { pseudonymiseOldReferrals } from './modules/privacy/service.ts';
import { personDataSources } from './person-data.ts';
import { confirmWaitingExchanges, countFinishedDays, reconcileLedgers } from './modules/timebank/service.ts';
import { sendReminders } from './modules/timebank/posts.ts';
import { remindTomorrowsMeetings, scheduleAllMeetings } from './modules/peer-network/service.ts';
import { remindUnsentTimesheets } from './modules/peer-support/service.ts';
import type { Config } from './platform/config.ts';

/** The jobs, for a server with this configuration (messages link to its public address). */
export const scheduledJobs = (config: Config): readonly ScheduledJob[] => [
  // Every night: declined and withdrawn referrals past each community's retention lose what was written about the person.
  {
    name: 'pseudonymise-referrals',
    cron: '15 3 * * *',
    run: (owner) => pseudonymiseOldReferrals(owner, personDataSources),
  },
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
  // Every night: each peer group's meetings for the weeks ahead, from its weekly time.
  { name: 'network-schedule-meetings', cron: '20 0 * * *', run: (owner) => scheduleAllMeetings(owner) },
  // Every morning: people coming to tomorrow's meetings (and the groups' usual members) are reminded, once.
  {
    name: 'network-meeting-reminders',
    cron: '0 10 * * *',
    run: (owner) => remindTomorrowsMeetings(owner, config.publicUrl, config.notify !== undefined),
  },
  // Every Monday morning: peer supporters with weeks of contacts not yet sent are reminded, once a week each.
  {
    name: 'support-timesheet-reminders',
    cron: '0 9 * * 1',
    run: (owner) => remindUnsentTimesheets(owner, config.publicUrl, config.notify !== undefined),
  },
];
