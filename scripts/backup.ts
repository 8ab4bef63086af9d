// A consistent copy of the install's database: `npm run backup [-- FILE]` (pg_dump's custom format).
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { asCommand, backupDatabase, installDatabase } from '../src/platform/db/install.ts';

await asCommand(async (config) => {
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  const file = path.resolve(process.argv[2] ?? path.join('backups', `coproduce-${stamp}.dump`));
  mkdirSync(path.dirname(file), { recursive: true });
  const database = await installDatabase(config);
  try {
    await backupDatabase(database.url, file);
  } finally {
    await database.close();
  }
  return `Backed up to ${file}. Restore it with: npm run restore -- ${file}`;
});
