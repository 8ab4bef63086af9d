// Importing and the funders' report: the JSON API, under /api/v1/communities/:community/timebank.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { actorOf } from '../../platform/http/community-request.ts';
import { DomainError, fieldErrorsFrom } from '../../platform/http/problems.ts';
import { communityParams, problemResponses } from '../../platform/http/schemas.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as importing from './import.ts';
import * as reports from './reports.ts';
import { reportReaders, staff, timebankWork } from './asker.ts';

/** Importing and the funders' report: the API. */
export async function reportsApi(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inTimebank = timebankWork(dependencies);

  app.post(
    '/imports',
    {
      config: { access: staff },
      schema: {
        tags: ['Time bank'],
        summary:
          'Import members with balances, and their history, from CSV text (coordinators). With `dryRun: true`, only says what would happen. Nothing is written unless every row is right',
        params: communityParams,
        body: importing.importInput.extend({ dryRun: z.boolean().default(false) }),
        response: {
          200: z.object({
            dryRun: z.boolean(),
            members: z.number().int(),
            newMembers: z.number().int(),
            exchanges: z.number().int(),
            newCategories: z.array(z.string()),
            unknownColumns: z.array(z.string()),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inTimebank(request, async (tx, communityId) => {
        const plan = await importing.planImport(tx, communityId, request.body);
        if (plan.errors.length > 0)
          throw new DomainError(
            'validation-failed',
            400,
            plan.errors.map((error) => ({ field: `${error.file}[${error.row}].${error.column}`, code: error.code })),
          );
        if (!request.body.dryRun) await importing.runImport(tx, communityId, actorId, plan);
        return {
          dryRun: request.body.dryRun,
          members: plan.members.length,
          newMembers: plan.members.filter((member) => !member.existingId).length,
          exchanges: plan.history.length,
          newCategories: plan.newCategories,
          unknownColumns: plan.unknownColumns,
        };
      });
    },
  );
  const flow = z.object({ exchanges: z.number().int(), minutes: z.number().int() });
  app.get(
    '/reports/summary',
    {
      // The asker and the transaction; finished days not yet added up (one more statement when
      // there are some); the flows, the members, new members, unmet need, names, the pot, organisations.
      config: { access: reportReaders, queryBudget: 13 },
      schema: {
        tags: ['Time bank'],
        summary:
          'The funders’ report for a date range (default: the last year): time given by month, kind of help and neighbourhood; members; unmet need; balances; the pot. Names only for coordinators and admins',
        params: communityParams,
        querystring: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }),
        response: {
          200: z.object({
            range: z.object({ from: z.string(), to: z.string() }),
            totals: z.object({
              exchanges: z.number().int(),
              minutesGiven: z.number().int(),
              groupExchanges: z.number().int(),
              groupReceivers: z.number().int(),
              activeMembers: z.number().int().describe('Members now who gave or received in the 90 days up to `to`'),
              newMembers: z
                .number()
                .int()
                .describe('People who joined between `from` and `to`: the sum of the three that follow'),
              newMembersNowMembers: z.number().int().describe('Of the new members, those who are members now'),
              newMembersStillJoining: z
                .number()
                .int()
                .describe('Of the new members, those still doing their joining steps'),
              newMembersLeft: z.number().int().describe('Of the new members, those who have since left'),
              membersNow: z.number().int().describe('Today: people who finished their joining steps and have not left'),
            }),
            byMonth: z.array(flow.extend({ month: z.string() })),
            byCategory: z.array(flow.extend({ category: z.string() })),
            byNeighbourhood: z.array(flow.extend({ neighbourhood: z.string() })),
            newMembers: z.array(z.object({ cameFrom: z.string(), members: z.number().int() })),
            unmetNeed: z.array(z.object({ category: z.string(), requests: z.number().int() })),
            neverExchanged: z.object({ count: z.number().int(), names: z.array(z.string()).nullable() }),
            balances: z.array(z.object({ band: z.string(), members: z.number().int() })),
            pot: z.object({
              balance: z.number().int(),
              granted: z.number().int(),
              donated: z.number().int(),
              paidForGroups: z.number().int(),
              receivedFromGroups: z.number().int(),
            }),
            organisations: z.array(z.object({ name: z.string(), given: z.number().int(), received: z.number().int() })),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const defaults = reports.defaultRange();
      const parsed = reports.reportRange.safeParse({
        from: request.query.from ?? defaults.from,
        to: request.query.to ?? defaults.to,
      });
      if (!parsed.success) throw new DomainError('validation-failed', 400, fieldErrorsFrom(parsed.error));
      return inTimebank(request, (tx, communityId) => reports.summaryFor(tx, communityId, parsed.data, request.asker));
    },
  );
}
