import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { access } from '../../platform/auth/access.ts';
import { render } from '../../platform/views/index.ts';

/** The accessibility statement, privacy notice and cookies page every service needs. */
export async function informationPages(app: FastifyInstance): Promise<void> {
  const page =
    (name: 'accessibility' | 'privacy' | 'cookies') => async (request: FastifyRequest, reply: FastifyReply) =>
      render(request, reply, `pages/${name}.njk`, { pageTitle: request.t(`${name}.title`) });
  app.get('/accessibility', { config: { access: access.public } }, page('accessibility'));
  app.get('/privacy', { config: { access: access.public } }, page('privacy'));
  app.get('/cookies', { config: { access: access.public } }, page('cookies'));
}
