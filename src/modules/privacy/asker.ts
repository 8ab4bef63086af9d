// What the privacy pages and API share: their parameters, whose record is asked about, and the data held about them.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson, ownRecord, type PersonRecord } from '../people/service.ts';
import * as service from './service.ts';

export const recordParams = communityParams.extend({ recordId: z.uuid() });
export const requestParams = communityParams.extend({ requestId: z.uuid() });

/** The signed-in person's own record in the request's community. */
export const ownRecordOf = (dependencies: Dependencies, request: FastifyRequest) =>
  inRequestCommunity(dependencies, request, (tx, community) => {
    if (!request.person) throw notFound();
    return ownRecord(tx, community.id, request.person);
  });

/** The record in the path, for a coordinator answering someone who is not online. */
export const recordOf = (
  dependencies: Dependencies,
  request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>,
) => inRequestCommunity(dependencies, request, (tx, community) => getPerson(tx, community.id, request.params.recordId));

/** Everything the community holds about the person, as the download gives it. */
export const dataAbout = (dependencies: Dependencies, request: FastifyRequest, person: PersonRecord) =>
  inRequestCommunity(dependencies, request, async (tx) => ({
    person: { id: person.id, number: person.number, preferredName: person.preferredName },
    madeAt: new Date(),
    sections: await service.everythingAbout(tx, dependencies.personData, person, {
      own: person.accountId !== null && person.accountId === request.person?.id,
    }),
  }));
