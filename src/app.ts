import { readFileSync } from 'node:fs';
import Ajv, { type AnySchema } from 'ajv';
import addFormats from 'ajv-formats';
import Fastify from 'fastify';
import fastJsonStringify from 'fast-json-stringify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { openDatabase, type DatabaseHandle } from './db/client.js';
import { newId } from './lib/ids.js';
import { Problem } from './lib/schemas.js';
import { healthRoutes } from './modules/health/index.js';
import { organizationRoutes } from './modules/organizations/index.js';
import { organizationSchemas } from './modules/organizations/index.js';
import { CsrfTokens, peopleRoutes, peopleSchemas, peopleSettingsFrom } from './modules/people/index.js';
import { siteRoutes } from './modules/sites/index.js';
import { siteSchemas } from './modules/sites/index.js';
import { lotRoutes } from './modules/lots/index.js';
import { lotSchemas } from './modules/lots/index.js';
import { shipmentRoutes } from './modules/shipments/index.js';
import { shipmentSchemas } from './modules/shipments/index.js';
import { speciesRoutes } from './modules/species/index.js';
import { provenanceRoutes } from './modules/provenance/index.js';
import { provenanceSchemas } from './modules/provenance/index.js';
import { transformationRoutes } from './modules/transformations/index.js';
import { transformationSchemas } from './modules/transformations/index.js';
import { qualityRoutes } from './modules/quality/index.js';
import { qualitySchemas } from './modules/quality/index.js';
import { codeRoutes } from './modules/codes/index.js';
import { codeSchemas } from './modules/codes/index.js';
import { QuantitySchema } from './lib/quantity.js';
import { eventRoutes, eventSchemas } from './events/index.js';
import { epcisRoutes, epcisSchemas } from './modules/epcis/index.js';
import { speciesSchemas } from './modules/species/index.js';
import { logOrigin, logRoutes, logSchemas } from './modules/tlog/index.js';
import { vocabularyRoutes, vocabularySchemas } from './modules/vocabulary/index.js';
import { webappRoutes } from './modules/webapp/index.js';
import authPlugin from './plugins/auth.js';
import dbPlugin from './plugins/db.js';
import errorsPlugin from './plugins/errors.js';
import idempotencyPlugin from './plugins/idempotency.js';
import securityPlugin from './plugins/security.js';
import strictInputPlugin, { addStrictSchemaRules, frameworkErrors, MAX_PARAM_LENGTH } from './plugins/strict-input.js';
import swaggerPlugin from './plugins/swagger.js';

export type AppConfig = Omit<Config, 'adminToken' | 'secretKey'> & { adminToken: string; secretKey: string };

export interface BuildAppOptions {
  config: AppConfig;
  /** An open, migrated database (tests pass one); otherwise the app opens and migrates its own. */
  database?: DatabaseHandle;
  /** Pino logger settings; `false` silences the app (tests). */
  logger?: boolean;
  /** Where the log goes instead of stdout (tests read it to check that no secret is ever logged). */
  logStream?: { write(line: string): void };
}

