// Reports for funders and coordinators (the page and its CSV files), statements as CSV and PDF
// files, and importing from a spreadsheet: the pages, under /c/:community/timebank.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { sendCsv } from '../../platform/csv.ts';
import { createRequire } from 'node:module';
import PDFDocument from 'pdfkit';
import { z } from 'zod';
import { access } from '../../platform/auth/access.ts';
import { actorOf } from '../../platform/http/community-request.ts';
import { dateParts, withDateFromParts } from '../../platform/fields.ts';
import { submitForm } from '../../platform/http/forms.ts';
import { DomainError, type FieldError, fieldErrorsFrom, notFound } from '../../platform/http/problems.ts';
import { communityParams } from '../../platform/http/schemas.ts';
import { randomUUID } from 'node:crypto';
import * as importing from './import.ts';
import { barChart, monthBars, monthName } from '../../platform/views/charts.ts';
import { formatDay, formatDuration, render } from '../../platform/views/index.ts';
import { ukDay } from '../../platform/working-days.ts';
import type { Dependencies } from '../../dependencies.ts';
import * as reports from './reports.ts';
import { pathIn, recordParams, reportReaders, staff, timebankWork } from './asker.ts';
import * as service from './service.ts';

const reportTables = [
  'month',
  'category',
  'neighbourhood',
  'new-members',
  'unmet-need',
  'balances',
  'organisations',
] as const;

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

/** Reports, statements as files, and importing: the pages. */
export async function reportPages(
  parent: FastifyInstance,
  { dependencies }: { dependencies: Dependencies },
): Promise<void> {
  const app = parent.withTypeProvider<ZodTypeProvider>();
  const inTimebank = timebankWork(dependencies);
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
    '/reports',
    // The session and the transaction; finished days not yet added up (one more statement when
    // there are some); the flows, the members, new members, unmet need, names, the pot, organisations.
    { config: { access: reportReaders, queryBudget: 13 }, schema: { params: communityParams } },
    async (request, reply) => {
      const asked = rangeFrom(request.query as Record<string, unknown>);
      const range = asked.ok ? asked.range : reports.defaultRange();
      const report = await inTimebank(request, (tx, communityId) =>
        reports.summaryFor(tx, communityId, range, request.asker),
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
      const csv = (table: string) => `${pathIn(request)}/reports.csv?table=${table}&from=${range.from}&to=${range.to}`;
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
          // Names of members who never exchanged are there only for readers who may see them.
          named: report.neverExchanged.names !== null,
        },
        { status: asked.ok ? 200 : 400 },
      );
    },
  );

  app.get(
    '/reports.csv',
    {
      config: { access: reportReaders },
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
    reply.redirect(`${pathIn(request)}/statement`, 303);
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
    '/statement.csv',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => sendStatementCsv(request, reply, null),
  );
  app.get(
    '/statement.pdf',
    { config: { access: access.anyMember }, schema: { params: communityParams } },
    async (request, reply) => sendPdf(request, reply, null),
  );
  app.get(
    '/members/:recordId/statement.csv',
    { config: { access: staff }, schema: { params: recordParams } },
    async (request, reply) => sendStatementCsv(request, reply, request.params.recordId),
  );
  app.get(
    '/members/:recordId/statement.pdf',
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
  app.get('/import', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) =>
    importPage(request, reply, {}),
  );
  app.post('/import', { config: { access: staff }, schema: { params: communityParams } }, async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const actorId = actorOf(request);
    return submitForm(request, reply, {
      schema: importing.importInput,
      page: (_values, errors) => importPage(request, reply, body, undefined, errors),
      // First what the import would do, or what is wrong in it; "Import" on that page imports.
      check: async (data) => {
        const plan = await inTimebank(request, (tx, communityId) => importing.planImport(tx, communityId, data));
        if (plan.errors.length > 0 || body.confirm !== 'yes') return importPage(request, reply, body, plan);
        return undefined;
      },
      once: { db: dependencies.db, accountId: actorId },
      save: (data) =>
        inTimebank(request, async (tx, communityId) => {
          // Checked again inside the transaction that writes: nothing changed in between.
          const again = await importing.planImport(tx, communityId, data);
          if (again.errors.length > 0)
            throw new DomainError('validation-failed', 400, [
              { field: 'members', code: 'errors.timebank.import.hasErrors' },
            ]);
          return importing.runImport(tx, communityId, actorId, again);
        }),
      flash: (done) => request.t('timebank.import.doneFlash', { members: done.members, exchanges: done.exchanges }),
      next: `${pathIn(request)}/members`,
    });
  });
}
