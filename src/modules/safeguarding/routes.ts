import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { concernParams, readers } from './asker.ts';
import * as service from './service.ts';

/** The community's concerns pages, where each page's form goes next. */
const concernsIn = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/concerns`;

/** Safeguarding's pages, under /c/:community/concerns: raising a concern, and the leads' restricted list, records and action log. */
export async function concernPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();

  const raisePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    // Raised from a person's record, the concern names them.
    const personId =
      typeof values.personRecordId === 'string' && values.personRecordId ? values.personRecordId : undefined;
    const person = personId
      ? await inRequestCommunity(dependencies, request, (tx, community) =>
          service.recordRaisedAbout(tx, community.id, request.asker, personId),
        ).catch(() => undefined)
      : undefined;
    return render(
      request,
      reply,
      'safeguarding/views/raise.njk',
      {
        pageTitle: request.t('concerns.raise.title'),
        values: { ...values, about: values.about ?? person?.preferredName },
        aboutRecord: person,
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/new',
    {
      config: { access: access.anyMember },
      schema: { params: communityParams, querystring: z.object({ person: z.uuid().optional().catch(undefined) }) },
    },
    async (request, reply) => raisePage(request, reply, { personRecordId: request.query.person }),
  );
  app.post(
    '/new',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.newConcern,
        page: (values, errors) => raisePage(request, reply, values, errors),
        // Sent twice, one concern (and one message to the leads).
        once: { db: dependencies.db, accountId: actorId },
        save: async (data) => {
          const raised = await inRequestCommunity(dependencies, request, (tx, community) =>
            service.raiseConcern(tx, community, actorId, data, dependencies),
          );
          request.session.concernRaised = { dangerNow: raised.dangerNow };
        },
        next: `${concernsIn(request)}/sent`,
      });
    },
  );
  app.get(
    '/sent',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const raised = request.session.concernRaised;
      request.session.concernRaised = undefined;
      return render(request, reply, 'safeguarding/views/sent.njk', {
        pageTitle: request.t('concerns.sent.title'),
        dangerNow: raised?.dangerNow ?? false,
      });
    },
  );

  app.get(
    '/mine',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const raised = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.concernsRaisedBy(tx, community.id, actorId),
      );
      return render(request, reply, 'safeguarding/views/mine.njk', {
        pageTitle: request.t('concerns.mine.title'),
        raised,
      });
    },
  );
  app.get('', { config: { access: readers }, schema: { params: communityParams } }, async (request, reply) => {
    const actorId = actorOf(request);
    const concerns = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.listConcerns(tx, community.id, actorId),
    );
    return render(request, reply, 'safeguarding/views/list.njk', {
      pageTitle: request.t('concerns.list.title'),
      concerns,
      flash: takeFlash(request),
    });
  });
  const concernPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof concernParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const actorId = actorOf(request);
    const read = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.readConcern(tx, community.id, request.params.concernId, actorId),
    );
    return render(
      request,
      reply,
      'safeguarding/views/concern.njk',
      {
        pageTitle: request.t('concerns.concern.title', { about: read.concern.about }),
        ...read,
        values,
        errors,
        statusItems: choices(
          request,
          'concerns.statuses',
          service.concernStatuses,
          values.statusTo ?? read.concern.status,
        ),
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/:concernId', { config: { access: readers }, schema: { params: concernParams } }, async (request, reply) =>
    concernPage(request, reply),
  );
  app.post(
    '/:concernId/actions',
    { config: { access: readers }, schema: { params: concernParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.concernAction,
        page: (values, errors) => concernPage(request, reply, values, errors),
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.addAction(tx, community.id, request.params.concernId, actorId, data),
          ),
        flash: request.t('concerns.concern.saved'),
        next: `${concernsIn(request)}/${request.params.concernId}`,
      });
    },
  );

  // Linking a concern to the person's record, found by search (a concern may be raised before anyone knows which record).
  const linkPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof concernParams> }>,
    reply: FastifyReply,
    q: string,
    errors?: FieldError[],
  ) => {
    const actorId = actorOf(request);
    const page = await inRequestCommunity(dependencies, request, async (tx, community) => ({
      read: await service.readConcern(tx, community.id, request.params.concernId, actorId),
      records: q ? await service.recordsToLink(tx, community.id, q) : [],
    }));
    return render(
      request,
      reply,
      'safeguarding/views/link.njk',
      {
        pageTitle: request.t('concerns.link.title', { about: page.read.concern.about }),
        concern: page.read.concern,
        records: page.records,
        q,
        searched: q !== '',
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/:concernId/person',
    {
      config: { access: readers },
      schema: { params: concernParams, querystring: z.object({ q: z.string().max(100).optional().catch(undefined) }) },
    },
    async (request, reply) => linkPage(request, reply, request.query.q?.trim() ?? ''),
  );
  app.post(
    '/:concernId/person',
    { config: { access: readers }, schema: { params: concernParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.personLink,
        page: (_values, errors) => linkPage(request, reply, String(body.q ?? ''), errors),
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.linkPerson(tx, community.id, request.params.concernId, actorId, data.personRecordId, (linked) =>
              request.t('concerns.link.logNote', { number: linked.number }),
            ),
          ),
        flash: request.t('concerns.link.linkedFlash'),
        next: `${concernsIn(request)}/${request.params.concernId}`,
      });
    },
  );
}

declare module 'fastify' {
  interface Session {
    /** The concern just raised, for the page after it. */
    concernRaised?: { dangerNow: boolean };
  }
}
