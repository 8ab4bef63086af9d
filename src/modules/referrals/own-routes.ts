import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, notFound } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { referralContext } from './routes.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const referralParams = communityParams.extend({ referralId: z.uuid() });
const ownReferralSchema = z.object({
  id: z.uuid(),
  reference: z.string(),
  status: z.enum(service.referralStatuses),
  source: z.enum(service.referralSources),
  createdAt: z.date(),
  statusChangedAt: z.date(),
  open: z.boolean().describe('Still waiting or being contacted: it can be withdrawn'),
  acceptedProgrammes: z.array(z.string()),
});
const toOwn = ({
  referrerOrganisation: _organisation,
  ...row
}: Awaited<ReturnType<typeof service.ownReferrals>>[number]) => row;

/** A person's own referrals: where each has got to, and withdrawing one they no longer want, online. */
export async function ownReferralRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/me/referrals`;

  app.get(
    '/c/:community/me/referrals',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const accountId = actorOf(request);
      const own = await inRequestCommunity(dependencies, request, (tx, community) =>
        service.ownReferrals(tx, community.id, accountId),
      );
      return render(request, reply, 'referrals/views/own-list.njk', {
        pageTitle: request.t('ownReferrals.title'),
        referrals: own,
        flash: takeFlash(request),
      });
    },
  );

  const withdrawPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof referralParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const accountId = actorOf(request);
    const own = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.ownReferrals(tx, community.id, accountId),
    );
    const referral = own.find((one) => one.id === request.params.referralId);
    if (!referral) throw notFound();
    return render(
      request,
      reply,
      'referrals/views/own-withdraw.njk',
      { pageTitle: request.t('ownReferrals.withdraw.title'), referral, values, formKey: randomUUID(), errors },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/c/:community/me/referrals/:referralId/withdraw',
    { config: { access: access.ownOr() }, schema: { params: referralParams } },
    async (request, reply) => withdrawPage(request, reply),
  );
  app.post(
    '/c/:community/me/referrals/:referralId/withdraw',
    { config: { access: access.ownOr() }, schema: { params: referralParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.withdrawal,
        page: (values, errors) => withdrawPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            service.withdrawOwnReferral(
              tx,
              referralContext(dependencies, community, actorId),
              request.params.referralId,
              data,
            ),
          ),
        flash: request.t('ownReferrals.withdraw.doneFlash'),
        next: base(request),
        // Already withdrawn, or decided meanwhile: the list says where it is now.
        refused: (error) => (error.code === 'referral-closed' ? base(request) : undefined),
      });
    },
  );

  const tags = ['Referrals'];
  app.get(
    '/api/v1/communities/:community/me/referrals',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'Your own referrals, newest first: where each has got to',
        params: communityParams,
        response: { 200: z.object({ items: z.array(ownReferralSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) => {
      const accountId = actorOf(request);
      return {
        items: (
          await inRequestCommunity(dependencies, request, (tx, community) =>
            service.ownReferrals(tx, community.id, accountId),
          )
        ).map(toOwn),
      };
    },
  );
  app.post(
    '/api/v1/communities/:community/me/referrals/:referralId/withdraw',
    {
      config: { access: access.ownOr() },
      schema: {
        tags,
        summary: 'Withdraw your own referral while it is still open',
        params: referralParams,
        body: service.withdrawal,
        response: { 200: ownReferralSchema, ...problemResponses(400, 401, 404, 409) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inRequestCommunity(dependencies, request, async (tx, community) => {
        await service.withdrawOwnReferral(
          tx,
          referralContext(dependencies, community, actorId),
          request.params.referralId,
          request.body,
        );
        const own = (await service.ownReferrals(tx, community.id, actorId)).find(
          (one) => one.id === request.params.referralId,
        );
        if (!own) throw notFound();
        return toOwn(own);
      });
    },
  );
}
