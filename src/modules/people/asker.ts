// What the people pages and API share: their parameters, who keeps records, and the asker's own record.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { email } from '../accounts/service.ts';
import { consentPurposes } from './consent.ts';
import * as service from './service.ts';

export const recordParams = communityParams.extend({ recordId: z.uuid() });
export const purposeParams = recordParams.extend({ purpose: z.enum(consentPurposes) });
export const ownPurposeParams = communityParams.extend({ purpose: z.enum(consentPurposes) });

/** Who keeps people's records: coordinators and admins. */
export const recordKeepers = access.roles('coordinator', 'admin');

/** Someone known but not online, invited to use the service: their account will be this record. */
export const invitation = z.object({ email });

/** The signed-in person's own record in the request's community, made from their account when they first need one. */
export const ownRecordOf = (dependencies: Dependencies, request: FastifyRequest) => {
  const person = request.person;
  if (!person) throw notFound();
  return inRequestCommunity(dependencies, request, (tx, community) => service.ownRecord(tx, community.id, person));
};
