// What the journey pages and API share: whose journey is asked for, and how a journey reads.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import { getPerson, ownRecord } from '../people/service.ts';
import * as service from './service.ts';

export const recordParams = communityParams.extend({ recordId: z.uuid() });

export type Journey = Awaited<ReturnType<typeof service.journeyOf>>;
/** A journey as the page and the API give it: each step with its rung, and the ladder. */
export const toJourney = (person: { id: string; preferredName: string }, journey: Journey) => ({
  person: { id: person.id, preferredName: person.preferredName },
  ladder: journey.ladder,
  steps: journey.steps.map((step) => ({
    kind: step.kind,
    at: step.at,
    rung: service.rungOf[step.kind],
    programme: step.programmeId && step.programmeName ? { id: step.programmeId, name: step.programmeName } : null,
    detail: step.detail as Record<string, unknown>,
  })),
});

/** The signed-in person's own journey in the request's community. */
export const ownJourney = (dependencies: Dependencies, request: FastifyRequest) =>
  inRequestCommunity(dependencies, request, async (tx, community) => {
    if (!request.person) throw notFound();
    const record = await ownRecord(tx, community.id, request.person);
    return { person: record, journey: await service.journeyOf(tx, record.id) };
  });

/** The journey of the person whose record is in the path. */
export const someonesJourney = (
  dependencies: Dependencies,
  request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>,
) =>
  inRequestCommunity(dependencies, request, async (tx, community) => {
    const record = await getPerson(tx, community.id, request.params.recordId);
    return { person: record, journey: await service.journeyOf(tx, record.id) };
  });
