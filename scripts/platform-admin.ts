// Makes someone a platform admin: `npm run platform-admin -- someone@example.org ["Their name"]`.
// The way into a new install (production starts empty); an existing account is promoted.
import { makePlatformAdmin } from '../src/modules/accounts/service.ts';
import { applyMigrations, connect } from '../src/platform/db/index.ts';
import { asCommand, installDatabase } from '../src/platform/db/install.ts';

await asCommand(async (config) => {
  const [email, name] = process.argv.slice(2);
  if (!email) throw new Error('Say whose account: npm run platform-admin -- someone@example.org ["Their name"]');
  const database = await installDatabase(config);
  // As the owner only: a new install's tables are made, and the application role is left as the running app set it.
  const databases = connect(database.url, { appUrl: database.url });
  await applyMigrations(databases.ownerPool);
  try {
    const made = await makePlatformAdmin(
      databases.owner,
      { email, displayName: name },
      config.publicUrl,
      config.notify !== undefined,
    );
    return made.created
      ? `Made an account for ${email}, a platform admin. Send them this link to choose a password (it works once, for a day; it is in the outbox too):\n\n  ${made.link}\n\nAt their first sign-in they turn on two-step sign-in.`
      : `${email} is now a platform admin. At their next sign-in they turn on two-step sign-in if they have not.`;
  } finally {
    await databases.close();
    await database.close();
  }
});
