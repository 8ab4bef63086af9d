import type { Config } from './platform/config.ts';
import type { Databases } from './platform/db/index.ts';
import type { AcceptanceHandlers, ModuleDependencies } from './platform/module.ts';
import type { PersonDataSource } from './platform/person-data.ts';

/** What the modules' plugins depend on (configuration, the two database connections, what the modules declared), built in one place. */
export function createDependencies({
  config,
  databases,
  personData,
  acceptance,
}: {
  config: Config;
  databases: Databases;
  personData: readonly PersonDataSource[];
  acceptance: AcceptanceHandlers;
}): ModuleDependencies {
  return {
    config,
    db: databases.app,
    owner: databases.owner,
    notifyConfigured: config.notify !== undefined,
    publicUrl: config.publicUrl,
    personData,
    acceptance,
  };
}

export type Dependencies = ModuleDependencies;
