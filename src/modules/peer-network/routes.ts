import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { getVtimezoneComponent } from '@touch4it/ical-timezones';
import ical, { ICalEventStatus } from 'ical-generator';
import { DateTime } from 'luxon';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, takeFlash } from '../../platform/http/community-request.ts';
import { parseForm } from '../../platform/http/forms.ts';
import { oncePerForm } from '../../platform/http/idempotency.ts';
import { randomUUID } from 'node:crypto';
import { DomainError, type FieldError, notFound } from '../../platform/http/problems.ts';
import { inCommunity, type CommunityTransaction } from '../../platform/tenancy.ts';
import { barChart, monthBars, monthName } from '../../platform/views/charts.ts';
import { render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Services } from '../../services.ts';
import { networkApi } from './api.ts';
import {
  cancelNotice,
  communityParams,
  groupParams,
  guides,
  inNetwork as inNetworkOf,
  isGuide,
  isNetworkStaff,
  meetingParams,
  networkParams,
  ownRecordOf,
  personParams,
  registerTakers,
  rulesParams,
  staff,
} from './requests.ts';
import * as plans from './crisis-plans.ts';
import * as service from './service.ts';

const formErrors = (error: unknown): FieldError[] | undefined =>
  error instanceof DomainError && error.status === 400
    ? error.fieldErrors.length
      ? error.fieldErrors
      : [{ field: 'form', code: 'errors.generic.invalid' }]
    : undefined;
const weekdays = [1, 2, 3, 4, 5, 6, 7] as const;

/** The network's pages: members' home, groups and meetings, the register, ground rules, crisis plans, calendars and numbers. */
const ukZone = 'Europe/London';

