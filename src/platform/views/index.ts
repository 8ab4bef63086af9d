import fastifyView from '@fastify/view';
import { timeRenderAsync } from '../request-timing.ts';
import { assetAddresses } from '../http/static-files.ts';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import nunjucks from 'nunjucks';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import type { FieldError } from '../http/problems.ts';
import { languageNames, languages } from '../i18n.ts';
import { defaultBrandColour } from '../stylesheet.ts';
import { navigationFor } from './navigation.ts';
import type { NavigationLink } from '../module.ts';
import { withPhoneLinks } from './phone-links.ts';

const root = fileURLToPath(new URL('../../..', import.meta.url));

export const templateFolders = [
  path.join(root, 'src/platform/views'),
  path.join(root, 'src/modules'),
  path.join(root, 'node_modules/nhsuk-frontend/dist'),
  path.join(root, 'node_modules/nhsuk-frontend/dist/nhsuk'),
];

const dateFormats: Record<string, Intl.DateTimeFormat> = Object.fromEntries(
  [
    ['en', 'en-GB'],
    ['cy', 'cy-GB'],
    ['es', 'es-ES'],
  ].map(([language, locale]) => [
    language,
    new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'Europe/London' }),
  ]),
);

/**
 * NHS.UK frontend's macros, loaded once and offered to every template. An `{% from … import %}`
 * in the layout would run each macro file again on every page: measured, that was most of the
 * time spent rendering.
 */
const frontendMacros: Record<string, string> = {
  skipLink: 'skip-link',
  nhsukErrorSummary: 'error-summary',
  button: 'button',
  input: 'input',
  passwordInput: 'password-input',
  textarea: 'textarea',
  checkboxes: 'checkboxes',
  radios: 'radios',
  select: 'select',
  summaryList: 'summary-list',
  insetText: 'inset-text',
  backLink: 'back-link',
  tag: 'tag',
  card: 'card',
  pagination: 'pagination',
  notificationBanner: 'notification-banner',
  warningCallout: 'warning-callout',
  dateInput: 'date-input',
  panel: 'panel',
  details: 'details',
  actionLink: 'action-link',
  fieldset: 'fieldset',
  characterCount: 'character-count',
  taskList: 'task-list',
};

function addMacros(environment: nunjucks.Environment): void {
  for (const [name, component] of Object.entries(frontendMacros)) {
    const macroName = name === 'nhsukErrorSummary' ? 'errorSummary' : name;
    // getExported is part of nunjucks' Template, though missing from its type definitions.
    const template = environment.getTemplate(`nhsuk/components/${component}/macro.njk`, true) as unknown as {
      getExported(callback: (error: Error | null, exported: Record<string, unknown>) => void): void;
    };
    template.getExported((error, exported) => {
      if (error) throw error;
      environment.addGlobal(name, exported[macroName]);
    });
  }
}

const dayFormats: Record<string, Intl.DateTimeFormat> = Object.fromEntries(
  [
    ['en', 'en-GB'],
    ['cy', 'cy-GB'],
    ['es', 'es-ES'],
  ].map(([language, locale]) => [language, new Intl.DateTimeFormat(locale, { dateStyle: 'long', timeZone: 'UTC' })]),
);

/** Minutes in hours and minutes, in the reader's language ("1 hour 30 minutes"; "−2 hours" below zero). */
export function formatDuration(
  minutes: number | null | undefined,
  t: (key: string, options: { count: number }) => string,
): string {
  const total = Number(minutes ?? 0);
  const whole = Math.abs(total);
  const hours = Math.floor(whole / 60);
  const rest = whole % 60;
  const parts = [];
  if (hours > 0 || rest === 0) parts.push(t('duration.hours', { count: hours }));
  if (rest > 0) parts.push(t('duration.minutes', { count: rest }));
  return `${total < 0 ? '−' : ''}${parts.join(' ')}`;
}

/** Days already written, by language and day: a list page writes the same few days many times. */
const daysWritten = new Map<string, string>();

/** A day (a `date` column's text, or a Date) as people write it: "12 March 1950". */
export function formatDay(value: Date | string, language: string): string {
  const remembered = typeof value === 'string' ? `${language} ${value.slice(0, 10)}` : undefined;
  const written = remembered === undefined ? undefined : daysWritten.get(remembered);
  if (written !== undefined) return written;
  const date = value instanceof Date ? value : new Date(`${value.slice(0, 10)}T00:00:00Z`);
  if (Number.isNaN(date.getTime())) return '';
  const text = (dayFormats[language] ?? dayFormats.en)?.format(date) ?? date.toISOString().slice(0, 10);
  if (remembered !== undefined) {
    // Bounded: ten thousand days is more than any page shows.
    if (daysWritten.size >= 10_000) daysWritten.clear();
    daysWritten.set(remembered, text);
  }
  return text;
}

/** An instant in London time: "6 Dec 2026, 10:06". */
export function formatInstant(date: Date, language: string): string {
  if (Number.isNaN(date.getTime())) return '';
  return (dateFormats[language] ?? dateFormats.en)?.format(date) ?? date.toISOString();
}

const pounds = new Intl.NumberFormat('en-GB', { style: 'currency', currency: 'GBP' });
/** Pence as pounds. */
export function formatMoney(pence: number): string {
  const shown = pounds.format(Math.abs(pence) / 100);
  return pence < 0 ? `−${shown}` : shown;
}

