// Sign-in accounts: registering, signing in, two-step sign-in, API tokens.
import type { CoproduceModule } from '../../platform/module.ts';
import { accountRoutes } from './routes.ts';

export const accounts: CoproduceModule = {
  name: 'accounts',
  plugins: [{ plugin: accountRoutes }],
};
