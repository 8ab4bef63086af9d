import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { dateParts, phoneKey, withDateFromParts } from '../../platform/fields.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, pageOf, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { DomainError, type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import { problem, problemResponses } from '../../platform/http/schemas.ts';
import type { Community, CommunityTransaction } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as consent from './consent.ts';
import { programmesOf } from '../programmes/service.ts';
import { referralsOfPerson } from '../referrals/service.ts';
import * as service from './service.ts';
import { inviteKnownPerson } from '../communities/service.ts';
import { showInvitationOnce, takeInvitationShown } from '../communities/invitation-shown.ts';
import { memberOf as timebankMemberOf } from '../timebank/service.ts';
import { email as email_ } from '../accounts/service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const recordParams = communityParams.extend({ recordId: z.uuid() });
const sectionParams = recordParams.extend({ section: z.enum(service.sectionNames) });
const purposeParams = recordParams.extend({ purpose: z.enum(consent.consentPurposes) });
const mergeParams = recordParams.extend({ otherId: z.uuid() });
const ownSectionParams = communityParams.extend({ section: z.enum(service.sectionNames) });
const ownPurposeParams = communityParams.extend({ purpose: z.enum(consent.consentPurposes) });

/** Who keeps people's records: coordinators and admins. */
const recordKeepers = access.roles('coordinator', 'admin');

// ——— What the API says about a person ———

export const personSchema = z.object({
  id: z.uuid(),
  number: z.number().int(),
  status: z.enum(['active', 'merged', 'erased']),
  mergedIntoId: z.uuid().nullable(),
  hasAccount: z.boolean(),
  preferredName: z.string(),
  fullName: z.string(),
  pronouns: z.string(),
  dateOfBirth: z.string().nullable(),
  nhsNumber: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  address: z.string(),
  postcode: z.string().nullable(),
  contactMethod: z.enum(service.contactMethods).nullable(),
  contactTimes: z.string(),
  messageSafe: z
    .boolean()
    .nullable()
    .describe('Whether a voicemail or text to their phone is safe; null when not asked'),
  communicationNeeds: z.array(z.enum(service.communicationNeeds)),
  interpreterLanguage: z.string(),
  communicationOther: z.string(),
  emergencyContactName: z.string(),
  emergencyContactPhone: z.string(),
  emergencyContactRelationship: z.string(),
  gpPractice: z.string(),
  skillsAndInterests: z.string(),
  livedExperience: z.string(),
  availability: z.string(),
  assistedDigital: z.boolean(),
  createdAt: z.date(),
  updatedAt: z.date(),
});
const isNeed = (need: string): need is service.CommunicationNeed =>
  (service.communicationNeeds as readonly string[]).includes(need);
export const toPerson = (row: service.PersonRecord) => ({
  ...row,
  hasAccount: row.accountId !== null,
  communicationNeeds: row.communicationNeeds.filter(isNeed),
});
const duplicateSchema = z.object({
  person: z.object({
    id: z.uuid(),
    number: z.number().int(),
    preferredName: z.string(),
    dateOfBirth: z.string().nullable(),
  }),
  reasons: z.array(z.enum(['email', 'phone', 'nhsNumber', 'nameAndBirth'])),
});
const toDuplicate = (match: service.LikelyDuplicate) => ({
  person: {
    id: match.person.id,
    number: match.person.number,
    preferredName: match.person.preferredName,
    dateOfBirth: match.person.dateOfBirth,
  },
  reasons: match.reasons,
});
const consentSchema = z.object({
  purpose: z.enum(consent.consentPurposes),
  granted: z.boolean(),
  method: z.enum(consent.consentMethods),
  onBehalf: z.boolean(),
  note: z.string(),
  recordedAt: z.date(),
  current: z.boolean(),
});
// Every purpose, named (a record keyed by an enum would list required keys it never defines).
const consentsSchema = z.object({
  current: z.object(
    Object.fromEntries(consent.consentPurposes.map((purpose) => [purpose, z.boolean()])) as Record<
      consent.ConsentPurpose,
      z.ZodBoolean
    >,
  ),
  history: z.array(consentSchema),
});
const consentDecision = z.object({
  granted: z.boolean({ error: 'errors.consent.granted.missing' }),
  method: z.enum(consent.consentMethods, { error: 'errors.consent.method.missing' }),
  note: z.string().trim().max(1000, 'errors.consent.note.tooLong').optional(),
});
const equalitySummarySchema = z.object({
  total: z.number().int(),
  questions: z.record(
    z.string(),
    z.array(
      z.object({
        answer: z.string().nullable(),
        count: z.number().int().nullable().describe('null: fewer than 5 people, not shown'),
      }),
    ),
  ),
});

