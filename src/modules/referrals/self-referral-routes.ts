// Someone asking for support for themselves: no account needed, one question per page, then a
// link that joins the referral to the account they make.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { type Community, findCommunityBySlug, inCommunity } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { communicationNeeds } from '../people/service.ts';
import { referralHttp, selfReferralLimit } from './asker.ts';
import * as service from './service.ts';
import { needItems } from './support-needs.ts';

const slugParams = z.object({ slug: z.string().max(60) });

// ——— The self-referral's questions, one per page ———

const steps = ['programmes', 'name', 'contact', 'birth', 'support', 'communication', 'evaluation'] as const;
type Step = (typeof steps)[number];
const stepFields: Record<Step, (keyof service.SelfReferral)[]> = {
  programmes: ['programmeIds'],
  name: ['preferredName', 'fullName'],
  contact: ['contactBy', 'phone', 'messageSafe', 'email', 'address', 'postcode'],
  birth: ['dateOfBirth'],
  support: ['needs', 'reason'],
  communication: ['communicationNeeds', 'interpreterLanguage', 'communicationOther'],
  evaluation: ['evaluation'],
};
const stepSchema = (step: Step) =>
  service.selfReferral.pick(
    Object.fromEntries(stepFields[step].map((field) => [field, true])) as Record<keyof service.SelfReferral, true>,
  );
const stepParams = communityParams.extend({ step: z.enum(steps) });

declare module 'fastify' {
  interface Session {
    /** A self-referral being answered, page by page, before an account exists. */
    selfReferral?: { community: string; answers: Record<string, unknown>; submissionKey: string };
    /** The last self-referral sent from this browser, for its confirmation page. */
    selfReferralDone?: { community: string; reference: string; claimToken: string | null };
  }
}

