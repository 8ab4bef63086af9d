// The modules' scheduled work, started with the server (platform/jobs.ts runs it through pg-boss).
import type { ScheduledJob } from './platform/jobs.ts';
import { pseudonymiseOldReferrals } from './modules/privacy/service.ts';
import { personDataSources } from './person-data.ts';

export const scheduledJobs: readonly ScheduledJob[] = [
  // Every night: declined and withdrawn referrals past each community's retention lose what was written about the person.
  { name: 'pseudonymise-referrals', cron: '15 3 * * *', run: (owner) => pseudonymiseOldReferrals(owner, personDataSources) },
];
