// FHIR R4 (JSON) for referrals: a GP system posts a UK Core–shaped ServiceRequest and reads back
// the referral and its Task. Only what a social prescribing referral needs is read; anything
// else in the resource is ignored.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type * as Fhir from 'fhir/r4.js';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { isValidNhsNumber } from '../../platform/fields.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { DomainError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { translator } from '../../platform/i18n.ts';
import type { Dependencies } from '../../dependencies.ts';
import { listProgrammes } from '../programmes/service.ts';
import { referralContext } from './asker.ts';
import * as service from './service.ts';

export const socialPrescribingReferral = {
  system: 'http://snomed.info/sct',
  code: '871731000000106',
  display: 'Referral to social prescribing service',
} as const;
const nhsNumberSystem = 'https://fhir.nhs.uk/Id/nhs-number';
const referenceSystem = 'urn:coproduce:referral-reference';
export const fhirJson = 'application/fhir+json';

/** One problem with a posted resource, as FHIR says it: what kind, where, and in words. */
export interface FhirIssue {
  code: Fhir.OperationOutcomeIssue['code'];
  expression: string;
  diagnostics: string;
}

/** A resource that could not be read (400) or that breaks a rule of the profile (422). */
export class FhirProblem extends DomainError {
  constructor(
    status: 400 | 422,
    readonly fhirIssues: FhirIssue[],
  ) {
    super('fhir-invalid', status);
  }
}

const priorityToUrgency: Record<string, service.Urgency> = {
  routine: 'routine',
  urgent: 'soon',
  asap: 'urgent',
  stat: 'urgent',
};

type Answers = service.ProfessionalReferral;

/**
 * Reads a ServiceRequest into the answers of a professional referral, or says exactly what is
 * wrong with it. A contained Patient is the person; a contained Consent that `supportingInfo`
 * points at, and that is active, is their agreement that the referrer hears what happens.
 */
