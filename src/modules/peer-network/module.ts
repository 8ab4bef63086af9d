// The peer network: peer groups, their meetings and registers, crisis plans; members are never discharged.
import type { CoproduceModule } from '../../platform/module.ts';
import { takingPart } from '../../platform/tenancy.ts';
import { networkApi } from './api.ts';
import { calendarFeeds } from './calendar-routes.ts';
import { networkRoutes } from './routes.ts';
import { acceptIntoNetwork, personData, remindTomorrowsMeetings, scheduleAllMeetings } from './service.ts';

export const peerNetwork: CoproduceModule = {
  name: 'peer-network',
  plugins: [
    { plugin: networkRoutes, prefix: '/c/:community/network' },
    { plugin: calendarFeeds, prefix: '/calendars' },
    { plugin: networkApi, prefix: '/api/v1/communities/:community' },
  ],
  personData,
  // The person is a member of the peer network from then on: never discharged.
  acceptance: { peer_network: acceptIntoNetwork },
  navigation: [{ key: 'nav.network', path: '/network', roles: takingPart, kind: 'peer_network', order: 40 }],
  scheduledJobs: ({ config }) => [
    // Every night: each peer group's meetings for the weeks ahead, from its weekly time.
    { name: 'network-schedule-meetings', cron: '20 0 * * *', run: (owner) => scheduleAllMeetings(owner) },
    // Every morning: people coming to tomorrow's meetings (and the groups' usual members) are reminded, once.
    {
      name: 'network-meeting-reminders',
      cron: '0 10 * * *',
      run: (owner) => remindTomorrowsMeetings(owner, config.publicUrl, config.notify !== undefined),
    },
  ],
};
