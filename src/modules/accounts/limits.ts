// Signing in, registering and asking for links: how many tries an address may make a minute,
// on top of each account's own lock.
import type { Config } from '../../platform/config.ts';

export const signInLimit = (config: Pick<Config, 'signInRateLimit'>) => ({
  rateLimit: { max: config.signInRateLimit, timeWindow: 60_000 },
});
