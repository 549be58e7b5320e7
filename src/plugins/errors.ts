import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, TooManyRequestsError, type FieldError } from '../lib/errors.js';
import { UNIQUE_VIOLATION, loggableError, pgErrorCode } from '../lib/db-errors.js';
import { DATE_RULE, TIMESTAMP_RULE } from '../lib/time.js';

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance: string;
  requestId: string;
  rule?: string;
  errors?: FieldError[];
}

export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: { slug: string; title: string; status: number; detail: string; rule?: string; errors?: FieldError[] },
) {
  const body: ProblemBody = {
    type: `/problems/${problem.slug}`,
    title: problem.title,
    status: problem.status,
    detail: problem.detail,
    instance: request.url.split('?')[0] ?? request.url,
    requestId: String(request.id),
  };
  if (problem.rule) body.rule = problem.rule;
  if (problem.errors && problem.errors.length > 0) body.errors = problem.errors;
  // Serialised here, not by the route's response schema, so every problem keeps all its fields.
  return reply.code(problem.status).type('application/problem+json; charset=utf-8').serializer(JSON.stringify).send(body);
}

interface AjvLikeError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** AJV errors → `[{path, message}]` with paths like `body/creditCode`. */
function fieldErrors(validation: AjvLikeError[], context: string): FieldError[] {
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const e of validation) {
    let path = `${context}${e.instancePath}`;
    let message = e.message ?? 'is invalid';
    if (e.keyword === 'required') {
      path = `${path}/${String(e.params.missingProperty)}`;
      message = 'is required';
    } else if (e.keyword === 'additionalProperties') {
      path = `${path}/${String(e.params.additionalProperty)}`;
      message = 'is not a known field';
    } else if (e.keyword === 'enum') {
      message = `must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`;
    } else if (e.keyword === 'discriminator') {
      path = `${path}/${String(e.params.tag)}`;
      message = e.params.tagValue === undefined ? 'is required' : `"${String(e.params.tagValue)}" is not a known type`;
    } else if (e.keyword === 'dependencies') {
      path = `${path}/${String(e.params.missingProperty)}`;
      message = `is required with ${String(e.params.property)}`;
    } else if (e.keyword === 'format' && e.params.format === 'date-time') {
      message = TIMESTAMP_RULE;
    } else if (e.keyword === 'format' && e.params.format === 'date') {
      message = DATE_RULE;
    }
    const key = `${path}|${message}`;
    if (!seen.has(key)) {
      seen.add(key);
      errors.push({ path, message });
    }
  }
  return errors;
}

const CLIENT_ERRORS: Record<string, { slug: string; title: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { slug: 'malformed-json', title: 'Malformed JSON body' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { slug: 'malformed-json', title: 'Empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { slug: 'body-too-large', title: 'Request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: { slug: 'unsupported-media-type', title: 'Unsupported media type' },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: { slug: 'bad-content-length', title: 'Content-Length does not match the body' },
};

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * Where a service's field names came from in this route's request, for those not in the body (or, on a
     * GET, the query string): e.g. `{ lotId: 'params/id' }`. Services name fields by what they are; the
     * route says where the client put them.
     */
    fieldPaths?: Record<string, string>;
  }
}

const HTTP_PARTS = ['body/', 'params/', 'querystring/', 'headers/'];

/** A service's field path (`lines/0/quantity`, `lotId`) as the client sent it (`body/lines/0/quantity`, `params/id`). */
function requestPath(request: FastifyRequest, path: string): string {
  if (HTTP_PARTS.some((p) => path.startsWith(p)) || path === 'body') return path;
  const slash = path.indexOf('/');
  const head = slash < 0 ? path : path.slice(0, slash);
  const mapped = request.routeOptions.config?.fieldPaths?.[head];
  if (mapped) return slash < 0 ? mapped : `${mapped}${path.slice(slash)}`;
  return `${request.method === 'GET' || request.method === 'HEAD' ? 'querystring' : 'body'}/${path}`;
}

/** One error handler and one 404 handler: every failure leaves as application/problem+json. */
export default fp(
  async (app) => {
    app.setErrorHandler((error: FastifyError, request, reply) => {
      if (error instanceof AppError) {
        if (error instanceof TooManyRequestsError) reply.header('retry-after', String(Math.max(1, Math.ceil(error.retryAfterSeconds))));
        const errors = error.errors?.map((e) => ({ path: requestPath(request, e.path), message: e.message }));
        // A detail that lists the fields (ValidationError.field and friends) names them as the client sent them.
        const listed = error.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
        const detail = errors && listed === error.message ? errors.map((e) => `${e.path}: ${e.message}`).join('; ') : error.message;
        return sendProblem(request, reply, {
          slug: error.slug,
          title: error.title,
          status: error.status,
          detail,
          rule: 'rule' in error ? String(error.rule) : undefined,
          errors,
        });
      }
      if (error.validation) {
        const errors = fieldErrors(error.validation as AjvLikeError[], error.validationContext ?? 'body');
        return sendProblem(request, reply, {
          slug: 'validation-error',
          title: 'Invalid request',
          status: 400,
          detail: errors.map((e) => `${e.path} ${e.message}`).join('; '),
          errors,
        });
      }
      const known = error.code ? CLIENT_ERRORS[error.code] : undefined;
      if (known) {
        return sendProblem(request, reply, { ...known, status: error.statusCode ?? 400, detail: error.message });
      }
      if (error.statusCode === 429) {
        return sendProblem(request, reply, { slug: 'rate-limited', title: 'Too many requests', status: 429, detail: error.message });
      }
      if (pgErrorCode(error) === UNIQUE_VIOLATION) {
        // A race the service's own duplicate check could not see: still the client's conflict, not our fault.
        return sendProblem(request, reply, {
          slug: 'conflict',
          title: 'Conflict',
          status: 409,
          detail: 'A record with the same unique value was stored at the same moment; retry to see it.',
        });
      }
      if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
        return sendProblem(request, reply, {
          slug: 'bad-request',
          title: 'Bad request',
          status: error.statusCode,
          detail: error.message,
        });
      }
      // Redacted: a driver error carries the query parameters (secret hashes, user data).
      request.log.error({ error: loggableError(error) }, 'unhandled error');
      return sendProblem(request, reply, {
        slug: 'internal-error',
        title: 'Internal server error',
        status: 500,
        detail: 'Something went wrong on our side. Quote the requestId when you report it.',
      });
    });

    app.setNotFoundHandler((request, reply) =>
      sendProblem(request, reply, {
        slug: 'not-found',
        title: 'Not found',
        status: 404,
        detail: `No route ${request.method} ${request.url.split('?')[0]}`,
      }),
    );
  },
  { name: 'errors' },
);
