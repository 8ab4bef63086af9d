// The peer network's calendar feeds: a meeting list any calendar can subscribe to, at an address
// only its owner knows (/calendars/<token>.ics), so it asks nobody to sign in.
import type { FastifyInstance } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { notFound } from '../../platform/http/problems.ts';
import { inCommunity } from '../../platform/tenancy.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as service from './service.ts';

const ukZone = 'Europe/London';

/** One person's or one group's meetings as an iCalendar feed, under /calendars. */
export async function calendarFeeds(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/:token',
    { config: { access: access.public }, schema: { params: z.object({ token: z.string().max(100) }) } },
    async (request, reply) => {
      const token = request.params.token.replace(/\.ics$/, '');
      const feed = await service.feedByToken(dependencies.owner, token);
      if (!feed) throw notFound();
      const meetings = await inCommunity(dependencies.db, { communityId: feed.communityId, personId: null }, (tx) =>
        service.feedMeetings(tx, feed.communityId, feed),
      );
      // Every time is given in UK time with its zone (DTSTART;TZID=Europe/London) and the zone's
      // rules (VTIMEZONE), so every calendar shows the right hour on both sides of a clock change.
      const calendar = ical({
        name: request.t('network.calendar.feedName'),
        timezone: { name: ukZone, generator: getVtimezoneComponent },
        prodId: { company: 'Coproduce', product: 'peer-network' },
      });
      const ukTime = (instant: Date) => DateTime.fromJSDate(instant, { zone: ukZone });
      for (const meeting of meetings) {
        calendar.createEvent({
          id: meeting.id,
          timezone: ukZone,
          start: ukTime(meeting.starts_at),
          end: ukTime(new Date(meeting.starts_at.getTime() + meeting.duration_minutes * 60_000)),
          summary: meeting.group_name,
          location: meeting.venue,
          description: [meeting.access_details, meeting.online_link].filter(Boolean).join('\n\n'),
          url: meeting.online_link || undefined,
          status: meeting.cancelled_at ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
        });
      }
      // The zone is in each time and in VTIMEZONE: the non-standard calendar-wide names are left out.
      const text = calendar.toString().replace(/^(?:TIMEZONE-ID|X-WR-TIMEZONE):.*\r\n/gm, '');
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('cache-control', 'private, max-age=300')
        .send(text);
    },
  );
}