export async function networkRoutes(parent: FastifyInstance, { services }: { services: Services }): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const base = (request: FastifyRequest) => `/c/${(request.params as { community: string }).community}/network`;
  const inNetwork = <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ) => inNetworkOf(services, request, work);

  // ——— Home ———
  app.get(
    '/c/:community/network',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
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
        staffView: isNetworkStaff(request),
        guideView: isGuide(request),
        weekdayNames: weekdays.map((day) => request.t(`network.weekdays.${day}`)),
        flash: takeFlash(request),
      });
    },
  );

  // ——— Joining, stepping back, coming back ———
  app.post(
    '/c/:community/network/:networkId/join',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => {
      try {
        const outcome = await inNetwork(request, async (tx, communityId) =>
          service.joinByThemselves(
            tx,
            communityId,
            request.params.networkId,
            await ownRecordOf(tx, communityId, request),
            actorOf(request),
          ),
        );
        request.session.flash = request.t(
          outcome.change === 'returned' ? 'network.join.returnedFlash' : 'network.join.joinedFlash',
        );
      } catch (error) {
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
      return reply.redirect(base(request), 303);
    },
  );
  app.get(
    '/c/:community/network/:networkId/step-back',
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
    '/c/:community/network/:networkId/step-back',
    { config: { access: access.ownOr() }, schema: { params: networkParams } },
    async (request, reply) => {
      await inNetwork(request, async (tx, communityId, ownId) => {
        if (!ownId) throw notFound();
        await service.stepBack(tx, communityId, request.params.networkId, ownId, actorOf(request));
      });
      request.session.flash = request.t('network.stepBack.doneFlash');
      return reply.redirect(base(request), 303);
    },
  );

  // ——— Settings ———
  app.get(
    '/c/:community/network/:networkId/settings',
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
    '/c/:community/network/:networkId/settings',
    { config: { access: staff }, schema: { params: networkParams } },
    async (request, reply) => {
      const form = parseForm(service.networkSettings, request.body);
      if (!form.ok) throw new DomainError('validation-failed', 400, form.errors);
      await inNetwork(request, (tx, communityId) =>
        service.saveNetworkSettings(tx, communityId, actorOf(request), request.params.networkId, form.data),
      );
      request.session.flash = request.t('network.settings.savedFlash');
      return reply.redirect(base(request), 303);
    },
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
  app.get(
    '/c/:community/network/groups/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => groupFormPage(request, reply, { durationMinutes: 90, startsAt: '18:00' }, undefined),
  );
  app.post(
    '/c/:community/network/groups/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const form = parseForm(
        service.groupDetails.extend({ programmeId: z.uuid({ error: 'errors.network.group.network.missing' }) }),
        body,
      );
      if (!form.ok) return groupFormPage(request, reply, body, undefined, form.errors);
      try {
        const { programmeId, ...details } = form.data;
        const to = await oncePerForm(services.db, actorOf(request), body.formKey, async () => {
          const group = await inNetwork(request, (tx, communityId) =>
            service.createGroup(tx, communityId, actorOf(request), programmeId, details),
          );
          request.session.flash = request.t('network.groupForm.createdFlash');
          return `${base(request)}/groups/${group.id}`;
        });
        return reply.redirect(to, 303);
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return groupFormPage(request, reply, body, undefined, errors);
        throw error;
      }
    },
  );
  app.get(
    '/c/:community/network/groups/:groupId/edit',
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
    '/c/:community/network/groups/:groupId/edit',
    { config: { access: staff }, schema: { params: groupParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const form = parseForm(
        service.groupDetails.extend({ ended: z.preprocess((value) => value === 'yes' || value === true, z.boolean()) }),
        body,
      );
      if (!form.ok) return groupFormPage(request, reply, body, request.params.groupId, form.errors);
      try {
        await inNetwork(request, (tx, communityId) =>
          service.updateGroup(tx, communityId, actorOf(request), request.params.groupId, form.data),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return groupFormPage(request, reply, body, request.params.groupId, errors);
        throw error;
      }
      request.session.flash = request.t('network.groupForm.savedFlash');
      return reply.redirect(`${base(request)}/groups/${request.params.groupId}`, 303);
    },
  );
  app.get(
    '/c/:community/network/groups/:groupId',
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
        const mayRegister = await service.mayTakeRegister(tx, group.id, {
          staff: isNetworkStaff(request),
          recordId: ownId,
        });
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
        staffView: isNetworkStaff(request),
        flash: takeFlash(request),
      });
    },
  );
  app.post(
    '/c/:community/network/groups/:groupId/usual',
    { config: { access: access.ownOr() }, schema: { params: groupParams } },
    async (request, reply) => {
      const usual = (request.body as Record<string, unknown>)?.usual === 'yes';
      await inNetwork(request, async (tx, communityId, ownId) => {
        if (!ownId) throw notFound();
        await service.setUsualGroup(tx, communityId, request.params.groupId, ownId, usual);
      });
      request.session.flash = request.t(usual ? 'network.group.usualAddedFlash' : 'network.group.usualRemovedFlash');
      return reply.redirect(`${base(request)}/groups/${request.params.groupId}`, 303);
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
      const mayRegister = await service.mayTakeRegister(tx, group.id, {
        staff: isNetworkStaff(request),
        recordId: ownId,
      });
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
    '/c/:community/network/meetings/:meetingId',
    { config: { access: access.anyMember }, schema: { params: meetingParams } },
    async (request, reply) => meetingPage(request, reply),
  );
  app.post(
    '/c/:community/network/meetings/:meetingId/reply',
    { config: { access: access.anyMember }, schema: { params: meetingParams } },
    async (request, reply) => {
      const form = parseForm(service.meetingReply, request.body);
      if (!form.ok) return meetingPage(request, reply, form.errors);
      try {
        await inNetwork(request, async (tx, communityId, ownId) => {
          if (!ownId) throw notFound();
          await service.replyToMeeting(tx, communityId, request.params.meetingId, ownId, form.data.coming);
        });
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return meetingPage(request, reply, errors);
        throw error;
      }
      request.session.flash = request.t(
        form.data.coming ? 'network.meeting.comingFlash' : 'network.meeting.notComingFlash',
      );
      return reply.redirect(`${base(request)}/meetings/${request.params.meetingId}`, 303);
    },
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
      if (!(await service.mayTakeRegister(tx, group.id, { staff: isNetworkStaff(request), recordId: ownId })))
        throw notFound();
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
    '/c/:community/network/meetings/:meetingId/cancel',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => cancelPage(request, reply),
  );
  app.post(
    '/c/:community/network/meetings/:meetingId/cancel',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const form = parseForm(service.cancelling, body);
      if (!form.ok) return cancelPage(request, reply, form.values, form.errors);
      try {
        const to = await oncePerForm(services.db, actorOf(request), body.formKey, async () => {
          const told = await inNetwork(request, (tx, communityId, ownId) =>
            service.cancelMeeting(
              tx,
              communityId,
              { accountId: actorOf(request), staff: isNetworkStaff(request), recordId: ownId },
              request.params.meetingId,
              form.data,
              { notifyConfigured: services.notifyConfigured, message: cancelNotice(request, form.data.reason) },
            ),
          );
          request.session.flash = request.t('network.cancel.cancelledFlash', { count: told });
          return `${base(request)}/meetings/${request.params.meetingId}`;
        });
        return reply.redirect(to, 303);
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return cancelPage(request, reply, body, errors);
        if (error instanceof DomainError && error.code === 'meeting-cancelled')
          return reply.redirect(`${base(request)}/meetings/${request.params.meetingId}`, 303);
        throw error;
      }
    },
  );

  // ——— The register ———
  const registerPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inNetwork(request, async (tx, communityId, ownId) => {
      const { meeting, group } = await service.getMeeting(tx, communityId, request.params.meetingId);
      if (!(await service.mayTakeRegister(tx, group.id, { staff: isNetworkStaff(request), recordId: ownId })))
        throw notFound();
      const lines = await service.registerOf(tx, meeting.id, group);
      const others = await service.dropInChoices(tx, meeting.id, group);
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
    '/c/:community/network/meetings/:meetingId/register',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => registerPage(request, reply),
  );
  const registerWrite = async (
    request: FastifyRequest<{ Params: z.infer<typeof meetingParams> }>,
    reply: FastifyReply,
    write: (tx: CommunityTransaction, communityId: string) => Promise<string | undefined>,
  ) => {
    try {
      const anchor = await inNetwork(request, async (tx, communityId, ownId) => {
        const { group } = await service.getMeeting(tx, communityId, request.params.meetingId);
        if (!(await service.mayTakeRegister(tx, group.id, { staff: isNetworkStaff(request), recordId: ownId })))
          throw notFound();
        return write(tx, communityId);
      });
      return reply.redirect(
        `${base(request)}/meetings/${request.params.meetingId}/register${anchor ? `#person-${anchor}` : ''}`,
        303,
      );
    } catch (error) {
      const errors = formErrors(error);
      if (errors) return registerPage(request, reply, request.body as Record<string, unknown>, errors);
      throw error;
    }
  };
  app.post(
    '/c/:community/network/meetings/:meetingId/register',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => {
      const form = parseForm(service.attendanceMark, request.body);
      if (!form.ok) return registerPage(request, reply, request.body as Record<string, unknown>, form.errors);
      return registerWrite(request, reply, async (tx, communityId) => {
        await service.markAttendance(tx, communityId, actorOf(request), request.params.meetingId, form.data);
        return form.data.personRecordId;
      });
    },
  );
  app.post(
    '/c/:community/network/meetings/:meetingId/drop-in',
    { config: { access: registerTakers }, schema: { params: meetingParams } },
    async (request, reply) => {
      const form = parseForm(service.dropIn, request.body);
      if (!form.ok) return registerPage(request, reply, request.body as Record<string, unknown>, form.errors);
      return registerWrite(request, reply, (tx, communityId) =>
        service.addDropIn(tx, communityId, actorOf(request), request.params.meetingId, form.data),
      );
    },
  );

  // ——— Ground rules ———
  app.get(
    '/c/:community/network/:networkId/ground-rules',
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
        guideView: isGuide(request),
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
    '/c/:community/network/:networkId/ground-rules/propose',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => proposalPage(request, reply, undefined),
  );
  app.post(
    '/c/:community/network/:networkId/ground-rules/propose',
    { config: { access: access.anyMember }, schema: { params: networkParams } },
    async (request, reply) => {
      const form = parseForm(service.rulesProposal, request.body);
      if (!form.ok) return proposalPage(request, reply, form.values, form.errors);
      const to = await oncePerForm(
        services.db,
        actorOf(request),
        (request.body as Record<string, unknown>).formKey,
        async () => {
          await inNetwork(request, (tx, communityId, ownId) =>
            service.proposeRules(tx, communityId, actorOf(request), request.params.networkId, ownId, form.data, {
              guide: isGuide(request),
            }),
          );
          request.session.flash = request.t('network.rules.proposedFlash');
          return `${base(request)}/${request.params.networkId}/ground-rules`;
        },
      );
      return reply.redirect(to, 303);
    },
  );
  const rulesAction = (name: 'agree' | 'adopt') =>
    app.post(
      `/c/:community/network/ground-rules/:rulesId/${name}`,
      { config: { access: name === 'agree' ? access.anyMember : guides }, schema: { params: rulesParams } },
      async (request, reply) => {
        const rules = await inNetwork(request, async (tx, communityId, ownId) => {
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
        });
        request.session.flash = request.t(
          name === 'agree' ? 'network.rules.agreedFlash' : 'network.rules.adoptedFlash',
          { version: rules.version ?? '' },
        );
        return reply.redirect(`${base(request)}/${rules.programmeId}/ground-rules`, 303);
      },
    );
  rulesAction('agree');
  rulesAction('adopt');

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
    '/c/:community/network/crisis-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => planFormPage(request, reply, undefined),
  );
  app.post(
    '/c/:community/network/crisis-plan',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const form = parseForm(plans.crisisPlanDetails, request.body);
      if (!form.ok) return planFormPage(request, reply, form.values, form.errors);
      try {
        await inNetwork(request, async (tx, communityId) =>
          plans.savePlan(tx, communityId, actorOf(request), await ownRecordOf(tx, communityId, request), form.data),
        );
      } catch (error) {
        const errors = formErrors(error);
        if (errors) return planFormPage(request, reply, request.body as Record<string, unknown>, errors);
        throw error;
      }
      request.session.flash = request.t('network.plan.savedFlash');
      return reply.redirect(`${base(request)}/crisis-plan`, 303);
    },
  );
  app.get(
    '/c/:community/network/crisis-plans/:personId',
    { config: { access: access.ownOr() }, schema: { params: personParams } },
    async (request, reply) => {
      const found = await inNetwork(request, (tx, communityId, ownId) =>
        plans.readPlan(tx, communityId, actorOf(request), ownId, request.params.personId),
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
    '/c/:community/network/calendar',
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
        feedBase: `${services.publicUrl}/calendars/`,
        webcalBase: `${services.publicUrl.replace(/^https?:/, 'webcal:')}/calendars/`,
        flash: takeFlash(request),
      });
    },
  );
  app.post(
    '/c/:community/network/calendar/renew',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      await inNetwork(request, async (tx, communityId) =>
        service.feedToken(tx, communityId, { personRecordId: await ownRecordOf(tx, communityId, request) }, true),
      );
      request.session.flash = request.t('network.calendar.renewedFlash');
      return reply.redirect(`${base(request)}/calendar`, 303);
    },
  );
  app.get(
    '/calendars/:token',
    { config: { access: access.public }, schema: { params: z.object({ token: z.string().max(100) }) } },
    async (request, reply) => {
      const token = request.params.token.replace(/\.ics$/, '');
      const feed = await service.feedByToken(services.owner, token);
      if (!feed) throw notFound();
      const meetings = await inCommunity(services.db, { communityId: feed.communityId, personId: null }, (tx) =>
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

  // ——— Numbers ———
  app.get(
    '/c/:community/network/numbers',
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

  await networkApi(app, services);
}
