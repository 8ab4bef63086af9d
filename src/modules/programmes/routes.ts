import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, communityToVisit, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type CommunityTransaction, inCommunity } from '../../platform/tenancy.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { programmeParams } from './asker.ts';
import * as service from './service.ts';

/** A community's programmes, under /c/:community/programmes: admins and coordinators see every one; admins create and change them. */
export async function programmePages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  const kindItems = (request: FastifyRequest, chosen: unknown) =>
    service.programmeKinds.map((kind) => ({
      value: kind,
      text: request.t(`programmes.kinds.${kind}.name`),
      hint: { text: request.t(`programmes.kinds.${kind}.hint`) },
      checked: chosen === kind,
    }));
  const statusItems = (request: FastifyRequest, chosen: unknown) =>
    (['open', 'closed'] as const).map((status) => ({
      value: status,
      text: request.t(`programmes.status.${status}`),
      checked: (chosen ?? 'open') === status,
    }));
  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    programmeId?: string,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'programmes/views/form.njk',
      {
        pageTitle: request.t(programmeId ? 'programmes.edit.title' : 'programmes.new.title'),
        values,
        programmeId,
        kindItems: kindItems(request, values.kind),
        statusItems: statusItems(request, values.status),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  /** Saves the programme form: a new programme, or changes to the one given; a mistake shows the form again. */
  const saveProgramme = (
    request: FastifyRequest<{ Params: { community: string } }>,
    reply: FastifyReply,
    programmeId: string | undefined,
    save: (
      tx: CommunityTransaction,
      communityId: string,
      actorId: string,
      data: z.infer<typeof service.programmeDetails>,
    ) => Promise<{ name: string }>,
  ) => {
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: service.programmeDetails,
      page: (values, errors) => formPage(request, reply, values, programmeId, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inRequestCommunity(dependencies, request, (tx, community) => save(tx, community.id, actorId, data)),
      flash: (saved) => request.t(programmeId ? 'programmes.edit.done' : 'programmes.new.done', { name: saved.name }),
      next: `/c/${request.params.community}/programmes`,
    });
  };

  // Admins and coordinators see every programme; admins create and change them.
  app.get(
    '',
    { config: { access: access.roles('admin', 'coordinator') }, schema: { params: communityParams } },
    async (request, reply) => {
      const all = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listProgrammes(tx, community.id, { openOnly: false }),
      );
      return render(request, reply, 'programmes/views/list.njk', {
        pageTitle: request.t('programmes.list.title'),
        programmes: all,
        flash: takeFlash(request),
      });
    },
  );
  app.get(
    '/new',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => formPage(request, reply, { status: 'open' }),
  );
  app.post(
    '/new',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => saveProgramme(request, reply, undefined, service.createProgramme),
  );
  app.get(
    '/:programmeId/edit',
    { config: { access: access.roles('admin') }, schema: { params: programmeParams } },
    async (request, reply) => {
      const programme = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.getProgramme(tx, community.id, request.params.programmeId),
      );
      return formPage(request, reply, { ...programme }, programme.id);
    },
  );
  app.post(
    '/:programmeId/edit',
    { config: { access: access.roles('admin') }, schema: { params: programmeParams } },
    async (request, reply) => {
      const { programmeId } = request.params;
      return saveProgramme(request, reply, programmeId, (tx, communityId, actorId, data) =>
        service.updateProgramme(tx, communityId, actorId, programmeId, data),
      );
    },
  );
}

/** What a community offers and how to join, under /communities/:slug/programmes: for anyone. */
export async function publicProgrammePages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  // The public page: anyone can see what a community offers and how to join.
  app.get(
    '',
    { config: { access: access.public }, schema: { params: z.object({ slug: z.string().max(60) }) } },
    async (request, reply) => {
      const community = await communityToVisit(dependencies.db, request, request.params.slug);
      const open = await inCommunity(
        dependencies.db,
        { communityId: community.id, personId: request.person?.id ?? null },
        (tx) => service.listProgrammes(tx, community.id, { openOnly: true }),
      );
      return render(
        request,
        reply,
        'programmes/views/public.njk',
        {
          pageTitle: request.t('programmes.public.title', { community: community.name }),
          target: community,
          programmes: open,
        },
        { brandedAs: community },
      );
    },
  );
}