/** The filters and macros every page's templates use, added to an environment (exported for tests). */
export function addFilters(environment: nunjucks.Environment): void {
  addMacros(environment);
  // nunjucks' own `trim` is a regular expression (/^\s*|\s*$/g) whose time grows with the square
  // of a long text's runs of spaces, and the NHS.UK components trim every block of HTML they are
  // given: a seventh of the offers page's time in the app. The same result, by the language's trim.
  environment.addFilter('trim', (value: unknown) => {
    const trimmed = value === null || value === undefined ? '' : String(value).trim();
    return value instanceof nunjucks.runtime.SafeString ? new nunjucks.runtime.SafeString(trimmed) : trimmed;
  });
  // A date without a time ("12 March 1950"), from a `date` column's text or a Date.
  environment.addFilter('day', (value: Date | string | null | undefined, language = 'en') =>
    value ? formatDay(value, language) : '',
  );
  // NHS numbers are read out in three groups: 943 476 5919.
  environment.addFilter('nhsNumber', (value: string | null | undefined) =>
    value && /^\d{10}$/.test(value) ? `${value.slice(0, 3)} ${value.slice(3, 6)} ${value.slice(6)}` : (value ?? ''),
  );
  // Time in hours and minutes, in the page's language ("1 hour 30 minutes"; "−2 hours" when below zero).
  environment.addFilter('duration', formatDuration);
  // Money kept in pence, shown as pounds ("£1,250.00"; "−£20.00" when below zero).
  environment.addFilter('money', formatMoney);
  // Plain text with each phone number in it a link to call it.
  environment.addFilter(
    'phoneLinks',
    (value: unknown) =>
      new nunjucks.runtime.SafeString(withPhoneLinks(value === null || value === undefined ? '' : String(value))),
  );
  environment.addFilter('merge', (value: Record<string, unknown>, extra: Record<string, unknown>) => ({
    ...value,
    ...extra,
  }));
  environment.addFilter('date', (value: Date | string | null | undefined, language = 'en') =>
    value ? formatInstant(value instanceof Date ? value : new Date(value), language) : '',
  );
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The community header's links, as the modules declared them. */
    navigationLinks: readonly NavigationLink[];
  }
}

export async function registerViews(app: FastifyInstance, navigation: readonly NavigationLink[]): Promise<void> {
  app.decorate('navigationLinks', navigation);
  await app.register(fastifyView, {
    engine: { nunjucks },
    templates: templateFolders,
    options: { autoescape: true, throwOnUndefined: false, onConfigure: addFilters },
  });
}

/** What a form page needs to show an error summary and keep what the person typed. */
export interface FormState {
  values?: Record<string, unknown>;
  errors?: FieldError[];
}

function errorContext(request: FastifyRequest, errors: FieldError[] | undefined) {
  if (!errors?.length) return {};
  const summary = errors.map((error) => ({ text: request.t(error.code), href: `#${error.field}` }));
  const fields = Object.fromEntries(errors.map((error) => [error.field, { text: request.t(error.code) }]));
  return { errorSummary: summary, fieldErrors: fields };
}

/** A URL that keeps the page and switches the language. */
function languageLinks(request: FastifyRequest, brand: { languages?: string[] } | undefined) {
  const url = new URL(request.url, 'http://localhost');
  // Inside a community, only the languages it offers; one language needs no switch.
  const chosen = brand?.languages;
  const offered = chosen ? languages.filter((language) => chosen.includes(language)) : languages;
  if (offered.length < 2) return [];
  return offered.map((language) => {
    url.searchParams.set('lang', language);
    return {
      language,
      name: languageNames[language],
      href: `${url.pathname}${url.search}`,
      current: language === request.language,
    };
  });
}

/**
 * Radio or checkbox items whose words come from the catalogue (`{prefix}.{value}`, and
 * `{prefix}.{value}Hint` when `hints` is set): the same list for every form that asks.
 */
export function choices(
  request: FastifyRequest,
  prefix: string,
  values: readonly string[],
  chosen: unknown,
  options: { hints?: boolean } = {},
) {
  const picked = new Set(
    Array.isArray(chosen) ? chosen.map(String) : chosen === undefined || chosen === null ? [] : [String(chosen)],
  );
  return values.map((value) => ({
    value,
    text: request.t(`${prefix}.${value}`),
    ...(options.hints ? { hint: { text: request.t(`${prefix}.${value}Hint`) } } : {}),
    checked: picked.has(value),
  }));
}

/** Renders a page inside the layout, with what every page needs. */
export async function render(
  request: FastifyRequest,
  reply: FastifyReply,
  template: string,
  context: Record<string, unknown> & FormState = {},
  options: {
    status?: number;
    form?: boolean;
    brandedAs?: { slug: string; name: string; brandColour: string | null; languages?: string[] };
  } = {},
): Promise<FastifyReply> {
  const community = request.community;
  // A community's public pages wear its name and colour for visitors who are not members yet.
  const brand = community ?? options.brandedAs;
  const csrfToken = request.person || options.form ? reply.generateCsrf() : undefined;
  const brandColour = (brand?.brandColour ?? defaultBrandColour).replace('#', '');
  const html = await timeRenderAsync(() =>
    reply.viewAsync(template, {
      t: request.t,
      lang: request.language,
      languageLinks: languageLinks(request, brand),
      community,
      roles: request.roles ?? [],
      serviceName: brand?.name ?? request.t('service.name'),
      homeHref: community ? `/c/${community.slug}` : brand ? `/communities/${brand.slug}/programmes` : '/',
      stylesheetHref: assetAddresses.stylesheet(brandColour),
      startScriptHref: assetAddresses.startScript,
      navigation: navigationFor(request, request.server.navigationLinks),
      currentPath: request.url.split('?')[0],
      csrfToken,
      values: context.values ?? {},
      ...errorContext(request, context.errors),
      ...context,
      // The signed-in person, whatever a page passes: the header and forms rely on it.
      person: request.person,
    }),
  );
  return reply
    .code(options.status ?? reply.statusCode ?? 200)
    .header('content-type', 'text/html; charset=utf-8')
    .send(html);
}
