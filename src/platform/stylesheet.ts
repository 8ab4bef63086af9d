import { compileStringAsync } from 'sass';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { isNotNull, sql } from 'drizzle-orm';
import type { FastifyBaseLogger } from 'fastify';
import type { Database } from './db/index.ts';
import { communities } from './db/schema.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const frontend = path.join(root, 'node_modules/nhsuk-frontend/dist');

/** The default brand colour when a community has none: NHS.UK frontend's own blue. */
export const defaultBrandColour = '#005eb8';

/** The Sass a community's stylesheet is compiled from. */
function sassFor(colour: string): string {
  return `
      @use "nhsuk/core/settings" with (
        $nhsuk-include-font-face: false,
        $nhsuk-font-family: (system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif),
        $nhsuk-brand-colour: ${colour}
      );
      @use "nhsuk";
      @use "sass:color";
      .app-header__community { color: #fff; font-weight: 600; font-size: 1.375rem; text-decoration: none; }
      .app-header__community:hover { text-decoration: underline; }
      .app-header__community:focus { color: #212b32; }
      .app-language-switcher { margin: 0; padding: 8px 0; list-style: none; display: flex; gap: 16px; flex-wrap: wrap; }
      .app-language-switcher li { margin: 0; }
      .app-inline-form { display: inline; }
      .app-break-anywhere { overflow-wrap: anywhere; }
      /* On a phone the account bar is one row, so the first screen keeps what the page is for. */
      @media (max-width: 40.0525em) {
        .nhsuk-header__account-list { flex-wrap: nowrap; }
        .nhsuk-header__account-item { flex: 0 1 auto; min-width: 0; }
        .nhsuk-header__account-link, .nhsuk-header__account-button { padding: 10px 8px; font-size: 0.9375rem; overflow-wrap: anywhere; }
      }
      @media print {
        .app-no-print, .nhsuk-header, .nhsuk-footer, .app-language-switcher, .nhsuk-skip-link, .nhsuk-back-link { display: none !important; }
        .app-print-page a { text-decoration: none; color: inherit; }
      }
      .app-outbox-body, .app-pre-wrap { white-space: pre-wrap; overflow-wrap: anywhere; }
      .app-link-button { background: none; border: 0; padding: 0; color: inherit; font: inherit; text-decoration: underline; cursor: pointer; }
      .app-honeypot { position: absolute; left: -10000px; width: 1px; height: 1px; overflow: hidden; }
      .app-nowrap { white-space: nowrap; }
      .app-reference { font-size: 2.5rem; letter-spacing: 0.1em; }
      .app-button-group { display: flex; flex-wrap: wrap; gap: 0 16px; }
      .app-register { list-style: none; margin: 0 0 24px; padding: 0; }
      .app-register__line { display: flex; align-items: center; justify-content: space-between; gap: 12px; padding: 8px 0; border-bottom: 1px solid #d8dde0; }
      .app-register__line form { margin: 0; flex: none; }
      .app-register__name { overflow-wrap: anywhere; }
      .app-register__button { margin: 0 !important; min-width: 7.5rem; min-height: 48px; }
      .app-pre-line { white-space: pre-line; }
      .app-status-tabs { margin: 0; padding: 0; list-style: none; display: flex; flex-wrap: wrap; gap: 8px 24px; }
      .app-status-tabs li { margin: 0; }
      .app-queue__row--overdue { background: #fde8e7; }
      .app-timeline { list-style: none; margin: 0 0 32px; padding: 0 0 0 24px; border-left: 4px solid #aeb7bd; }
      .app-timeline__item { position: relative; margin: 0 0 24px; }
      .app-timeline__item::before { content: ""; position: absolute; left: -34px; top: 4px; width: 16px; height: 16px; border-radius: 50%; background: #fff; border: 4px solid #4c6272; }
      .app-timeline__item--highlight::before { background: #007f3b; border-color: #007f3b; }
      .app-timeline__date { display: block; font-size: 1rem; color: #4c6272; }
      .app-timeline__text { display: block; font-weight: 600; }
      .app-timeline__note { display: block; }
      .app-ladder { list-style: none; margin: 0 0 32px; padding: 0; display: grid; grid-template-columns: repeat(auto-fit, minmax(140px, 1fr)); gap: 8px; }
      .app-ladder__step { margin: 0; padding: 16px; border: 2px solid #aeb7bd; background: #fff; border-radius: 4px; }
      .app-ladder__step--reached { border-color: #007f3b; background: #e6f4ec; }
      .app-ladder__step--current { border-width: 4px; }
      .app-ladder__name { display: block; font-weight: 700; font-size: 1.1875rem; }
      .app-ladder__when { display: block; font-size: 1rem; }
      @media (min-width: 641px) { .app-ladder__step { min-height: 120px; } }
`;
}

const frontendVersion = (
  JSON.parse(readFileSync(path.join(root, 'node_modules/nhsuk-frontend/package.json'), 'utf8')) as { version: string }
).version;

/**
 * What every compiled stylesheet depends on besides its colour (NHS.UK frontend's version and our
 * Sass), as a short hash: it is in each stylesheet's address, so a browser may keep one for a
 * year and a release that changes any of it gets new addresses.
 */
export const stylesheetVersion = createHash('sha256')
  .update(`${frontendVersion}\n${sassFor('#000000')}`)
  .digest('hex')
  .slice(0, 12);

const compiled = new Map<string, Promise<string>>();

/**
 * Compiles NHS.UK frontend's Sass with system fonts (never the NHS font) and the
 * community's brand colour. Cached per colour: each colour is compiled once a process.
 */
export function stylesheetFor(brandColour: string): Promise<string> {
  const colour = /^#[0-9a-f]{6}$/i.test(brandColour) ? brandColour.toLowerCase() : defaultBrandColour;
  let css = compiled.get(colour);
  if (!css) {
    css = compileStringAsync(sassFor(colour), {
      loadPaths: [frontend],
      style: 'compressed',
      quietDeps: true,
      silenceDeprecations: ['import'],
    }).then(
      (result) => result.css,
      (error: unknown) => {
        compiled.delete(colour);
        throw error;
      },
    );
    compiled.set(colour, css);
  }
  return css;
}

/** Compiles every community's stylesheet, one after another, in the background. */
export async function warmStylesheets(db: Database, log: FastifyBaseLogger): Promise<void> {
  try {
    const colours = await db
      .selectDistinct({ colour: communities.brandColour })
      .from(communities)
      .where(isNotNull(communities.brandColour));
    for (const { colour } of colours) if (colour) await stylesheetFor(colour);
  } catch (error) {
    log.warn({ err: error }, 'could not compile community stylesheets ahead of time');
  }
}

/**
 * Only the default colour and colours a community uses are compiled on request: anything else
 * would let anyone make the server compile Sass for ever.
 */
export async function isColourInUse(db: Database, brandColour: string): Promise<boolean> {
  const colour = brandColour.toLowerCase();
  if (colour === defaultBrandColour || compiled.has(colour)) return true;
  const [found] = await db
    .select({ id: communities.id })
    .from(communities)
    .where(sql`lower(${communities.brandColour}) = ${colour}`)
    .limit(1);
  return found !== undefined;
}
