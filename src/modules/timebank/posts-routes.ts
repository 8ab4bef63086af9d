// Offers and requests, conversations and following categories: the pages, under /c/:community/timebank.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { formatISO, addMonths } from 'date-fns';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { decodeCursor, encodeCursor } from '../../platform/http/pagination.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as posts from './posts.ts';
import { conversationParams, exchangeContexts, pathIn, postParams, sideOrStaff, timebankWork } from './asker.ts';
import * as service from './service.ts';

const threeMonths = () => formatISO(addMonths(new Date(), 3), { representation: 'date' });

const browseQuery = z.object({
  kind: z.enum(posts.postKinds).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  category: z.uuid().optional().catch(undefined),
  place: z.enum(posts.postPlaces).optional().catch(undefined),
  near: z.enum(['yes']).optional().catch(undefined),
  cursor: z.string().max(500).optional(),
});

/** Offers and requests, conversations and following categories: the pages. */
export async function postPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inTimebank = timebankWork(dependencies);
  const context = exchangeContexts(dependencies);

  // ——— Finding offers and requests ———
  app.get(
    '/posts',
    // The session, the transaction, the asker's record and membership, the search, the categories.
    {
      config: { access: access.anyMember, queryBudget: 7 },
      schema: { params: communityParams, querystring: browseQuery },
    },
    async (request, reply) => {
      const { query } = request;
      const page = await inTimebank(request, async (tx, communityId, ownId) => {
        const member = ownId ? await service.memberOf(tx, communityId, ownId) : undefined;
        const found = await posts.searchPosts(tx, communityId, {
          kind: query.kind,
          q: query.q,
          categoryId: query.category,
          place: query.place,
          neighbourhood: query.near === 'yes' && member?.neighbourhood ? member.neighbourhood : undefined,
          after: decodeCursor(query.cursor, posts.postCursor),
          limit: 20,
        });
        return { found, member, categories: await service.listCategories(tx, communityId) };
      });
      const next = page.found.next
        ? `?${new URLSearchParams({ ...Object.fromEntries(Object.entries(query).filter(([key, value]) => key !== 'cursor' && value)), cursor: encodeCursor(page.found.next) } as Record<string, string>)}`
        : null;
      return render(request, reply, 'timebank/views/posts.njk', {
        pageTitle: request.t(
          query.kind === 'offer'
            ? 'timebank.posts.offersTitle'
            : query.kind === 'request'
              ? 'timebank.posts.requestsTitle'
              : 'timebank.posts.title',
        ),
        items: page.found.items,
        query,
        next,
        neighbourhood: page.member?.neighbourhood ?? '',
        kindItems: [
          { value: '', text: request.t('timebank.posts.both') },
          ...posts.postKinds.map((kind) => ({
            value: kind,
            text: request.t(`timebank.posts.kinds.${kind}s`),
            selected: query.kind === kind,
          })),
        ],
        categoryItems: [
          { value: '', text: request.t('timebank.posts.anyCategory') },
          ...page.categories.map((category) => ({
            value: category.id,
            text: category.name,
            selected: query.category === category.id,
          })),
        ],
        placeItems: [
          { value: '', text: request.t('timebank.posts.anyPlace') },
          ...posts.postPlaces.map((place) => ({
            value: place,
            text: request.t(`timebank.places.${place}`),
            selected: query.place === place,
          })),
        ],
      });
    },
  );

  // ——— Posting ———
  const postFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
    postId?: string,
  ) => {
    const page = await inTimebank(request, (tx, communityId, ownId) =>
      posts.postFormFor(tx, context(request, communityId, ownId)),
    );
    if (!page.mayPost)
      return render(request, reply, 'timebank/views/not-yet.njk', {
        pageTitle: request.t('timebank.notYet.postTitle'),
        member: page.member,
      });
    return render(
      request,
      reply,
      'timebank/views/post-form.njk',
      {
        pageTitle: request.t(
          postId
            ? 'timebank.postForm.editTitle'
            : values.kind === 'request'
              ? 'timebank.postForm.requestTitle'
              : 'timebank.postForm.offerTitle',
        ),
        postId,
        values: { neighbourhood: page.member?.neighbourhood, ...values },
        staffView: page.staffView,
        personItems: [
          { value: '', text: request.t('timebank.exchangeForm.choose') },
          ...page.people.map((choice) => ({
            value: choice.personRecordId ?? '',
            text: choice.name,
            selected: values.forPersonId === choice.personRecordId,
          })),
        ],
        categoryItems: [
          { value: '', text: request.t('timebank.exchangeForm.choose') },
          ...page.categories.map((category) => ({
            value: category.id,
            text: category.name + (category.homeVisit ? ` (${request.t('timebank.category.homeVisitTag')})` : ''),
            selected: values.categoryId === category.id,
          })),
        ],
        placeItems: choices(request, 'timebank.places', posts.postPlaces, values.place),
        endsOnParts: dateParts(values.endsOn),
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/posts/new',
    {
      config: { access: access.anyMember },
      schema: {
        params: communityParams,
        querystring: z.object({ kind: z.enum(posts.postKinds).catch('offer').default('offer') }),
      },
    },
    async (request, reply) =>
      postFormPage(request, reply, { kind: request.query.kind, endsOn: threeMonths(), place: 'neighbourhood' }),
  );
  app.post(
    '/posts/new',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'endsOn');
      return submitForm(request, reply, {
        schema: posts.postDetails,
        body: { ...body, forPersonId: body.forPersonId || undefined, categoryId: body.categoryId || undefined },
        page: (_values, errors) => postFormPage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inTimebank(request, (tx, communityId, ownId) =>
            posts.createPost(tx, context(request, communityId, ownId), data),
          ),
        flash: request.t('timebank.post.postedFlash'),
        next: (post) => `${pathIn(request)}/posts/${post.id}`,
      });
    },
  );

  // ——— Changing a post: its poster, or a coordinator ———
  const editPage = async (request: FastifyRequest<{ Params: z.infer<typeof postParams> }>, reply: FastifyReply) => {
    const { post } = await inTimebank(request, (tx, communityId, ownId) =>
      posts.postToChange(tx, context(request, communityId, ownId), request.params.postId),
    );
    if (post.closedAt) return reply.redirect(`${pathIn(request)}/posts/${post.id}`, 303);
    return postFormPage(request, reply, { ...post, forGroups: post.forGroups ? 'yes' : '' }, undefined, post.id);
  };
  app.get(
    '/posts/:postId/edit',
    { config: { access: sideOrStaff }, schema: { params: postParams } },
    async (request, reply) => editPage(request, reply),
  );
  app.post(
    '/posts/:postId/edit',
    { config: { access: sideOrStaff }, schema: { params: postParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'endsOn');
      const postHref = `${pathIn(request)}/posts/${request.params.postId}`;
      return submitForm(request, reply, {
        schema: posts.postChange,
        body: { ...body, categoryId: body.categoryId || undefined },
        page: (_values, errors) => postFormPage(request, reply, body, errors, request.params.postId),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inTimebank(request, (tx, communityId, ownId) =>
            posts.updatePost(tx, context(request, communityId, ownId), request.params.postId, data),
          ),
        flash: request.t('timebank.post.changedFlash'),
        next: postHref,
        // Closed meanwhile: the post, as it was, with the same word as before.
        refused: (error) => {
          if (error.code !== 'timebank-post-closed') return undefined;
          request.session.flash = request.t('timebank.post.changedFlash');
          return postHref;
        },
      });
    },
  );

  // ——— One post, and answering it ———
  const postPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof postParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, (tx, communityId, ownId) =>
      posts.postSeenBy(tx, context(request, communityId, ownId), request.params.postId),
    );
    return render(
      request,
      reply,
      'timebank/views/post.njk',
      {
        pageTitle: page.post.title,
        ...page,
        values,
        errors,
        flash: takeFlash(request),
        ended: page.post.closedAt !== null || page.post.endsOn < new Date().toISOString().slice(0, 10),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/posts/:postId',
    { config: { access: access.anyMember }, schema: { params: postParams } },
    async (request, reply) => postPage(request, reply),
  );
  app.post(
    '/posts/:postId/respond',
    { config: { access: access.anyMember }, schema: { params: postParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return submitForm(request, reply, {
        schema: posts.responseDetails,
        page: (_values, errors) => postPage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inTimebank(request, (tx, communityId, ownId) =>
            posts.respondToPost(tx, context(request, communityId, ownId), request.params.postId, data),
          ),
        flash: request.t('timebank.post.answeredFlash'),
        next: (response) => `${pathIn(request)}/conversations/${response.id}`,
        // Answered already, or closed meanwhile: the post shows how it is now.
        refused: (error) => (error.status === 409 ? `${pathIn(request)}/posts/${request.params.postId}` : undefined),
      });
    },
  );
  app.post(
    '/posts/:postId/close',
    { config: { access: sideOrStaff }, schema: { params: postParams } },
    async (request, reply) => {
      return submitForm(request, reply, {
        schema: z.object({}),
        page: (values, errors) => postPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: () =>
          inTimebank(request, (tx, communityId, ownId) =>
            posts.closePost(tx, context(request, communityId, ownId), request.params.postId),
          ),
        flash: request.t('timebank.post.closedFlash'),
        next: `${pathIn(request)}/posts/${request.params.postId}`,
      });
    },
  );

  // ——— Conversations ———
  const conversationPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof conversationParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const { thread, ownId } = await inTimebank(request, async (tx, communityId, own) => ({
      thread: await posts.conversation(tx, context(request, communityId, own), request.params.responseId),
      ownId: own,
    }));
    // The other person in it, for recording the time they exchanged.
    const other = !thread.inIt
      ? null
      : thread.post.personRecordId === ownId
        ? thread.response.personRecordId
        : thread.post.personRecordId;
    return render(
      request,
      reply,
      'timebank/views/conversation.njk',
      {
        pageTitle: request.t('timebank.conversation.title', { title: thread.post.title }),
        ...thread,
        other,
        asItems: [
          {
            value: thread.post.personRecordId,
            text: thread.poster,
            checked: values.asPersonId === thread.post.personRecordId,
          },
          {
            value: thread.response.personRecordId,
            text: thread.responder,
            checked: values.asPersonId === thread.response.personRecordId,
          },
        ],
        values,
        formKey: randomUUID(),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/conversations/:responseId',
    { config: { access: sideOrStaff }, schema: { params: conversationParams } },
    async (request, reply) => conversationPage(request, reply),
  );
  app.post(
    '/conversations/:responseId',
    { config: { access: sideOrStaff }, schema: { params: conversationParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      return submitForm(request, reply, {
        schema: posts.responseDetails,
        page: (_values, errors) => conversationPage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inTimebank(request, (tx, communityId, ownId) =>
            posts.sendMessage(tx, context(request, communityId, ownId), request.params.responseId, {
              ...data,
              asPersonId: typeof body.asPersonId === 'string' ? body.asPersonId : null,
            }),
          ),
        flash: request.t('timebank.conversation.sentFlash'),
        next: `${pathIn(request)}/conversations/${request.params.responseId}`,
      });
    },
  );

  // ——— Following categories ———
  const followsPage = async (request: FastifyRequest, reply: FastifyReply, errors?: FieldError[]) => {
    const page = await inTimebank(request, async (tx, communityId, ownId) => ({
      member: ownId ? await service.memberOf(tx, communityId, ownId) : undefined,
      categories: await service.listCategories(tx, communityId),
      followed: ownId ? await posts.followedBy(tx, ownId) : [],
    }));
    if (!page.member)
      return render(request, reply, 'timebank/views/not-yet.njk', { pageTitle: request.t('timebank.follows.title') });
    return render(
      request,
      reply,
      'timebank/views/follows.njk',
      {
        pageTitle: request.t('timebank.follows.title'),
        items: page.categories.map((category) => ({
          value: category.id,
          text: category.name,
          checked: page.followed.includes(category.id),
        })),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/follows',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => followsPage(request, reply),
  );
  app.post(
    '/follows',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      // Someone not in the time bank is shown the page that says so, whatever they sent: nothing is saved.
      const member = await inTimebank(request, async (tx, communityId, ownId) =>
        ownId ? service.memberOf(tx, communityId, ownId) : undefined,
      );
      if (!member) return followsPage(request, reply);
      return submitForm(request, reply, {
        schema: posts.followChoice,
        page: (_values, errors) => followsPage(request, reply, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inTimebank(request, async (tx, communityId, ownId) => {
            if (!ownId || !(await service.memberOf(tx, communityId, ownId))) return false;
            await posts.setFollows(tx, communityId, ownId, data.categoryIds);
            return true;
          }),
        flash: (saved) => (saved ? request.t('timebank.follows.savedFlash') : undefined),
        next: `${pathIn(request)}/follows`,
      });
    },
  );
}
