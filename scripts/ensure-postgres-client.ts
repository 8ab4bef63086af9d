// Backups and their test use PostgreSQL's own pg_dump and pg_restore, from Debian's
// postgresql-client-15 (the same major as the bundled server). Installed here when missing.
import { execFileSync } from 'node:child_process';

function found(): boolean {
  try {
    execFileSync('pg_dump', ['--version'], { stdio: 'ignore' });
    execFileSync('pg_restore', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

if (!found()) {
  if (process.getuid?.() !== 0) {
    process.stderr.write(
      'pg_dump and pg_restore are missing. Install them with:\n\n  sudo apt-get update && sudo apt-get install -y postgresql-client-15\n\n',
    );
    process.exit(1);
  }
  process.stdout.write("pg_dump is missing: installing Debian's postgresql-client-15 package…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'postgresql-client-15'], {
    stdio: 'inherit',
    env,
  });
  if (!found()) {
    process.stderr.write('pg_dump is still missing after installing postgresql-client-15.\n');
    process.exit(1);
  }
}
