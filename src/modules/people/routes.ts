// The people pages: the records coordinators keep, and each member's own details and consent.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { dateParts, phoneKey, withDateFromParts } from '../../platform/fields.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { cursorFields, decodeCursor, paginate } from '../../platform/http/pagination.ts';
import { DomainError, type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { Community, CommunityTransaction } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { showInvitationOnce, takeInvitationShown } from '../communities/invitation-shown.ts';
import { programmesOf } from '../programmes/service.ts';
import { referralsOfPerson } from '../referrals/service.ts';
import { memberOf as timebankMemberOf } from '../timebank/service.ts';
import {
  consentDecision,
  invitation,
  inviteRecord,
  ownPurposeParams,
  ownRecordOf,
  purposeParams,
  recordConsentFor,
  recordKeepers,
  recordOwnConsent,
  recordParams,
} from './asker.ts';
import * as consent from './consent.ts';
import * as service from './service.ts';

const sectionParams = recordParams.extend({ section: z.enum(service.sectionNames) });
const mergeParams = recordParams.extend({ otherId: z.uuid() });
const ownSectionParams = communityParams.extend({ section: z.enum(service.sectionNames) });

/** The people pages, under /c/:community: /people for coordinators, /me for each member. */
export async function peoplePages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}`;

  /** The choices each section's form offers, in the page's language. */
  const sectionChoices = (request: FastifyRequest, values: Record<string, unknown>) => ({
    contactMethodItems: choices(request, 'people.contactMethods', service.contactMethods, values.contactMethod),
    needItems: choices(request, 'people.needs', service.communicationNeeds, values.communicationNeeds),
    dateOfBirthParts: dateParts(values.dateOfBirth),
  });
  const sectionBody = (section: service.PersonSection, body: unknown): Record<string, unknown> =>
    section === 'about' ? withDateFromParts(body, 'dateOfBirth') : { ...(body as Record<string, unknown>) };

  // ——— Coordinators: finding, adding and changing records ———

  const peopleQuery = z.object({ search: z.string().max(200).optional(), cursor: z.string().max(500).optional() });
  app.get(
    '/people',
    { config: { access: recordKeepers }, schema: { params: communityParams, querystring: peopleQuery } },
    async (request, reply) => {
      const after = decodeCursor(request.query.cursor, z.object({ name: cursorFields.text, id: cursorFields.id }));
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listPeople(tx, community.id, { search: request.query.search, after, limit: 50 }),
      );
      const page = paginate(rows, 50, (row) => row, service.personCursor);
      const search = request.query.search ?? '';
      return render(request, reply, 'people/views/list.njk', {
        pageTitle: request.t('people.list.title'),
        people: page.items,
        search,
        nextHref: page.nextCursor
          ? `?${new URLSearchParams({ ...(search ? { search } : {}), cursor: page.nextCursor })}`
          : null,
        flash: takeFlash(request),
      });
    },
  );

  const newPersonPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'people/views/new.njk',
      {
        pageTitle: request.t('people.new.title'),
        values,
        formKey: randomUUID(),
        ...sectionChoices(request, values),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  app.get(
    '/people/new',
    { config: { access: recordKeepers }, schema: { params: communityParams } },
    async (request, reply) => newPersonPage(request, reply, {}),
  );
  app.post(
    '/people/new',
    { config: { access: recordKeepers }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'dateOfBirth');
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.personDetails,
        body,
        page: (values, errors) => newPersonPage(request, reply, values, errors),
        check: async (data) => {
          const problems = service.checkRecord(data);
          if (problems.length) return newPersonPage(request, reply, body, problems);
          if (body.confirmNew === 'yes') return undefined;
          const duplicates = await inRequestCommunity(dependencies, request, (tx, community) =>
            service.findLikelyDuplicates(tx, community.id, { ...data, phoneKey: phoneKey(data.phone) }),
          );
          if (duplicates.length === 0) return undefined;
          const carried = Object.entries(body).filter(
            ([name]) => name !== '_csrf' && name !== 'confirmNew' && !name.startsWith('dateOfBirth-'),
          );
          return render(request, reply, 'people/views/duplicates.njk', {
            pageTitle: request.t('people.duplicates.title'),
            duplicates,
            carried,
          });
        },
        // Pressed twice, the button adds one person.
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.createPerson(tx, community.id, { id: actorId, onBehalf: true }, data),
          ),
        flash: (created) => request.t('people.new.done', { name: created.preferredName }),
        next: (created) => `${base(request)}/people/${created.id}`,
      });
    },
  );

  app.get(
    '/people/equality',
    { config: { access: recordKeepers }, schema: { params: communityParams } },
    async (request, reply) => {
      const summary = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.equalitySummary(tx, community.id),
      );
      return render(request, reply, 'people/views/equality-summary.njk', {
        pageTitle: request.t('people.equalitySummary.title'),
        ...summary,
        questions: service.equalityQuestions,
        smallNumber: service.smallNumber,
      });
    },
  );

  const personPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>,
    reply: FastifyReply,
    invalidInvitation?: { errors: FieldError[]; values: Record<string, unknown> },
  ) => {
    const view = await inRequestCommunity(dependencies, request, async (tx, community) => {
      const person = await service.getPerson(tx, community.id, request.params.recordId);
      if (person.status === 'merged' && person.mergedIntoId) return { redirect: person.mergedIntoId };
      return {
        record: person,
        account: await service.accountOf(tx, person.accountId),
        consents: await consent.consentState(tx, person.id),
        duplicates:
          person.status === 'active' ? await service.findLikelyDuplicates(tx, community.id, person, person.id) : [],
        mergedFrom: await service.mergedFrom(tx, community.id, person.id),
        referrals: await referralsOfPerson(tx, person.id),
        programmes: await programmesOf(tx, person.id),
        // What can be done for them from here: join the time bank, be invited online.
        inTimebank: (request.programmeKinds ?? []).includes('timebank')
          ? Boolean(await timebankMemberOf(tx, community.id, person.id))
          : null,
      };
    });
    if ('redirect' in view) return reply.redirect(`${base(request)}/people/${view.redirect}`);
    return render(
      request,
      reply,
      'people/views/person.njk',
      {
        pageTitle: view.record.preferredName,
        ...view,
        purposes: consent.consentPurposes,
        sections: service.sectionNames,
        ...takeInvitationShown(request),
        errors: invalidInvitation?.errors,
        values: invalidInvitation?.values ?? {},
      },
      { status: invalidInvitation ? 400 : 200 },
    );
  };
  app.get(
    '/people/:recordId',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => personPage(request, reply),
  );
  // Someone known but not online is invited to use the service: their account will be this record.
  app.post(
    '/people/:recordId/invitation',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => {
      return submitForm(request, reply, {
        schema: invitation,
        page: (values, errors) => personPage(request, reply, { errors, values }),
        save: async (data) => {
          showInvitationOnce(request, await inviteRecord(dependencies, request, data.email));
        },
        next: `${base(request)}/people/${request.params.recordId}`,
      });
    },
  );

  const sectionPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      section: service.PersonSection;
      values: Record<string, unknown>;
      action: string;
      back: string;
      own: boolean;
      errors?: FieldError[];
    },
  ) =>
    render(
      request,
      reply,
      'people/views/section.njk',
      {
        pageTitle: request.t(`people.${options.own ? 'ownSections' : 'sections'}.${options.section}.title`),
        ...options,
        ...sectionChoices(request, options.values),
      },
      { status: options.errors ? 400 : 200 },
    );
  /** Saves one section of a record from a form; on a mistake, the same page with what was typed. */
  const saveSection = async (
    request: FastifyRequest,
    reply: FastifyReply,
    target: { section: service.PersonSection; action: string; back: string; own: boolean },
    save: (tx: CommunityTransaction, community: Community, change: service.PersonPatch) => Promise<unknown>,
  ) => {
    const body = sectionBody(target.section, request.body);
    // A member cannot mark themselves as managed by a coordinator; coordinators can.
    const schema =
      target.section === 'about' && !target.own
        ? service.personSections.about.extend({ assistedDigital: service.personDetails.shape.assistedDigital })
        : service.personSections[target.section];
    return submitForm(request, reply, {
      schema,
      body,
      page: (values, errors) => sectionPage(request, reply, { ...target, values, errors }),
      save: (data) =>
        inRequestCommunity(dependencies, request, (tx, community) => save(tx, community, data as service.PersonPatch)),
      flash: request.t('people.saved'),
      next: target.back,
    });
  };

  app.get(
    '/people/:recordId/edit/:section',
    { config: { access: recordKeepers }, schema: { params: sectionParams } },
    async (request, reply) => {
      const person = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.getPerson(tx, community.id, request.params.recordId),
      );
      const back = `${base(request)}/people/${person.id}`;
      return sectionPage(request, reply, {
        section: request.params.section,
        values: { ...person },
        action: `${back}/edit/${request.params.section}`,
        back,
        own: false,
      });
    },
  );
  app.post(
    '/people/:recordId/edit/:section',
    { config: { access: recordKeepers }, schema: { params: sectionParams } },
    async (request, reply) => {
      const back = `${base(request)}/people/${request.params.recordId}`;
      const actorId = actorOf(request);
      return saveSection(
        request,
        reply,
        { section: request.params.section, action: `${back}/edit/${request.params.section}`, back, own: false },
        (tx, community, change) =>
          service.updatePerson(tx, community.id, { id: actorId, onBehalf: true }, request.params.recordId, change),
      );
    },
  );

  // Consent, recorded by a coordinator for the person: spoken or on paper.
  const consentPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: {
      purpose: consent.ConsentPurpose;
      values: Record<string, unknown>;
      action: string;
      back: string;
      own: boolean;
      current?: consent.ConsentDecision;
      errors?: FieldError[];
    },
  ) =>
    render(
      request,
      reply,
      'people/views/consent.njk',
      {
        pageTitle: request.t(`consent.purposes.${options.purpose}.question`),
        ...options,
        methodItems: choices(
          request,
          'consent.methods',
          consent.consentMethods,
          options.values.method ?? (options.own ? 'online' : 'spoken'),
        ),
      },
      { status: options.errors ? 400 : 200 },
    );
  const consentForm = consentDecision.extend({
    granted: z.enum(['yes', 'no'], { error: 'errors.consent.granted.missing' }).transform((value) => value === 'yes'),
  });
  type ConsentTarget = { purpose: consent.ConsentPurpose; back: string; own: boolean };
  /** The consent form for one purpose, filled in as the person's consent stands. */
  const showConsent = (
    request: FastifyRequest,
    reply: FastifyReply,
    target: ConsentTarget,
    state: consent.ConsentState,
  ) => {
    const current = state[target.purpose];
    return consentPage(request, reply, {
      ...target,
      values: { granted: current ? (current.granted ? 'yes' : 'no') : undefined },
      current,
      action: `${target.back}/consents/${target.purpose}`,
    });
  };
  /** Saves a consent decision from its form; on a mistake, the same page with what was typed. */
  const saveConsent = <Form extends z.ZodType>(
    request: FastifyRequest,
    reply: FastifyReply,
    target: ConsentTarget,
    schema: Form,
    save: (data: z.infer<Form>) => Promise<void>,
  ) =>
    submitForm(request, reply, {
      schema,
      page: (values, errors) =>
        consentPage(request, reply, {
          ...target,
          values,
          action: `${target.back}/consents/${target.purpose}`,
          errors,
        }),
      save,
      flash: request.t('consent.saved'),
      next: target.back,
    });
  app.get(
    '/people/:recordId/consents/:purpose',
    { config: { access: recordKeepers }, schema: { params: purposeParams } },
    async (request, reply) => {
      const { person, state } = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const found = await service.getPerson(tx, community.id, request.params.recordId);
        return { person: found, state: await consent.consentState(tx, found.id) };
      });
      const target = { purpose: request.params.purpose, back: `${base(request)}/people/${person.id}`, own: false };
      return showConsent(request, reply, target, state);
    },
  );
  app.post(
    '/people/:recordId/consents/:purpose',
    { config: { access: recordKeepers }, schema: { params: purposeParams } },
    async (request, reply) => {
      const back = `${base(request)}/people/${request.params.recordId}`;
      const actorId = actorOf(request);
      const target = { purpose: request.params.purpose, back, own: false };
      return saveConsent(request, reply, target, consentForm, (data) =>
        inRequestCommunity(dependencies, request, async (tx, community) => {
          await recordConsentFor(tx, community.id, request.params.recordId, request.params.purpose, data, actorId);
        }),
      );
    },
  );

  // Equality monitoring, asked for someone who is not online: the answers are not shown back.
  const equalityPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    options: { values: Record<string, unknown>; action: string; back: string; own: boolean; errors?: FieldError[] },
  ) =>
    render(
      request,
      reply,
      'people/views/equality.njk',
      {
        pageTitle: request.t('people.equality.title'),
        ...options,
        questions: service.equalityQuestions.map((question) => ({
          name: question,
          items: choices(
            request,
            `people.equality.${question}.options`,
            service.equalityOptions[question],
            options.values[question],
          ),
        })),
      },
      { status: options.errors ? 400 : 200 },
    );
  /** Saves equality answers from their form; on a mistake, the same page with what was typed. */
  const saveEquality = (
    request: FastifyRequest,
    reply: FastifyReply,
    target: { back: string; own: boolean },
    save: (data: z.infer<typeof service.equalityAnswers>) => Promise<unknown>,
  ) =>
    submitForm(request, reply, {
      schema: service.equalityAnswers,
      page: (values, errors) =>
        equalityPage(request, reply, { values, action: `${target.back}/equality`, ...target, errors }),
      save,
      flash: request.t('people.equality.saved'),
      next: target.back,
    });
  app.get(
    '/people/:recordId/equality',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => {
      const person = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.getPerson(tx, community.id, request.params.recordId),
      );
      const back = `${base(request)}/people/${person.id}`;
      return equalityPage(request, reply, { values: {}, action: `${back}/equality`, back, own: false });
    },
  );
  app.post(
    '/people/:recordId/equality',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => {
      const back = `${base(request)}/people/${request.params.recordId}`;
      const actorId = actorOf(request);
      return saveEquality(request, reply, { back, own: false }, (data) =>
        inRequestCommunity(dependencies, request, (tx, community) =>
          service.saveEqualityAnswers(tx, community.id, { id: actorId, onBehalf: true }, request.params.recordId, data),
        ),
      );
    },
  );

  // Merging a likely duplicate into the record being looked at.
  const mergePage = async (
    request: FastifyRequest<{ Params: z.infer<typeof mergeParams> }>,
    reply: FastifyReply,
    errors?: FieldError[],
  ) => {
    const pair = await inRequestCommunity(dependencies, request, async (tx, community) => {
      const into = await service.getPerson(tx, community.id, request.params.recordId);
      const from = await service.getPerson(tx, community.id, request.params.otherId);
      return { into, from, reasons: service.duplicateReasons(into, from) };
    });
    return render(
      request,
      reply,
      'people/views/merge.njk',
      { pageTitle: request.t('people.merge.title'), ...pair, errors },
      { status: errors ? 409 : 200 },
    );
  };
  app.get(
    '/people/:recordId/merge/:otherId',
    { config: { access: recordKeepers }, schema: { params: mergeParams } },
    async (request, reply) => mergePage(request, reply),
  );
  app.post(
    '/people/:recordId/merge/:otherId',
    { config: { access: recordKeepers }, schema: { params: mergeParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        page: (_values, errors) => mergePage(request, reply, errors),
        save: async () => {
          try {
            return await inRequestCommunity(dependencies, request, (tx, community) =>
              service.mergePeople(
                tx,
                community.id,
                actorId,
                dependencies.personData,
                request.params.recordId,
                request.params.otherId,
              ),
            );
          } catch (error) {
            // Said on the page: the same record twice, two accounts, or one no longer active.
            if (error instanceof DomainError && (error.status === 409 || error.status === 400))
              throw invalid([
                {
                  field: 'merge',
                  code: `errors.person.merge.${error.code === 'both-have-accounts' ? 'bothAccounts' : error.code === 'validation-failed' ? 'same' : 'notActive'}`,
                },
              ]);
            throw error;
          }
        },
        flash: (merged) => request.t('people.merge.done', { name: merged.preferredName }),
        next: `${base(request)}/people/${request.params.recordId}`,
      });
    },
  );

  // ——— Members: their own details and consent ———

  app.get(
    '/me',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const person = request.person;
      if (!person) throw notFound();
      const view = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const own = await service.ownRecord(tx, community.id, person);
        return {
          record: own,
          consents: await consent.consentState(tx, own.id),
          equalityAnswered: await service.hasEqualityAnswers(tx, own.id),
          programmes: await programmesOf(tx, own.id),
        };
      });
      return render(request, reply, 'people/views/me.njk', {
        pageTitle: request.t('people.me.title'),
        ...view,
        purposes: consent.consentPurposes,
        sections: service.sectionNames,
        flash: takeFlash(request),
      });
    },
  );
  app.get(
    '/me/details/:section',
    { config: { access: access.anyMember }, schema: { params: ownSectionParams } },
    async (request, reply) => {
      const own = await ownRecordOf(dependencies, request);
      return sectionPage(request, reply, {
        section: request.params.section,
        values: { ...own },
        action: `${base(request)}/me/details/${request.params.section}`,
        back: `${base(request)}/me`,
        own: true,
      });
    },
  );
  app.post(
    '/me/details/:section',
    { config: { access: access.anyMember }, schema: { params: ownSectionParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const own = await ownRecordOf(dependencies, request);
      return saveSection(
        request,
        reply,
        {
          section: request.params.section,
          action: `${base(request)}/me/details/${request.params.section}`,
          back: `${base(request)}/me`,
          own: true,
        },
        (tx, community, change) =>
          service.updatePerson(tx, community.id, { id: actorId, onBehalf: false }, own.id, change),
      );
    },
  );
  app.get(
    '/me/consents/:purpose',
    { config: { access: access.anyMember }, schema: { params: ownPurposeParams } },
    async (request, reply) => {
      const own = await ownRecordOf(dependencies, request);
      const state = await inRequestCommunity(dependencies, request, (tx) => consent.consentState(tx, own.id));
      return showConsent(
        request,
        reply,
        { purpose: request.params.purpose, back: `${base(request)}/me`, own: true },
        state,
      );
    },
  );
  app.post(
    '/me/consents/:purpose',
    { config: { access: access.anyMember }, schema: { params: ownPurposeParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const target = { purpose: request.params.purpose, back: `${base(request)}/me`, own: true };
      return saveConsent(request, reply, target, consentForm.pick({ granted: true, note: true }), async (data) => {
        const own = await ownRecordOf(dependencies, request);
        await inRequestCommunity(dependencies, request, (tx, community) =>
          recordOwnConsent(tx, community.id, own.id, request.params.purpose, data, actorId),
        );
      });
    },
  );
  app.get(
    '/me/equality',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const own = await ownRecordOf(dependencies, request);
      const answers = await inRequestCommunity(dependencies, request, (tx) => service.ownEqualityAnswers(tx, own.id));
      return equalityPage(request, reply, {
        values: { ...answers },
        action: `${base(request)}/me/equality`,
        back: `${base(request)}/me`,
        own: true,
      });
    },
  );
  app.post(
    '/me/equality',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const back = `${base(request)}/me`;
      const actorId = actorOf(request);
      return saveEquality(request, reply, { back, own: true }, async (data) => {
        const own = await ownRecordOf(dependencies, request);
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.saveEqualityAnswers(tx, community.id, { id: actorId, onBehalf: false }, own.id, data),
        );
      });
    },
  );
}
