// People: each community's records of the people it supports, their consent and their own pages.
import type { CoproduceModule } from '../../platform/module.ts';
import { peopleApi } from './api.ts';
import { peoplePages } from './routes.ts';
import { ownRecordId, personData } from './service.ts';

export const people: CoproduceModule = {
  name: 'people',
  plugins: [
    { plugin: peoplePages, prefix: '/c/:community' },
    { plugin: peopleApi, prefix: '/api/v1/communities/:community' },
  ],
  personData,
  navigation: [{ key: 'nav.people', path: '/people', roles: ['admin', 'coordinator'], order: 80 }],
  askerRecord: ownRecordId,
};
