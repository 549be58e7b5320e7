import type { RuleName } from './rules.js';

/**
 * Typed errors thrown by services and plugins. One handler (plugins/errors.ts) turns each into an RFC 9457
 * application/problem+json answer; anything else becomes a 500 that reveals nothing.
 */
export interface FieldError {
  /** Where the problem is, e.g. `body/creditCode` or `querystring/limit`. */
  path: string;
  message: string;
}

export abstract class AppError extends Error {
  abstract readonly status: number;
  /** Short slug that becomes the problem type URI `/problems/{slug}`. */
  abstract readonly slug: string;
  abstract readonly title: string;
  readonly errors: FieldError[] | undefined;

  constructor(detail: string, errors?: FieldError[]) {
    super(detail);
    this.name = new.target.name;
    this.errors = errors;
  }
}

/** The request is malformed or a field is invalid (400). */
export class ValidationError extends AppError {
  readonly status = 400;
  readonly slug = 'validation-error';
  readonly title = 'Invalid request';

  static field(path: string, message: string): ValidationError {
    return new ValidationError(`${path}: ${message}`, [{ path, message }]);
  }
}

export class UnauthorizedError extends AppError {
  readonly status = 401;
  readonly slug = 'unauthorized';
  readonly title = 'Missing or invalid credentials';
}

export class ForbiddenError extends AppError {
  readonly status = 403;
  readonly slug = 'forbidden';
  readonly title = 'Not allowed';
}

export class NotFoundError extends AppError {
  readonly status = 404;
  readonly slug = 'not-found';
  readonly title = 'Not found';
}

/** The request conflicts with what is stored, e.g. a duplicate unique value (409). */
export class ConflictError extends AppError {
  readonly status = 409;
  readonly slug = 'conflict';
  readonly title = 'Conflict';
}

/** The request is well formed but breaks a business rule (422); `rule` names it (one of lib/rules.ts). */
export class RuleViolationError extends AppError {
  readonly status = 422;
  readonly slug: string;
  readonly title = 'Rule violated';

  constructor(
    readonly rule: RuleName,
    detail: string,
    errors?: FieldError[],
  ) {
    super(detail, errors);
    this.slug = `rule/${rule}`;
  }
}

/** Too many attempts (429); the handler sends `Retry-After` with the seconds to wait. */
export class TooManyRequestsError extends AppError {
  readonly status = 429;
  readonly slug = 'too-many-requests';
  readonly title = 'Too many attempts';

  constructor(
    detail: string,
    readonly retryAfterSeconds: number,
  ) {
    super(detail);
  }
}
