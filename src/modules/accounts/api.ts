// The accounts' JSON API, under /api/v1/: tokens, who you are, registering, confirming and resetting.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { membershipList } from '../../platform/auth/people.ts';
import { DomainError, unauthenticated } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import type { Dependencies } from '../../dependencies.ts';
import { activeRecordsOfAccount } from '../people/service.ts';
import { signInLimit } from './limits.ts';
import * as accounts from './service.ts';

const meSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  displayName: z.string(),
  preferredLanguage: z.enum(languages),
  isPlatformAdmin: z.boolean(),
  twoFactor: z.boolean(),
  emailConfirmed: z
    .boolean()
    .describe('Whether the link sent to the email address was followed; until then the account joins no community'),
  memberships: z.array(
    z.object({
      community: z.object({ slug: z.string(), name: z.string() }),
      status: z.enum(['requested', 'active', 'declined', 'removed']),
      roles: z.array(z.string()),
      personRecord: z
        .object({ id: z.uuid(), number: z.number().int() })
        .nullable()
        .describe(
          'Your record in this community, for the calls that take a person (your time bank statement, your journey): null until the community has one',
        ),
    }),
  ),
});

const tokenSchema = z.object({ id: z.uuid(), name: z.string(), createdAt: z.date(), lastUsedAt: z.date().nullable() });

/** Accounts in the API: personal access tokens, you and your memberships, registering, email confirmation, password resets. */
export async function accountApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const limit = signInLimit(dependencies.config);

  app.post(
    '/tokens',
    {
      config: { access: access.public, ...limit },
      schema: {
        tags: ['Accounts'],
        summary: 'Create a personal access token',
        description:
          'Send the email and password; an account with two-step sign-in (every platform admin) also sends `code`, the 6 digits its authenticator app shows (each code works once). The token is returned once. Not idempotent: repeat calls make new tokens.',
        security: [],
        body: accounts.signInDetails.extend({
          name: z.string().trim().min(1).max(100).default('API'),
          code: z
            .string()
            .regex(/^\d{6}$/, 'errors.code.format')
            .optional(),
        }),
        response: {
          201: z.object({ id: z.uuid(), token: z.string(), name: z.string() }),
          ...problemResponses(401, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const first = await accounts.signIn(dependencies, request.body, request.ip);
      const result =
        first.outcome === 'two-factor' && request.body.code
          ? await accounts.completeTwoFactor(dependencies, first.person.id, request.body.code, request.ip)
          : first;
      if (result.outcome === 'locked') throw new DomainError('sign-in-locked', 429);
      if (result.outcome === 'two-factor') throw new DomainError('two-factor-needs-browser', 401);
      if (result.outcome !== 'signed-in')
        throw new DomainError(first.outcome === 'two-factor' ? 'two-factor-code-wrong' : 'sign-in-failed', 401);
      const created = await accounts.createApiToken(dependencies, result.person.id, request.body.name);
      return reply.code(201).send({ id: created.id, token: created.token, name: created.name });
    },
  );
  app.get(
    '/tokens',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['Accounts'],
        summary: 'Your active tokens',
        response: { 200: z.object({ items: z.array(tokenSchema) }), ...problemResponses(401) },
      },
    },
    async (request) => {
      if (!request.person) throw unauthenticated();
      return { items: await accounts.listApiTokens(dependencies, request.person.id) };
    },
  );
  app.delete(
    '/tokens/:tokenId',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['Accounts'],
        summary: 'Revoke a token',
        params: z.object({ tokenId: z.uuid() }),
        response: { 204: z.null(), ...problemResponses(401, 404) },
      },
    },
    async (request, reply) => {
      if (!request.person) throw unauthenticated();
      await accounts.revokeApiToken(dependencies, request.person.id, request.params.tokenId);
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/me',
    {
      config: { access: access.signedIn },
      schema: {
        tags: ['Accounts'],
        summary: 'You and your memberships',
        response: { 200: meSchema, ...problemResponses(401) },
      },
    },
    async (request) => {
      const person = request.person;
      if (!person) throw unauthenticated();
      const memberships = membershipList(person);
      // Each community keeps its own record of the person: read across them, as the platform.
      const records = await activeRecordsOfAccount(dependencies.owner, person.id);
      return {
        id: person.id,
        email: person.email,
        displayName: person.displayName,
        preferredLanguage: languages.find((language) => language === person.preferredLanguage) ?? 'en',
        isPlatformAdmin: person.isPlatformAdmin,
        twoFactor: person.hasTwoFactor,
        emailConfirmed: person.emailVerified,
        memberships: memberships.map((membership) => {
          const record = records.find((one) => one.slug === membership.slug);
          return {
            community: { slug: membership.slug, name: membership.name },
            status: membership.status,
            roles: membership.roles,
            personRecord: record ? { id: record.id, number: record.number } : null,
          };
        }),
      };
    },
  );
  app.post(
    '/accounts',
    {
      config: { access: access.public, ...limit },
      schema: {
        tags: ['Accounts'],
        summary: 'Register an account',
        security: [],
        body: accounts.registration,
        response: {
          201: z.object({ id: z.uuid(), email: z.string(), displayName: z.string(), emailConfirmed: z.boolean() }),
          ...problemResponses(409, 422, 429),
        },
      },
    },
    async (request, reply) => {
      const person = await accounts.register(dependencies, request.body, request.language);
      return reply
        .code(201)
        .send({ id: person.id, email: person.email, displayName: person.displayName, emailConfirmed: false });
    },
  );
  app.post(
    '/email-confirmations',
    {
      config: { access: access.signedIn, ...limit },
      schema: {
        tags: ['Accounts'],
        summary: 'Send the link that confirms your email address again',
        description:
          'Answers 202 with `alreadyConfirmed: true` and sends nothing when the address is already confirmed.',
        response: {
          202: z.object({ status: z.literal('accepted'), alreadyConfirmed: z.boolean() }),
          ...problemResponses(401, 429),
        },
      },
    },
    async (request, reply) => {
      if (!request.person) throw unauthenticated();
      const sent = await accounts.resendEmailConfirmation(dependencies, request.person.id);
      return reply.code(202).send({ status: 'accepted' as const, alreadyConfirmed: sent === undefined });
    },
  );
  app.post(
    '/email-confirmations/confirm',
    {
      config: { access: access.public, ...limit },
      schema: {
        tags: ['Accounts'],
        summary: 'Confirm an email address with the token from the link sent to it',
        security: [],
        body: z.object({ token: z.string().min(1).max(200) }),
        response: { 200: z.object({ status: z.literal('confirmed') }), ...problemResponses(400, 410, 429) },
      },
    },
    async (request) => {
      await accounts.confirmEmail(dependencies, request.body.token);
      return { status: 'confirmed' as const };
    },
  );
  app.post(
    '/password-resets',
    {
      config: { access: access.public, ...limit },
      schema: {
        tags: ['Accounts'],
        summary: 'Send a password reset link',
        description: 'Answers 202 whether or not an account has this email address.',
        security: [],
        body: z.object({ email: accounts.email }),
        response: { 202: z.object({ status: z.literal('accepted') }), ...problemResponses(400, 429) },
      },
    },
    async (request, reply) => {
      await accounts.requestPasswordReset(dependencies, request.body.email, request.language);
      return reply.code(202).send({ status: 'accepted' as const });
    },
  );
}
