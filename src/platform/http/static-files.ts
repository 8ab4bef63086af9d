import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { z } from 'zod';
import { access } from '../auth/access.ts';
import { isColourInUse, stylesheetFor } from '../stylesheet.ts';
import type { Database } from '../db/index.ts';
import { notFound } from './problems.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));
const frontend = path.join(root, 'node_modules/nhsuk-frontend/dist/nhsuk');

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
  app.get('/favicon.ico', { config: { access: access.public }, schema: { hide: true } }, (_request, reply) =>
    reply.code(204).send(),
  );
}