export function readServiceRequest(resource: unknown, programmeIds: ReadonlySet<string>): Answers {
  if (typeof resource !== 'object' || resource === null || Array.isArray(resource)) {
    throw new FhirProblem(400, [
      {
        code: 'structure',
        expression: 'ServiceRequest',
        diagnostics: 'The body must be a JSON object: a FHIR R4 ServiceRequest.',
      },
    ]);
  }
  const request = resource as Partial<Fhir.ServiceRequest> & { resourceType?: unknown };
  if (request.resourceType !== 'ServiceRequest') {
    throw new FhirProblem(400, [
      {
        code: 'structure',
        expression: 'resourceType',
        diagnostics: `Expected resourceType "ServiceRequest", got ${JSON.stringify(request.resourceType ?? null)}.`,
      },
    ]);
  }
  const issues: FhirIssue[] = [];
  const contained = Array.isArray(request.contained) ? request.contained : [];
  const find = <T extends Fhir.FhirResource['resourceType']>(reference: string | undefined, type: T) => {
    if (!reference?.startsWith('#')) return { index: -1, resource: undefined };
    const index = contained.findIndex((one) => one?.resourceType === type && one.id === reference.slice(1));
    return { index, resource: contained[index] as Extract<Fhir.FhirResource, { resourceType: T }> | undefined };
  };

  if (request.status !== 'active')
    issues.push({
      code: 'value',
      expression: 'ServiceRequest.status',
      diagnostics: 'status must be "active" for a new referral.',
    });
  if (!['order', 'original-order', 'plan', 'proposal'].includes(String(request.intent)))
    issues.push({
      code: 'value',
      expression: 'ServiceRequest.intent',
      diagnostics: 'intent must be "order", "original-order", "plan" or "proposal".',
    });
  const coded = request.code?.coding?.some(
    (coding) => coding.system === socialPrescribingReferral.system && coding.code === socialPrescribingReferral.code,
  );
  if (!coded)
    issues.push({
      code: 'code-invalid',
      expression: 'ServiceRequest.code',
      diagnostics: `code must include SNOMED CT ${socialPrescribingReferral.code} "${socialPrescribingReferral.display}".`,
    });
  if (!request.requester?.reference && !request.requester?.display)
    issues.push({
      code: 'required',
      expression: 'ServiceRequest.requester',
      diagnostics: 'requester must say who is referring (a reference or a display name).',
    });

  const { index: patientIndex, resource: patient } = find(request.subject?.reference, 'Patient');
  const at = `ServiceRequest.contained[${patientIndex}]`;
  let preferredName = '';
  let fullName = '';
  let nhsNumber: string | null = null;
  let dateOfBirth: string | null = null;
  let phone: string | null = null;
  let email: string | null = null;
  let address = '';
  let postcode: string | null = null;
  if (!patient) {
    issues.push({
      code: 'required',
      expression: 'ServiceRequest.subject',
      diagnostics: 'subject must reference a Patient contained in the ServiceRequest, like "#patient".',
    });
  } else {
    const name =
      patient.name?.find((one) => one.use === 'usual') ??
      patient.name?.find((one) => one.use === 'official') ??
      patient.name?.[0];
    const official = patient.name?.find((one) => one.use === 'official') ?? name;
    preferredName = (name?.given?.[0] ?? name?.text ?? '').trim();
    fullName =
      [official?.given?.join(' '), official?.family].filter(Boolean).join(' ').trim() || (official?.text ?? '').trim();
    if (!preferredName)
      issues.push({
        code: 'required',
        expression: `${at}.name`,
        diagnostics: 'The Patient needs a name with a given name (the "usual" name is used first).',
      });
    if (preferredName.length > 100 || fullName.length > 200)
      issues.push({ code: 'too-long', expression: `${at}.name`, diagnostics: 'The Patient’s name is too long.' });
    const identifier = patient.identifier?.find((one) => one.system === nhsNumberSystem)?.value?.replace(/\s/g, '');
    if (identifier) {
      if (isValidNhsNumber(identifier)) nhsNumber = identifier;
      else
        issues.push({
          code: 'value',
          expression: `${at}.identifier`,
          diagnostics: 'The NHS number is not valid (its check digit is wrong).',
        });
    }
    if (patient.birthDate !== undefined) {
      if (/^\d{4}-\d{2}-\d{2}$/.test(patient.birthDate) && !Number.isNaN(Date.parse(patient.birthDate)))
        dateOfBirth = patient.birthDate;
      else
        issues.push({
          code: 'value',
          expression: `${at}.birthDate`,
          diagnostics: 'birthDate must be a full date, like 1950-12-10.',
        });
    }
    phone = patient.telecom?.find((one) => one.system === 'phone' || one.system === 'sms')?.value?.slice(0, 40) ?? null;
    email = patient.telecom?.find((one) => one.system === 'email')?.value?.slice(0, 254) ?? null;
    const home = patient.address?.[0];
    address = [...(home?.line ?? []), home?.city].filter(Boolean).join('\n').slice(0, 500);
    postcode = home?.postalCode ?? null;
  }

  const reasons = [
    ...(request.reasonCode ?? []).map((reason) => reason.text ?? reason.coding?.[0]?.display ?? ''),
    ...(request.note ?? []).map((note) => note.text ?? ''),
  ].filter((text) => text.trim() !== '');
  if (reasons.length === 0)
    issues.push({
      code: 'required',
      expression: 'ServiceRequest.reasonCode',
      diagnostics: 'Say why, in reasonCode (text or coding display) or note.',
    });

  const performers = (request.performer ?? []).map((performer) => performer.reference ?? '');
  const wanted: string[] = [];
  for (const [index, reference] of performers.entries()) {
    const id = /^HealthcareService\/(.+)$/.exec(reference)?.[1];
    if (!id || !programmeIds.has(id))
      issues.push({
        code: 'value',
        expression: `ServiceRequest.performer[${index}]`,
        diagnostics:
          'performer must reference one of this community’s programmes as HealthcareService/{id}, or be left out.',
      });
    else wanted.push(id);
  }

  const agreedToUpdates = (request.supportingInfo ?? []).some((info) => {
    const consent = find(info.reference, 'Consent').resource;
    return consent?.status === 'active';
  });
  if (issues.length) throw new FhirProblem(422, issues);

  // The same checks as a referral made on a page: lengths, phone and postcode formats.
  const parsed = service.professionalReferral.extend({ programmeIds: z.array(z.string()) }).safeParse({
    preferredName,
    fullName,
    dateOfBirth,
    nhsNumber,
    phone,
    email,
    address,
    postcode,
    referrerOrganisation: (request.requester?.display ?? '').slice(0, 200),
    programmeIds: [...new Set(wanted)],
    needs: [],
    reason: reasons.join('\n\n'),
    urgency: priorityToUrgency[request.priority ?? 'routine'] ?? 'routine',
    agreedToReferral: true,
    agreedToUpdates,
  });
  if (!parsed.success) {
    const t = translator('en');
    throw new FhirProblem(
      422,
      parsed.error.issues.map((issue) => ({
        code: 'value',
        expression: `ServiceRequest (${issue.path.join('.')})`,
        diagnostics: t(issue.message.startsWith('errors.') ? issue.message : 'errors.generic.invalid'),
      })),
    );
  }
  const problems = service.checkProfessionalReferral(parsed.data);
  if (problems.length)
    throw new FhirProblem(422, [
      {
        code: 'required',
        expression: `${at}.telecom`,
        diagnostics: 'The Patient needs a phone number, email address or address, so that someone can get in touch.',
      },
    ]);
  return parsed.data;
}

