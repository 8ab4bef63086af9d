import type { FastifyInstance } from 'fastify';
import { access } from '../../platform/auth/access.ts';
import { render } from '../../platform/views/index.ts';

/** The accessibility statement, privacy notice and cookies page every service needs. */
export async function informationPages(app: FastifyInstance): Promise<void> {
  for (const page of ['accessibility', 'privacy', 'cookies'] as const) {
    app.get(`/${page}`, { config: { access: access.public } }, async (request, reply) =>
      render(request, reply, `pages/${page}.njk`, { pageTitle: request.t(`${page}.title`) }),
    );
  }
}
