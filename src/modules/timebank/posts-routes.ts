// Offers and requests, conversations, following categories and background checks: pages and API.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { formatISO, addMonths } from 'date-fns';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, encodeCursor, pageQuery } from '../../platform/http/pagination.ts';
import { DomainError, type FieldError, notFound } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import * as posts from './posts.ts';
import { exchangeContext, isStaff, ownRecordId, timebankStaff } from './asker.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const postParams = communityParams.extend({ postId: z.uuid() });
const conversationParams = communityParams.extend({ responseId: z.uuid() });
const recordParams = communityParams.extend({ recordId: z.uuid() });

const threeMonths = () => formatISO(addMonths(new Date(), 3), { representation: 'date' });

const browseQuery = z.object({
  kind: z.enum(posts.postKinds).optional().catch(undefined),
  q: z.string().max(200).optional().catch(undefined),
  category: z.uuid().optional().catch(undefined),
  place: z.enum(posts.postPlaces).optional().catch(undefined),
  near: z.enum(['yes']).optional().catch(undefined),
  cursor: z.string().max(500).optional(),
});
const cursorShape = z.object({ rank: cursorFields.number, createdAt: cursorFields.instant, id: cursorFields.id });

export async function postRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const staff = access.roles(...timebankStaff);
  const sideOrStaff = access.ownOr(...timebankStaff);
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/timebank`;
  const inTimebank = <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ) =>
    inRequestCommunity(dependencies, request, async (tx, community) =>
      work(tx, community.id, await ownRecordId(tx, community.id, request.person?.id)),
    );
  const context = (request: FastifyRequest, communityId: string, ownId: string | null) =>
    exchangeContext(dependencies, request, communityId, ownId);

  // ——— Finding offers and requests ———
  app.get(
    '/c/:community/timebank/posts',
    { config: { access: access.anyMember }, schema: { params: communityParams, querystring: browseQuery } },
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
          after: decodeCursor(query.cursor, cursorShape),
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
    const staffView = isStaff(request);
    const page = await inTimebank(request, async (tx, communityId, ownId) => ({
      member: ownId ? await service.memberOf(tx, communityId, ownId) : undefined,
      categories: await service.listCategories(tx, communityId),
      people: staffView
        ? (await service.accountChoices(tx, communityId)).filter((choice) => choice.kind === 'member')
        : [],
    }));
    if (!staffView && !page.member?.onboardedAt)
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
        staffView,
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
    '/c/:community/timebank/posts/new',
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
    '/c/:community/timebank/posts/new',
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
        next: (post) => `${base(request)}/posts/${post.id}`,
      });
    },
  );

  // ——— Changing a post: its poster, or a coordinator ———
  const editPage = async (request: FastifyRequest<{ Params: z.infer<typeof postParams> }>, reply: FastifyReply) => {
    const { post } = await inTimebank(request, async (tx, communityId, ownId) => {
      const found = await posts.getPost(tx, communityId, request.params.postId);
      if (!isStaff(request) && found.post.personRecordId !== ownId) throw notFound();
      return found;
    });
    if (post.closedAt) return reply.redirect(`${base(request)}/posts/${post.id}`, 303);
    return postFormPage(request, reply, { ...post, forGroups: post.forGroups ? 'yes' : '' }, undefined, post.id);
  };
  app.get(
    '/c/:community/timebank/posts/:postId/edit',
    { config: { access: sideOrStaff }, schema: { params: postParams } },
    async (request, reply) => editPage(request, reply),
  );
  app.post(
    '/c/:community/timebank/posts/:postId/edit',
    { config: { access: sideOrStaff }, schema: { params: postParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'endsOn');
      const postHref = `${base(request)}/posts/${request.params.postId}`;
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
    const page = await inTimebank(request, async (tx, communityId, ownId) => {
      const found = await posts.getPost(tx, communityId, request.params.postId);
      const mine = ownId !== null && found.post.personRecordId === ownId;
      const answer = await posts.mayRespond(tx, communityId, found.post, found.category.checkLevel, ownId);
      const responses = mine || isStaff(request) ? await posts.responsesTo(tx, found.post.id) : [];
      const ownResponse = ownId
        ? (await posts.responsesTo(tx, found.post.id)).find((response) => response.personRecordId === ownId)
        : undefined;
      return { ...found, mine, answer, responses, ownResponse };
    });
    return render(
      request,
      reply,
      'timebank/views/post.njk',
      {
        pageTitle: page.post.title,
        ...page,
        staffView: isStaff(request),
        values,
        errors,
        flash: takeFlash(request),
        ended: page.post.closedAt !== null || page.post.endsOn < new Date().toISOString().slice(0, 10),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/timebank/posts/:postId',
    { config: { access: access.anyMember }, schema: { params: postParams } },
    async (request, reply) => postPage(request, reply),
  );
  app.post(
    '/c/:community/timebank/posts/:postId/respond',
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
        next: (response) => `${base(request)}/conversations/${response.id}`,
        // Answered already, or closed meanwhile: the post shows how it is now.
        refused: (error) => (error.status === 409 ? `${base(request)}/posts/${request.params.postId}` : undefined),
      });
    },
  );
  app.post(
    '/c/:community/timebank/posts/:postId/close',
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
        next: `${base(request)}/posts/${request.params.postId}`,
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
    '/c/:community/timebank/conversations/:responseId',
    { config: { access: sideOrStaff }, schema: { params: conversationParams } },
    async (request, reply) => conversationPage(request, reply),
  );
  app.post(
    '/c/:community/timebank/conversations/:responseId',
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
        next: `${base(request)}/conversations/${request.params.responseId}`,
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
    '/c/:community/timebank/follows',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => followsPage(request, reply),
  );
  app.post(
    '/c/:community/timebank/follows',
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
        next: `${base(request)}/follows`,
      });
    },
  );

  // ——— The API ———
  const tags = ['Time bank'];
  const path = '/api/v1/communities/:community/timebank';
  const postSchema = z.object({
    id: z.uuid(),
    kind: z.enum(posts.postKinds),
    title: z.string(),
    description: z.string(),
    category: z.string(),
    checkLevel: z.enum(service.checkLevels).describe('The background check someone giving this help needs'),
    homeVisit: z.boolean(),
    place: z.string(),
    neighbourhood: z.string(),
    whenAvailable: z.string(),
    forGroups: z.boolean(),
    endsOn: z.string(),
    closed: z.boolean(),
    poster: z.string(),
    personRecordId: z.uuid(),
    createdAt: z.date(),
    responses: z.number().int(),
  });
  /** A post as the API lists it: with its category, poster and answers. */
  const asListed = async (tx: CommunityTransaction, communityId: string, post: posts.Post) => {
    const found = await posts.searchPosts(tx, communityId, {
      personRecordId: post.personRecordId,
      includeClosed: true,
      limit: 100,
    });
    const { rank: _rank, ...item } =
      found.items.find((one) => one.id === post.id) ??
      (() => {
        throw new Error('post vanished');
      })();
    return item;
  };
  const listQuery = pageQuery.extend({
    q: z.string().max(200).optional(),
    categoryId: z.uuid().optional(),
    place: z.enum(posts.postPlaces).optional(),
    neighbourhood: z.string().max(80).optional(),
  });
  for (const kind of posts.postKinds) {
    const plural = `${kind}s` as const;
    api(kind, plural);
  }
  function api(kind: 'offer' | 'request', plural: 'offers' | 'requests') {
    app.get(
      `${path}/${plural}`,
      {
        config: { access: access.anyMember },
        schema: {
          tags,
          summary: `Open ${plural}, best match first: \`q\` is searched stemmed and without accents ("cafe" finds "café")`,
          params: communityParams,
          querystring: listQuery,
          response: {
            200: z.object({ items: z.array(postSchema), nextCursor: z.string().nullable() }),
            ...problemResponses(400, 401, 404),
          },
        },
      },
      async (request) => {
        const found = await inTimebank(request, (tx, communityId) =>
          posts.searchPosts(tx, communityId, {
            kind,
            q: request.query.q,
            categoryId: request.query.categoryId,
            place: request.query.place,
            neighbourhood: request.query.neighbourhood,
            after: decodeCursor(request.query.cursor, cursorShape),
            limit: request.query.limit,
          }),
        );
        return {
          items: found.items.map(({ rank: _rank, ...item }) => item),
          nextCursor: found.next ? encodeCursor(found.next) : null,
        };
      },
    );
    app.post(
      `${path}/${plural}`,
      {
        config: { access: access.anyMember },
        schema: {
          tags,
          summary: `Post ${kind === 'offer' ? 'an offer' : 'a request'} (members who finished joining; coordinators with \`forPersonId\`). Send an \`Idempotency-Key\``,
          params: communityParams,
          body: posts.postBody,
          response: { 201: postSchema, ...problemResponses(400, 401, 404, 422) },
        },
      },
      async (request, reply) =>
        once(dependencies.db, request, reply, async () => {
          const parsed = posts.postDetails.safeParse({ ...request.body, kind });
          if (!parsed.success)
            throw new DomainError(
              'validation-failed',
              400,
              parsed.error.issues.map((issue) => ({ field: issue.path.join('.'), code: issue.message })),
            );
          const body = await inTimebank(request, async (tx, communityId, ownId) =>
            asListed(tx, communityId, await posts.createPost(tx, context(request, communityId, ownId), parsed.data)),
          );
          return { status: 201, body };
        }),
    );
  }
  const conversationSchema = z.object({
    id: z.uuid(),
    postId: z.uuid(),
    poster: z.string(),
    responder: z.string(),
    messages: z.array(
      z.object({ id: z.uuid(), from: z.string(), fromRecordId: z.uuid(), body: z.string(), createdAt: z.date() }),
    ),
  });
  const toConversation = (thread: Awaited<ReturnType<typeof posts.conversation>>) => ({
    id: thread.response.id,
    postId: thread.post.id,
    poster: thread.poster,
    responder: thread.responder,
    messages: thread.messages.map(({ id, from, fromRecordId, body, createdAt }) => ({
      id,
      from,
      fromRecordId,
      body,
      createdAt,
    })),
  });
  app.post(
    `${path}/posts/:postId/responses`,
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary:
          'Answer an offer or request ("I can help" / "I\'d like this") with a first message; the poster is told',
        params: postParams,
        body: posts.responseDetails,
        response: { 201: conversationSchema, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inTimebank(request, async (tx, communityId, ownId) => {
          const response = await posts.respondToPost(
            tx,
            context(request, communityId, ownId),
            request.params.postId,
            request.body,
          );
          return toConversation(await posts.conversation(tx, context(request, communityId, ownId), response.id));
        }),
      })),
  );
  app.put(
    `${path}/posts/:postId`,
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary: 'Change an open post (its poster, coordinators): everything but its kind and whose it is',
        params: postParams,
        body: posts.postChange,
        response: { 200: postSchema, ...problemResponses(400, 401, 404, 409, 422) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId, ownId) =>
        asListed(
          tx,
          communityId,
          await posts.updatePost(tx, context(request, communityId, ownId), request.params.postId, request.body),
        ),
      ),
  );
  app.post(
    `${path}/posts/:postId/close`,
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary: 'Close a post (its poster, coordinators)',
        params: postParams,
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      await inTimebank(request, (tx, communityId, ownId) =>
        posts.closePost(tx, context(request, communityId, ownId), request.params.postId),
      );
      return reply.code(204).send(null);
    },
  );
  app.get(
    `${path}/conversations/:responseId`,
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary: 'A conversation about a post (its two people, coordinators)',
        params: conversationParams,
        response: { 200: conversationSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId, ownId) =>
        toConversation(await posts.conversation(tx, context(request, communityId, ownId), request.params.responseId)),
      ),
  );
  app.post(
    `${path}/conversations/:responseId/messages`,
    {
      config: { access: sideOrStaff },
      schema: {
        tags,
        summary:
          'Send a message in a conversation; the other person is told without either address being shared (coordinators send for a side with `asPersonId`)',
        params: conversationParams,
        body: posts.responseDetails.extend({ asPersonId: z.uuid().nullish() }),
        response: { 201: conversationSchema, ...problemResponses(400, 401, 404, 422) },
      },
    },
    async (request, reply) =>
      once(dependencies.db, request, reply, async () => ({
        status: 201,
        body: await inTimebank(request, async (tx, communityId, ownId) => {
          await posts.sendMessage(tx, context(request, communityId, ownId), request.params.responseId, request.body);
          return toConversation(
            await posts.conversation(tx, context(request, communityId, ownId), request.params.responseId),
          );
        }),
      })),
  );
  app.put(
    `${path}/follows`,
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'The categories you follow: you hear of new posts in them, by the channel you agreed to',
        params: communityParams,
        body: posts.followChoice,
        response: { 200: z.object({ categoryIds: z.array(z.uuid()) }), ...problemResponses(400, 401, 404) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId, ownId) => {
        if (!ownId)
          throw new DomainError('validation-failed', 400, [
            { field: 'categoryIds', code: 'errors.timebank.notOnboarded' },
          ]);
        await posts.setFollows(tx, communityId, ownId, request.body.categoryIds);
        return { categoryIds: await posts.followedBy(tx, ownId) };
      }),
  );
  const checkSchema = z.object({
    id: z.uuid(),
    level: z.enum(['basic', 'enhanced', 'enhanced_barred']),
    certificateNumber: z.string(),
    issuedOn: z.string(),
    expiresOn: z.string(),
    seenBy: z.string().nullable(),
  });
  app.get(
    `${path}/members/:recordId/checks`,
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'A member’s background checks, latest expiry first (coordinators)',
        params: recordParams,
        response: { 200: z.object({ items: z.array(checkSchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      inTimebank(request, async (tx, communityId) => {
        const person = await getPerson(tx, communityId, request.params.recordId);
        return { items: await posts.checksOf(tx, person.id) };
      }),
  );
  app.post(
    `${path}/members/:recordId/checks`,
    {
      config: { access: staff },
      schema: {
        tags,
        summary: 'Record a background check you have seen (coordinators)',
        params: recordParams,
        body: posts.checkDetails,
        response: { 201: z.object({ items: z.array(checkSchema) }), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const items = await inTimebank(request, async (tx, communityId) => {
        await posts.recordCheck(tx, communityId, actorId, request.params.recordId, request.body);
        return posts.checksOf(tx, request.params.recordId);
      });
      return reply.code(201).send({ items });
    },
  );
}
