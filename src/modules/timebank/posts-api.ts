// Offers and requests, conversations, following categories and background checks: the JSON API,
// under /api/v1/communities/:community/timebank.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { decodeCursor, encodeCursor, pageQuery } from '../../platform/http/pagination.ts';
import { DomainError } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson } from '../people/service.ts';
import * as posts from './posts.ts';
import {
  conversationParams,
  exchangeContexts,
  postParams,
  recordParams,
  sideOrStaff,
  staff,
  timebankWork,
} from './asker.ts';
import * as service from './service.ts';

/** Offers and requests, conversations, following categories and background checks: the API. */
export async function postsApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inTimebank = timebankWork(dependencies);
  const context = exchangeContexts(dependencies);

  const tags = ['Time bank'];
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
  postsOfKind('/offers', 'offer');
  postsOfKind('/requests', 'request');
  /** A kind's list (best match first) and new posts of that kind, at its own address. */
  function postsOfKind<Kind extends 'offer' | 'request'>(path: `/${NoInfer<Kind>}s`, kind: Kind) {
    const plural = `${kind}s` as const;
    app.get(
      path,
      {
        // The asker, the transaction, their record, the search.
        config: { access: access.anyMember, queryBudget: 5 },
        schema: {
          tags,
          summary: `Open ${plural}, newest first; with \`q\`, the newest 100 matches best match first, then older ones newest first. \`q\` is searched stemmed and without accents ("cafe" finds "café")`,
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
            after: decodeCursor(request.query.cursor, posts.postCursor),
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
      path,
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
    '/posts/:postId/responses',
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
    '/posts/:postId',
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
    '/posts/:postId/close',
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
    '/conversations/:responseId',
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
    '/conversations/:responseId/messages',
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
    '/follows',
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
    '/members/:recordId/checks',
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
    '/members/:recordId/checks',
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
