// What safeguarding's pages and API both take from a request, and who may use them.
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { concernReaders } from './service.ts';

export const concernParams = communityParams.extend({ concernId: z.uuid() });

/** Only the leads and admins: anyone else is told there is nothing here. */
export const readers = access.restricted(...concernReaders);
