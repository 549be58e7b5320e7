import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { Test } from 'tap';

interface OpenApiDocument {
  components: Record<string, unknown>;
  paths: Record<string, Record<string, { responses?: Record<string, { content?: Record<string, { schema?: unknown }> }> }>>;
}

/**
 * Answers checked against the app's own OpenAPI document: the response schema of a route and status, with the
 * document's components. Meant for the answers the service writes as JSON text itself (provenance, descendants
 * and timeline; the consumer resolve), which Fastify's serialiser never holds to their schemas. A route is
 * named as in the document, `GET /v1/lots/{id}/provenance`.
 */
export async function answerSchemas(app: FastifyInstance) {
  await app.ready();
  const document = app.swagger() as unknown as OpenApiDocument;
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  // The response schemas point at #/components/schemas/…: the components become one schema they can reach.
  ajv.addSchema({ $id: 'openapi', components: document.components });
  const compiled = new Map<string, ValidateFunction>();

  function validator(route: string, status: number): ValidateFunction {
    const key = `${route} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      const [method = '', path = ''] = route.split(' ');
      const schema = document.paths[path]?.[method.toLowerCase()]?.responses?.[String(status)]?.content?.['application/json']?.schema;
      if (!schema) throw new Error(`the OpenAPI document has no application/json answer for ${route} ${status}`);
      validate = ajv.compile(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/', '"openapi#/components/')) as object);
      compiled.set(key, validate);
    }
    return validate;
  }

  /** What does not match in `body` as the `status` answer of `route` (empty when it matches). */
  function problems(route: string, status: number, body: unknown): string[] {
    const validate = validator(route, status);
    if (validate(body)) return [];
    return (validate.errors ?? []).map((e) => `${e.instancePath || '(root)'} ${e.message ?? ''}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`);
  }

  /** Asserts that a parsed answer matches its schema (a mismatch fails the test and lists the problems). */
  function matches(t: Test, route: string, status: number, body: unknown, label = `${route} ${status}`): void {
    t.strictSame(problems(route, status, body), [], `${label} matches its OpenAPI schema`);
  }

  /** Asserts that a response is JSON with `status` and matches the schema; returns the parsed body. */
  function check(t: Test, route: string, res: { statusCode: number; body: string; headers: Record<string, unknown> }, status = 200) {
    t.equal(res.statusCode, status, `${route}: status ${status} (${res.body.slice(0, 200)})`);
    t.match(String(res.headers['content-type']), /^application\/json/, `${route}: JSON`);
    const body: unknown = JSON.parse(res.body);
    matches(t, route, status, body);
    return body as any;
  }

  /** Asserts that a deliberately broken answer does not match: the check can fail. */
  function refuses(t: Test, route: string, status: number, broken: unknown, what: string): void {
    t.not(problems(route, status, broken).length, 0, `${route} ${status}: the schema refuses ${what}`);
  }

  return { problems, matches, check, refuses };
}
