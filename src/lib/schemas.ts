import { Type, type Static, type TSchema } from 'typebox';

/**
 * Shared schema helpers. Every named shape has an `$id`, is registered once with `app.addSchema` (see
 * plugins/schemas.ts) and is referenced with `ref()`, so validation, serialisation and OpenAPI components
 * all come from the one definition.
 */
export function ref<T extends TSchema & { $id?: string }>(schema: T) {
  if (!schema.$id) throw new Error('ref() needs a schema with an $id');
  return Type.Unsafe<Static<T>>({ $ref: `${schema.$id}#` });
}

export const Problem = Type.Object(
  {
    type: Type.String({ description: 'URI reference naming the kind of problem', examples: ['/problems/validation-error'] }),
    title: Type.String({ examples: ['Invalid request'] }),
    status: Type.Integer({ examples: [400] }),
    detail: Type.String({ examples: ['body/creditCode: check character is "1" but should be "G"'] }),
    instance: Type.Optional(Type.String({ description: 'The request path' })),
    requestId: Type.String({ description: 'Quote this when reporting a problem' }),
    rule: Type.Optional(Type.String({ description: 'For 422: the business rule that was violated' })),
    errors: Type.Optional(
      Type.Array(
        Type.Object({
          path: Type.String({ examples: ['body/creditCode'] }),
          message: Type.String(),
        }),
      ),
    ),
  },
  { $id: 'Problem', description: 'RFC 9457 problem details (application/problem+json)' },
);

/** Responses every authenticated route may give, for the OpenAPI document. */
export const problemResponses = (...statuses: number[]) =>
  Object.fromEntries(statuses.map((s) => [s, ref(Problem)])) as Record<number, ReturnType<typeof ref<typeof Problem>>>;

/** Validated by the one timestamp rule (lib/time.ts tryParseOffsetTime), which replaces ajv-formats' date-time. */
export const Timestamp = Type.String({
  format: 'date-time',
  description: 'ISO 8601 timestamp YYYY-MM-DDTHH:MM:SS[.sss] with Z or ±HH:MM, years 1900–2200',
  examples: ['2024-09-18T08:00:00+08:00'],
});

export const PageQuery = Type.Object(
  {
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
    cursor: Type.Optional(Type.String({ maxLength: 200, description: 'nextCursor of the previous page' })),
  },
  { additionalProperties: false },
);

export const page = <T extends TSchema>(item: T) =>
  Type.Object({
    items: Type.Array(item),
    nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'null on the last page' }),
  });

export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false });

export const RegionCode = Type.String({
  pattern: '^[0-9]{6}$',
  description: 'GB/T 2260 administrative division code (province, prefecture or county)',
  examples: ['220621'],
});

export const Gln = Type.String({ pattern: '^[0-9]{13}$', description: 'GS1 Global Location Number (check digit validated)', examples: ['6901234000016'] });

/** Who may call: a bearer token (admin or API key) or a signed-in person's session cookie. */
export const bearerAuth: Record<string, string[]>[] = [{ bearerAuth: [] }, { sessionCookie: [] }];
/** Only a signed-in person (their own sessions, two-factor). */
export const sessionAuth: Record<string, string[]>[] = [{ sessionCookie: [] }];

/** Every POST takes an optional Idempotency-Key (plugins/idempotency.ts). */
export const IdempotencyHeaders = Type.Object({
  'idempotency-key': Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'A retry with the same key and body replays the first response and writes nothing',
      examples: ['8f14e45f-ceea-467f-a0e6-1f7c2d1c3b2a'],
    }),
  ),
});

/**
 * A quantity as answered (lib/quantity.ts quantityView): the value exact, as a number when a JSON number holds
 * it exactly (up to 15 significant digits) and otherwise as a decimal string, and its unit.
 */
export const ExactDecimal = Type.Union([Type.Number(), Type.String({ pattern: '^-?[0-9]+(\\.[0-9]+)?$' })], {
  description: 'Exact: a number up to 15 significant digits, beyond that a decimal string (e.g. "12345678901234.567")',
});
export const QuantityView = Type.Object({ value: ExactDecimal, unit: Type.String() });

/** An organisation named in an answer. */
export const OrganizationRef = Type.Object({ id: Type.String(), name: Type.String() });
