// What the communities' pages and API take from a request, and the choices their forms offer.
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { cursorFields } from '../../platform/http/pagination.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { languages } from '../../platform/i18n.ts';
import { type Community, roles } from '../../platform/tenancy.ts';

/** A community by its address, outside it (its public pages, the platform admin's pages). */
export const slugParams = z.object({ slug: z.string().max(60) });
export const membershipParams = communityParams.extend({ membershipId: z.uuid() });
export const invitationIdParams = communityParams.extend({ invitationId: z.uuid() });

/** Where a page of members starts: after this name and id. */
export const memberCursor = z.object({ name: cursorFields.text, id: cursorFields.id });

/** The audit log's filter: an action, a first and last day, and where the page before ended. */
export const auditQuery = z.object({
  action: z
    .string()
    .max(100)
    .optional()
    .transform((value) => value || undefined),
  from: z.iso.date().optional().catch(undefined),
  to: z.iso.date().optional().catch(undefined),
  before: z.coerce.number().int().positive().optional().catch(undefined),
});

export function roleItems(request: FastifyRequest, checked: readonly string[]) {
  return roles.map((role) => ({
    value: role,
    text: request.t(`roles.${role}.name`),
    hint: { text: request.t(`roles.${role}.hint`) },
    checked: checked.includes(role),
  }));
}

export function languageItems(request: FastifyRequest, community: Partial<Community> & Record<string, unknown>) {
  const chosen = (community.languages as string[] | undefined) ?? ['en'];
  return languages.map((language) => ({
    value: language,
    text: request.t(`languages.${language}`),
    checked: chosen.includes(language),
  }));
}
