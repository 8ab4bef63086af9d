import AxeBuilder from '@axe-core/playwright';
import { test as base, expect, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import pg from 'pg';

import { demoPassword } from '../../src/demo/sign-ins.ts';

export { demoPassword };

/** Every journey's page comes from its own context, and no request may leave this machine. */
export const test = base.extend({
  context: async ({ context }, use) => {
    await context.route('**/*', (route) => {
      const { hostname } = new URL(route.request().url());
      return hostname === 'localhost' || hostname === '127.0.0.1' ? route.continue() : route.abort();
    });
    await use(context);
  },
});
export { expect };

// A scan takes one to two seconds: the same page in the same state (its route, with ids as
// `:id`; its language; error summary shown or not; who is looking) is scanned once per run,
// whichever worker meets it first. The list is kept beside the run's database address.
const scannedFile = () =>
  `test-results/accessibility-scanned-${createHash('sha256').update(readFileSync('test-results/e2e-database-url', 'utf8')).digest('hex').slice(0, 12)}.txt`;
const wasScanned = (state: string) =>
  existsSync(scannedFile()) && readFileSync(scannedFile(), 'utf8').split('\n').includes(state);
const uuid = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g;

/** Checks the page is the one expected (its heading) and has no accessibility violations. */
export async function expectPage(
  page: Page,
  heading: string | RegExp,
  options: { scan?: boolean } = {},
): Promise<void> {
  await page.waitForLoadState('load');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(heading);
  await expect(page.locator('h1')).toHaveCount(1);
  const state = [
    new URL(page.url()).pathname.replace(uuid, ':id'),
    await page.locator('html').getAttribute('lang'),
    await page.locator('.nhsuk-error-summary').count(),
    (await page.locator('.nhsuk-header__account').textContent())?.replace(/\s+/g, ' ').trim(),
  ].join('|');
  if (options.scan === false || wasScanned(state)) return;
  appendFileSync(scannedFile(), `${state}\n`);
  const results = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'])
    .analyze();
  expect(
    results.violations.map(
      (violation) =>
        `${violation.id}: ${violation.help} (${violation.nodes.map((node) => node.target.join(' ')).join(', ')})`,
    ),
  ).toEqual([]);
}

/** Reads the outbox the way an admin would, to follow a link sent by email. */
export async function lastMessageTo(recipient: string, template?: string): Promise<{ subject: string; body: string }> {
  const client = new pg.Client({ connectionString: readFileSync('test-results/e2e-database-url', 'utf8') });
  await client.connect();
  try {
    const result = await client.query(
      'select subject, body from outbox where recipient = $1 and ($2::text is null or template = $2) order by created_at desc limit 1',
      [recipient, template ?? null],
    );
    const message = result.rows[0] as { subject: string; body: string } | undefined;
    if (!message) throw new Error(`no message to ${recipient}`);
    return message;
  } finally {
    await client.end();
  }
}

export function linkIn(body: string): string {
  const match = /https?:\/\/\S+/.exec(body);
  if (!match) throw new Error('no link in the message');
  return new URL(match[0]).pathname;
}

/** A fresh email address for each run, so that journeys never collide. */
export function uniqueEmail(name: string): string {
  return `${name}.${Date.now()}.${Math.floor(Math.random() * 1e6)}@example.net`;
}
