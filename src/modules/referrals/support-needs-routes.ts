import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, communityOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import type { FieldError } from '../../platform/http/problems.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import { render } from '../../platform/views/index.ts';
import type { Dependencies } from '../../dependencies.ts';
import { needs } from './store.ts';
import {
  listFromForm,
  needWords,
  offeredNeeds,
  saveSupportNeeds,
  type SupportNeed,
  supportNeedForm,
  supportNeedList,
} from './support-needs.ts';

const communityParams = z.object({ community: z.string().max(60) });
const supportNeedSchema = z.object({
  need: z.enum(needs),
  words: z.string().describe('The words shown in the language asked for'),
  wording: z.partialRecord(z.enum(languages), z.string()),
});
const tags = ['Referrals'];

/** The support a community lists on its referral forms, in its own words: a page for admins, and the API. */
export async function supportNeedRoutes(
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
    '/c/:community/settings/support-needs',
    { config: { access: access.roles('admin') }, schema: { params: communityParams } },
    async (request, reply) => {
      const list = await inRequestCommunity(dependencies, request, (tx, community) => offeredNeeds(tx, community.id));
      return formPage(request, reply, list, {});
    },
  );
  app.post(
    '/c/:community/settings/support-needs',
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

  const toList = (request: FastifyRequest, list: readonly SupportNeed[]) => {
    const words = needWords(list, request.language, request.t);
    return { items: list.map((one) => ({ need: one.need, words: words[one.need] ?? '', wording: one.wording })) };
  };
  app.get(
    '/api/v1/communities/:community/support-needs',
    {
      config: { access: access.anyMember },
      schema: {
        tags,
        summary: 'The support a community lists on its referral forms, in order, in its own words',
        description:
          '`words` is in the language asked for (`?lang=`); `wording` holds the community’s own words in each language it gave them.',
        params: communityParams,
        response: { 200: z.object({ items: z.array(supportNeedSchema) }), ...problemResponses(401, 404) },
      },
    },
    async (request) =>
      toList(
        request,
        await inRequestCommunity(dependencies, request, (tx, community) => offeredNeeds(tx, community.id)),
      ),
  );
  app.put(
    '/api/v1/communities/:community/support-needs',
    {
      config: { access: access.roles('admin') },
      schema: {
        tags,
        summary: 'Replace the support a community lists (admins)',
        description: 'The whole list in the order to offer it; a referral may then ask only for what it lists.',
        params: communityParams,
        body: supportNeedList,
        response: { 200: z.object({ items: z.array(supportNeedSchema) }), ...problemResponses(401, 403, 404, 400) },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return toList(
        request,
        await inRequestCommunity(dependencies, request, (tx, community) =>
          saveSupportNeeds(tx, community, actorId, request.body),
        ),
      );
    },
  );
}
