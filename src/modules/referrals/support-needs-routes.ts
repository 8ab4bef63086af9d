// The support a community lists on its referral forms, in its own words: the admins' page.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, communityOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { needs } from './store.ts';
import { listFromForm, offeredNeeds, saveSupportNeeds, type SupportNeed, supportNeedForm } from './support-needs.ts';

/** The support needs page, under /c/:community/settings/support-needs. */
export async function supportNeedPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const path = (request: FastifyRequest) => `/c/${communityOf(request).slug}/settings/support-needs`;

  const formPage = (
    request: FastifyRequest,
    reply: FastifyReply,
    list: readonly SupportNeed[],
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const community = communityOf(request);
    const spoken = languages.filter((language) => community.languages.includes(language));
    const offered = new Map(list.map((one) => [one.need as string, one]));
    const ticked = new Set(([] as unknown[]).concat(values.offered ?? list.map((one) => one.need)).map(String));
    return render(
      request,
      reply,
      'referrals/views/support-needs.njk',
      {
        pageTitle: request.t('supportNeeds.title'),
        errors,
        values,
        flash: takeFlash(request),
        needs: needs.map((need) => ({
          need,
          standard: request.t(`referrals.needs.${need}`),
          checked: ticked.has(need),
          words: spoken.map((language) => ({
            language,
            name: request.t(`languages.${language}`),
            value: String(values[`words-${need}-${language}`] ?? offered.get(need)?.wording[language] ?? ''),
          })),
        })),
      },
      { status: errors ? 400 : 200 },
    );
  };

  app.get(
    '',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const list = await inRequestCommunity(dependencies, request, (tx, community) => offeredNeeds(tx, community.id));
      return formPage(request, reply, list, {});
    },
  );
  app.post(
    '',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const showAgain = async (errors: FieldError[]) => {
        const list = await inRequestCommunity(dependencies, request, (tx, community) => offeredNeeds(tx, community.id));
        return formPage(
          request,
          reply,
          list,
          { ...body, offered: ([] as unknown[]).concat(body.offered ?? []) },
          errors,
        );
      };
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: supportNeedForm,
        page: (_values, errors) => showAgain(errors),
        // The list's order and each need's words come from fields named after each need.
        check: (data) => {
          const chosen = listFromForm(data.offered, body);
          return chosen.errors.length ? showAgain(chosen.errors) : undefined;
        },
        save: (data) =>
          inRequestCommunity(dependencies, request, (tx, community) =>
            saveSupportNeeds(tx, community, actorId, listFromForm(data.offered, body).list),
          ),
        flash: request.t('supportNeeds.saved'),
        next: path(request),
      });
    },
  );
}
