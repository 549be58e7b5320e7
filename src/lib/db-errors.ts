/**
 * PostgreSQL error codes arrive differently per driver: postgres.js and PGlite put `code` on the error, and
 * drizzle wraps both in a DrizzleQueryError whose `cause` holds the original.
 */
export function pgErrorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The name of the violated constraint, for unique and foreign-key violations. */
export function pgConstraintName(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const c = current as { constraint?: unknown; constraint_name?: unknown };
    const name = c.constraint ?? c.constraint_name;
    if (typeof name === 'string') return name;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

/** PostgreSQL's DETAIL text (e.g. which key already exists). */
export function pgErrorDetail(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current && typeof current === 'object'; depth++) {
    const detail = (current as { detail?: unknown }).detail;
    if (typeof detail === 'string') return detail;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

const STACK_FRAMES = 12;
const truncate = (text: string, max: number) => (text.length > max ? `${text.slice(0, max)}… (${text.length} characters)` : text);

function describeError(error: unknown, depth: number): Record<string, unknown> {
  if (!error || typeof error !== 'object') return { thrown: typeof error };
  const e = error as Record<string, unknown>;
  const message = typeof e.message === 'string' ? e.message : '';
  // drizzle's message is "Failed query: <sql>\nparams: <values>": the statement is kept, the values never.
  const failedQuery = /^Failed query: ([\s\S]*?)\nparams: /.exec(message);
  const statement = typeof e.query === 'string' ? e.query : failedQuery?.[1];
  const described: Record<string, unknown> = {
    name: typeof e.name === 'string' ? e.name : (error.constructor?.name ?? 'Object'),
    code: typeof e.code === 'string' ? e.code : undefined,
    // PostgreSQL quotes the offending value after a colon (`invalid input syntax for type integer: "…"`).
    message: truncate(failedQuery || message.startsWith('Failed query:') ? 'Failed query' : message.replace(/: "(?:[^"]|"")*"/g, ': "[redacted]"'), 300),
    statement: statement === undefined ? undefined : truncate(statement, 500),
    constraint: e.constraint_name ?? e.constraint,
    table: e.table_name ?? e.table,
    column: e.column_name ?? e.column,
    routine: e.routine,
    // Frames only: the first line of a stack repeats the message (with drizzle's parameters in it).
    stack: typeof e.stack === 'string' ? e.stack.split('\n').filter((line) => line.startsWith('    at ')).slice(0, STACK_FRAMES).join('\n') : undefined,
  };
  if (e.cause !== undefined && depth < 3) described.cause = describeError(e.cause, depth + 1);
  for (const key of Object.keys(described)) if (described[key] === undefined) delete described[key];
  return described;
}

/**
 * An error as it may be logged: name, code, truncated message (a value PostgreSQL quotes in it redacted), the
 * SQL statement text (truncated) and the constraint, table and column it names; never the query parameters,
 * PostgreSQL's DETAIL (it quotes the values) or other fields a driver attaches (postgres.js `parameters`,
 * drizzle `params`): those carried secret hashes and user data into the logs.
 */
export function loggableError(error: unknown): Record<string, unknown> {
  return describeError(error, 0);
}
