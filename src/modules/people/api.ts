// The people API: the records coordinators keep, and each member's own record and consent.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { phoneKey } from '../../platform/fields.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { once } from '../../platform/http/idempotency.ts';
import { cursorFields, decodeCursor, pageOf, pageQuery, paginate } from '../../platform/http/pagination.ts';
import { DomainError } from '../../platform/http/problems.ts';
import { communityParams, problem, problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
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

/** The people API, under /api/v1/communities/:community. */
export async function peopleApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  // ——— Records, kept by coordinators ———
  const tags = ['People'];
  app.get(
    '/people',
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
    '/people',
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
    '/people/:recordId',
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
    '/people/:recordId',
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
    '/people/:recordId/invitation',
    {
      config: { access: recordKeepers },
      schema: {
        tags,
        summary:
          'Invite someone known but not online to use the service as a member; accepting links their account to this record',
        params: recordParams,
        body: invitation,
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
    async (request, reply) => reply.code(201).send(await inviteRecord(dependencies, request, request.body.email)),
  );
  app.get(
    '/people/:recordId/duplicates',
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
    '/people/:recordId/merge',
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
    '/people/:recordId/consents',
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
    '/people/:recordId/consents/:purpose',
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
        const { purpose, recordId } = request.params;
        const person = await recordConsentFor(tx, community.id, recordId, purpose, request.body, actorId);
        return consentsOf(tx, person.id);
      });
    },
  );
  app.put(
    '/people/:recordId/equality-monitoring',
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
    '/equality-monitoring',
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
    '/me/record',
    {
      config: { access: access.anyMember },
      schema: {
        tags: meTags,
        summary: 'Your record in this community',
        params: communityParams,
        response: { 200: personSchema, ...problemResponses(401, 404) },
      },
    },
    async (request) => toPerson(await ownRecordOf(dependencies, request)),
  );
  app.patch(
    '/me/record',
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
      const own = await ownRecordOf(dependencies, request);
      return toPerson(
        await inRequestCommunity(dependencies, request, (tx, community) =>
          service.updatePerson(tx, community.id, { id: actorId, onBehalf: false }, own.id, request.body),
        ),
      );
    },
  );
  app.get(
    '/me/consents',
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
      const own = await ownRecordOf(dependencies, request);
      return inRequestCommunity(dependencies, request, (tx) => consentsOf(tx, own.id));
    },
  );
  app.post(
    '/me/consents/:purpose',
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
      const own = await ownRecordOf(dependencies, request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        await recordOwnConsent(tx, community.id, own.id, request.params.purpose, request.body, actorId);
        return consentsOf(tx, own.id);
      });
    },
  );
  app.get(
    '/me/equality-monitoring',
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
      const own = await ownRecordOf(dependencies, request);
      const answers = await inRequestCommunity(dependencies, request, (tx) => service.ownEqualityAnswers(tx, own.id));
      return answers ? { ...answers } : { answeredAt: null };
    },
  );
  app.put(
    '/me/equality-monitoring',
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
      const own = await ownRecordOf(dependencies, request);
      await inRequestCommunity(dependencies, request, (tx, community) =>
        service.saveEqualityAnswers(tx, community.id, { id: actorId, onBehalf: false }, own.id, request.body),
      );
      return reply.code(204).send(null);
    },
  );
}