const VERSION = (JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;

/** Every named schema, registered once so routes, the serialiser and OpenAPI share it by `$id`. */
const SHARED_SCHEMAS = [
  Problem,
  QuantitySchema,
  ...organizationSchemas,
  ...peopleSchemas,
  ...siteSchemas,
  ...speciesSchemas,
  ...lotSchemas,
  ...transformationSchemas,
  ...shipmentSchemas,
  ...provenanceSchemas,
  ...qualitySchemas,
  ...codeSchemas,
  ...eventSchemas,
  ...epcisSchemas,
  ...logSchemas,
  ...vocabularySchemas,
];

/**
 * Fastify asks for a validator compiler and a serialiser compiler per plugin context (21 and 27 per app here),
 * each handed the same shared schemas (cloned per app), and many routes have schemas equal in content but not in
 * identity (the same params, the same problem responses). So each compiler is made once per content of the shared
 * schemas and options, in this process, and a compiled function is reused for a schema of the same content:
 * making two Ajv instances (each checking every shared schema against the meta-schema) per context, and 527
 * serialisers for fewer than a hundred distinct schemas, was ≈ 0.8 s of CPU per app start (every test file starts
 * one or more apps; a file of seven apps paid it seven times).
 */
function onePerSchemaSet<T>(make: (shared: Record<string, object>, options: unknown) => T) {
  const made = new Map<string, T>();
  let last: { shared: Record<string, object>; options: unknown; compiler: T } | undefined;
  const same = (a: Record<string, object>, b: Record<string, object>) => {
    const keys = Object.keys(a);
    return keys.length === Object.keys(b).length && keys.every((k) => a[k] === b[k]);
  };
  return (externalSchemas: unknown, options?: unknown): T => {
    const shared = (externalSchemas ?? {}) as Record<string, object>;
    // The same objects as the last call (the next context of the same app): no need to compare content.
    if (last && last.options === options && same(last.shared, shared)) return last.compiler;
    const key = JSON.stringify([shared, options ?? null]);
    let compiler = made.get(key);
    if (compiler === undefined) {
      if (made.size >= 8) made.delete(made.keys().next().value!);
      made.set(key, (compiler = make(shared, options)));
    }
    last = { shared, options, compiler };
    return compiler;
  };
}

/** Compiled once per distinct content of a schema (symbols, such as TypeBox's, play no part in either). */
function byContent<F>(compile: (schema: object) => F) {
  const compiled = new Map<string, F>();
  return (schema: object): F => {
    const key = JSON.stringify(schema);
    let fn = compiled.get(key);
    if (!fn) compiled.set(key, (fn = compile(schema)));
    return fn;
  };
}

/**
 * Bodies are validated strictly: no type coercion and no silent removal of unknown fields, so nothing a
 * client sent is altered. Query strings, params and headers arrive as text and are coerced to their types.
 */
const buildValidator = onePerSchemaSet((shared) => {
  const common = { allErrors: true, strict: false, removeAdditional: false, useDefaults: true, discriminator: true } as const;
  const bodyAjv = new Ajv.default({ ...common, coerceTypes: false });
  const textAjv = new Ajv.default({ ...common, coerceTypes: 'array' });
  for (const ajv of [bodyAjv, textAjv]) {
    addFormats.default(ajv);
    addStrictSchemaRules(ajv);
    for (const schema of Object.values(shared)) ajv.addSchema(schema);
  }
  const body = byContent((schema) => bodyAjv.compile(schema as AnySchema));
  const text = byContent((schema) => textAjv.compile(schema as AnySchema));
  return ({ schema, httpPart }: { schema: AnySchema; httpPart?: string }) => (httpPart === 'body' ? body : text)(schema as object);
});

/**
 * Response serialisers (fast-json-stringify, as Fastify's default compiler builds them), each given only the
 * shared schemas its response schema reaches through `$ref`. Fastify hands every build all of them, and
 * fast-json-stringify checks each schema it is given on every build: for ~300 route responses that was ≈ 1 s
 * of CPU per app start, for the same serialisers.
 */
const buildSerializer = onePerSchemaSet((shared, serializerOptions) => {
  const reachable = (schema: object) => {
    const ids = new Set<string>();
    const stack: unknown[] = [schema];
    while (stack.length > 0) {
      const node = stack.pop();
      if (typeof node !== 'object' || node === null) continue;
      for (const [key, child] of Object.entries(node)) {
        if (key === '$ref' && typeof child === 'string') {
          const id = child.split('#')[0]!;
          if (shared[id] && !ids.has(id)) {
            ids.add(id);
            stack.push(shared[id]);
          }
        } else if (typeof child === 'object') stack.push(child);
      }
    }
    return ids;
  };
  const build = byContent((schema): ((data: unknown) => string) => {
    const root = schema as { $id?: string };
    const ids = reachable(root);
    if (root.$id) ids.delete(root.$id); // as Fastify's own compiler does: the root is not also external
    const schemas = Object.fromEntries([...ids].map((id) => [id, shared[id]! as fastJsonStringify.Schema]));
    return fastJsonStringify(root as fastJsonStringify.Schema, { ...(serializerOptions as fastJsonStringify.Options), schema: schemas });
  });
  return ({ schema }: { schema?: unknown }) => build((schema ?? {}) as object);
});

const REQUEST_ID_PATTERN = /^[\w.:-]{1,64}$/;

export async function buildApp(options: BuildAppOptions) {
  const { config } = options;
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: config.logLevel,
            ...(options.logStream ? { stream: options.logStream } : {}),
            redact: {
              paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'res.headers["set-cookie"]', '*.key', '*.adminToken', '*.password', '*.setupCode', '*.secretKey'],
              censor: '[redacted]',
            },
          },
    bodyLimit: config.bodyLimitBytes,
    trustProxy: config.trustProxy,
    // genReqId reads x-request-id itself so an unusable incoming id is replaced, never echoed.
    requestIdHeader: false,
    genReqId: (req) => {
      const incoming = req.headers['x-request-id'];
      return typeof incoming === 'string' && REQUEST_ID_PATTERN.test(incoming) ? incoming : newId('req');
    },
    schemaController: { compilersFactory: { buildValidator, buildSerializer } },
    // Router refusals (bad percent-encoding, over-long parameters) as problem+json: plugins/strict-input.ts.
    frameworkErrors,
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // JSON only: without this, text/plain would be parsed and fail validation with a 400 instead of a 415.
  app.removeContentTypeParser('text/plain');

  const database = options.database ?? openDatabase(config);
  if (!options.database) await database.migrate();

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  await app.register(errorsPlugin);
  await app.register(dbPlugin, { database, closeOnShutdown: !options.database });
  await app.register(securityPlugin, { publicRateLimitPerMinute: config.publicRateLimitPerMinute });
  // After the security headers and the rate limit, before auth: hostile input is a 400 with or without a key.
  await app.register(strictInputPlugin);
  const people = peopleSettingsFrom(config);
  const csrf = new CsrfTokens(people.csrfKey);
  await app.register(authPlugin, { adminToken: config.adminToken, people, csrf });
  await app.register(idempotencyPlugin);
  await app.register(swaggerPlugin, { publicBaseUrl: config.publicBaseUrl, version: VERSION });
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);

  await app.register(healthRoutes);
  await app.register(organizationRoutes);
  await app.register(peopleRoutes, { settings: people, csrf });
  await app.register(siteRoutes);
  await app.register(speciesRoutes);
  await app.register(vocabularyRoutes);
  await app.register(lotRoutes);
  await app.register(transformationRoutes);
  await app.register(shipmentRoutes);
  await app.register(provenanceRoutes, { limits: { maxNodes: config.graphMaxNodes, maxDepth: config.graphMaxDepth } });
  await app.register(qualityRoutes, { limits: { maxNodes: config.graphMaxNodes, maxDepth: config.graphMaxDepth } });
  await app.register(eventRoutes);
  await app.register(logRoutes, {
    origin: logOrigin(config.publicBaseUrl, config.logOrigin),
    signerKey: config.logKey,
    intervalMs: config.logSequenceIntervalMs,
    witnesses: config.logWitnesses,
    limits: { maxNodes: config.graphMaxNodes, maxDepth: config.graphMaxDepth },
  });
  await app.register(epcisRoutes, { publicBaseUrl: config.publicBaseUrl, secretKey: config.secretKey, limits: { maxNodes: config.graphMaxNodes, maxDepth: config.graphMaxDepth } });
  await app.register(codeRoutes, {
    publicBaseUrl: config.publicBaseUrl,
    details: { maxNodes: config.graphMaxNodes, ttlMs: config.consumerPageCacheMs, maxAgeMs: config.consumerPageMaxAgeMs },
    scan: {
      suspiciousNetworks: config.scanSuspiciousNetworks,
      suspiciousPlaces: config.scanSuspiciousPlaces,
      distanceKm: config.scanSuspiciousDistanceKm,
      windowHours: config.scanWindowHours,
    },
  });
  await app.register(webappRoutes);

  return app;
}
