import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { safeNext, submitForm } from '../../platform/http/forms.ts';
import { DomainError, type FieldError, invalid } from '../../platform/http/problems.ts';
import { loadPerson, membershipList } from '../../platform/auth/people.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { findCommunityBySlug, inCommunity } from '../../platform/tenancy.ts';
import { acceptInvitation } from '../communities/service.ts';
import { signInLimit } from './limits.ts';
import * as accounts from './service.ts';

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

/** Signed in at last: a new session, and where to go (where they were going, or their landing page). */
async function signedIn(dependencies: Dependencies, request: FastifyRequest, personId: string, next: string) {
  await startSession(request, personId);
  request.person = await loadPerson(dependencies.owner, personId);
  return next !== '/' ? next : landingFor(request);
}

/** Too many tries: the sign-in page says so with a 429, rather than a mistake's 400. */
const lockedOut = () => new DomainError('sign-in-locked', 429);

/**
 * Signing in (with two steps for some), registering, confirming an email address and resetting
 * a password: the pages of someone who is not signed in yet.
 */
export async function signInPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const limit = signInLimit(dependencies.config);

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
  app.post('/register', { config: { access: access.public, ...limit } }, async (request, reply) => {
    const next = safeNext((request.body as Record<string, unknown> | undefined)?.next);
    const page = (values: Record<string, unknown>, errors: FieldError[]) =>
      render(
        request,
        reply,
        'accounts/views/register.njk',
        { pageTitle: request.t('register.title'), errors, values, next },
        { status: 400, form: true },
      );
    return submitForm(request, reply, {
      schema: accounts.registration,
      page,
      save: async (data): Promise<{ to: string; flash?: string }> => {
        const person = await accounts.register(dependencies, data, request.language);
        await startSession(request, person.id);
        // Made from an invitation's page, for its address: the account joins at once (the link
        // was sent to this address, so accepting confirms it too). Otherwise the page says why not.
        const invited = /^\/communities\/([^/?#]+)\/invitations\/([^/?#]+)$/.exec(next);
        if (invited) {
          const [, slug = '', token = ''] = invited;
          const community = await findCommunityBySlug(dependencies.db, slug);
          const accepted = community
            ? await inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, (tx) =>
                acceptInvitation(tx, community, { id: person.id, email: data.email }, token),
              ).then(
                () => true,
                (error: unknown) => {
                  if (error instanceof DomainError) return false;
                  throw error;
                },
              )
            : false;
          if (!accepted || !community) return { to: next };
          return {
            to: `/c/${community.slug}`,
            flash: request.t('invitation.accepted', { community: community.name }),
          };
        }
        request.session.afterConfirming = next === '/' ? undefined : next;
        return { to: '/account/confirm-email', flash: request.t('register.done') };
      },
      flash: (done) => done.flash,
      next: (done) => done.to,
      refused: (error, values) =>
        error.code === 'email-taken' ? page(values, [{ field: 'email', code: 'errors.email.taken' }]) : undefined,
    });
  });

  // Following the link that confirms an email address
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
    { config: { access: access.public, ...limit }, schema: { params: tokenParams } },
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
    { config: { access: access.public, ...limit }, schema: { params: tokenParams } },
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
  // Signing in answers 302, as it always has: scripts that sign in look for it.
  app.post('/sign-in', { config: { access: access.public, ...limit } }, async (request, reply) => {
    const next = safeNext((request.body as Record<string, unknown> | undefined)?.next);
    const page = (values: Record<string, unknown>, errors: FieldError[], status = 400) =>
      render(
        request,
        reply,
        'accounts/views/sign-in.njk',
        { pageTitle: request.t('signIn.title'), errors, values, next },
        { status, form: true },
      );
    return submitForm(request, reply, {
      schema: accounts.signInDetails,
      page,
      save: async (data) => {
        const result = await accounts.signIn(dependencies, data, request.ip);
        switch (result.outcome) {
          case 'wrong':
            throw invalid([{ field: 'email', code: 'errors.signIn.wrong' }]);
          case 'locked':
            throw lockedOut();
          case 'two-factor':
            // Half signed in, in a new session: the code comes next.
            await request.session.regenerate();
            request.session.pendingPersonId = result.person.id;
            request.session.pendingNext = next;
            return '/sign-in/two-factor';
          case 'signed-in':
            return signedIn(dependencies, request, result.person.id, next);
        }
      },
      next: (to) => to,
      refused: (error, values) =>
        error.code === 'sign-in-locked'
          ? page(values, [{ field: 'email', code: 'errors.signIn.locked' }], 429)
          : undefined,
      status: 302,
    });
  });
  /** The second step of signing in: the code from the authenticator app, again with what was wrong. */
  const codePage = (request: FastifyRequest, reply: FastifyReply, errors?: FieldError[], status = 400) =>
    render(
      request,
      reply,
      'accounts/views/sign-in-code.njk',
      { pageTitle: request.t('signInCode.title'), errors },
      { status: errors ? status : 200, form: true },
    );
  app.get('/sign-in/two-factor', { config: { access: access.public } }, async (request, reply) => {
    if (!request.session.pendingPersonId) return reply.redirect('/sign-in');
    return codePage(request, reply);
  });
  app.post('/sign-in/two-factor', { config: { access: access.public, ...limit } }, async (request, reply) => {
    const pendingPersonId = request.session.pendingPersonId;
    if (!pendingPersonId) return reply.redirect('/sign-in');
    return submitForm(request, reply, {
      schema: accounts.twoFactorCode,
      page: (_values, errors) => codePage(request, reply, errors),
      save: async (data) => {
        const result = await accounts.completeTwoFactor(dependencies, pendingPersonId, data.code, request.ip);
        if (result.outcome === 'locked') throw lockedOut();
        if (result.outcome !== 'signed-in') throw invalid([{ field: 'code', code: 'errors.code.wrong' }]);
        // Read before the new session forgets it.
        const next = safeNext(request.session.pendingNext);
        return signedIn(dependencies, request, result.person.id, next);
      },
      next: (to) => to,
      refused: (error) =>
        error.code === 'sign-in-locked'
          ? codePage(request, reply, [{ field: 'code', code: 'errors.signIn.locked' }], 429)
          : undefined,
      status: 302,
    });
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
  app.post('/forgot-password', { config: { access: access.public, ...limit } }, async (request, reply) => {
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
  /** A reset link's page: the new password to choose, again with what was wrong. */
  const resetPage = (request: FastifyRequest, reply: FastifyReply, token: string, errors?: FieldError[]) =>
    render(
      request,
      reply,
      'accounts/views/reset-password.njk',
      { pageTitle: request.t('resetPassword.title'), token, errors },
      { status: errors ? 400 : 200, form: true },
    );
  /** A reset link used or out of date: gone (a 410). */
  const resetExpired = (request: FastifyRequest, reply: FastifyReply) =>
    render(
      request,
      reply,
      'accounts/views/reset-expired.njk',
      { pageTitle: request.t('resetExpired.title') },
      { status: 410 },
    );
  app.get(
    '/reset-password/:token',
    { config: { access: access.public }, schema: { params: tokenParams } },
    async (request, reply) => {
      const valid = await accounts.findValidReset(dependencies.db, request.params.token);
      if (!valid) return resetExpired(request, reply);
      return resetPage(request, reply, request.params.token);
    },
  );
  app.post(
    '/reset-password/:token',
    { config: { access: access.public, ...limit }, schema: { params: tokenParams } },
    async (request, reply) => {
      return submitForm(request, reply, {
        schema: z.object({ password: accounts.newPassword }),
        page: (_values, errors) => resetPage(request, reply, request.params.token, errors),
        save: async (data) => {
          const personId = await accounts.completePasswordReset(dependencies, request.params.token, data.password);
          // Signed in, with a new session id.
          await startSession(request, personId);
        },
        flash: request.t('resetPassword.done'),
        next: '/account',
        // The link expired or was used: its page says so (a 410).
        refused: (error) => (error.code === 'reset-link-expired' ? resetExpired(request, reply) : undefined),
      });
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
