import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, inRequestCommunity, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { randomUUID } from 'node:crypto';
import { DomainError, type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { barChart, monthBars, monthName } from '../../platform/views/charts.ts';
import { render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import {
  cancelNotice,
  groupParams,
  guides,
  inNetwork as inNetworkOf,
  meetingParams,
  networkParams,
  ownRecordOf,
  pathIn,
  recordParams,
  registerTakers,
  rulesParams,
  staff,
} from './asker.ts';
import * as plans from './crisis-plans.ts';
import * as service from './service.ts';

/** A form with no fields (a button): anything it is sent that is not a form is refused with a 400. */
const buttonOnly = z.object({});
const refuse = (errors: FieldError[]): never => {
  throw invalid(errors);
};
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** The network's pages: members' home, groups and meetings, the register, ground rules, crisis plans, calendars and numbers. */
export async function networkRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inNetwork = <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ) => inNetworkOf(dependencies, request, work);

  // ——— Home ———
  app.get('', { config: { access: access.anyMember }, schema: { params: communityParams } }, async (request, reply) => {
    const page = await inNetwork(request, async (tx, communityId, ownId) => {
      const networks = await service.listNetworks(tx, communityId);
      const memberships = ownId ? await service.membershipsOf(tx, communityId, ownId) : [];
      const groups = await service.listGroups(tx, communityId);
      const usual = ownId ? await service.usualGroupsOf(tx, ownId) : [];
      const activeIn = new Set(memberships.filter((one) => one.active).map((one) => one.programmeId));
      const myGroupIds = groups
        .filter((group) => usual.includes(group.id) && activeIn.has(group.programmeId))
        .map((group) => group.id);
      const upcoming =
        ownId && myGroupIds.length
          ? await service.upcomingMeetings(tx, communityId, { groupIds: myGroupIds, personRecordId: ownId, limit: 4 })
          : [];
      const facilitating = (
        ownId ? groups.filter((group) => group.facilitators.some((one) => one.personRecordId === ownId)) : []
      ).map((group) => ({
        ...group,
        registerOpen: group.next_starts_at ? service.registerIsOpen(group.next_starts_at) : false,
        registerOpensOn: group.next_starts_at ? service.registerOpensOn(group.next_starts_at) : null,
      }));
      const shared = ownId ? await plans.plansSharedWith(tx, ownId) : [];
      const plan = ownId ? (await plans.ownPlan(tx, ownId)).plan : undefined;
      return {
        networks: networks.filter(
          (network) => network.status === 'open' || memberships.some((one) => one.programmeId === network.id),
        ),
        memberships,
        groups,
        usual,
        upcoming,
        facilitating,
        shared,
        hasPlan: Boolean(plan),
      };
    });
    return render(request, reply, 'peer-network/views/home.njk', {
      pageTitle: request.t('network.home.title'),
      ...page,
      staffView: service.runsTheNetwork(request.asker),
      guideView: service.guidesTheNetwork(request.asker),
      weekdayNames: weekdays.map((day) => request.t(`network.weekdays.${day}`)),
      flash: takeFlash(request),
    });
  });

  // ——— Joining, stepping back, coming back ———
  app.post(
    '/:networkId/join',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => {
      try {
        return await submitForm(request, reply, {
          schema: buttonOnly,
          page: (_values, errors) => refuse(errors),
          once: { db: dependencies.db, accountId: actorOf(request) },
          save: () =>
            inNetwork(request, async (tx, communityId) =>
              service.joinByThemselves(
                tx,
                communityId,
                request.params.networkId,
                await ownRecordOf(tx, communityId, request),
                actorOf(request),
              ),
            ),
          flash: (outcome) =>
            request.t(outcome.change === 'returned' ? 'network.join.returnedFlash' : 'network.join.joinedFlash'),
          next: pathIn(request),
        });
      } catch (error) {
        // Joining only by referral: the page says how.
        if (error instanceof DomainError && error.status === 409) {
          return render(
            request,
            reply,
            'peer-network/views/join-by-referral.njk',
            { pageTitle: request.t('network.join.byReferralTitle') },
            { status: 409 },
          );
        }
        throw error;
      }
    },
  );
  app.get(
    '/:networkId/step-back',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => {
      const network = await inNetwork(request, (tx, communityId) =>
        service.getNetwork(tx, communityId, request.params.networkId),
      );
      return render(request, reply, 'peer-network/views/step-back.njk', {
        pageTitle: request.t('network.stepBack.title'),
        network,
      });
    },
  );
  app.post(
    '/:networkId/step-back',
    { config: { access: access.ownOr() }, schema: { params: networkParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: buttonOnly,
        page: (_values, errors) => refuse(errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: () =>
          inNetwork(request, async (tx, communityId, ownId) => {
            if (!ownId) throw notFound();
            await service.stepBack(tx, communityId, request.params.networkId, ownId, actorOf(request));
          }),
        flash: request.t('network.stepBack.doneFlash'),
        next: pathIn(request),
      }),
  );

  // ——— Settings ———
  app.get(
    '/:networkId/settings',
    { config: { access: staff }, schema: { params: networkParams } },
    async (request, reply) => {
      const network = await inNetwork(request, (tx, communityId) =>
        service.getNetwork(tx, communityId, request.params.networkId),
      );
      return render(request, reply, 'peer-network/views/settings.njk', {
        pageTitle: request.t('network.settings.title', { name: network.name }),
        network,
      });
    },
  );
  app.post(
    '/:networkId/settings',
    { config: { access: staff }, schema: { params: networkParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.networkSettings,
        // The settings page shows no errors: a mistake is refused with a 400.
        page: (_values, errors) => refuse(errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inNetwork(request, (tx, communityId) =>
            service.saveNetworkSettings(tx, communityId, actorOf(request), request.params.networkId, data),
          ),
        flash: request.t('network.settings.savedFlash'),
        next: pathIn(request),
      }),
  );

  // ——— Groups ———
  const groupFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    groupId: string | undefined,
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId) => ({
      networks: await service.listNetworks(tx, communityId),
      facilitators: await service.facilitatorChoices(tx, communityId),
    }));
    const chosen = new Set([values.facilitatorIds ?? []].flat().map(String));
    return render(
      request,
      reply,
      'peer-network/views/group-form.njk',
      {
        pageTitle: request.t(groupId ? 'network.groupForm.editTitle' : 'network.groupForm.newTitle'),
        values,
        groupId,
        networkItems: page.networks
          .filter((network) => network.status === 'open')
          .map((network) => ({ value: network.id, text: network.name, checked: values.programmeId === network.id })),
        weekdayItems: weekdays.map((day) => ({
          value: String(day),
          text: request.t(`network.weekdays.${day}`),
          selected: String(values.weekday ?? '') === String(day),
        })),
        facilitatorItems: page.facilitators.map((one) => ({
          value: one.id,
          text: one.name,
          checked: chosen.has(one.id),
        })),
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  const groupValues = (group: service.Group, facilitatorIds: string[]) => ({
    ...group,
    startsAt: group.startsAt.slice(0, 5),
    capacity: group.capacity ?? '',
    facilitatorIds,
    ended: group.endedAt ? 'yes' : '',
  });
  app.get('/groups/new', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) =>
    groupFormPage(request, reply, { durationMinutes: 90, startsAt: '18:00' }, undefined),
  );
  app.post('/groups/new', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) =>
    submitForm(request, reply, {
      schema: service.groupDetails.extend({
        programmeId: z.uuid({ error: 'errors.network.group.network.missing' }),
      }),
      page: (values, errors) => groupFormPage(request, reply, values, undefined, errors),
      once: { db: dependencies.db, accountId: actorOf(request) },
      save: ({ programmeId, ...details }) =>
        inNetwork(request, (tx, communityId) =>
          service.createGroup(tx, communityId, actorOf(request), programmeId, details),
        ),
      flash: request.t('network.groupForm.createdFlash'),
      next: (group) => `${pathIn(request)}/groups/${group.id}`,
    }),
  );
  app.get(
    '/groups/:groupId/edit',
    { config: { access: staff }, schema: { params: groupParams } },
    async (request, reply) => {
      const found = await inNetwork(request, async (tx, communityId) => {
        const group = await service.getGroup(tx, communityId, request.params.groupId);
        return {
          group,
          facilitatorIds: (await service.groupFacilitators(tx, [group.id])).map((one) => one.personRecordId),
        };
      });
      return groupFormPage(request, reply, groupValues(found.group, found.facilitatorIds), found.group.id);
    },
  );
  app.post(
    '/groups/:groupId/edit',
    { config: { access: staff }, schema: { params: groupParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.groupDetails.extend({
          ended: z.preprocess((value) => value === 'yes' || value === true, z.boolean()),
        }),
        page: (values, errors) => groupFormPage(request, reply, values, request.params.groupId, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inNetwork(request, (tx, communityId) =>
            service.updateGroup(tx, communityId, actorOf(request), request.params.groupId, data),
          ),
        flash: request.t('network.groupForm.savedFlash'),
        next: `${pathIn(request)}/groups/${request.params.groupId}`,
      }),
  );
  app.get(
    '/groups/:groupId',
    { config: { access: access.anyMember }, schema: { params: groupParams } },
    async (request, reply) => {
      const page = await inNetwork(request, async (tx, communityId, ownId) => {
        const group = await service.getGroup(tx, communityId, request.params.groupId);
        const facilitators = await service.groupFacilitators(tx, [group.id]);
        const upcoming = (
          await service.upcomingMeetings(tx, communityId, { groupIds: [group.id], personRecordId: ownId, limit: 6 })
        ).map((meeting) => ({
          ...meeting,
          registerOpen: service.registerIsOpen(meeting.starts_at),
          registerOpensOn: service.registerOpensOn(meeting.starts_at),
        }));
        const memberships = ownId ? await service.membershipsOf(tx, communityId, ownId) : [];
        const member = memberships.some((one) => one.programmeId === group.programmeId && one.active);
        const usual = ownId ? (await service.usualGroupsOf(tx, ownId)).includes(group.id) : false;
        const mayRegister = await service.mayTakeRegister(tx, group.id, request.asker);
        const past = mayRegister
          ? await service.meetingsOfGroup(tx, communityId, group.id, { before: new Date(), limit: 8 })
          : [];
        return { group, facilitators, upcoming, member, usual, mayRegister, past };
      });
      return render(request, reply, 'peer-network/views/group.njk', {
        pageTitle: page.group.name,
        ...page,
        when: request.t('network.group.when', {
          day: request.t(`network.weekdays.${page.group.weekday}`),
          time: page.group.startsAt.slice(0, 5),
        }),
        staffView: service.runsTheNetwork(request.asker),
        flash: takeFlash(request),
      });
    },
  );
  app.post(
    '/groups/:groupId/usual',
    { config: { access: access.ownOr() }, schema: { params: groupParams } },
    async (request, reply) => {
      const usual = (request.body as Record<string, unknown>)?.usual === 'yes';
      return submitForm(request, reply, {
        schema: buttonOnly,
        page: (_values, errors) => refuse(errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: () =>
          inNetwork(request, async (tx, communityId, ownId) => {
            if (!ownId) throw notFound();
            await service.setUsualGroup(tx, communityId, request.params.groupId, ownId, usual);
          }),
        flash: request.t(usual ? 'network.group.usualAddedFlash' : 'network.group.usualRemovedFlash'),
        next: `${pathIn(request)}/groups/${request.params.groupId}`,
      });
    },
  );

  // ——— Meetings ———
  const meetingPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId, ownId) => {
      const { meeting, group } = await service.getMeeting(tx, communityId, request.params.meetingId);
      const [details] = await service.upcomingMeetings(tx, communityId, {
        groupIds: [group.id],
        personRecordId: ownId,
        limit: 1,
        from: meeting.startsAt,
      });
      const rules = await service.currentRules(tx, group.programmeId);
      const memberships = ownId ? await service.membershipsOf(tx, communityId, ownId) : [];
      const mayRegister = await service.mayTakeRegister(tx, group.id, request.asker);
      return {
        meeting,
        group,
        coming: details?.id === meeting.id ? details.coming : 0,
        myReply: details?.id === meeting.id ? details.my_reply : null,
        rules,
        member: memberships.some((one) => one.programmeId === group.programmeId && one.active),
        mayRegister,
        registerOpen: service.registerIsOpen(meeting.startsAt),
        registerOpensOn: service.registerOpensOn(meeting.startsAt),
      };
    });
    const ended = page.meeting.startsAt.getTime() + page.meeting.durationMinutes * 60_000 < Date.now();
    return render(
      request,
      reply,
      'peer-network/views/meeting.njk',
      {
        pageTitle: page.group.name,
        ...page,
        ended,
        started: page.meeting.startsAt.getTime() <= Date.now(),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/meetings/:meetingId',
    { config: { access: access.anyMember }, schema: { params: meetingParams } },
    async (request, reply) => meetingPage(request, reply),
  );
  app.post(
    '/meetings/:meetingId/reply',
    { config: { access: access.anyMember }, schema: { params: meetingParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.meetingReply,
        page: (_values, errors) => meetingPage(request, reply, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: async (data) => {
          await inNetwork(request, async (tx, communityId, ownId) => {
            if (!ownId) throw notFound();
            await service.replyToMeeting(tx, communityId, request.params.meetingId, ownId, data.coming);
          });
          return data.coming;
        },
        flash: (coming) => request.t(coming ? 'network.meeting.comingFlash' : 'network.meeting.notComingFlash'),
        next: `${pathIn(request)}/meetings/${request.params.meetingId}`,
      }),
  );

  // ——— Cancelling a meeting: the facilitators of its group, and staff ———
  const cancelPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId, ownId) => {
      const { meeting, group } = await service.getMeeting(tx, communityId, request.params.meetingId);
      if (!(await service.mayTakeRegister(tx, group.id, request.asker))) throw notFound();
      const [details] = await service.upcomingMeetings(tx, communityId, {
        groupIds: [group.id],
        personRecordId: ownId,
        limit: 1,
        from: meeting.startsAt,
      });
      return { meeting, group, coming: details?.id === meeting.id ? details.coming : 0 };
    });
    return render(
      request,
      reply,
      'peer-network/views/cancel.njk',
      {
        pageTitle: request.t('network.cancel.title'),
        ...page,
        started: page.meeting.startsAt.getTime() <= Date.now(),
        values,
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/meetings/:meetingId/cancel',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => cancelPage(request, reply),
  );
  app.post(
    '/meetings/:meetingId/cancel',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.cancelling,
        page: (values, errors) => cancelPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inNetwork(request, (tx, communityId) =>
            service.cancelMeeting(tx, communityId, request.asker, request.params.meetingId, data, {
              notifyConfigured: dependencies.notifyConfigured,
              message: cancelNotice(request, data.reason),
            }),
          ),
        flash: (told) => request.t('network.cancel.cancelledFlash', { count: told }),
        next: `${pathIn(request)}/meetings/${request.params.meetingId}`,
        // Cancelled already (by someone else, or in another tab): the meeting's page says so.
        refused: (error) =>
          error.code === 'meeting-cancelled' ? `${pathIn(request)}/meetings/${request.params.meetingId}` : undefined,
      }),
  );

  // ——— The register ———
  const registerPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inRequestCommunity(dependencies, request, async (tx, community) => {
      const { meeting, group, lines, others } = await service.registerFor(
        tx,
        community.id,
        request.params.meetingId,
        request.asker,
        { withDropIns: true },
      );
      return {
        meeting,
        group,
        lines,
        others,
        open: service.registerIsOpen(meeting.startsAt),
        opensOn: service.registerOpensOn(meeting.startsAt),
      };
    });
    return render(
      request,
      reply,
      'peer-network/views/register.njk',
      {
        pageTitle: request.t('network.register.title'),
        ...page,
        here: page.lines.filter((line) => line.present).length,
        values,
        otherItems: [
          { value: '', text: request.t('network.register.chooseMember') },
          ...page.others.map((one) => ({ value: one.id, text: one.name, selected: values.personRecordId === one.id })),
        ],
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/meetings/:meetingId/register',
    // The platform's three (the session with its person, begin with the scope, commit), then one statement for the whole register.
    { config: { access: registerTakers, queryBudget: 4 }, schema: { params: meetingParams } },
    async (request, reply) => registerPage(request, reply),
  );
  const registerWrite = <Schema extends z.ZodType>(
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    schema: Schema,
    write: (tx: CommunityTransaction, communityId: string, data: z.infer<Schema>) => Promise<string | undefined>,
  ) =>
    submitForm(request, reply, {
      schema,
      page: (values, errors) => registerPage(request, reply, values, errors),
      once: { db: dependencies.db, accountId: actorOf(request) },
      save: (data) =>
        inNetwork(request, async (tx, communityId) => {
          const { group } = await service.getMeeting(tx, communityId, request.params.meetingId);
          if (!(await service.mayTakeRegister(tx, group.id, request.asker))) throw notFound();
          return write(tx, communityId, data);
        }),
      next: (anchor) =>
        `${pathIn(request)}/meetings/${request.params.meetingId}/register${anchor ? `#person-${anchor}` : ''}`,
    });
  app.post(
    '/meetings/:meetingId/register',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) =>
      registerWrite(request, reply, service.attendanceMark, async (tx, communityId, data) => {
        await service.markAttendance(tx, communityId, actorOf(request), request.params.meetingId, data);
        return data.personRecordId;
      }),
  );
  app.post(
    '/meetings/:meetingId/drop-in',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) =>
      registerWrite(request, reply, service.dropIn, (tx, communityId, data) =>
        service.addDropIn(tx, communityId, actorOf(request), request.params.meetingId, data),
      ),
  );

  // ——— Ground rules ———
  app.get(
    '/:networkId/ground-rules',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => {
      const page = await inNetwork(request, async (tx, communityId, ownId) => {
        const network = await service.getNetwork(tx, communityId, request.params.networkId);
        const memberships = ownId ? await service.membershipsOf(tx, communityId, ownId) : [];
        return {
          network,
          ...(await service.groundRules(tx, communityId, network.id, ownId)),
          member: memberships.some((one) => one.programmeId === network.id && one.active),
        };
      });
      return render(request, reply, 'peer-network/views/ground-rules.njk', {
        pageTitle: request.t('network.rules.title'),
        ...page,
        guideView: service.guidesTheNetwork(request.asker),
        flash: takeFlash(request),
      });
    },
  );
  const proposalPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof networkParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> | undefined,
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId) => {
      const network = await service.getNetwork(tx, communityId, request.params.networkId);
      return { network, current: await service.currentRules(tx, network.id) };
    });
    return render(
      request,
      reply,
      'peer-network/views/propose-rules.njk',
      {
        pageTitle: request.t('network.rules.proposeTitle'),
        ...page,
        values: values ?? { body: page.current?.body ?? '' },
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/:networkId/ground-rules/propose',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => proposalPage(request, reply, undefined),
  );
  app.post(
    '/:networkId/ground-rules/propose',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: service.rulesProposal,
        page: (values, errors) => proposalPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inNetwork(request, (tx, communityId, ownId) =>
            service.proposeRules(tx, communityId, actorOf(request), request.params.networkId, ownId, data, {
              guide: service.guidesTheNetwork(request.asker),
            }),
          ),
        flash: request.t('network.rules.proposedFlash'),
        next: `${pathIn(request)}/${request.params.networkId}/ground-rules`,
      }),
  );
  const rulesAction = <Name extends 'agree' | 'adopt'>(path: `/ground-rules/:rulesId/${NoInfer<Name>}`, name: Name) =>
    app.post(
      path,
      { config: { access: name === 'agree' ? access.anyMember : guides }, schema: { params: rulesParams } },
      async (request, reply) =>
        submitForm(request, reply, {
          schema: buttonOnly,
          page: (_values, errors) => refuse(errors),
          once: { db: dependencies.db, accountId: actorOf(request) },
          save: () =>
            inNetwork(request, async (tx, communityId, ownId) => {
              if (name === 'agree') {
                await service.agreeToRules(
                  tx,
                  communityId,
                  request.params.rulesId,
                  ownId ?? (await ownRecordOf(tx, communityId, request)),
                );
                return service.getRules(tx, communityId, request.params.rulesId);
              }
              return service.adoptRules(tx, communityId, actorOf(request), request.params.rulesId);
            }),
          flash: (rules) =>
            request.t(name === 'agree' ? 'network.rules.agreedFlash' : 'network.rules.adoptedFlash', {
              version: rules.version ?? '',
            }),
          next: (rules) => `${pathIn(request)}/${rules.programmeId}/ground-rules`,
        }),
    );
  rulesAction('/ground-rules/:rulesId/agree', 'agree');
  rulesAction('/ground-rules/:rulesId/adopt', 'adopt');

  // ——— Crisis plans ———
  const planFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> | undefined,
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId, ownId) => {
      const own = ownId ? await plans.ownPlan(tx, ownId) : { plan: undefined, facilitatorIds: [], groupIds: [] };
      return {
        own,
        facilitators: await service.facilitatorChoices(tx, communityId),
        groups: await service.listGroups(tx, communityId),
        ownId,
      };
    });
    const shown = values ?? { ...page.own.plan, facilitatorIds: page.own.facilitatorIds, groupIds: page.own.groupIds };
    const ticked = (name: string) => new Set([shown[name] ?? []].flat().map(String));
    return render(
      request,
      reply,
      'peer-network/views/crisis-plan-form.njk',
      {
        pageTitle: request.t('network.plan.title'),
        values: shown,
        saved: page.own.plan,
        facilitatorItems: page.facilitators
          .filter((one) => one.id !== page.ownId)
          .map((one) => ({ value: one.id, text: one.name, checked: ticked('facilitatorIds').has(one.id) })),
        groupItems: page.groups.map((group) => ({
          value: group.id,
          text: group.name,
          checked: ticked('groupIds').has(group.id),
        })),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/crisis-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => planFormPage(request, reply, undefined),
  );
  app.post(
    '/crisis-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: plans.crisisPlanDetails,
        page: (values, errors) => planFormPage(request, reply, values, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: (data) =>
          inNetwork(request, async (tx, communityId) =>
            plans.savePlan(tx, communityId, actorOf(request), await ownRecordOf(tx, communityId, request), data),
          ),
        flash: request.t('network.plan.savedFlash'),
        next: `${pathIn(request)}/crisis-plan`,
      }),
  );
  app.get(
    '/crisis-plans/:recordId',
    {
      config: { access: access.decidedByService('the person chose the facilitators and groups who may read it') },
      schema: { params: recordParams },
    },
    async (request, reply) => {
      const found = await inNetwork(request, (tx, communityId, ownId) =>
        plans.readPlan(tx, communityId, actorOf(request), ownId, request.params.recordId),
      );
      return render(request, reply, 'peer-network/views/crisis-plan.njk', {
        pageTitle: request.t('network.plan.ofTitle', { name: found.name }),
        plan: found.plan,
        name: found.name,
      });
    },
  );

  // ——— Calendars ———
  app.get(
    '/calendar',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const page = await inNetwork(request, async (tx, communityId) => {
        const ownId = await ownRecordOf(tx, communityId, request);
        const usual = await service.usualGroupsOf(tx, ownId);
        const groups = (await service.listGroups(tx, communityId)).filter((group) => usual.includes(group.id));
        const groupFeeds = [];
        for (const group of groups)
          groupFeeds.push({ name: group.name, token: await service.feedToken(tx, communityId, { groupId: group.id }) });
        return { own: await service.feedToken(tx, communityId, { personRecordId: ownId }), groupFeeds };
      });
      return render(request, reply, 'peer-network/views/calendar.njk', {
        pageTitle: request.t('network.calendar.title'),
        ...page,
        feedBase: `${dependencies.publicUrl}/calendars/`,
        webcalBase: `${dependencies.publicUrl.replace(/^https?:/, 'webcal:')}/calendars/`,
        flash: takeFlash(request),
      });
    },
  );
  app.post(
    '/calendar/renew',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) =>
      submitForm(request, reply, {
        schema: buttonOnly,
        page: (_values, errors) => refuse(errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        save: () =>
          inNetwork(request, async (tx, communityId) =>
            service.feedToken(tx, communityId, { personRecordId: await ownRecordOf(tx, communityId, request) }, true),
          ),
        flash: request.t('network.calendar.renewedFlash'),
        next: `${pathIn(request)}/calendar`,
      }),
  );
  // ——— Numbers ———
  app.get(
    '/numbers',
    {
      config: { access: guides },
      schema: {
        params: communityParams,
        querystring: z.object({
          from: z.iso.date().optional().catch(undefined),
          to: z.iso.date().optional().catch(undefined),
        }),
      },
    },
    async (request, reply) => {
      const today = ukDay(new Date());
      const to = request.query.to ?? today;
      const from = request.query.from ?? `${Number(to.slice(0, 4)) - 1}${to.slice(4, 8)}01`;
      const numbers = await inNetwork(request, (tx, communityId) =>
        service.networkNumbers(tx, communityId, { from, to }),
      );
      const months = [...new Set(numbers.byMonth.map((row) => row.month))];
      const groups = [...new Map(numbers.byMonth.map((row) => [row.group_id, row.group_name])).entries()];
      const cell = (month: string, groupId: string) =>
        numbers.byMonth.find((row) => row.month === month && row.group_id === groupId)?.attendances ?? 0;
      const chart = barChart(
        request.t('network.numbers.chartTitle'),
        monthBars(
          months.map((month) => ({ month, value: groups.reduce((sum, [groupId]) => sum + cell(month, groupId), 0) })),
          request.language,
        ),
        { axisLabel: request.t('network.numbers.axis') },
      );
      return render(request, reply, 'peer-network/views/numbers.njk', {
        pageTitle: request.t('network.numbers.title'),
        from,
        to,
        months,
        groups,
        rows: months.map((month) => ({
          month: monthName(month, request.language),
          cells: groups.map(([groupId]) => cell(month, groupId)),
        })),
        changes: numbers.changes.map((row) => ({ ...row, month: monthName(row.month, request.language) })),
        totals: numbers.totals,
        byMember: numbers.byMember,
        chart,
      });
    },
  );
}
