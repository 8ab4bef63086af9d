import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import QRCode from 'qrcode';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { membershipList } from '../../platform/auth/people.ts';
import { takeFlash } from '../../platform/http/community-request.ts';
import { safeNext, submitForm } from '../../platform/http/forms.ts';
import { invalid, unauthenticated } from '../../platform/http/problems.ts';
import { languages } from '../../platform/i18n.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { signInLimit } from './limits.ts';
import * as accounts from './service.ts';

/** The signed-in person's own pages, under /account: confirming their address, language, two-step sign-in, API tokens. */
export async function accountPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const limit = signInLimit(dependencies.config);

  // Confirming the email address: the page that waits for the link to be followed
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
  app.get('/confirm-email', { config: { access: access.signedIn } }, async (request, reply) =>
    confirmPage(request, reply),
  );
  app.post('/confirm-email', { config: { access: access.signedIn, ...limit } }, async (request, reply) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    return submitForm(request, reply, {
      schema: z.object({}),
      once: { db: dependencies.db, accountId: person.id },
      save: () => accounts.resendEmailConfirmation(dependencies, person.id),
      flash: request.t('confirmEmail.sentAgain', { email: person.email }),
      next: '/account/confirm-email',
    });
  });

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
        // The new-token form's key: a second press of it replaces the first's token, not adds one.
        formKey: randomUUID(),
        ...extra,
      },
      { status },
    );
  };
  app.get('', { config: { access: access.signedIn } }, async (request, reply) => accountPage(request, reply));
  app.post('/language', { config: { access: access.signedIn } }, async (request, reply) => {
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
  app.post('/tokens', { config: { access: access.signedIn } }, async (request, reply) => {
    const person = request.person;
    if (!person) throw unauthenticated();
    return submitForm(request, reply, {
      schema: accounts.tokenName,
      page: (values, errors) => accountPage(request, reply, { errors, values }, 400),
      save: (data) =>
        accounts.createApiToken(
          dependencies,
          person.id,
          data.name,
          (request.body as { formKey?: unknown } | null)?.formKey,
        ),
      // The token is shown once, on this response, and never stored: no redirect.
      show: (created) =>
        render(request, reply, 'accounts/views/token-created.njk', {
          pageTitle: request.t('tokenCreated.title'),
          created,
        }),
    });
  });
  app.post(
    '/tokens/:tokenId/revoke',
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
  app.get('/two-factor', { config: { access: access.signedIn } }, async (request, reply) =>
    twoFactorPage(request, reply),
  );
  app.post('/two-factor', { config: { access: access.signedIn } }, async (request, reply) => {
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
  app.post('/two-factor/off', { config: { access: access.signedIn } }, async (request, reply) => {
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
}
