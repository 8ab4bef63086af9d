// Peer support: peer supporters' contacts with the people they support, and their timesheets.
import type { CoproduceModule } from '../../platform/module.ts';
import { takingPart } from '../../platform/tenancy.ts';
import { supportApi } from './api.ts';
import { supportRoutes } from './routes.ts';
import { personData, remindUnsentTimesheets } from './service.ts';

export const peerSupport: CoproduceModule = {
  name: 'peer-support',
  plugins: [
    { plugin: supportRoutes, prefix: '/c/:community/support' },
    { plugin: supportApi, prefix: '/api/v1/communities/:community' },
  ],
  personData,
  navigation: [{ key: 'nav.support', path: '/support', roles: takingPart, kind: 'peer_support', order: 50 }],
  scheduledJobs: ({ config }) => [
    // Every Monday morning: peer supporters with weeks of contacts not yet sent are reminded, once a week each.
    {
      name: 'support-timesheet-reminders',
      cron: '0 9 * * 1',
      run: (owner) => remindUnsentTimesheets(owner, config.publicUrl, config.notify !== undefined),
    },
  ],
};
