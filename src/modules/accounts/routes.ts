import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
// Signing in (both steps), registering and making a token answer on the same response (a new
// session, a token shown once) rather than redirecting: they parse their forms themselves.
// eslint-disable-next-line no-restricted-imports
import { parseForm, safeNext, submitForm } from '../../platform/http/forms.ts';
import { DomainError, type FieldError, invalid, unauthenticated } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import { loadPerson, membershipList } from '../../platform/auth/people.ts';
import { render } from '../../platform/views/index.ts';
import { takeFlash } from '../../platform/http/community-request.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as accounts from './service.ts';
import { activeRecordsOfAccount } from '../people/service.ts';
import { acceptInvitation } from '../communities/service.ts';
import { findCommunityBySlug, inCommunity } from '../../platform/tenancy.ts';

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

/** Where a person goes after signing in, or when they open the front page signed in. */
function landingFor(request: FastifyRequest): string {
  if (!request.person) return '/';
  const active = membershipList(request.person).filter((membership) => membership.status === 'active');
  if (active.length === 1 && active[0]) return `/c/${active[0].slug}`;
  if (active.length > 1) return '/communities/mine';
  if (request.person.isPlatformAdmin) return '/platform/communities';
  return '/communities';
}

async function startSession(request: FastifyRequest, personId: string): Promise<void> {
  // A new session id at every sign-in, so a session id fixed before sign-in is worthless after it.
  await request.session.regenerate();
  request.session.personId = personId;
}