const ownEqualitySchema = z.object({
  ...Object.fromEntries(
    service.equalityQuestions.map((question) => [
      question,
      z.enum(service.equalityOptions[question]).nullable().optional(),
    ]),
  ),
  answeredAt: z.date().nullable(),
});

async function consentsOf(tx: CommunityTransaction, personId: string) {
  const history = await consent.consentHistory(tx, personId);
  const current = Object.fromEntries(
    consent.consentPurposes.map((purpose) => [
      purpose,
      history.some((row) => row.purpose === purpose && row.supersededAt === null && row.granted),
    ]),
  ) as Record<consent.ConsentPurpose, boolean>;
  return { current, history: history.map((row) => ({ ...row, current: row.supersededAt === null })) };
}

/** People: the records coordinators keep, and each member's own details and consent. */
export async function peopleRoutes(
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
    '/c/:community/people',
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
    '/c/:community/people/new',
    { config: { access: recordKeepers }, schema: { params: communityParams } },
    async (request, reply) => newPersonPage(request, reply, {}),
  );
  app.post(
    '/c/:community/people/new',
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
    '/c/:community/people/equality',
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
    '/c/:community/people/:recordId',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => personPage(request, reply),
  );
  // Someone known but not online is invited to use the service: their account will be this record.
  const inviteForm = z.object({ email: email_ });
  app.post(
    '/c/:community/people/:recordId/invitation',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: inviteForm,
        page: (values, errors) => personPage(request, reply, { errors, values }),
        save: async (data) => {
          const sent = await inRequestCommunity(dependencies, request, (tx, community) =>
            inviteKnownPerson(
              dependencies,
              tx,
              community,
              actorId,
              request.params.recordId,
              data.email,
              request.language,
            ),
          );
          showInvitationOnce(request, sent);
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
    '/c/:community/people/:recordId/edit/:section',
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
    '/c/:community/people/:recordId/edit/:section',
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
  const consentForm = z.object({
    granted: z.enum(['yes', 'no'], { error: 'errors.consent.granted.missing' }).transform((value) => value === 'yes'),
    method: z.enum(consent.consentMethods, { error: 'errors.consent.method.missing' }),
    note: z.string().trim().max(1000, 'errors.consent.note.tooLong').optional(),
  });
  app.get(
    '/c/:community/people/:recordId/consents/:purpose',
    { config: { access: recordKeepers }, schema: { params: purposeParams } },
    async (request, reply) => {
      const { person, state } = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const found = await service.getPerson(tx, community.id, request.params.recordId);
        return { person: found, state: await consent.consentState(tx, found.id) };
      });
      const back = `${base(request)}/people/${person.id}`;
      const current = state[request.params.purpose];
      return consentPage(request, reply, {
        purpose: request.params.purpose,
        values: { granted: current ? (current.granted ? 'yes' : 'no') : undefined },
        current,
        action: `${back}/consents/${request.params.purpose}`,
        back,
        own: false,
      });
    },
  );
  app.post(
    '/c/:community/people/:recordId/consents/:purpose',
    { config: { access: recordKeepers }, schema: { params: purposeParams } },
    async (request, reply) => {
      const back = `${base(request)}/people/${request.params.recordId}`;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: consentForm,
        page: (values, errors) =>
          consentPage(request, reply, {
            purpose: request.params.purpose,
            values,
            action: `${back}/consents/${request.params.purpose}`,
            back,
            own: false,
            errors,
          }),
        save: (data) =>
          inRequestCommunity(dependencies, request, async (tx, community) => {
            const person = await service.getPerson(tx, community.id, request.params.recordId);
            await consent.recordConsent(tx, {
              communityId: community.id,
              personRecordId: person.id,
              purpose: request.params.purpose,
              ...data,
              recordedBy: actorId,
              onBehalf: true,
            });
          }),
        flash: request.t('consent.saved'),
        next: back,
      });
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
  app.get(
    '/c/:community/people/:recordId/equality',
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
    '/c/:community/people/:recordId/equality',
    { config: { access: recordKeepers }, schema: { params: recordParams } },
    async (request, reply) => {
      const back = `${base(request)}/people/${request.params.recordId}`;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.equalityAnswers,
        page: (values, errors) =>
          equalityPage(request, reply, { values, action: `${back}/equality`, back, own: false, errors }),
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.saveEqualityAnswers(
              tx,
              community.id,
              { id: actorId, onBehalf: true },
              request.params.recordId,
              data,
            ),
          ),
        flash: request.t('people.equality.saved'),
        next: back,
      });
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
    '/c/:community/people/:recordId/merge/:otherId',
    { config: { access: recordKeepers }, schema: { params: mergeParams } },
    async (request, reply) => mergePage(request, reply),
  );
  app.post(
    '/c/:community/people/:recordId/merge/:otherId',
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

  const ownRecord = (request: FastifyRequest) => {
    const person = request.person;
    if (!person) throw notFound();
    return inRequestCommunity(dependencies, request, (tx, community) => service.ownRecord(tx, community.id, person));
  };
  app.get(
    '/c/:community/me',
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
    '/c/:community/me/details/:section',
    { config: { access: access.anyMember }, schema: { params: ownSectionParams } },
    async (request, reply) => {
      const own = await ownRecord(request);
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
    '/c/:community/me/details/:section',
    { config: { access: access.anyMember }, schema: { params: ownSectionParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      const own = await ownRecord(request);
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
    '/c/:community/me/consents/:purpose',
    { config: { access: access.anyMember }, schema: { params: ownPurposeParams } },
    async (request, reply) => {
      const own = await ownRecord(request);
      const state = await inRequestCommunity(dependencies, request, (tx) => consent.consentState(tx, own.id));
      const current = state[request.params.purpose];
      return consentPage(request, reply, {
        purpose: request.params.purpose,
        values: { granted: current ? (current.granted ? 'yes' : 'no') : undefined },
        current,
        action: `${base(request)}/me/consents/${request.params.purpose}`,
        back: `${base(request)}/me`,
        own: true,
      });
    },
  );
  app.post(
    '/c/:community/me/consents/:purpose',
    { config: { access: access.anyMember }, schema: { params: ownPurposeParams } },
    async (request, reply) => {
      const back = `${base(request)}/me`;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: consentForm.pick({ granted: true, note: true }),
        page: (values, errors) =>
          consentPage(request, reply, {
            purpose: request.params.purpose,
            values,
            action: `${back}/consents/${request.params.purpose}`,
            back,
            own: true,
            errors,
          }),
        save: async (data) => {
          const own = await ownRecord(request);
          await inRequestCommunity(dependencies, request, (tx, community) =>
            consent.recordConsent(tx, {
              communityId: community.id,
              personRecordId: own.id,
              purpose: request.params.purpose,
              granted: data.granted,
              method: 'online',
              note: data.note,
              recordedBy: actorId,
              onBehalf: false,
            }),
          );
        },
        flash: request.t('consent.saved'),
        next: back,
      });
    },
  );
  app.get(
    '/c/:community/me/equality',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const own = await ownRecord(request);
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
    '/c/:community/me/equality',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const back = `${base(request)}/me`;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.equalityAnswers,
        page: (values, errors) =>
          equalityPage(request, reply, { values, action: `${back}/equality`, back, own: true, errors }),
        save: async (data) => {
          const own = await ownRecord(request);
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.saveEqualityAnswers(tx, community.id, { id: actorId, onBehalf: false }, own.id, data),
          );
        },
        flash: request.t('people.equality.saved'),
        next: back,
      });
    },
  );

  // ——— The API ———
  const tags = ['People'];
  app.get(
    '/api/v1/communities/:community/people',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary:
          'People’s records, by preferred name; `search` matches names, email, phone, NHS number or record number',
        params: communityParams,
        querystring: pageQuery.extend({ search: z.string().max(200).optional() }),
        response: { 200: pageOf(personSchema), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, z.object({ name: cursorFields.text, id: cursorFields.id }));
      const rows = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.listPeople(tx, community.id, { search: request.query.search, after, limit: request.query.limit }),
      );
      return paginate(rows, request.query.limit, toPerson, service.personCursor);
    },
  );
  app.post(
    '/api/v1/communities/:community/people',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Add a person’s record',
        description:
          'Answers 409 with `duplicates` when the community already has a record that is likely the same person (same email, phone, NHS number, or name with date of birth); send `allowDuplicate: true` to add a new record anyway.',
        params: communityParams,
        body: service.personDetails.extend({ allowDuplicate: z.boolean().default(false) }),
        response: {
          201: personSchema,
          ...problemResponses(400, 401, 403, 404, 422),
          409: problem.extend({ duplicates: z.array(duplicateSchema).optional() }),
        },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const { allowDuplicate, ...details } = request.body;
      return once(dependencies.db, request, reply, async () =>
        inRequestCommunity(dependencies, request, async (tx, community) => {
          if (!allowDuplicate) {
            const duplicates = await service.findLikelyDuplicates(tx, community.id, {
              ...details,
              phoneKey: phoneKey(details.phone),
            });
            if (duplicates.length)
              throw new DomainError('likely-duplicate', 409, [], { duplicates: duplicates.map(toDuplicate) });
          }
          return {
            status: 201,
            body: toPerson(await service.createPerson(tx, community.id, { id: actorId, onBehalf: true }, details)),
          };
        }),
      );
    },
  );
  app.get(
    '/api/v1/communities/:community/people/:recordId',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'One person’s record (a merged record says where it went)',
        params: recordParams,
        response: { 200: personSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      toPerson(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.getPerson(tx, community.id, request.params.recordId),
        ),
      ),
  );
  app.patch(
    '/api/v1/communities/:community/people/:recordId',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Change some of a person’s details: send only what changes',
        params: recordParams,
        body: service.personPatch,
        response: { 200: personSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toPerson(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.updatePerson(
            tx,
            community.id,
            { id: actorId, onBehalf: true },
            request.params.recordId,
            request.body,
          ),
        ),
      );
    },
  );
  app.post(
    '/api/v1/communities/:community/people/:recordId/invitation',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary:
          'Invite someone known but not online to use the service as a member; accepting links their account to this record',
        params: recordParams,
        body: inviteForm,
        response: {
          201: z.object({
            id: z.uuid(),
            email: z.string(),
            expiresAt: z.date(),
            link: z.string().nullable(),
            emailed: z.boolean(),
          }),
          ...problemResponses(400, 401, 403, 404, 409),
        },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const sent = await inRequestCommunity(dependencies, request, (tx, community) =>
        inviteKnownPerson(
          dependencies,
          tx,
          community,
          actorId,
          request.params.recordId,
          request.body.email,
          request.language,
        ),
      );
      return reply.code(201).send(sent);
    },
  );
  app.get(
    '/api/v1/communities/:community/people/:recordId/duplicates',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Records that are likely the same person',
        params: recordParams,
        response: { 200: z.object({ items: z.array(duplicateSchema) }), ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const matches = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const person = await service.getPerson(tx, community.id, request.params.recordId);
        return service.findLikelyDuplicates(tx, community.id, person, person.id);
      });
      return { items: matches.map(toDuplicate) };
    },
  );
  app.post(
    '/api/v1/communities/:community/people/:recordId/merge',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Merge another record into this one',
        description:
          'This record stays, keeps its details and takes what it lacks from the other; it gains the other’s whole history. The other is kept, marked as merged.',
        params: recordParams,
        body: z.object({ from: z.uuid({ error: 'errors.person.merge.from' }) }),
        response: { 200: personSchema, ...problemResponses(400, 401, 403, 404, 409) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toPerson(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.mergePeople(
            tx,
            community.id,
            actorId,
            dependencies.personData,
            request.params.recordId,
            request.body.from,
          ),
        ),
      );
    },
  );
  app.get(
    '/api/v1/communities/:community/people/:recordId/consents',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'A person’s consent: current decisions and every decision made',
        params: recordParams,
        response: { 200: consentsSchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) =>
      inRequestCommunity(dependencies, request, async (tx, community) => {
        const person = await service.getPerson(tx, community.id, request.params.recordId);
        return consentsOf(tx, person.id);
      }),
  );
  app.post(
    '/api/v1/communities/:community/people/:recordId/consents/:purpose',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Record a consent decision made with the person (spoken or on paper)',
        params: purposeParams,
        body: consentDecision,
        response: { 200: consentsSchema, ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        const person = await service.getPerson(tx, community.id, request.params.recordId);
        await consent.recordConsent(tx, {
          communityId: community.id,
          personRecordId: person.id,
          purpose: request.params.purpose,
          ...request.body,
          recordedBy: actorId,
          onBehalf: true,
        });
        return consentsOf(tx, person.id);
      });
    },
  );
  app.put(
    '/api/v1/communities/:community/people/:recordId/equality-monitoring',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Record equality monitoring answers given by the person (they are not read back)',
        params: recordParams,
        body: service.equalityAnswers,
        response: { 204: z.null(), ...problemResponses(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      await inRequestCommunity(dependencies, request, (tx, community) =>
        service.saveEqualityAnswers(
          tx,
          community.id,
          { id: actorId, onBehalf: true },
          request.params.recordId,
          request.body,
        ),
      );
      return reply.code(204).send(null);
    },
  );
  app.get(
    '/api/v1/communities/:community/equality-monitoring',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary: 'Equality monitoring in aggregate (counts under 5 are not shown)',
        params: communityParams,
        response: { 200: equalitySummarySchema, ...problemResponses(401, 403, 404) },
      },
    },
    async (request) => {
      const { total, summary } = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.equalitySummary(tx, community.id),
      );
      return {
        total,
        questions: Object.fromEntries(
          Object.entries(summary).map(([question, answers]) => [
            question,
            answers.map(({ answer, shown }) => ({ answer, count: shown })),
          ]),
        ),
      };
    },
  );

  // A member's own record
  const meTags = ['You'];
  app.get(
    '/api/v1/communities/:community/me/record',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Your record in this community',
        params: communityParams,
        response: { 200: personSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => toPerson(await ownRecord(request)),
  );
  app.patch(
    '/api/v1/communities/:community/me/record',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Change your details: send only what changes',
        params: communityParams,
        body: service.personPatch.omit({ assistedDigital: true }),
        response: { 200: personSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      const own = await ownRecord(request);
      return toPerson(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.updatePerson(tx, community.id, { id: actorId, onBehalf: false }, own.id, request.body),
        ),
      );
    },
  );
  app.get(
    '/api/v1/communities/:community/me/consents',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Your consent: current decisions and every decision made',
        params: communityParams,
        response: { 200: consentsSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const own = await ownRecord(request);
      return inRequestCommunity(dependencies, request, (tx) => consentsOf(tx, own.id));
    },
  );
  app.post(
    '/api/v1/communities/:community/me/consents/:purpose',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Give or withdraw your consent for one purpose',
        params: ownPurposeParams,
        body: consentDecision.pick({ granted: true, note: true }),
        response: { 200: consentsSchema, ...problemResponses(400, 401, 404) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      const own = await ownRecord(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        await consent.recordConsent(tx, {
          communityId: community.id,
          personRecordId: own.id,
          purpose: request.params.purpose,
          granted: request.body.granted,
          method: 'online',
          note: request.body.note,
          recordedBy: actorId,
          onBehalf: false,
        });
        return consentsOf(tx, own.id);
      });
    },
  );
  app.get(
    '/api/v1/communities/:community/me/equality-monitoring',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Your equality monitoring answers (only you can read them)',
        params: communityParams,
        response: { 200: ownEqualitySchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const own = await ownRecord(request);
      const answers = await inRequestCommunity(dependencies, request, (tx) => service.ownEqualityAnswers(tx, own.id));
      return answers ? { ...answers } : { answeredAt: null };
    },
  );
  app.put(
    '/api/v1/communities/:community/me/equality-monitoring',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Answer equality monitoring questions (any may be left out)',
        params: communityParams,
        body: service.equalityAnswers,
        response: { 204: z.null(), ...problemResponses(400, 401, 404) },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const own = await ownRecord(request);
      await inRequestCommunity(dependencies, request, (tx, community) =>
        service.saveEqualityAnswers(tx, community.id, { id: actorId, onBehalf: false }, own.id, request.body),
      );
      return reply.code(204).send(null);
    },
  );
}
