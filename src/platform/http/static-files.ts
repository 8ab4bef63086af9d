import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { access } from '../auth/access.ts';
import { isColourInUse, stylesheetFor, stylesheetVersion } from '../stylesheet.ts';
import type { Database } from '../db/index.ts';
import { notFound } from './problems.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const frontend = path.join(root, 'node_modules/nhsuk-frontend/dist/nhsuk');

const fingerprint = (content: string | Buffer) => createHash('sha256').update(content).digest('hex').slice(0, 12);

/** A file whose address holds a hash of its content: a browser keeps it for a year, unasked. */
const forAYear = 'public, max-age=31536000, immutable';

const frontendScript = readFileSync(path.join(frontend, 'nhsuk-frontend.min.js'));
const frontendScriptVersion = fingerprint(frontendScript);
// Our script imports NHS.UK frontend's by its fingerprinted address, so both are kept a year.
const startScript = readFileSync(path.join(root, 'public/js/start.js'), 'utf8').replace(
  "'/assets/js/nhsuk-frontend.min.js'",
  `'/assets/js/${frontendScriptVersion}/nhsuk-frontend.min.js'`,
);
const startScriptVersion = fingerprint(startScript);

/** The fingerprinted addresses every page's layout links to. */
export const assetAddresses = {
  startScript: `/assets/js/${startScriptVersion}/start.js`,
  frontendScript: `/assets/js/${frontendScriptVersion}/nhsuk-frontend.min.js`,
  stylesheet: (colour: string) => `/assets/css/${stylesheetVersion}/coproduce-${colour}.css`,
};

/** NHS.UK frontend's assets and script, the compiled stylesheet for each brand colour, and our own script. */
export async function setUpStaticFiles(app: FastifyInstance, db: Database): Promise<void> {
  await app.register(async (files) => {
    // Static files are for everyone: declare it on the routes the plugin makes.
    files.addHook('onRoute', (route) => {
      route.config = { ...route.config, access: access.public };
    });
    await files.register(fastifyStatic, {
      root: path.join(frontend, 'assets'),
      prefix: '/assets/',
      maxAge: '1d',
      // The NHS icons are the NHS's own; Coproduce is not an NHS service.
      allowedPath: (pathName) => !pathName.includes('favicon') && !pathName.includes('nhsuk-icon'),
    });
    await files.register(fastifyStatic, {
      root: path.join(root, 'public'),
      prefix: '/public/',
      decorateReply: false,
      maxAge: '1h',
    });
    files.get('/assets/js/nhsuk-frontend.min.js', { schema: { hide: true } }, (_request, reply) =>
      reply.header('cache-control', 'public, max-age=86400').sendFile('nhsuk-frontend.min.js', frontend),
    );
  });
  const script = (
    address: '/assets/js/:version/start.js' | '/assets/js/:version/nhsuk-frontend.min.js',
    version: string,
    content: string | Buffer,
  ) =>
    app.get(
      address,
      { config: { access: access.public }, schema: { params: z.object({ version: z.string() }), hide: true } },
      async (request, reply) => {
        // Another release's address: not this content, so it must not be kept as if it were.
        if ((request.params as { version: string }).version !== version) throw notFound();
        return reply.type('text/javascript; charset=utf-8').header('cache-control', forAYear).send(content);
      },
    );
  script('/assets/js/:version/start.js', startScriptVersion, startScript);
  script('/assets/js/:version/nhsuk-frontend.min.js', frontendScriptVersion, frontendScript);
  app.get(
    '/assets/css/:version/coproduce-:colour.css',
    {
      config: { access: access.public },
      schema: { params: z.object({ version: z.string(), colour: z.string().regex(/^[0-9a-f]{6}$/i) }), hide: true },
    },
    async (request, reply) => {
      const { version, colour } = request.params as { version: string; colour: string };
      if (version !== stylesheetVersion || !(await isColourInUse(db, `#${colour}`))) throw notFound();
      const css = await stylesheetFor(`#${colour}`);
      return reply.type('text/css; charset=utf-8').header('cache-control', forAYear).send(css);
    },
  );
  // The addresses without a fingerprint, for pages a browser kept from before: an hour.
  app.get(
    '/assets/css/coproduce-:colour.css',
    {
      config: { access: access.public },
      schema: { params: z.object({ colour: z.string().regex(/^[0-9a-f]{6}$/i) }), hide: true },
    },
    async (request, reply) => {
      const { colour } = request.params as { colour: string };
      if (!(await isColourInUse(db, `#${colour}`))) throw notFound();
      const css = await stylesheetFor(`#${colour}`);
      return reply.type('text/css; charset=utf-8').header('cache-control', 'public, max-age=3600').send(css);
    },
  );
  // No icon (the NHS's is not ours), and browsers need not ask again for a day.
  app.get('/favicon.ico', { config: { access: access.public }, schema: { hide: true } }, (_request, reply) =>
    reply.code(204).header('cache-control', 'public, max-age=86400').send(),
  );
}