const serviceRequestStatus: Record<string, Fhir.ServiceRequest['status']> = {
  new: 'active',
  contacting: 'active',
  received: 'active',
  accepted: 'completed',
  declined: 'revoked',
  withdrawn: 'revoked',
};
const taskStatus: Record<string, Fhir.Task['status']> = {
  received: 'received',
  new: 'received',
  contacting: 'in-progress',
  accepted: 'completed',
  declined: 'rejected',
  withdrawn: 'cancelled',
};
const urgencyToPriority: Record<service.Urgency, Fhir.ServiceRequest['priority']> = {
  routine: 'routine',
  soon: 'urgent',
  urgent: 'asap',
};

type Seen = Awaited<ReturnType<typeof service.referralSeenBy>>['seen'];

/** The referral as a ServiceRequest, showing only what its referrer may know. */
export function toServiceRequest(
  referral: service.Referral,
  seen: Pick<Seen, 'status' | 'preferredName' | 'updatedAt'>,
  base: string,
): Fhir.ServiceRequest {
  return {
    resourceType: 'ServiceRequest',
    id: referral.id,
    identifier: [{ system: referenceSystem, value: referral.reference }],
    status: serviceRequestStatus[seen.status] ?? 'active',
    intent: 'order',
    priority: urgencyToPriority[referral.urgency],
    code: { coding: [{ ...socialPrescribingReferral }] },
    subject: { display: seen.preferredName },
    authoredOn: referral.createdAt.toISOString(),
    requester: { display: referral.referrerOrganisation || undefined },
    meta: { lastUpdated: (seen.updatedAt ?? referral.createdAt).toISOString(), source: base },
  };
}

/** Where the referral has got to, as a Task that points at it. */
export function toTask(referral: service.Referral, seen: Seen, base: string): Fhir.Task {
  const t = translator('en');
  return {
    resourceType: 'Task',
    id: `task-${referral.id}`,
    status: taskStatus[seen.status] ?? 'received',
    intent: 'order',
    identifier: [{ system: referenceSystem, value: referral.reference }],
    focus: { reference: `ServiceRequest/${referral.id}` },
    basedOn: [{ reference: `ServiceRequest/${referral.id}` }],
    code: { coding: [{ system: 'http://hl7.org/fhir/CodeSystem/task-code', code: 'fulfill' }] },
    authoredOn: referral.createdAt.toISOString(),
    lastModified: (seen.updatedAt ?? referral.createdAt).toISOString(),
    businessStatus: { text: seen.shared ? t(`referrals.status.${seen.status}`) : t('referrals.notShared') },
    ...(seen.shared && seen.declineReason
      ? { statusReason: { text: t(`referrals.declineReasons.${seen.declineReason}`) } }
      : {}),
    ...(seen.shared && seen.acceptedProgrammes.length
      ? { output: seen.acceptedProgrammes.map((name) => ({ type: { text: 'Accepted into' }, valueString: name })) }
      : {}),
    meta: { source: base },
  };
}

const fhirResource = z.record(z.string(), z.unknown());