/** Accounts: register, sign in and out, reset a password, two-factor sign-in, API tokens. */
export async function accountRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const signInLimit = { rateLimit: { max: dependencies.config.signInRateLimit, timeWindow: 60_000 } };

  app.get('/', { config: { access: access.public } }, async (request, reply) => {
    if (request.person) return reply.redirect(landingFor(request));
    return render(request, reply, 'accounts/views/start.njk', { pageTitle: request.t('start.title') });
  });

  // Register
  app.get('/register', { config: { access: access.public } }, async (request, reply) =>
    render(
      request,
      reply,
      'accounts/views/register.njk',
      {
        pageTitle: request.t('register.title'),
        next: safeNext((request.query as { next?: string }).next),
        values: { email: invitedEmail((request.query as { email?: unknown }).email) },
      },
      { form: true },
    ),
  );
  app.post('/register', { config: { access: access.public, ...signInLimit } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const next = safeNext(body.next);
    const form = parseForm(accounts.registration, body);
    const page = (errors: FieldError[], values: Record<string, unknown>) =>
      render(
        request,
        reply,
        'accounts/views/register.njk',
        { pageTitle: request.t('register.title'), errors, values, next },
        { status: 400, form: true },
      );
    if (!form.ok) return page(form.errors, form.values);
    try {
      const person = await accounts.register(dependencies, form.data, request.language);
      await startSession(request, person.id);
      // Made from an invitation's page, for its address: the account joins at once (the link
      // was sent to this address, so accepting confirms it too). Otherwise the page says why not.
      const invited = /^\/communities\/([^/?#]+)\/invitations\/([^/?#]+)$/.exec(next);
      if (invited) {
        const [, slug = '', token = ''] = invited;
        const community = await findCommunityBySlug(dependencies.db, slug);
        const accepted = community
          ? await inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, (tx) =>
              acceptInvitation(tx, community, { id: person.id, email: form.data.email }, token),
            ).then(
              () => true,
              (error: unknown) => {
                if (error instanceof DomainError) return false;
                throw error;
              },
            )
          : false;
        if (!accepted || !community) return reply.redirect(next);
        request.session.flash = request.t('invitation.accepted', { community: community.name });
        return reply.redirect(`/c/${community.slug}`);
      }
      request.session.afterConfirming = next === '/' ? undefined : next;
      request.session.flash = request.t('register.done');
      return reply.redirect('/account/confirm-email');
    } catch (error) {
      if (error instanceof DomainError && error.code === 'email-taken') {
        return page([{ field: 'email', code: 'errors.email.taken' }], form.data);
      }
      throw error;
    }
  });

  // Confirming the email address
  const confirmPage = async (request: FastifyRequest, reply: FastifyReply, status = 200) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    const next = safeNext((request.query as { next?: unknown }).next);
    if (next !== '/') request.session.afterConfirming = next;
    if (person.emailVerified) return reply.redirect(request.session.afterConfirming ?? '/communities');
    // Where no message leaves this server (no GOV.UK Notify, not production), the page shows the one that would be sent.
    const preview =
      !dependencies.notifyConfigured && !dependencies.config.production
        ? await accounts.lastConfirmationMessage(dependencies.owner, person.email)
        : undefined;
    return render(
      request,
      reply,
      'accounts/views/confirm-email.njk',
      { pageTitle: request.t('confirmEmail.title'), email: person.email, preview, flash: takeFlash(request) },
      { status },
    );
  };
  app.get('/account/confirm-email', { config: { access: access.signedIn } }, async (request, reply) =>
    confirmPage(request, reply),
  );
  app.post(
    '/account/confirm-email',
    { config: { access: access.signedIn, ...signInLimit } },
    async (request, reply) => {
      const person = request.person;
      if (!person) throw unauthenticated();
      return submitForm(request, reply, {
        schema: z.object({}),
        once: { db: dependencies.db, accountId: person.id },
        save: () => accounts.resendEmailConfirmation(dependencies, person.id),
        flash: request.t('confirmEmail.sentAgain', { email: person.email }),
        next: '/account/confirm-email',
      });
    },
  );
  const confirmationExpired = (request: FastifyRequest, reply: FastifyReply) =>
    render(
      request,
      reply,
      'accounts/views/confirmation-expired.njk',
      { pageTitle: request.t('confirmationExpired.title') },
      { status: 410 },
    );
  const confirmNow = async (request: FastifyRequest<{ Params: { token: string } }>, reply: FastifyReply) => {
    try {
      const personId = await accounts.confirmEmail(dependencies, request.params.token);
      const signedInHere = request.person?.id === personId;
      const next = signedInHere ? (request.session.afterConfirming ?? '/communities') : '/sign-in';
      if (signedInHere) request.session.afterConfirming = undefined;
      return render(request, reply, 'accounts/views/email-confirmed.njk', {
        pageTitle: request.t('emailConfirmed.title'),
        next,
        signedInHere,
      });
    } catch (error) {
      if (error instanceof DomainError && error.code === 'confirmation-link-expired')
        return confirmationExpired(request, reply);
      throw error;
    }
  };
  const tokenParams = z.object({ token: z.string().max(200) });
  // Opened where the account is signed in, the link confirms at once. Anywhere else (another
  // phone, or a mail system's link checker, which opens every link it delivers) it asks for a press.
  app.get(
    '/verify-email/:token',
    { config: { access: access.public, ...signInLimit }, schema: { params: tokenParams } },
    async (request, reply) => {
      const link = await accounts.findConfirmationLink(dependencies.db, request.params.token);
      if (!link) return confirmationExpired(request, reply);
      if (request.person?.id === link.personId) return confirmNow(request, reply);
      return render(
        request,
        reply,
        'accounts/views/confirm-email-link.njk',
        { pageTitle: request.t('confirmEmailLink.title'), email: link.email, token: request.params.token },
        { form: true },
      );
    },
  );
  app.post(
    '/verify-email/:token',
    { config: { access: access.public, ...signInLimit }, schema: { params: tokenParams } },
    async (request, reply) => confirmNow(request, reply),
  );

  // Sign in and out
  app.get('/sign-in', { config: { access: access.public } }, async (request, reply) =>
    render(
      request,
      reply,
      'accounts/views/sign-in.njk',
      { pageTitle: request.t('signIn.title'), next: safeNext((request.query as { next?: string }).next) },
      { form: true },
    ),
  );
  app.post('/sign-in', { config: { access: access.public, ...signInLimit } }, async (request, reply) => {
    const body = request.body as Record<string, unknown>;
    const next = safeNext(body.next);
    const form = parseForm(accounts.signInDetails, body);
    const page = (code: string, values: Record<string, unknown>) =>
      render(
        request,
        reply,
        'accounts/views/sign-in.njk',
        {
          pageTitle: request.t('signIn.title'),
          errors: form.ok ? [{ field: 'email', code }] : form.errors,
          values,
          next,
        },
        { status: code === 'errors.signIn.locked' ? 429 : 400, form: true },
      );
    if (!form.ok) return page('', form.values);
    const result = await accounts.signIn(dependencies, form.data, request.ip);
    switch (result.outcome) {
      case 'wrong':
        return page('errors.signIn.wrong', { email: form.data.email });
      case 'locked':
        return page('errors.signIn.locked', { email: form.data.email });
      case 'two-factor':
        await request.session.regenerate();
        request.session.pendingPersonId = result.person.id;
        request.session.pendingNext = next;
        return reply.redirect('/sign-in/two-factor');
      case 'signed-in':
        await startSession(request, result.person.id);
        request.person = await loadPerson(dependencies.owner, result.person.id);
        return reply.redirect(next !== '/' ? next : landingFor(request));
    }
  });
  app.get('/sign-in/two-factor', { config: { access: access.public } }, async (request, reply) => {
    if (!request.session.pendingPersonId) return reply.redirect('/sign-in');
    return render(
      request,
      reply,
      'accounts/views/sign-in-code.njk',
      { pageTitle: request.t('signInCode.title') },
      { form: true },
    );
  });
  app.post('/sign-in/two-factor', { config: { access: access.public, ...signInLimit } }, async (request, reply) => {
    const pendingPersonId = request.session.pendingPersonId;
    if (!pendingPersonId) return reply.redirect('/sign-in');
    const page = (errors: { field: string; code: string }[], status = 400) =>
      render(
        request,
        reply,
        'accounts/views/sign-in-code.njk',
        { pageTitle: request.t('signInCode.title'), errors },
        { status, form: true },
      );
    const form = parseForm(accounts.twoFactorCode, request.body);
    if (!form.ok) return page(form.errors);
    const result = await accounts.completeTwoFactor(dependencies, pendingPersonId, form.data.code, request.ip);
    if (result.outcome === 'locked') return page([{ field: 'code', code: 'errors.signIn.locked' }], 429);
    if (result.outcome !== 'signed-in') return page([{ field: 'code', code: 'errors.code.wrong' }]);
    const next = safeNext(request.session.pendingNext);
    await startSession(request, result.person.id);
    request.person = await loadPerson(dependencies.owner, result.person.id);
    return reply.redirect(next !== '/' ? next : landingFor(request));
  });
  app.post('/sign-out', { config: { access: access.public } }, async (request, reply) =>
    submitForm(request, reply, {
      schema: z.object({}),
      save: () => request.session.destroy(),
      next: '/signed-out',
    }),
  );
  app.get('/signed-out', { config: { access: access.public } }, async (request, reply) =>
    render(request, reply, 'accounts/views/signed-out.njk', { pageTitle: request.t('signedOut.title') }),
  );

  // Forgotten password
  app.get('/forgot-password', { config: { access: access.public } }, async (request, reply) =>
    render(
      request,
      reply,
      'accounts/views/forgot-password.njk',
      { pageTitle: request.t('forgotPassword.title') },
      { form: true },
    ),
  );
  app.post('/forgot-password', { config: { access: access.public, ...signInLimit } }, async (request, reply) => {
    return submitForm(request, reply, {
      schema: z.object({ email: accounts.email }),
      page: (values, errors) =>
        render(
          request,
          reply,
          'accounts/views/forgot-password.njk',
          { pageTitle: request.t('forgotPassword.title'), errors, values },
          { status: 400, form: true },
        ),
      // The same answer whether or not an account has this address.
      save: (data) => accounts.requestPasswordReset(dependencies, data.email, request.language),
      next: '/forgot-password/sent',
    });
  });
  app.get('/forgot-password/sent', { config: { access: access.public } }, async (request, reply) =>
    render(request, reply, 'accounts/views/forgot-password-sent.njk', {
      pageTitle: request.t('forgotPasswordSent.title'),
    }),
  );
  app.get(
    '/reset-password/:token',
    { config: { access: access.public }, schema: { params: z.object({ token: z.string().max(200) }) } },
    async (request, reply) => {
      const valid = await accounts.findValidReset(dependencies.db, request.params.token);
      if (!valid)
        return render(
          request,
          reply,
          'accounts/views/reset-expired.njk',
          { pageTitle: request.t('resetExpired.title') },
          { status: 410 },
        );
      return render(
        request,
        reply,
        'accounts/views/reset-password.njk',
        { pageTitle: request.t('resetPassword.title'), token: request.params.token },
        { form: true },
      );
    },
  );
  app.post(
    '/reset-password/:token',
    { config: { access: access.public, ...signInLimit }, schema: { params: z.object({ token: z.string().max(200) }) } },
    async (request, reply) => {
      return submitForm(request, reply, {
        schema: z.object({ password: accounts.newPassword }),
        page: (_values, errors) =>
          render(
            request,
            reply,
            'accounts/views/reset-password.njk',
            { pageTitle: request.t('resetPassword.title'), token: request.params.token, errors },
            { status: 400, form: true },
          ),
        save: async (data) => {
          const personId = await accounts.completePasswordReset(dependencies, request.params.token, data.password);
          // Signed in, with a new session id.
          await startSession(request, personId);
        },
        flash: request.t('resetPassword.done'),
        next: '/account',
        // The link expired or was used: its page says so (a 410).
        refused: (error) =>
          error.code === 'reset-link-expired'
            ? render(
                request,
                reply,
                'accounts/views/reset-expired.njk',
                { pageTitle: request.t('resetExpired.title') },
                { status: 410 },
              )
            : undefined,
      });
    },
  );

  // The account page: details, language, two-factor sign-in, API tokens
  const accountPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    extra: Record<string, unknown> = {},
    status = 200,
  ) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    const flash = request.session.flash;
    if (flash) request.session.flash = undefined;
    return render(
      request,
      reply,
      'accounts/views/account.njk',
      {
        pageTitle: request.t('account.title'),
        tokens: await accounts.listApiTokens(dependencies, person.id),
        memberships: membershipList(person),
        languageOptions: languages.map((language) => ({
          value: language,
          text: request.t(`languages.${language}`),
          selected: language === person.preferredLanguage,
        })),
        flash,
        ...extra,
      },
      { status },
    );
  };
  app.get('/account', { config: { access: access.signedIn } }, async (request, reply) => accountPage(request, reply));
  app.post('/account/language', { config: { access: access.signedIn } }, async (request, reply) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    return submitForm(request, reply, {
      schema: accounts.languageChoice,
      page: (values, errors) => accountPage(request, reply, { errors, values }, 400),
      once: { db: dependencies.db, accountId: person.id },
      save: async ({ language }) => {
        await accounts.setPreferredLanguage(dependencies, person.id, language);
        reply.setCookie('lang', language, { path: '/', httpOnly: true, sameSite: 'lax', maxAge: 365 * 24 * 3600 });
        return language;
      },
      flash: (language) => request.t('account.languageSaved', { lng: language }),
      next: '/account',
    });
  });
  app.post('/account/tokens', { config: { access: access.signedIn } }, async (request, reply) => {
    if (!request.person) throw unauthenticated();
    const form = parseForm(accounts.tokenName, request.body);
    if (!form.ok) return accountPage(request, reply, { errors: form.errors, values: form.values }, 400);
    const created = await accounts.createApiToken(dependencies, request.person.id, form.data.name);
    // The token is shown once, on this response, and never stored: no redirect.
    return render(request, reply, 'accounts/views/token-created.njk', {
      pageTitle: request.t('tokenCreated.title'),
      created,
    });
  });
  app.post(
    '/account/tokens/:tokenId/revoke',
    { config: { access: access.signedIn }, schema: { params: z.object({ tokenId: z.uuid() }) } },
    async (request, reply) => {
      const person = request.person;
      if (!person) throw unauthenticated();
      return submitForm(request, reply, {
        schema: z.object({}),
        page: (values, errors) => accountPage(request, reply, { errors, values }, 400),
        once: { db: dependencies.db, accountId: person.id },
        save: () => accounts.revokeApiToken(dependencies, person.id, request.params.tokenId),
        flash: request.t('account.tokenRevoked'),
        next: '/account',
      });
    },
  );

  const twoFactorPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    errors?: { field: string; code: string }[],
  ) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    const asked = (request.query as { required?: unknown }).required;
    const required = asked === 'platform' ? 'platform' : asked === 'staff' || asked === '1' ? 'staff' : undefined;
    if (person.hasTwoFactor) {
      return render(
        request,
        reply,
        'accounts/views/two-factor.njk',
        { pageTitle: request.t('twoFactor.title'), enabled: true, errors },
        { status: errors ? 400 : 200 },
      );
    }
    const secret = request.session.pendingTotpSecret ?? accounts.newTwoFactorSecret();
    request.session.pendingTotpSecret = secret;
    const uri = accounts.twoFactorUri(secret, person.email);
    const qrCode = await QRCode.toString(uri, { type: 'svg', margin: 1, width: 200 });
    return render(
      request,
      reply,
      'accounts/views/two-factor.njk',
      {
        pageTitle: request.t('twoFactor.title'),
        enabled: false,
        required,
        secret: secret.replace(/(.{4})/g, '$1 ').trim(),
        qrCode,
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/account/two-factor', { config: { access: access.signedIn } }, async (request, reply) =>
    twoFactorPage(request, reply),
  );
  app.post('/account/two-factor', { config: { access: access.signedIn } }, async (request, reply) => {
    const person = request.person;
    const secret = request.session.pendingTotpSecret;
    if (!person) throw unauthenticated();
    if (!secret || person.hasTwoFactor) return reply.redirect('/account/two-factor');
    return submitForm(request, reply, {
      schema: accounts.twoFactorCode,
      page: (_values, errors) => twoFactorPage(request, reply, errors),
      once: { db: dependencies.db, accountId: person.id },
      save: async (data) => {
        if (!(await accounts.turnOnTwoFactor(dependencies, person.id, secret, data.code, request.session.sessionId)))
          throw invalid([{ field: 'code', code: 'errors.code.wrong' }]);
        request.session.pendingTotpSecret = undefined;
      },
      flash: request.t('twoFactor.turnedOn'),
      next: '/account',
    });
  });
  app.post('/account/two-factor/off', { config: { access: access.signedIn } }, async (request, reply) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    return submitForm(request, reply, {
      schema: accounts.twoFactorCode,
      page: (_values, errors) => twoFactorPage(request, reply, errors),
      once: { db: dependencies.db, accountId: person.id },
      save: async (data) => {
        if (!(await accounts.turnOffTwoFactor(dependencies, person.id, data.code)))
          throw invalid([{ field: 'code', code: 'errors.code.wrong' }]);
      },
      flash: request.t('twoFactor.turnedOff'),
      next: '/account',
    });
  });

  // The API
  app.post(
    '/api/v1/tokens',
    {
      config: { access: access.public, ...signInLimit },
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
    '/api/v1/tokens',
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
    '/api/v1/tokens/:tokenId',
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
    '/api/v1/me',
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
    '/api/v1/accounts',
    {
      config: { access: access.public, ...signInLimit },
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
    '/api/v1/email-confirmations',
    {
      config: { access: access.signedIn, ...signInLimit },
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
    '/api/v1/email-confirmations/confirm',
    {
      config: { access: access.public, ...signInLimit },
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
    '/api/v1/password-resets',
    {
      config: { access: access.public, ...signInLimit },
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

/** An address to fill in (from an invitation's page): only something that looks like one, never longer than an address can be. */
function invitedEmail(value: unknown): string {
  return typeof value === 'string' && value.length <= 254 && /^[^\s@]+@[^\s@]+$/.test(value) ? value : '';
}

declare module 'fastify' {
  interface Session {
    pendingTotpSecret?: string;
    /** Where to go once the email address is confirmed (an invitation, a self-referral to claim). */
    afterConfirming?: string;
  }
}
