import { z } from 'zod';

/** RFC 9457 problem details, with field errors when the input was wrong. */
export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    code: z.string(),
    detail: z.string().optional(),
    instance: z.string().optional(),
    errors: z.array(z.object({ field: z.string(), code: z.string(), message: z.string() })).optional(),
  })
  .describe('application/problem+json');

/** The problem responses a route may give, for its OpenAPI entry. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(statuses.map((status) => [status, problem])) as Record<number, typeof problem>;
}

/** The community named in a path (`/c/:community/…`, `/api/v1/communities/:community/…`): every community route's parameters start here. */
export const communityParams = z.object({ community: z.string().max(60) });