/** FHIR R4 endpoints for GP systems, under /fhir/r4/:community: post a referral, read it and its Task. */
export async function fhirApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.addContentTypeParser(fhirJson, { parseAs: 'string' }, app.getDefaultJsonParser('error', 'error'));
  const send = (reply: FastifyReply, status: number, body: unknown) =>
    reply
      .code(status)
      .type(fhirJson)
      .serializer((payload) => JSON.stringify(payload))
      .send(body);
  const base = (request: FastifyRequest) =>
    `${dependencies.publicUrl}/fhir/r4/${(request.params as { community: string }).community}`;
  const tags = ['FHIR R4'];
  const whoMayRead = access.roles('referrer', 'coordinator', 'admin');

  app.post(
    '/ServiceRequest',
    {
      config: { access: access.roles('referrer') },
      schema: {
        tags,
        summary: 'Make a referral from a UK Core ServiceRequest (referrers)',
        description: `A ServiceRequest with code SNOMED CT ${socialPrescribingReferral.code}, a contained Patient as subject, reasons in reasonCode or note, and, when the person agreed that the referrer hears what happens, an active contained Consent referenced from supportingInfo (absent means no). Optional performer: HealthcareService/{programme id}. Answers 201 with the ServiceRequest and a Location header; 400 or 422 with an OperationOutcome naming the problem.`,
        params: communityParams,
        body: z.unknown().describe('A FHIR R4 ServiceRequest (application/fhir+json)'),
        response: {
          201: fhirResource,
          400: fhirResource,
          401: fhirResource,
          403: fhirResource,
          404: fhirResource,
          422: fhirResource,
        },
      },
    },
    async (request, reply) => {
      const actorId = actorOf(request);
      const key = request.headers['idempotency-key'];
      const created = await inRequestCommunity(dependencies, request, async (tx, community) => {
        const open = new Set(
          (await listProgrammes(tx, community.id, { openOnly: true })).map((programme) => programme.id),
        );
        const answers = readServiceRequest(request.body, open);
        const outcome = await service.createProfessionalReferral(
          tx,
          referralContext(dependencies, community, actorId),
          answers,
          {
            referrerId: actorId,
            recordedBy: actorId,
            submissionKey:
              typeof key === 'string' && key ? service.submissionKeyFor('api', actorId, key.slice(0, 200)) : null,
          },
        );
        return service.referralSeenBy(tx, community.id, outcome.referral.id, { id: actorId, staff: false });
      });
      reply.header('location', `${base(request)}/ServiceRequest/${created.referral.id}`);
      return send(reply, 201, toServiceRequest(created.referral, created.seen, base(request)));
    },
  );

  /** A referral the asker may read: coordinators any, as it is; a referrer their own, as the person allows. */
  const readable = (request: FastifyRequest, referralId: string) =>
    inRequestCommunity(dependencies, request, (tx, community) =>
      service.referralReadBy(tx, community.id, referralId, request.asker),
    );

  app.get(
    '/ServiceRequest/:referralId',
    {
      config: { access: whoMayRead },
      schema: {
        tags,
        summary: 'A referral as a ServiceRequest (its referrer, or coordinators)',
        params: communityParams.extend({ referralId: z.uuid() }),
        response: { 200: fhirResource, 401: fhirResource, 403: fhirResource, 404: fhirResource },
      },
    },
    async (request, reply) => {
      const { referral, seen } = await readable(request, request.params.referralId);
      return send(reply, 200, toServiceRequest(referral, seen, base(request)));
    },
  );

  app.get(
    '/Task',
    {
      config: { access: whoMayRead },
      schema: {
        tags,
        summary: 'Where a referral has got to: Task?focus=ServiceRequest/{id} (a searchset Bundle)',
        params: communityParams,
        querystring: z.object({ focus: z.string().max(100).optional() }),
        response: { 200: fhirResource, 400: fhirResource, 401: fhirResource, 403: fhirResource, 404: fhirResource },
      },
    },
    async (request, reply) => {
      const focus = /^ServiceRequest\/([0-9a-f-]{36})$/i.exec(request.query.focus ?? '')?.[1];
      if (!focus)
        throw new FhirProblem(400, [
          { code: 'required', expression: 'focus', diagnostics: 'Search with focus=ServiceRequest/{id}.' },
        ]);
      let entry: Fhir.BundleEntry[] = [];
      try {
        const { referral, seen } = await readable(request, focus);
        entry = [
          {
            fullUrl: `${base(request)}/Task/task-${referral.id}`,
            resource: toTask(referral, seen, base(request)),
            search: { mode: 'match' },
          },
        ];
      } catch (error) {
        if (!(error instanceof DomainError && error.status === 404)) throw error;
      }
      const bundle: Fhir.Bundle = {
        resourceType: 'Bundle',
        type: 'searchset',
        total: entry.length,
        link: [
          { relation: 'self', url: `${base(request)}/Task?focus=${encodeURIComponent(request.query.focus ?? '')}` },
        ],
        entry,
      };
      return send(reply, 200, bundle);
    },
  );
}
