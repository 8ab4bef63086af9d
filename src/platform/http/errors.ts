import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { isApiRequest, isFhirRequest } from '../auth/access.ts';
import { render } from '../views/index.ts';
import { DomainError, type FieldError } from './problems.ts';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
};

/** Sends an RFC 9457 problem document, with field errors where there are any. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  status: number,
  code: string,
  fieldErrors: FieldError[] = [],
  extensions: Record<string, unknown> = {},
) {
  const t = request.t;
  const detailKey = `problems.${code}`;
  const body: Record<string, unknown> = {
    type: `urn:coproduce:problem:${code}`,
    title: titles[status] ?? 'Error',
    status,
    code,
    detail: t(detailKey, { defaultValue: '' }) || undefined,
    instance: request.url.split('?')[0],
    ...extensions,
  };
  if (fieldErrors.length) {
    body.errors = fieldErrors.map((error) => ({ field: error.field, code: error.code, message: t(error.code) }));
  }
  return reply.code(status).type('application/problem+json').send(body);
}

function toDomainError(error: FastifyError | DomainError): DomainError {
  if (error instanceof DomainError) return error;
  if (hasZodFastifySchemaValidationErrors(error)) {
    const fieldErrors = error.validation.map((issue) => ({
      field: issue.instancePath.replace(/^\//, '').replace(/\//g, '.') || 'body',
      code: issue.message?.startsWith('errors.') ? issue.message : 'errors.generic.invalid',
    }));
    return new DomainError('validation-failed', 400, fieldErrors);
  }
  if (error.validation)
    return new DomainError('validation-failed', 400, [{ field: 'body', code: 'errors.generic.invalid' }]);
  if (error.code === 'FST_CSRF_INVALID_TOKEN' || error.code === 'FST_CSRF_MISSING_SECRET')
    return new DomainError('csrf', 403);
  if (error.statusCode === 429) return new DomainError('rate-limited', 429);
  if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') return new DomainError('unsupported-media-type', 415);
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500)
    return new DomainError('bad-request', error.statusCode);
  return new DomainError('internal', 500);
}

const notFoundError = new DomainError('not-found', 404);
const fhirIssueCodes: Record<number, string> = {
  400: 'invalid',
  401: 'login',
  403: 'forbidden',
  404: 'not-found',
  409: 'conflict',
  415: 'not-supported',
  429: 'throttled',
};

/**
 * FHIR clients read errors as an OperationOutcome: a problem with the resource says what and
 * where (it carries its own issues); anything else is one issue with the problem's code.
 */
function sendOperationOutcome(reply: FastifyReply, error: unknown, problem: DomainError) {
  const own = error as { fhirIssues?: { code: string; expression: string; diagnostics: string }[]; status?: number };
  const status = own.fhirIssues ? (own.status ?? 422) : problem.status;
  const issues = own.fhirIssues ?? [
    { code: fhirIssueCodes[problem.status] ?? 'exception', diagnostics: problem.code, expression: '' },
  ];
  return reply
    .code(status)
    .type('application/fhir+json')
    .serializer((payload) => JSON.stringify(payload))
    .send({
      resourceType: 'OperationOutcome',
      issue: issues.map((issue) => ({
        severity: 'error',
        code: issue.code,
        diagnostics: issue.diagnostics,
        ...(issue.expression ? { expression: [issue.expression] } : {}),
      })),
    });
}

/** One place turns every error into a problem document (API) or an NHS-style error page. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler(async (error: FastifyError | DomainError, request, reply) => {
    const problem = toDomainError(error);
    if (problem.status >= 500) request.log.error({ err: error }, 'request failed');
    if (problem.status === 429 && 'headers' in error)
      reply.headers((error as { headers?: Record<string, string> }).headers ?? {});
    if (isFhirRequest(request)) return sendOperationOutcome(reply, error, problem);
    if (isApiRequest(request))
      return sendProblem(request, reply, problem.status, problem.code, problem.fieldErrors, problem.extensions);
    const page =
      problem.status === 404
        ? 'pages/not-found.njk'
        : problem.status === 500
          ? 'pages/problem.njk'
          : 'pages/refused.njk';
    // What was wrong, in words; no links, since the fields are on the page the person came from.
    const errorSummary = problem.fieldErrors.length
      ? problem.fieldErrors.map((fieldError) => ({ text: request.t(fieldError.code) }))
      : undefined;
    return render(
      request,
      reply,
      page,
      {
        pageTitle: request.t(`errorPages.${problem.code}.title`, {
          defaultValue: request.t('errorPages.refused.title'),
        }),
        code: problem.code,
        errorSummary,
      },
      { status: problem.status },
    );
  });

  app.setNotFoundHandler(async (request, reply) => {
    if (isFhirRequest(request)) return sendOperationOutcome(reply, notFoundError, new DomainError('not-found', 404));
    if (isApiRequest(request)) return sendProblem(request, reply, 404, 'not-found');
    return render(
      request,
      reply,
      'pages/not-found.njk',
      { pageTitle: request.t('errorPages.not-found.title') },
      { status: 404 },
    );
  });
}
