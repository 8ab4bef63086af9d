// Brings a backup back into an empty database: `npm run restore -- FILE`.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { asCommand, installDatabase, restoreDatabase } from '../src/platform/db/install.ts';

await asCommand(async (config) => {
  const given = process.argv[2];
  if (!given) throw new Error('Say which backup: npm run restore -- backups/coproduce-….dump');
  const file = path.resolve(given);
  if (!existsSync(file)) throw new Error(`There is no file ${file}.`);
  const database = await installDatabase(config);
  try {
    await restoreDatabase(database.url, file);
  } finally {
    await database.close();
  }
  return `Restored ${file}. Start Coproduce with: npm start`;
});
