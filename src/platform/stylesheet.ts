import { compileStringAsync } from 'sass';
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

const compiled = new Map<string, Promise<string>>();

/**
 * Compiles NHS.UK frontend's Sass with system fonts (never the NHS font) and the
 * community's brand colour. Cached per colour: each colour is compiled once a process.
 */
export function stylesheetFor(brandColour: string): Promise<string> {
  const colour = /^#[0-9a-f]{6}$/i.test(brandColour) ? brandColour.toLowerCase() : defaultBrandColour;
  let css = compiled.get(colour);
  if (!css) {
    css = compileStringAsync(
      `
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
      .app-outbox-body { white-space: pre-wrap; }
      .app-link-button { background: none; border: 0; padding: 0; color: inherit; font: inherit; text-decoration: underline; cursor: pointer; }
      `,
      { loadPaths: [frontend], style: 'compressed', quietDeps: true, silenceDeprecations: ['import'] },
    ).then(
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
    const colours = await db.selectDistinct({ colour: communities.brandColour }).from(communities).where(isNotNull(communities.brandColour));
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
  const [found] = await db.select({ id: communities.id }).from(communities).where(sql`lower(${communities.brandColour}) = ${colour}`).limit(1);
  return found !== undefined;
}
