// What the people pages and API share: their parameters, who keeps records, and the asker's own record.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import { email } from '../accounts/service.ts';
import { inviteKnownPerson } from '../communities/service.ts';
import * as consent from './consent.ts';
import * as service from './service.ts';

export const recordParams = communityParams.extend({ recordId: z.uuid() });
export const purposeParams = recordParams.extend({ purpose: z.enum(consent.consentPurposes) });
export const ownPurposeParams = communityParams.extend({ purpose: z.enum(consent.consentPurposes) });

/** Who keeps people's records: coordinators and admins. */
export const recordKeepers = access.roles('coordinator', 'admin');

/** Someone known but not online, invited to use the service: their account will be this record. */
export const invitation = z.object({ email });

/** Sends the invitation to the record in the request's path, from the signed-in coordinator. */
export const inviteRecord = (
  dependencies: Dependencies,
  request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>,
  to: string,
) => {
  const actorId = actorOf(request);
  return inRequestCommunity(dependencies, request, (tx, community) =>
    inviteKnownPerson(dependencies, tx, community, actorId, request.params.recordId, to, request.language),
  );
};

/** A consent decision as the API takes it; the form asks the same with a yes or no for `granted`. */
export const consentDecision = z.object({
  granted: z.boolean({ error: 'errors.consent.granted.missing' }),
  method: z.enum(consent.consentMethods, { error: 'errors.consent.method.missing' }),
  note: z.string().trim().max(1000, 'errors.consent.note.tooLong').optional(),
});

/** Records a decision a coordinator took with the person (spoken or on paper); gives their record. */
export async function recordConsentFor(
  tx: CommunityTransaction,
  communityId: string,
  recordId: string,
  purpose: consent.ConsentPurpose,
  decision: z.infer<typeof consentDecision>,
  recordedBy: string,
) {
  const person = await service.getPerson(tx, communityId, recordId);
  await consent.recordConsent(tx, {
    communityId,
    personRecordId: person.id,
    purpose,
    ...decision,
    recordedBy,
    onBehalf: true,
  });
  return person;
}

/** Records the signed-in person's own decision, made online. */
export const recordOwnConsent = (
  tx: CommunityTransaction,
  communityId: string,
  ownId: string,
  purpose: consent.ConsentPurpose,
  decision: { granted: boolean; note?: string },
  recordedBy: string,
) =>
  consent.recordConsent(tx, {
    communityId,
    personRecordId: ownId,
    purpose,
    granted: decision.granted,
    method: 'online',
    note: decision.note,
    recordedBy,
    onBehalf: false,
  });

/** The signed-in person's own record in the request's community, made from their account when they first need one. */
export const ownRecordOf = (dependencies: Dependencies, request: FastifyRequest) => {
  const person = request.person;
  if (!person) throw notFound();
  return inRequestCommunity(dependencies, request, (tx, community) => service.ownRecord(tx, community.id, person));
};
