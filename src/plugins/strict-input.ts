import type { Ajv, SchemaValidateFunction } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError, ValidationError, type FieldError } from '../lib/errors.js';
import {
  FREE_FORM_KEYWORD,
  FREE_FORM_LIMITS,
  freeFormProblem,
  JsonInputError,
  parseStrictJson,
  pointerSegment,
  textProblem,
  type FreeFormLimits,
} from '../lib/strict-json.js';
import { isCalendarDate, tryParseOffsetTime } from '../lib/time.js';
import { sendProblem } from './errors.js';

/**
 * The one place where request input is refused before any route sees it: bodies (strict JSON), query strings
 * and path parameters (no NUL, no lone surrogate, no invalid percent-encoding), router errors (problem+json
 * like every other error), and the formats and keywords of the schemas (one timestamp format and range, free-
 * form JSON limits). Registered before auth, so hostile input is a 400 with or without a key.
 */

/**
 * Longest path parameter the router takes. Longer ones reach the route schema (e.g. a code's maxLength 64),
 * which names the parameter in its 400; Node's 16 KiB header limit keeps anything longer from arriving.
 */
export const MAX_PARAM_LENGTH = 16_384;

class MalformedJsonError extends AppError {
  readonly status = 400;
  readonly slug = 'malformed-json';

  constructor(
    readonly title: string,
    detail: string,
    errors?: FieldError[],
  ) {
    super(detail, errors);
  }
}

/** application/json and every structured-syntax +json type (RFC 6839), with any parameters. */
const JSON_SUFFIX_TYPE = /^application\/[a-z0-9!#$&^_.+-]+\+json(?:;|$)/;

function parseJsonBody(_request: FastifyRequest, body: Buffer, done: (error: Error | null, body?: unknown) => void) {
  if (body.length === 0) {
    done(new MalformedJsonError('Empty JSON body', 'The body is empty but the content type is JSON.'));
    return;
  }
  let value: unknown;
  try {
    value = parseStrictJson(body);
  } catch (error) {
    if (!(error instanceof JsonInputError)) throw error;
    const errors = [{ path: error.path, message: error.message }];
    if (error.kind === 'content') done(new ValidationError(`${error.path}: ${error.message}`, errors));
    else if (error.kind === 'encoding') done(new MalformedJsonError('Malformed JSON body', `${error.path}: ${error.message}`, errors));
    else done(new MalformedJsonError('Malformed JSON body', error.message));
    return;
  }
  done(null, value);
}

const decodeQueryComponent = (raw: string): string | undefined => {
  try {
    return decodeURIComponent(raw.replace(/\+/g, ' '));
  } catch {
    return undefined;
  }
};

const MAX_REPORTED = 20;

/**
 * Problems of the path parameters (already decoded by the router) and of the raw query string: the query
 * parser keeps an undecodable `%ED%A0` as it is, so the text is checked here, where it is still raw.
 */
export function urlProblems(params: unknown, url: string): FieldError[] {
  const errors: FieldError[] = [];
  const add = (path: string, message: string) => {
    if (errors.length < MAX_REPORTED && !errors.some((e) => e.path === path && e.message === message)) errors.push({ path, message });
  };
  if (params && typeof params === 'object') {
    for (const [name, value] of Object.entries(params as Record<string, unknown>)) {
      const problem = typeof value === 'string' ? textProblem(value) : undefined;
      if (problem) add(`params/${pointerSegment(name)}`, problem);
    }
  }
  const q = url.indexOf('?');
  if (q === -1) return errors;
  for (const part of url.slice(q + 1).split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const rawName = eq === -1 ? part : part.slice(0, eq);
    const name = decodeQueryComponent(rawName);
    if (name === undefined || textProblem(name)) {
      add('querystring', `has a parameter name (${JSON.stringify(rawName.slice(0, 40))}) that is not valid percent-encoded text`);
      continue;
    }
    const path = `querystring/${pointerSegment(name)}`;
    const value = decodeQueryComponent(eq === -1 ? '' : part.slice(eq + 1));
    if (value === undefined) add(path, 'is not valid percent-encoded UTF-8');
    else {
      const problem = textProblem(value);
      if (problem) add(path, problem);
    }
  }
  return errors;
}

/**
 * Fastify's `frameworkErrors`: what the router refuses before any route or hook runs (a path that is not
 * valid percent-encoded UTF-8, an over-long parameter) leaves as problem+json like every other error.
 */
export function frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
  // No hook runs for these: the request id and the headers that matter for an error document are set here.
  reply
    .header('x-request-id', request.id)
    .header('x-content-type-options', 'nosniff')
    .header('content-security-policy', "default-src 'none'; frame-ancestors 'none'")
    .header('referrer-policy', 'no-referrer')
    .header('strict-transport-security', 'max-age=31536000; includeSubDomains');
  if (error.code === 'FST_ERR_BAD_URL') {
    return sendProblem(request, reply, {
      slug: 'validation-error',
      title: 'Invalid request',
      status: 400,
      detail: 'url: the path is not valid percent-encoded UTF-8',
      errors: [{ path: 'url', message: 'is not valid percent-encoded UTF-8' }],
    });
  }
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') {
    return sendProblem(request, reply, {
      slug: 'uri-too-long',
      title: 'URI too long',
      status: 414,
      detail: `params: a path parameter is longer than ${MAX_PARAM_LENGTH} characters`,
      errors: [{ path: 'params', message: `must be at most ${MAX_PARAM_LENGTH} characters` }],
    });
  }
  request.log.error({ err: { name: error.name, code: error.code } }, 'router error');
  return sendProblem(request, reply, {
    slug: 'internal-error',
    title: 'Internal server error',
    status: 500,
    detail: 'Something went wrong on our side. Quote the requestId when you report it.',
  });
}

/**
 * The schema formats and keywords every validator of the app gets: `date-time` and `date` are the service's
 * one timestamp and date rule (lib/time.ts) instead of ajv-formats' RFC 3339 (which takes `23:59:60`, `+08`
 * and the years 0000 and 9999 that `Date` or PostgreSQL cannot hold), and `x-free-form` caps the depth and
 * size of a free-form JSON member, naming it in the 400.
 */
export function addStrictSchemaRules(ajv: Ajv): void {
  ajv.addFormat('date-time', { type: 'string', validate: (text: string) => tryParseOffsetTime(text) !== undefined });
  ajv.addFormat('date', { type: 'string', validate: isCalendarDate });
  const validate: SchemaValidateFunction = (limits: Partial<FreeFormLimits>, data: unknown) => {
    const problem = freeFormProblem(data, { ...FREE_FORM_LIMITS, ...limits });
    validate.errors = problem === undefined ? [] : [{ keyword: FREE_FORM_KEYWORD, message: problem, params: {} }];
    return problem === undefined;
  };
  ajv.addKeyword({ keyword: FREE_FORM_KEYWORD, schemaType: 'object', errors: true, validate });
}

export default fp(
  async (app) => {
    app.removeContentTypeParser('application/json');
    app.addContentTypeParser('application/json', { parseAs: 'buffer' }, parseJsonBody);
    app.addContentTypeParser(JSON_SUFFIX_TYPE, { parseAs: 'buffer' }, parseJsonBody);

    app.addHook('onRequest', async (request) => {
      const errors = urlProblems(request.params, request.url);
      if (errors.length > 0) throw new ValidationError(errors.map((e) => `${e.path}: ${e.message}`).join('; '), errors);
    });
  },
  { name: 'strict-input', dependencies: ['errors'] },
);
