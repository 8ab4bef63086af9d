// The journey pages: a person's own, and anyone's for coordinators.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { access } from '../../platform/auth/access.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { type Journey, ownJourney, recordParams, someonesJourney, toJourney } from './asker.ts';
import * as service from './service.ts';

/** The journey pages, under /c/:community: a timeline and the ladder from supported to leading. */
export async function journeyPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const page = (
    request: FastifyRequest,
    reply: FastifyReply,
    person: { id: string; preferredName: string },
    journey: Journey,
    own: boolean,
  ) =>
    render(request, reply, 'journey/views/journey.njk', {
      pageTitle: own ? request.t('journey.ownTitle') : request.t('journey.title', { name: person.preferredName }),
      own,
      subject: person,
      ...toJourney(person, journey),
      rungs: service.rungs,
      back: own ? `/c/${request.community?.slug}/me` : `/c/${request.community?.slug}/people/${person.id}`,
    });

  app.get(
    '/me/journey',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const { person, journey } = await ownJourney(dependencies, request);
      return page(request, reply, person, journey, true);
    },
  );
  // Coordinators see anyone's journey; modules that give other roles a person (a peer supporter's) add theirs.
  app.get(
    '/people/:recordId/journey',
    { config: { access: access.roles('coordinator', 'admin') }, schema: { params: recordParams } },
    async (request, reply) => {
      const { person, journey } = await someonesJourney(dependencies, request);
      return page(request, reply, person, journey, false);
    },
  );
}