/** The self-referral pages, under /c/:community/refer-yourself. */
export async function selfReferralPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const { contextFor, communityFor, inCommunityOf, openProgrammes, supportFor } = referralHttp(dependencies);

  // ——— Refer yourself: no account needed, one question per page ———

  const selfBase = (slug: string) => `/c/${slug}/refer-yourself`;
  const draftFor = (request: FastifyRequest, slug: string) => {
    const draft = request.session.selfReferral;
    if (draft?.community === slug) return draft;
    const fresh: { community: string; answers: Record<string, unknown>; submissionKey: string } = {
      community: slug,
      answers: {},
      submissionKey: randomUUID(),
    };
    request.session.selfReferral = fresh;
    return fresh;
  };
  const selfLimit = selfReferralLimit(dependencies);

  app.get('', { config: { access: access.public }, schema: { params: communityParams } }, async (request, reply) => {
    const community = await communityFor(request, request.params.community);
    return render(
      request,
      reply,
      'referrals/views/self-start.njk',
      { pageTitle: request.t('selfReferral.start.title', { community: community.name }), target: community },
      { brandedAs: community },
    );
  });

  const stepPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    community: Community,
    step: Step,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const index = steps.indexOf(step);
    const change = (request.query as { change?: string }).change === 'yes' || values.change === 'yes';
    const offered = step === 'programmes' ? await openProgrammes(community, request) : [];
    const support = step === 'support' ? await supportFor(community, request) : undefined;
    return render(
      request,
      reply,
      'referrals/views/self-step.njk',
      {
        pageTitle: request.t(`selfReferral.${step}.title`),
        target: community,
        step,
        values,
        errors,
        change,
        progress: request.t('selfReferral.progress', { step: index + 1, steps: steps.length }),
        back: change
          ? `${selfBase(community.slug)}/check`
          : index === 0
            ? selfBase(community.slug)
            : `${selfBase(community.slug)}/${steps[index - 1]}`,
        programmeItems: offered.map((programme) => ({
          value: programme.id,
          text: programme.name,
          hint: { text: programme.whoFor },
          checked: ([] as unknown[]).concat(values.programmeIds ?? []).includes(programme.id),
        })),
        contactItems: choices(request, 'selfReferral.contactBy', ['phone', 'sms', 'email', 'post'], values.contactBy),
        needItems: support ? needItems(support.list, support.words, values.needs) : [],
        communicationItems: choices(request, 'people.needs', communicationNeeds, values.communicationNeeds),
        dateOfBirthParts: dateParts(values.dateOfBirth),
      },
      { status: errors ? 400 : 200, brandedAs: community, form: true },
    );
  };
  app.get('/:step', { config: { access: access.public }, schema: { params: stepParams } }, async (request, reply) => {
    const community = await communityFor(request, request.params.community);
    const draft = draftFor(request, community.slug);
    return stepPage(request, reply, community, request.params.step, { ...draft.answers });
  });
  app.post('/:step', { config: { access: access.public }, schema: { params: stepParams } }, async (request, reply) => {
    const community = await communityFor(request, request.params.community);
    const { step } = request.params;
    const body =
      step === 'birth'
        ? withDateFromParts(request.body, 'dateOfBirth')
        : { ...(request.body as Record<string, unknown>) };
    return submitForm(request, reply, {
      schema: stepSchema(step),
      body,
      page: (values, errors) => stepPage(request, reply, community, step, values, errors),
      check: (data) => {
        const problems = step === 'contact' || step === 'communication' ? service.checkSelfReferral(data) : [];
        return problems.length ? stepPage(request, reply, community, step, body, problems) : undefined;
      },
      // Nothing is sent yet: the answers wait in the session for the check page.
      save: async (data) => {
        const draft = draftFor(request, community.slug);
        // Kept as typed where it is a date (the page shows it again); the rest as checked.
        draft.answers = {
          ...draft.answers,
          ...data,
          ...(step === 'birth' ? { dateOfBirth: (data as { dateOfBirth?: unknown }).dateOfBirth } : {}),
        };
        request.session.selfReferral = draft;
      },
      next: `${selfBase(community.slug)}/${body.change === 'yes' || step === 'evaluation' ? 'check' : steps[steps.indexOf(step) + 1]}`,
    });
  });

  const checkPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    community: Community,
    errors?: FieldError[],
  ) => {
    const draft = draftFor(request, community.slug);
    const offered = await openProgrammes(community, request);
    const support = await supportFor(community, request);
    const chosen = ([] as unknown[]).concat(draft.answers.programmeIds ?? []);
    return render(
      request,
      reply,
      'referrals/views/self-check.njk',
      {
        pageTitle: request.t('selfReferral.check.title'),
        target: community,
        answers: draft.answers,
        needWords: support.words,
        programmeNames: offered.filter((programme) => chosen.includes(programme.id)).map((programme) => programme.name),
        submissionKey: draft.submissionKey,
        errors,
      },
      { status: errors ? 400 : 200, brandedAs: community, form: true },
    );
  };
  app.get(
    '/check',
    { config: { access: access.public }, schema: { params: communityParams } },
    async (request, reply) => {
      const community = await communityFor(request, request.params.community);
      const draft = draftFor(request, community.slug);
      const firstMissing = steps.find((step) => !stepSchema(step).safeParse(draft.answers).success);
      if (firstMissing) return reply.redirect(`${selfBase(community.slug)}/${firstMissing}`);
      return checkPage(request, reply, community);
    },
  );
  app.post(
    '/check',
    { config: { access: access.public, ...selfLimit }, schema: { params: communityParams } },
    async (request, reply) => {
      const community = await communityFor(request, request.params.community);
      const body = request.body as Record<string, unknown>;
      const draft = request.session.selfReferral;
      const answers = service.selfReferral.safeParse(draft?.answers);
      return submitForm(request, reply, {
        // The answers were checked step by step and wait in the session; the form sends only the button.
        schema: z.object({}),
        page: (_values, errors) => checkPage(request, reply, community, errors),
        check: () => {
          // A field people never see: only a program filling every field fills it in. It is told it worked.
          if (typeof body.website === 'string' && body.website !== '') {
            request.log.info({ community: community.slug }, 'self-referral honeypot filled');
            request.session.selfReferral = undefined;
            request.session.selfReferralDone = {
              community: community.slug,
              reference: service.newReference(),
              claimToken: null,
            };
            return reply.redirect(`${selfBase(community.slug)}/done`, 303);
          }
          const done = request.session.selfReferralDone;
          // A second press of the button, after the first has been sent: show what was sent.
          if (!draft || draft.community !== community.slug)
            return reply.redirect(
              done?.community === community.slug ? `${selfBase(community.slug)}/done` : selfBase(community.slug),
              303,
            );
          if (!answers.success)
            return reply.redirect(
              `${selfBase(community.slug)}/${steps.find((step) => !stepSchema(step).safeParse(draft.answers).success) ?? 'programmes'}`,
              303,
            );
          return undefined;
        },
        save: async () => {
          if (!draft || !answers.success) throw new Error('checked before saving');
          const person = request.person;
          const created = await inCommunityOf(community, request, (tx) =>
            service.createSelfReferral(tx, contextFor(community, person?.id ?? null), answers.data, {
              onBehalf: false,
              submissionKey: service.submissionKeyFor('page', 'self', draft.submissionKey),
            }),
          );
          request.session.selfReferral = undefined;
          request.session.selfReferralDone = {
            community: community.slug,
            reference: created.referral.reference,
            claimToken: created.claimToken,
          };
        },
        next: `${selfBase(community.slug)}/done`,
      });
    },
  );
  app.get(
    '/done',
    { config: { access: access.public }, schema: { params: communityParams } },
    async (request, reply) => {
      const community = await communityFor(request, request.params.community);
      const done = request.session.selfReferralDone;
      if (done?.community !== community.slug) return reply.redirect(selfBase(community.slug));
      const claim = done.claimToken ? `/communities/${community.slug}/referrals/claim/${done.claimToken}` : null;
      return render(
        request,
        reply,
        'referrals/views/self-done.njk',
        { pageTitle: request.t('selfReferral.done.title'), target: community, reference: done.reference, claim },
        { brandedAs: community },
      );
    },
  );
}

/** The claim link, under /communities/:slug/referrals: after making an account from the confirmation page, the referral joins the account. */
export async function referralClaim(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/claim/:token',
    { config: { access: access.signedIn }, schema: { params: slugParams.extend({ token: z.string().max(200) }) } },
    async (request, reply) => {
      const person = request.person;
      const community = await findCommunityBySlug(dependencies.db, request.params.slug);
      if (!community || !person) throw notFound();
      // Linking an account to a record needs an address the person has shown they read.
      if (!person.emailVerified)
        return reply.redirect(`/account/confirm-email?next=${encodeURIComponent(request.url)}`, 303);
      const claimed = await inCommunity(dependencies.db, { communityId: community.id, personId: person.id }, (tx) =>
        service.claimReferral(tx, community.id, request.params.token, person),
      );
      if (request.session.selfReferralDone?.claimToken === request.params.token)
        request.session.selfReferralDone = undefined;
      return render(
        request,
        reply,
        'referrals/views/claimed.njk',
        {
          pageTitle: request.t(claimed ? 'selfReferral.claimed.title' : 'selfReferral.claimed.expiredTitle'),
          target: community,
          claimed,
        },
        { brandedAs: community, status: claimed ? 200 : 410 },
      );
    },
  );
}
