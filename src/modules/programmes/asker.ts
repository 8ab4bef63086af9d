// What the programmes' pages and API both take from a request.
import { z } from 'zod';
import { communityParams } from '../../platform/http/schemas.ts';

export const programmeParams = communityParams.extend({ programmeId: z.uuid() });
