// A person's own referrals: where each has got to, and withdrawing one they no longer want, online.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { type FieldError, notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { referralContext, referralParams } from './asker.ts';
import * as service from './service.ts';

/** A person's own referrals, under /c/:community/me/referrals. */
export async function ownReferralPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/me/referrals`;

  app.get('', { config: { access: access.anyMember }, schema: { params: communityParams } }, async (request, reply) => {
    const accountId = actorOf(request);
    const own = await inRequestCommunity(dependencies, request, (tx, community) =>
      service.ownReferrals(tx, community.id, accountId),
    );
    return render(request, reply, 'referrals/views/own-list.njk', {
      pageTitle: request.t('ownReferrals.title'),
      referrals: own,
      flash: takeFlash(request),
    });
  });

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
    '/:referralId/withdraw',
    { config: { access: access.ownOr() }, schema: { params: referralParams } },
    async (request, reply) => withdrawPage(request, reply),
  );
  app.post(
    '/:referralId/withdraw',
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
}
