// Sign-in accounts: registering, signing in, two-step sign-in, API tokens.
import type { CoproduceModule } from '../../platform/module.ts';
import { accountPages } from './account-routes.ts';
import { accountApi } from './api.ts';
import { signInPages } from './routes.ts';

export const accounts: CoproduceModule = {
  name: 'accounts',
  plugins: [
    { plugin: signInPages },
    { plugin: accountPages, prefix: '/account' },
    { plugin: accountApi, prefix: '/api/v1' },
  ],
};
