// Takes full-page screenshots of pages as a person sees them: `npm run screenshot -- [--as email] [--width 375] /path …`
import { chromium } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import * as OTPAuth from 'otpauth';
import { demoTwoStepKey } from '../src/demo/sign-ins.ts';
import { chromiumPath } from './ensure-chromium.ts';

const args = process.argv.slice(2);
const base = process.env.BASE_URL ?? 'http://localhost:3000';
let as: string | undefined;
let width = 1024;
const paths: string[] = [];
for (let index = 0; index < args.length; index += 1) {
  if (args[index] === '--as') as = args[++index];
  else if (args[index] === '--width') width = Number(args[++index]) || width;
  else paths.push(args[index] ?? '/');
}
mkdirSync('test-results/screenshots', { recursive: true });
const browser = await chromium.launch({
  executablePath: chromiumPath,
  args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
});
const context = await browser.newContext({ viewport: { width, height: 800 } });
const page = await context.newPage();
if (as) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('Email address').fill(as);
  await page.getByLabel('Password', { exact: true }).fill(process.env.PASSWORD ?? 'demo-password-1');
  await page.getByRole('button', { name: 'Sign in' }).click();
  // The demo platform admin signs in with two steps: type the code its published key gives.
  if (page.url().endsWith('/sign-in/two-factor')) {
    const totp = new OTPAuth.TOTP({
      secret: OTPAuth.Secret.fromBase32(process.env.TWO_STEP_KEY ?? demoTwoStepKey),
      digits: 6,
      period: 30,
    });
    await page.getByLabel('Security code').fill(totp.generate());
    await page.getByRole('button', { name: 'Continue' }).click();
  }
}
for (const path of paths) {
  await page.goto(`${base}${path}`);
  const file = `test-results/screenshots/${(as ?? 'anon').split('@')[0]}${path.replace(/[^a-z0-9]+/gi, '_')}.png`;
  await page.screenshot({ path: file, fullPage: true });
  process.stdout.write(`${file}\n`);
}
await browser.close();
