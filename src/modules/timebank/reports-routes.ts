// Reports for funders and coordinators (page, CSV, API), and statements as CSV and PDF files.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../platform/csv.ts';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { inRequestCommunity } from '../../platform/http/community-request.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { DomainError, type FieldError, fieldErrorsFrom, notFound } from '../../platform/http/problems.ts';
import { actorOf } from '../../platform/http/community-request.ts';
// The import is two steps on one address (a preview, then "Import"): it parses its form itself.
// eslint-disable-next-line no-restricted-imports
import { parseForm } from '../../platform/http/forms.ts';
// eslint-disable-next-line no-restricted-imports
import { oncePerForm } from '../../platform/http/idempotency.ts';
import { randomUUID } from 'node:crypto';
import * as importing from './import.ts';
import { problemResponses } from '../../platform/http/schemas.ts';
import type { CommunityTransaction } from '../../platform/tenancy.ts';
import { barChart, monthBars, monthName } from '../../platform/views/charts.ts';
import { formatDay, formatDuration, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as reports from './reports.ts';
import { ownRecordId, timebankStaff } from './asker.ts';
import * as service from './service.ts';

const communityParams = z.object({ community: z.string().max(60) });
const recordParams = communityParams.extend({ recordId: z.uuid() });
const reportTables = [
  'month',
  'category',
  'neighbourhood',
  'new-members',
  'unmet-need',
  'balances',
  'organisations',
] as const;

/** Who reads reports: coordinators and admins with names, partners (funders, commissioners) without. */
const readers = ['admin', 'coordinator', 'partner'] as const;

const require = createRequire(import.meta.url);
/** Noto Sans, embedded in every statement PDF: it has every letter of English, Welsh and Spanish, and a real minus sign. */
const statementFonts = {
  regular: require.resolve('@expo-google-fonts/noto-sans/400Regular/NotoSans_400Regular.ttf'),
  bold: require.resolve('@expo-google-fonts/noto-sans/700Bold/NotoSans_700Bold.ttf'),
};
const languageTags: Record<string, string> = { en: 'en-GB', cy: 'cy', es: 'es' };
/** A statement line's words: an exchange is time given, or time received when it took from the balance. */
const statementKind = (line: { kind: string; minutes: number }) =>
  line.kind === 'exchange' && line.minutes < 0 ? 'exchangeReceived' : line.kind;

export async function reportRoutes(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const staff = access.roles(...timebankStaff);
  const mayName = (request: FastifyRequest) =>
    request.roles.some((role) => (timebankStaff as readonly string[]).includes(role));
  const inTimebank = <T>(
    request: FastifyRequest,
    work: (tx: CommunityTransaction, communityId: string, ownId: string | null) => Promise<T>,
  ) =>
    inRequestCommunity(dependencies, request, async (tx, community) =>
      work(tx, community.id, await ownRecordId(tx, community.id, request.person?.id)),
    );
  const hours = (minutes: number) => Math.round((minutes / 60) * 10) / 10;

  /** The range asked for in the query (three date boxes each, or ISO dates), or the last year. */
  const rangeFrom = (query: Record<string, unknown>) => {
    const withParts = withDateFromParts(withDateFromParts(query, 'from'), 'to');
    if (!withParts.from && !withParts.to) return { ok: true as const, range: reports.defaultRange(), values: {} };
    const parsed = reports.reportRange.safeParse({ from: withParts.from, to: withParts.to });
    return parsed.success
      ? { ok: true as const, range: parsed.data, values: withParts }
      : { ok: false as const, errors: fieldErrorsFrom(parsed.error), values: withParts };
  };

  app.get(
    '/c/:community/timebank/reports',
    { config: { access: access.roles(...readers) }, schema: { params: communityParams } },
    async (request, reply) => {
      const asked = rangeFrom(request.query as Record<string, unknown>);
      const range = asked.ok ? asked.range : reports.defaultRange();
      const report = await inTimebank(request, (tx, communityId) =>
        reports.summary(tx, communityId, range, { names: mayName(request) }),
      );
      const t = request.t;
      // The chart names each month, with the year under the first bar and under each January.
      const months = monthBars(
        report.byMonth.map((row) => ({
          month: row.month,
          value: row.minutes / 60,
          text: formatDuration(row.minutes, t),
        })),
        request.language,
      );
      const csv = (table: string) =>
        `/c/${request.community?.slug}/timebank/reports.csv?table=${table}&from=${range.from}&to=${range.to}`;
      return render(
        request,
        reply,
        'timebank/views/reports.njk',
        {
          pageTitle: t('timebank.reports.title'),
          report,
          range,
          values: asked.values,
          fromParts: dateParts(asked.ok ? range.from : asked.values.from),
          toParts: dateParts(asked.ok ? range.to : asked.values.to),
          errors: asked.ok ? undefined : asked.errors,
          monthChart: barChart(t('timebank.reports.byMonthChart'), months, {
            axisLabel: t('timebank.reports.axisHours'),
          }),
          monthNames: report.byMonth.map((row) => monthName(row.month, request.language)),
          balanceChart: barChart(
            t('timebank.reports.balancesChart'),
            report.balances.map((row) => ({ label: t(`timebank.reports.bands.${row.band}`), value: row.members })),
            { colour: '#007f3b', axisLabel: t('timebank.reports.axisPeople') },
          ),
          csv,
          named: mayName(request),
        },
        { status: asked.ok ? 200 : 400 },
      );
    },
  );

  app.get(
    '/c/:community/timebank/reports.csv',
    {
      config: { access: access.roles(...readers) },
      schema: {
        params: communityParams,
        querystring: z.object({
          table: z.enum(reportTables).default('month'),
          from: z.string().optional(),
          to: z.string().optional(),
        }),
      },
    },
    async (request, reply) => {
      const asked = rangeFrom(request.query);
      if (!asked.ok) throw notFound();
      const report = await inTimebank(request, (tx, communityId) =>
        reports.summary(tx, communityId, asked.range, { names: false }),
      );
      const rows: (string | number)[][] = (() => {
        switch (request.query.table) {
          case 'category':
            return [
              ['kind_of_help', 'exchanges', 'minutes', 'hours'],
              ...report.byCategory.map((row) => [row.category, row.exchanges, row.minutes, hours(row.minutes)]),
            ];
          case 'neighbourhood':
            return [
              ['neighbourhood', 'exchanges', 'minutes', 'hours'],
              ...report.byNeighbourhood.map((row) => [
                row.neighbourhood,
                row.exchanges,
                row.minutes,
                hours(row.minutes),
              ]),
            ];
          case 'new-members':
            return [['came_from', 'members'], ...report.newMembers.map((row) => [row.cameFrom, row.members])];
          case 'unmet-need':
            return [
              ['kind_of_help', 'requests_without_an_answer'],
              ...report.unmetNeed.map((row) => [row.category, row.requests]),
            ];
          case 'balances':
            return [['balance', 'members'], ...report.balances.map((row) => [row.band, row.members])];
          case 'organisations':
            return [
              ['organisation', 'minutes_given', 'minutes_received'],
              ...report.organisations.map((row) => [row.name, row.given, row.received]),
            ];
          default:
            return [
              ['month', 'exchanges', 'minutes', 'hours'],
              ...report.byMonth.map((row) => [row.month, row.exchanges, row.minutes, hours(row.minutes)]),
            ];
        }
      })();
      return sendCsv(reply, rows, `timebank-${request.query.table}-${asked.range.from}-to-${asked.range.to}.csv`);
    },
  );

  // ——— Statements as files ———
  const statementOf = (request: FastifyRequest, personId: string | null) =>
    inTimebank(request, (tx, communityId, ownId) =>
      service.statementOf(tx, communityId, personId, ownId, { limit: 5000 }),
    );
  // Someone with no account in the time bank is sent to the statement page, which says why there is none.
  const noStatement = (request: FastifyRequest, reply: FastifyReply) =>
    reply.redirect(`/c/${request.community?.slug}/timebank/statement`, 303);
  const sendStatementCsv = async (request: FastifyRequest, reply: FastifyReply, personId: string | null) => {
    const found = await statementOf(request, personId);
    if (!found) return noStatement(request, reply);
    const { person, lines } = found;
    const rows = [
      ['date', 'what', 'kind_of_help', 'with', 'note', 'minutes', 'balance_after_minutes', 'corrected'],
      ...lines.map((line) => [
        line.occurredOn,
        line.kind,
        line.category ?? '',
        line.others,
        line.note,
        line.minutes,
        line.balanceAfter,
        line.reversed ? 'yes' : 'no',
      ]),
    ];
    return sendCsv(reply, rows, `statement-${person.number}-${ukDay(new Date())}.csv`);
  };
  const sendPdf = async (request: FastifyRequest, reply: FastifyReply, personId: string | null) => {
    const found = await statementOf(request, personId);
    if (!found) return noStatement(request, reply);
    const { person, account, lines } = found;
    const t = request.t;
    const language = request.language;
    const title = t('timebank.statement.title', { name: person.preferredName });
    // A tagged PDF (PDF/UA): headings, paragraphs and a table a screen reader can follow, its
    // title and language set, and an embedded font that has every letter of the three languages.
    // PDFKit supports 'PDF/UA' and tagged tables; its published types do not say so yet.
    const options = {
      size: 'A4',
      margin: 50,
      pdfVersion: '1.7',
      subset: 'PDF/UA',
      tagged: true,
      displayTitle: true,
      lang: languageTags[language] ?? 'en-GB',
      info: { Title: title, Author: request.community?.name ?? '' },
      font: statementFonts.regular,
    };
    const document = new PDFDocument(options as unknown as PDFKit.PDFDocumentOptions);
    document.registerFont('bold', statementFonts.bold);
    const chunks: Buffer[] = [];
    document.on('data', (chunk: Buffer) => chunks.push(chunk));
    const done = new Promise<Buffer>((resolve) => document.on('end', () => resolve(Buffer.concat(chunks))));
    const root = document.struct('Document');
    document.addStructure(root);
    document.fontSize(11).text(request.community?.name ?? '', { structParent: root, structType: 'P' });
    document.moveDown(0.5).font('bold').fontSize(20).text(title, { structParent: root, structType: 'H1' });
    document
      .moveDown(0.5)
      .fontSize(14)
      .text(t('timebank.statement.balanceNow', { balance: formatDuration(account.balance, t) }), {
        structParent: root,
        structType: 'P',
      });
    document
      .font(statementFonts.regular)
      .fontSize(11)
      .text(`${t('timebank.statement.printedOn')}: ${formatDay(ukDay(new Date()), language)}`, {
        structParent: root,
        structType: 'P',
      });
    document.moveDown();
    const header = [
      t('timebank.statement.date'),
      t('timebank.statement.what'),
      t('timebank.statement.time'),
      t('timebank.statement.balance'),
    ].map((text) => ({ text, type: 'TH' as const, font: { src: statementFonts.bold } }));
    const body = lines.map((line) => [
      formatDay(line.occurredOn, language),
      `${t(`timebank.kinds.${statementKind(line)}`)}${line.category ? `: ${line.category}` : ''}${line.others ? ` – ${line.others}` : ''}${line.reversed ? ` (${t('timebank.exchange.reversed')})` : ''}${line.note ? `. ${line.note}` : ''}`,
      `${line.minutes > 0 ? '+' : ''}${formatDuration(line.minutes, t)}`,
      formatDuration(line.balanceAfter, t),
    ]);
    document.fontSize(10).table({
      structParent: root,
      columnStyles: [95, '*', 95, 95],
      data: [header, ...body],
    } as PDFKit.Mixins.TableOptionsWithData);
    root.end();
    document.end();
    return reply
      .header('content-type', 'application/pdf')
      .header('content-disposition', `inline; filename="statement-${person.number}-${ukDay(new Date())}.pdf"`)
      .send(await done);
  };
  app.get(
    '/c/:community/timebank/statement.csv',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => sendStatementCsv(request, reply, null),
  );
  app.get(
    '/c/:community/timebank/statement.pdf',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => sendPdf(request, reply, null),
  );
  app.get(
    '/c/:community/timebank/members/:recordId/statement.csv',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => sendStatementCsv(request, reply, request.params.recordId),
  );
  app.get(
    '/c/:community/timebank/members/:recordId/statement.pdf',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => sendPdf(request, reply, request.params.recordId),
  );

  // ——— Importing from a spreadsheet ———
  const importPage = async (
    request: FastifyRequest,
    reply: FastifyReply,
    values: Record<string, unknown>,
    plan?: importing.ImportPlan,
    errors?: FieldError[],
  ) =>
    render(
      request,
      reply,
      'timebank/views/import.njk',
      {
        pageTitle: request.t('timebank.import.title'),
        values,
        plan,
        rowErrors:
          plan?.errors.map((error) => ({
            ...error,
            text: request.t(error.code),
            column: request.t(`timebank.import.columns.${error.column}`),
          })) ?? [],
        errors:
          errors ??
          (plan && plan.errors.length > 0
            ? [{ field: 'members', code: 'errors.timebank.import.hasErrors' }]
            : undefined),
        formKey: randomUUID(),
      },
      { status: errors || (plan && plan.errors.length > 0) ? 400 : 200 },
    );
  app.get(
    '/c/:community/timebank/import',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => importPage(request, reply, {}),
  );
  app.post(
    '/c/:community/timebank/import',
    { config: { access: staff }, schema: { params: communityParams } },
    async (request, reply) => {
      const body = (request.body ?? {}) as Record<string, unknown>;
      const form = parseForm(importing.importInput, body);
      if (!form.ok) return importPage(request, reply, body, undefined, form.errors);
      const plan = await inTimebank(request, (tx, communityId) => importing.planImport(tx, communityId, form.data));
      if (plan.errors.length > 0 || body.confirm !== 'yes') return importPage(request, reply, body, plan);
      const actorId = actorOf(request);
      const to = await oncePerForm(dependencies.db, actorId, body.formKey, async () => {
        const done = await inTimebank(request, async (tx, communityId) => {
          // Checked again inside the transaction that writes: nothing changed in between.
          const again = await importing.planImport(tx, communityId, form.data);
          if (again.errors.length > 0)
            throw new DomainError('validation-failed', 400, [
              { field: 'members', code: 'errors.timebank.import.hasErrors' },
            ]);
          return importing.runImport(tx, communityId, actorId, again);
        });
        request.session.flash = request.t('timebank.import.doneFlash', {
          members: done.members,
          exchanges: done.exchanges,
        });
        return `/c/${request.community?.slug}/timebank/members`;
      });
      return reply.redirect(to, 303);
    },
  );

  // ——— The API ———
  app.post(
    '/api/v1/communities/:community/timebank/imports',
    {
      config: { access: staff },
      schema: {
        tags: ['Time bank'],
        summary:
          'Import members with balances, and their history, from CSV text (coordinators). With `dryRun: true`, only says what would happen. Nothing is written unless every row is right',
        params: communityParams,
        body: importing.importInput.extend({ dryRun: z.boolean().default(false) }),
        response: {
          200: z.object({
            dryRun: z.boolean(),
            members: z.number().int(),
            newMembers: z.number().int(),
            exchanges: z.number().int(),
            newCategories: z.array(z.string()),
            unknownColumns: z.array(z.string()),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const actorId = actorOf(request);
      return inTimebank(request, async (tx, communityId) => {
        const plan = await importing.planImport(tx, communityId, request.body);
        if (plan.errors.length > 0)
          throw new DomainError(
            'validation-failed',
            400,
            plan.errors.map((error) => ({ field: `${error.file}[${error.row}].${error.column}`, code: error.code })),
          );
        if (!request.body.dryRun) await importing.runImport(tx, communityId, actorId, plan);
        return {
          dryRun: request.body.dryRun,
          members: plan.members.length,
          newMembers: plan.members.filter((member) => !member.existingId).length,
          exchanges: plan.history.length,
          newCategories: plan.newCategories,
          unknownColumns: plan.unknownColumns,
        };
      });
    },
  );
  const flow = z.object({ exchanges: z.number().int(), minutes: z.number().int() });
  app.get(
    '/api/v1/communities/:community/timebank/reports/summary',
    {
      config: { access: access.roles(...readers) },
      schema: {
        tags: ['Time bank'],
        summary:
          'The funders’ report for a date range (default: the last year): time given by month, kind of help and neighbourhood; members; unmet need; balances; the pot. Names only for coordinators and admins',
        params: communityParams,
        querystring: z.object({ from: z.iso.date().optional(), to: z.iso.date().optional() }),
        response: {
          200: z.object({
            range: z.object({ from: z.string(), to: z.string() }),
            totals: z.object({
              exchanges: z.number().int(),
              minutesGiven: z.number().int(),
              groupExchanges: z.number().int(),
              groupReceivers: z.number().int(),
              activeMembers: z.number().int().describe('Members now who gave or received in the 90 days up to `to`'),
              newMembers: z
                .number()
                .int()
                .describe('People who joined between `from` and `to`: the sum of the three that follow'),
              newMembersNowMembers: z.number().int().describe('Of the new members, those who are members now'),
              newMembersStillJoining: z
                .number()
                .int()
                .describe('Of the new members, those still doing their joining steps'),
              newMembersLeft: z.number().int().describe('Of the new members, those who have since left'),
              membersNow: z.number().int().describe('Today: people who finished their joining steps and have not left'),
            }),
            byMonth: z.array(flow.extend({ month: z.string() })),
            byCategory: z.array(flow.extend({ category: z.string() })),
            byNeighbourhood: z.array(flow.extend({ neighbourhood: z.string() })),
            newMembers: z.array(z.object({ cameFrom: z.string(), members: z.number().int() })),
            unmetNeed: z.array(z.object({ category: z.string(), requests: z.number().int() })),
            neverExchanged: z.object({ count: z.number().int(), names: z.array(z.string()).nullable() }),
            balances: z.array(z.object({ band: z.string(), members: z.number().int() })),
            pot: z.object({
              balance: z.number().int(),
              granted: z.number().int(),
              donated: z.number().int(),
              paidForGroups: z.number().int(),
              receivedFromGroups: z.number().int(),
            }),
            organisations: z.array(z.object({ name: z.string(), given: z.number().int(), received: z.number().int() })),
          }),
          ...problemResponses(400, 401, 403, 404),
        },
      },
    },
    async (request) => {
      const defaults = reports.defaultRange();
      const parsed = reports.reportRange.safeParse({
        from: request.query.from ?? defaults.from,
        to: request.query.to ?? defaults.to,
      });
      if (!parsed.success) throw new DomainError('validation-failed', 400, fieldErrorsFrom(parsed.error));
      return inTimebank(request, (tx, communityId) =>
        reports.summary(tx, communityId, parsed.data, { names: mayName(request) }),
      );
    },
  );
}
