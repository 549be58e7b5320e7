// The GS1 EPCIS 2.0 JSON Schema (all parts inlined), compiled once per test process with ajv 8 + ajv-formats.
// The corpus is required: a missing schema fails the test, it never skips it.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';

export const EPCIS_SCHEMA_PATH = path.resolve(process.cwd(), '../shared/corpora/epcis/schema/EPCIS-JSON-Schema.json');

let compiled: ValidateFunction | undefined;

export function epcisValidator(): ValidateFunction {
  if (compiled) return compiled;
  if (!existsSync(EPCIS_SCHEMA_PATH)) throw new Error(`The GS1 EPCIS JSON Schema is missing at ${EPCIS_SCHEMA_PATH} (the shared corpus ../shared/corpora/epcis).`);
  const ajv = new Ajv.default({ strict: false, allErrors: true });
  addFormats.default(ajv);
  compiled = ajv.compile(JSON.parse(readFileSync(EPCIS_SCHEMA_PATH, 'utf8')) as object);
  return compiled;
}

/** The schema's errors for a document ([] when it is valid), as readable lines. */
export function epcisErrors(document: unknown): string[] {
  const validate = epcisValidator();
  if (validate(document)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
}

/** An EPCISDocument around events, as HerbTrace writes it, for validating single events. */
export const documentOf = (context: unknown, eventList: unknown[]) => ({
  '@context': context,
  type: 'EPCISDocument',
  schemaVersion: '2.0',
  creationDate: new Date().toISOString(),
  epcisBody: { eventList },
});

/**
 * GET /v1/lots/{id}/epcis for a lot: the document's GS1 schema errors and how many events of each HerbTrace event
 * kind and of each EPCIS event type it has (for comparing an export with what the chain recorded).
 */
export async function chainExport(app: { inject: (o: { method: 'GET'; url: string; headers: Record<string, string> }) => Promise<{ statusCode: number; body: string; json: () => any }> }, lotId: string, headers: Record<string, string>) {
  const res = await app.inject({ method: 'GET', url: `/v1/lots/${lotId}/epcis`, headers });
  if (res.statusCode !== 200) throw new Error(`GET /v1/lots/${lotId}/epcis → ${res.statusCode}: ${res.body.slice(0, 300)}`);
  const doc = res.json();
  const events = doc.epcisBody.eventList as Record<string, string>[];
  const count = (key: string) => {
    const counts: Record<string, number> = {};
    for (const e of events) counts[e[key]!.replace(/^herbtrace:event-/, '')] = (counts[e[key]!.replace(/^herbtrace:event-/, '')] ?? 0) + 1;
    return counts;
  };
  return { errors: epcisErrors(doc), events: events.length, kinds: count('herbtrace:eventType'), types: count('type') };
}
