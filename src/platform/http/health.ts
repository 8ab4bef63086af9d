import type { FastifyInstance } from 'fastify';
import { access } from '../auth/access.ts';
import { type Databases, migrationsApplied } from '../db/index.ts';

/** `/healthz`: the process is up. `/readyz`: the database answers and every migration is applied. */
export async function healthRoutes(app: FastifyInstance, options: { databases: Databases }): Promise<void> {
  app.get('/healthz', { config: { access: access.public }, logLevel: 'warn' }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { access: access.public }, logLevel: 'warn' }, async (request, reply) => {
    try {
      if (await migrationsApplied(options.databases.owner)) return { status: 'ready' };
      return reply.code(503).send({ status: 'migrations pending' });
    } catch (error) {
      request.log.warn({ err: error }, 'not ready: the database did not answer');
      return reply.code(503).send({ status: 'database unreachable' });
    }
  });
}
