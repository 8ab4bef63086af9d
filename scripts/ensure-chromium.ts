// Browser journeys drive the system's Chromium (Debian's `chromium` package); no browser is downloaded.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

function install(): void {
  const asRoot = process.getuid?.() === 0;
  if (!asRoot) {
    process.stderr.write(
      `Chromium is missing at ${chromiumPath}. Install it with:\n\n  sudo apt-get update && sudo apt-get install -y chromium\n\n`,
    );
    process.exit(1);
  }
  process.stdout.write("Chromium is missing: installing Debian's chromium package…\n");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  execFileSync('apt-get', ['update'], { stdio: 'inherit', env });
  execFileSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium', 'fonts-dejavu-core'], {
    stdio: 'inherit',
    env,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  if (!existsSync(chromiumPath)) install();
  if (!existsSync(chromiumPath)) {
    process.stderr.write(`Chromium is still missing at ${chromiumPath}.\n`);
    process.exit(1);
  }
}
