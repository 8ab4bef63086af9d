import type { Config } from './platform/config.ts';
import type { Databases } from './platform/db/index.ts';
import { postgresSessionStore } from './platform/auth/session-store.ts';

/** What the routes depend on (configuration, the two database connections, the session store), built in one place. */
export function createDependencies({ config, databases }: { config: Config; databases: Databases }) {
  return {
    config,
    /** Row-level security applies: every request's queries go here. */
    db: databases.app,
    /** The owner: platform-wide work only (platform admin, jobs, sessions). */
    owner: databases.owner,
    sessionStore: postgresSessionStore(databases.owner, config.sessionIdleMinutes),
    notifyConfigured: config.notify !== undefined,
    publicUrl: config.publicUrl,
  };
}

export type Dependencies = ReturnType<typeof createDependencies>;
