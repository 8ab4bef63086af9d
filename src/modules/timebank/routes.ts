import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf, takeFlash } from '../../platform/http/community-request.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { dateParts, minutesFromForm, withDateFromParts } from '../../platform/fields.ts';
import { type FieldError, invalid, notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { choices, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import { createPerson, getPerson, listPeople, personDetails } from '../people/service.ts';
import * as exchanges from './exchanges.ts';
import { homeOf } from './home.ts';
import * as service from './service.ts';
import * as posts from './posts.ts';
import { exchangeContext, exchangeParams, pathIn, recordParams, sideOrStaff, staff, timebankWork } from './asker.ts';

const categoryParams = communityParams.extend({ categoryId: z.uuid() });
const stepParams = communityParams.extend({ stepId: z.uuid() });

/**
 * The time bank's pages, under /c/:community/timebank: a member's home, statement and exchanges;
 * coordinators' members, groups, pot and settings.
 */
export async function timebankPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inTimebank = timebankWork(dependencies);

  // ——— Home ———
  app.get('', { config: { access: access.anyMember }, schema: { params: communityParams } }, async (request, reply) => {
    const page = await inTimebank(request, (tx, communityId) => homeOf(tx, communityId, request.asker));
    return render(request, reply, 'timebank/views/home.njk', {
      pageTitle: request.t('timebank.home.title'),
      ...page,
      flash: takeFlash(request),
    });
  });

  // ——— Recording an exchange ———
  const exchangeFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, (tx, communityId, ownId) =>
      exchanges.exchangeFormFor(tx, exchangeContext(dependencies, request, communityId, ownId)),
    );
    if (!page.mayRecord)
      return render(request, reply, 'timebank/views/not-yet.njk', {
        pageTitle: request.t('timebank.notYet.title'),
        member: page.member,
      });
    const personItems = (chosen: unknown) => [
      { value: '', text: request.t('timebank.exchangeForm.choose') },
      ...page.people.map((choice) => ({
        value: choice.personRecordId ?? '',
        text: choice.name,
        selected: chosen === choice.personRecordId,
      })),
    ];
    const categoryItems = [
      { value: '', text: request.t('timebank.exchangeForm.choose') },
      ...page.categories.map((category) => ({
        value: category.id,
        text: category.name,
        selected:
          values.categoryId === category.id || (values.categoryId === undefined && page.categories.length === 1),
      })),
    ];
    return render(
      request,
      reply,
      'timebank/views/exchange-form.njk',
      {
        pageTitle: request.t('timebank.exchangeForm.title'),
        values,
        staffView: page.staffView,
        directionItems: choices(request, 'timebank.exchangeForm.directions', ['gave', 'received'], values.direction),
        otherItems: personItems(values.other),
        giverItems: personItems(values.giver),
        receiverItems: personItems(values.receiver),
        categoryItems,
        occurredOnParts: dateParts(values.occurredOn),
        formKey: randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/exchanges/new',
    {
      config: { access: access.anyMember },
      schema: {
        params: communityParams,
        querystring: z.object({
          post: z.uuid().optional().catch(undefined),
          with: z.uuid().optional().catch(undefined),
        }),
      },
    },
    async (request, reply) =>
      exchangeFormPage(request, reply, {
        occurredOn: ukDay(new Date()),
        postId: request.query.post,
        other: request.query.with,
        direction: 'gave',
      }),
  );
  app.post(
    '/exchanges/new',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'occurredOn');
      // Those who run the time bank name both sides; a member says which way the time went, and with whom.
      const staffView = service.runsTimebank(request.asker);
      const ownId = await inTimebank(request, async (_tx, _communityId, own) => own);
      const missingSide: FieldError[] = [];
      let giver = body.giver;
      let receiver = body.receiver;
      if (!staffView) {
        if (body.direction !== 'gave' && body.direction !== 'received')
          missingSide.push({ field: 'direction', code: 'errors.timebank.direction.missing' });
        giver = body.direction === 'received' ? body.other : ownId;
        receiver = body.direction === 'received' ? ownId : body.other;
      }
      const input = {
        giver: giver || undefined,
        receiver: receiver || undefined,
        minutes: minutesFromForm(body),
        occurredOn: body.occurredOn,
        categoryId: body.categoryId || undefined,
        postId: body.postId || undefined,
        note: body.note,
        confirmNow: staffView && body.confirmNow === 'yes',
      };
      // A member's form without which way the time went is refused, with whatever else is wrong.
      const schema = exchanges.newExchange.transform((data, context) => {
        for (const error of missingSide) context.addIssue({ code: 'custom', path: [error.field], message: error.code });
        return data;
      });
      // On a member's form, the other person is one box.
      const asShown = (errors: FieldError[]) => [
        ...missingSide,
        ...errors
          .filter((error) => !missingSide.some((missing) => missing.field === error.field))
          .map((error) =>
            !staffView && (error.field === 'giver' || error.field === 'receiver')
              ? { ...error, field: 'other' }
              : error,
          ),
      ];
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema,
        body: { ...input, formKey: body.formKey },
        page: (_values, errors) => exchangeFormPage(request, reply, body, asShown(errors)),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, async (tx, communityId, own) => {
            const exchange = await exchanges.recordExchange(
              tx,
              exchangeContext(dependencies, request, communityId, own),
              data,
            );
            return exchanges.getExchange(tx, communityId, exchange.id);
          }),
        flash: (full) => recordedMessage(request, full),
        next: (full) => `${pathIn(request)}/exchanges/${full.exchange.id}`,
      });
    },
  );

  /** What happens next, said as it is: who is asked to confirm, or that a coordinator confirms for someone not online. */
  const recordedMessage = (request: FastifyRequest, full: exchanges.ExchangeInFull) => {
    if (full.exchange.status === 'confirmed') return request.t('timebank.exchange.confirmedFlash');
    const awaited = exchanges.awaitedSide(full);
    const waiting = full.parties.filter((party) => party.personRecordId && awaited.includes(party.personRecordId));
    const offline = waiting.filter((party) => !party.online);
    if (offline.length)
      return request.t('timebank.exchange.recordedOfflineFlash', {
        names: offline.map((party) => party.name).join(', '),
      });
    return request.t('timebank.exchange.recordedFlash', { names: waiting.map((party) => party.name).join(', ') });
  };

  // ——— One exchange ———
  const exchangePage = async (
    request: FastifyRequest<{ Params: z.infer<typeof exchangeParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, (tx, communityId, ownId) =>
      exchanges.exchangeSeenBy(
        tx,
        exchangeContext(dependencies, request, communityId, ownId),
        request.params.exchangeId,
      ),
    );
    return render(
      request,
      reply,
      'timebank/views/exchange.njk',
      {
        pageTitle: request.t(`timebank.exchange.${page.title}`),
        ...page,
        values,
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/exchanges/:exchangeId',
    { config: { access: sideOrStaff }, schema: { params: exchangeParams } },
    async (request, reply) => exchangePage(request, reply),
  );
  const exchangeFlashes = {
    confirm: 'timebank.exchange.confirmFlash',
    dispute: 'timebank.exchange.disputeFlash',
    cancel: 'timebank.exchange.cancelFlash',
    reverse: 'timebank.exchange.reverseFlash',
  } as const;
  const exchangeAction = <Name extends 'confirm' | 'dispute' | 'cancel' | 'reverse'>(
    path: `/exchanges/:exchangeId/${NoInfer<Name>}`,
    name: Name,
    roles: typeof staff,
  ) =>
    app.post(path, { config: { access: roles }, schema: { params: exchangeParams } }, async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const exchangeHref = `${pathIn(request)}/exchanges/${request.params.exchangeId}`;
      const form = {
        page: (_values: Record<string, unknown>, errors: FieldError[]) =>
          exchangePage(request, reply, { ...body, action: name }, errors),
        once: { db: dependencies.db, accountId: actorOf(request) },
        flash: request.t(exchangeFlashes[name as keyof typeof exchangeFlashes]),
        next: exchangeHref,
        // Answered meanwhile (confirmed, disputed, cancelled): the exchange shows how it is now.
        refused: (error: { status: number }) => {
          if (error.status !== 409) return undefined;
          request.session.flash = request.t('timebank.exchange.alreadyDecided');
          return exchangeHref;
        },
      };
      const inExchange = (work: (tx: CommunityTransaction, context: exchanges.ExchangeContext) => Promise<unknown>) =>
        inTimebank(request, (tx, communityId, ownId) =>
          work(tx, exchangeContext(dependencies, request, communityId, ownId)),
        );
      // Disputing and reversing ask why; confirming and cancelling ask nothing.
      if (name === 'dispute' || name === 'reverse')
        return submitForm(request, reply, {
          ...form,
          schema: name === 'dispute' ? exchanges.disputeDetails : exchanges.reversalDetails,
          save: (data) =>
            inExchange((tx, context) =>
              name === 'dispute'
                ? exchanges.disputeExchange(tx, context, request.params.exchangeId, data)
                : exchanges.reverseExchange(tx, context, request.params.exchangeId, data),
            ),
        });
      return submitForm(request, reply, {
        ...form,
        schema: z.object({}),
        save: () =>
          inExchange((tx, context) =>
            name === 'confirm'
              ? exchanges.confirmExchange(tx, context, request.params.exchangeId)
              : exchanges.cancelExchange(tx, context, request.params.exchangeId),
          ),
      });
    });
  exchangeAction('/exchanges/:exchangeId/confirm', 'confirm', sideOrStaff);
  exchangeAction('/exchanges/:exchangeId/dispute', 'dispute', sideOrStaff);
  exchangeAction('/exchanges/:exchangeId/cancel', 'cancel', sideOrStaff);
  exchangeAction('/exchanges/:exchangeId/reverse', 'reverse', staff);

  app.get(
    '/exchanges',
    {
      config: { access: staff },
      schema: {
        params: communityParams,
        querystring: z.object({
          status: z.enum(['pending', 'disputed', 'confirmed', 'cancelled', 'every']).optional().catch(undefined),
        }),
      },
    },
    async (request, reply) => {
      const listed = await inTimebank(request, (tx, communityId) =>
        exchanges.openExchanges(tx, communityId, { status: request.query.status, limit: 200 }),
      );
      const status = request.query.status ?? '';
      return render(request, reply, 'timebank/views/exchanges.njk', {
        pageTitle: request.t(
          ['confirmed', 'cancelled', 'every'].includes(status)
            ? 'timebank.exchanges.titleAll'
            : 'timebank.exchanges.title',
        ),
        exchanges: listed,
        status,
      });
    },
  );

  // ——— Statements ———
  const statementPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    personId: string | null,
    print: boolean,
    before?: number,
  ) => {
    const page = await inTimebank(request, async (tx, communityId, ownId) => {
      const found = await service.statementOf(tx, communityId, personId, ownId, { limit: print ? 1000 : 50, before });
      return (
        found && {
          subject: found.person,
          account: found.account,
          lines: found.lines,
          more: found.more,
          timebank: await service.timebankOf(tx, communityId),
        }
      );
    });
    if (!page)
      return render(request, reply, 'timebank/views/not-yet.njk', { pageTitle: request.t('timebank.notYet.title') });
    const own = personId === null;
    const next = page.more
      ? `${own ? pathIn(request) : `${pathIn(request)}/members/${personId}`}/statement?before=${page.lines[page.lines.length - 1]?.id}`
      : null;
    return render(request, reply, print ? 'timebank/views/statement-print.njk' : 'timebank/views/statement.njk', {
      pageTitle: own
        ? request.t('timebank.statement.ownTitle')
        : request.t('timebank.statement.title', { name: page.subject.preferredName }),
      ...page,
      own,
      printedOn: ukDay(new Date()),
      printHref: own ? `${pathIn(request)}/statement/print` : `${pathIn(request)}/members/${personId}/statement/print`,
      next,
    });
  };
  const statementQuery = z.object({ before: z.coerce.number().int().positive().optional().catch(undefined) });
  app.get(
    '/statement',
    // The session, the transaction, the asker's record, the account, the person, a page of lines, the time bank.
    {
      config: { access: access.anyMember, queryBudget: 8 },
      schema: { params: communityParams, querystring: statementQuery },
    },
    async (request, reply) => statementPage(request, reply, null, false, request.query.before),
  );
  app.get(
    '/statement/print',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => statementPage(request, reply, null, true),
  );
  app.get(
    '/members/:recordId/statement',
    { config: { access: staff, queryBudget: 8 }, schema: { params: recordParams, querystring: statementQuery } },
    async (request, reply) => statementPage(request, reply, request.params.recordId, false, request.query.before),
  );
  app.get(
    '/members/:recordId/statement/print',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => statementPage(request, reply, request.params.recordId, true),
  );

  // ——— Members (coordinators) ———
  app.get(
    '/members',
    {
      config: { access: staff },
      schema: {
        params: communityParams,
        querystring: z.object({ q: z.string().max(100).optional().catch(undefined) }),
      },
    },
    async (request, reply) => {
      const page = await inTimebank(request, async (tx, communityId) => {
        const members = await service.listMembers(tx, communityId);
        const inBank = new Set(members.map((member) => member.personRecordId));
        const found = request.query.q
          ? (await listPeople(tx, communityId, { search: request.query.q, limit: 20 }))
              .filter((person) => !inBank.has(person.id))
              .slice(0, 20)
          : [];
        return { members, found };
      });
      return render(request, reply, 'timebank/views/members.njk', {
        pageTitle: request.t('timebank.members.title'),
        ...page,
        q: request.query.q ?? '',
        values: { preferredName: request.query.q ?? '' },
        formKey: randomUUID(),
        flash: takeFlash(request),
      });
    },
  );
  // Someone the community does not know yet (a neighbour who is not online): their record and
  // their place in the time bank in one step, then their joining steps. Sent twice, made once.
  const newNeighbour = personDetails.pick({ preferredName: true, fullName: true, phone: true, assistedDigital: true });
  app.post(
    '/members/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = request.body as Record<string, unknown>;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: newNeighbour,
        page: async (values, errors) => {
          const page = await inTimebank(request, async (tx, communityId) => ({
            members: await service.listMembers(tx, communityId),
            found: [],
          }));
          return render(
            request,
            reply,
            'timebank/views/members.njk',
            { pageTitle: request.t('timebank.members.title'), ...page, q: '', values, errors, formKey: body.formKey },
            { status: 400 },
          );
        },
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, async (tx, communityId) => {
            const person = await createPerson(
              tx,
              communityId,
              { id: actorId, onBehalf: true },
              personDetails.parse(data),
            );
            await service.joinTimebank(tx, {
              communityId,
              personRecordId: person.id,
              cameFrom: 'coordinator',
              actorId,
            });
            return person;
          }),
        next: (made) => `${pathIn(request)}/members/${made.id}`,
      });
    },
  );
  app.post('/members', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) => {
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: z.object({ personRecordId: z.uuid() }),
      // The button beside a name found: anything else is refused, with no page to show again.
      page: () => {
        throw invalid([{ field: 'personRecordId', code: 'errors.generic.invalid' }]);
      },
      once: { db: dependencies.db, accountId: actorId },
      save: async (data) => {
        await inTimebank(request, async (tx, communityId) => {
          const person = await getPerson(tx, communityId, data.personRecordId);
          return service.joinTimebank(tx, {
            communityId,
            personRecordId: person.id,
            cameFrom: 'coordinator',
            actorId,
          });
        });
        return data.personRecordId;
      },
      next: (personRecordId) => `${pathIn(request)}/members/${personRecordId}`,
    });
  });
  const memberPage = async (
    request: FastifyRequest<{ Params: z.infer<typeof recordParams> }>,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, async (tx, communityId) => {
      const subject = await getPerson(tx, communityId, request.params.recordId);
      const member = await service.memberOf(tx, communityId, subject.id);
      if (!member) throw notFound();
      const account = await service.accountOfPerson(tx, communityId, subject.id);
      const onboarding = await service.onboardingOf(tx, communityId, member.id);
      const waiting = await exchanges.openExchanges(tx, communityId, { personRecordId: subject.id, limit: 20 });
      const checks = await posts.checksOf(tx, subject.id);
      return { subject, member, account, onboarding, waiting, checks, today: ukDay(new Date()) };
    });
    return render(
      request,
      reply,
      'timebank/views/member.njk',
      {
        pageTitle: page.subject.listName,
        ...page,
        values: { doneOn: ukDay(new Date()), ...values },
        doneOnParts: dateParts(values.doneOn ?? ukDay(new Date())),
        issuedOnParts: dateParts(values.issuedOn),
        expiresOnParts: dateParts(values.expiresOn),
        checkLevelItems: choices(
          request,
          'timebank.checkLevels',
          ['basic', 'enhanced', 'enhanced_barred'],
          values.level,
        ),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.post(
    '/members/:recordId/checks',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => {
      const body = withDateFromParts(withDateFromParts(request.body, 'issuedOn'), 'expiresOn');
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: posts.checkDetails,
        body,
        page: (_values, errors) => memberPage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, (tx, communityId) =>
            posts.recordCheck(tx, communityId, actorId, request.params.recordId, data),
          ),
        flash: request.t('timebank.checks.savedFlash'),
        next: `${pathIn(request)}/members/${request.params.recordId}`,
      });
    },
  );
  app.get(
    '/members/:recordId',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => memberPage(request, reply),
  );
  app.post(
    '/members/:recordId/steps',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'doneOn');
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.stepTick,
        body,
        page: (_values, errors) => memberPage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, (tx, communityId) =>
            service.tickStep(tx, communityId, actorId, request.params.recordId, data),
          ),
        flash: (finished) => request.t(finished ? 'timebank.member.onboardedFlash' : 'timebank.member.stepFlash'),
        next: `${pathIn(request)}/members/${request.params.recordId}`,
      });
    },
  );

  // ——— Group exchanges (coordinators) ———
  const groupFormPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, async (tx, communityId) => ({
      accounts: await service.accountChoices(tx, communityId),
      categories: await service.listCategories(tx, communityId),
    }));
    // A time bank of thousands: each side lists who is chosen, and what a search for more found (not everyone).
    const side = (name: 'givers' | 'receivers', search: unknown) => {
      const chosen = new Set(([] as unknown[]).concat(values[name] ?? []).map(String));
      // Several names at once, separated by commas: a register read out is found in one go.
      const terms =
        typeof search === 'string'
          ? search
              .toLowerCase()
              .split(',')
              .map((term) => term.trim())
              .filter(Boolean)
          : [];
      const found = terms.length
        ? page.accounts
            .filter(
              (choice) => !chosen.has(choice.id) && terms.some((term) => choice.name.toLowerCase().includes(term)),
            )
            .slice(0, 40)
        : [];
      const words = terms.join(',');
      return {
        items: [...page.accounts.filter((choice) => chosen.has(choice.id)), ...found].map((choice) => ({
          value: choice.id,
          text: choice.name,
          checked: chosen.has(choice.id),
        })),
        searched: words !== '',
        found: found.length,
      };
    };
    const givers = side('givers', values.giverSearch);
    const receivers = side('receivers', values.receiverSearch);
    return render(
      request,
      reply,
      'timebank/views/group-form.njk',
      {
        pageTitle: request.t('timebank.group.title'),
        values,
        givers,
        receivers,
        categoryItems: [
          { value: '', text: request.t('timebank.exchangeForm.choose') },
          ...page.categories.map((category) => ({
            value: category.id,
            text: category.name,
            selected: values.categoryId === category.id,
          })),
        ],
        payerItems: choices(request, 'timebank.group.payers', ['receivers', 'pot'], values.payer ?? 'receivers'),
        occurredOnParts: dateParts(values.occurredOn),
        formKey: typeof values.formKey === 'string' && values.formKey ? values.formKey : randomUUID(),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/group-exchanges/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => groupFormPage(request, reply, { occurredOn: ukDay(new Date()) }),
  );
  app.post(
    '/group-exchanges/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = withDateFromParts(request.body, 'occurredOn');
      // "Find" adds people to a side and shows the form again; only "Record" records.
      if (body.find !== undefined) return groupFormPage(request, reply, body);
      const list = (name: string) => ([] as unknown[]).concat(body[name] ?? []).map(String);
      const giverMinutes = minutesFromForm(body, 'giverTime');
      const receiverMinutes = minutesFromForm(body, 'receiverTime');
      const input = {
        givers: list('givers').map((account) => ({ account, minutes: giverMinutes })),
        receivers: list('receivers').map((account) => ({ account, minutes: receiverMinutes })),
        potPaysReceivers: body.payer === 'pot',
        occurredOn: body.occurredOn,
        categoryId: body.categoryId || undefined,
        note: body.note,
      };
      // Minutes are asked once for all givers and once for all receivers.
      const asShown = (errors: FieldError[]) =>
        errors.map((error) => ({
          ...error,
          field: error.field
            .replace(/^givers\.\d+\.minutes$/, 'giverTime')
            .replace(/^receivers\.\d+\.minutes$/, 'receiverTime')
            .replace(/^(givers|receivers)\.\d+\..*$/, '$1'),
        }));
      const timeMissing: FieldError[] = [];
      if (giverMinutes === undefined) timeMissing.push({ field: 'giverTime', code: 'errors.timebank.minutes.invalid' });
      if (receiverMinutes === undefined)
        timeMissing.push({ field: 'receiverTime', code: 'errors.timebank.minutes.invalid' });
      // A time missing on either side is refused, with whatever else is wrong.
      const schema = exchanges.newGroupExchange.transform((data, context) => {
        for (const error of timeMissing) context.addIssue({ code: 'custom', path: [error.field], message: error.code });
        return data;
      });
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema,
        body: { ...input, formKey: body.formKey },
        // The people ticked and the key of the form stay as they were sent.
        page: (_values, errors) =>
          groupFormPage(
            request,
            reply,
            body,
            [...timeMissing, ...asShown(errors)].filter(
              (error, index, all) => all.findIndex((other) => other.field === error.field) === index,
            ),
          ),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, (tx, communityId, own) =>
            exchanges.recordGroupExchange(tx, exchangeContext(dependencies, request, communityId, own), data),
          ),
        flash: request.t('timebank.group.doneFlash'),
        next: (exchange) => `${pathIn(request)}/exchanges/${exchange.id}`,
      });
    },
  );

  // ——— The pot ———
  const potPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, async (tx, communityId) => {
      const pot = await service.potOf(tx, communityId);
      return {
        pot,
        accounts: await service.accountChoices(tx, communityId),
        lines: (await service.statement(tx, communityId, pot.id, { limit: 30 })).items,
      };
    });
    return render(
      request,
      reply,
      'timebank/views/pot.njk',
      {
        pageTitle: request.t('timebank.pot.title'),
        ...page,
        values,
        accountItems: [
          { value: '', text: request.t('timebank.exchangeForm.choose') },
          ...page.accounts.map((choice) => ({
            value: choice.id,
            text: choice.name,
            selected: values.account === choice.id,
          })),
        ],
        formKey: randomUUID(),
        errors,
        flash: takeFlash(request),
      },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/pot', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) =>
    potPage(request, reply),
  );
  app.post('/pot', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const direction = body.direction === 'donation' ? 'donation' : 'grant';
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: exchanges.potTransfer,
      body: {
        account: body.account || undefined,
        minutes: minutesFromForm(body),
        note: body.note,
        formKey: body.formKey,
      },
      page: (_values, errors) => potPage(request, reply, body, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inTimebank(request, (tx, communityId, own) =>
          exchanges.movePotTime(tx, exchangeContext(dependencies, request, communityId, own), direction, data),
        ),
      flash: request.t(`timebank.pot.${direction}Flash`),
      next: `${pathIn(request)}/pot`,
    });
  });

  // ——— A member gives time to the pot, for neighbours who need more help than they can give back ———
  const givePage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown> = {},
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, async (tx, communityId, ownId) => {
      const member = ownId ? await service.memberOf(tx, communityId, ownId) : undefined;
      const account = member?.onboardedAt && ownId ? await service.accountOfPerson(tx, communityId, ownId) : undefined;
      return { member, account, timebank: await service.timebankOf(tx, communityId) };
    });
    if (!page.account)
      return render(request, reply, 'timebank/views/not-yet.njk', {
        pageTitle: request.t('timebank.give.notYetTitle'),
        member: page.member,
      });
    return render(
      request,
      reply,
      'timebank/views/give.njk',
      { pageTitle: request.t('timebank.give.title'), ...page, values, formKey: randomUUID(), errors },
      { status: errors ? 400 : 200 },
    );
  };
  app.get(
    '/give',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => givePage(request, reply),
  );
  app.post(
    '/give',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        // The account is the giver's own, found when the gift is saved.
        schema: exchanges.potTransfer.omit({ account: true }),
        body: {
          minutes: minutesFromForm(body),
          note: String(body.note ?? '').trim() || request.t('timebank.give.defaultNote'),
          formKey: body.formKey,
        },
        page: (_values, errors) => givePage(request, reply, body, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, async (tx, communityId, own) => {
            const account = own ? await service.accountOfPerson(tx, communityId, own) : undefined;
            if (!account) throw invalid([{ field: 'account', code: 'errors.timebank.account.missing' }]);
            return exchanges.movePotTime(tx, exchangeContext(dependencies, request, communityId, own), 'donation', {
              account: account.id,
              ...data,
            });
          }),
        flash: request.t('timebank.give.givenFlash'),
        next: `${pathIn(request)}`,
      });
    },
  );

  // ——— Settings: rules, onboarding steps, categories, organisations ———
  const settingsPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values?: Record<string, unknown>,
    errors?: FieldError[],
  ) => {
    const page = await inTimebank(request, async (tx, communityId) => ({
      timebank: await service.timebankOf(tx, communityId),
      steps: await service.listSteps(tx, communityId),
      categories: await service.listCategories(tx, communityId, { includeArchived: true }),
      organisations: (await service.accountChoices(tx, communityId)).filter((choice) => choice.kind === 'organisation'),
      reconciliation: await service.lastReconciliation(tx, communityId),
    }));
    const rules = values ?? {
      minimumBalanceHours: page.timebank.minimumBalance / 60,
      autoConfirmDays: page.timebank.autoConfirmDays,
      postReminderDays: page.timebank.postReminderDays,
      checkWarningDays: page.timebank.checkWarningDays,
    };
    return render(
      request,
      reply,
      'timebank/views/settings.njk',
      { pageTitle: request.t('timebank.settings.title'), ...page, values: rules, errors, flash: takeFlash(request) },
      { status: errors ? 400 : 200 },
    );
  };
  app.get('/settings', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) =>
    settingsPage(request, reply),
  );
  app.post('/settings', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) => {
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: service.timebankRules,
      page: (values, errors) => settingsPage(request, reply, values, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) => inTimebank(request, (tx, communityId) => service.changeRules(tx, communityId, actorId, data)),
      flash: request.t('timebank.settings.savedFlash'),
      next: `${pathIn(request)}/settings`,
    });
  });
  app.post(
    '/settings/steps',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.stepDetails,
        page: (_values, errors) =>
          settingsPage(
            request,
            reply,
            undefined,
            errors.map((error) => ({ ...error, field: 'label' })),
          ),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) => inTimebank(request, (tx, communityId) => service.addStep(tx, communityId, actorId, data)),
        flash: request.t('timebank.settings.stepAddedFlash'),
        next: `${pathIn(request)}/settings`,
      });
    },
  );
  app.post(
    '/settings/steps/:stepId/remove',
    { config: { access: staff }, schema: { params: stepParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: z.object({}),
        page: (_values, errors) => settingsPage(request, reply, undefined, errors),
        once: { db: dependencies.db, accountId: actorId },
        save: () =>
          inTimebank(request, (tx, communityId) => service.removeStep(tx, communityId, actorId, request.params.stepId)),
        flash: request.t('timebank.settings.stepRemovedFlash'),
        next: `${pathIn(request)}/settings`,
      });
    },
  );
  app.post(
    '/settings/organisations',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const actorId = actorOf(request);
      return submitForm(request, reply, {
        schema: service.organisationDetails,
        page: (_values, errors) =>
          settingsPage(
            request,
            reply,
            undefined,
            errors.map((error) => ({ ...error, field: error.field === 'name' ? 'organisationName' : error.field })),
          ),
        once: { db: dependencies.db, accountId: actorId },
        save: (data) =>
          inTimebank(request, (tx, communityId) => service.addOrganisation(tx, communityId, actorId, data)),
        flash: request.t('timebank.settings.organisationAddedFlash'),
        next: `${pathIn(request)}/settings`,
      });
    },
  );

  const categoryPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    categoryId?: string,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'timebank/views/category-form.njk',
      {
        pageTitle: request.t(categoryId ? 'timebank.category.editTitle' : 'timebank.category.newTitle'),
        values,
        categoryId,
        checkItems: choices(request, 'timebank.checkLevels', service.checkLevels, values.checkLevel ?? 'none', {
          hints: true,
        }),
        errors,
      },
      { status: errors ? 400 : 200 },
    );
  app.get(
    '/categories/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => categoryPage(request, reply, {}),
  );
  app.get(
    '/categories/:categoryId',
    { config: { access: staff }, schema: { params: categoryParams } },
    async (request, reply) => {
      const category = await inTimebank(request, (tx, communityId) =>
        service.getCategory(tx, communityId, request.params.categoryId),
      );
      return categoryPage(request, reply, { ...category }, category.id);
    },
  );
  const saveCategory = async (request: FastifyRequest, reply: FastifyReply, categoryId?: string) => {
    const actorId = actorOf(request);
    // Refused when saved (a name taken): the form shows what was read from it.
    let read: z.infer<typeof service.categoryDetails> | undefined;
    return submitForm(request, reply, {
      schema: service.categoryDetails,
      page: (values, errors) => categoryPage(request, reply, read ?? values, categoryId, errors),
      once: { db: dependencies.db, accountId: actorId },
      save: (data) => {
        read = data;
        return inTimebank(request, (tx, communityId) =>
          service.saveCategory(tx, communityId, actorId, data, categoryId),
        );
      },
      flash: request.t('timebank.category.savedFlash'),
      next: `${pathIn(request)}/settings`,
    });
  };
  app.post(
    '/categories/new',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => saveCategory(request, reply),
  );
  app.post(
    '/categories/:categoryId',
    { config: { access: staff }, schema: { params: categoryParams } },
    async (request, reply) => saveCategory(request, reply, request.params.categoryId),
  );
}
