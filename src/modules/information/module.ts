// The information pages: what Coproduce is, privacy, accessibility, cookies.
import type { CoproduceModule } from '../../platform/module.ts';
import { informationPages } from './routes.ts';

export const information: CoproduceModule = {
  name: 'information',
  plugins: [{ plugin: informationPages }],
};
