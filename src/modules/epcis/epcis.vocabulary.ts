// HerbTrace's own EPCIS vocabulary: every extension term the EPCIS form of an event uses, under the namespace
// PUBLIC_BASE_URL/voc/ (prefix `herbtrace` in every document's @context). GET /voc/ lists them and
// GET /voc/{term} describes one, so each extension URI resolves. Standard CBV / GS1 values are used wherever one
// fits (epcis.mapping.ts); these terms carry what the standard has no word for.
import { readFileSync } from 'node:fs';

/** The standard EPCIS 2.0 context's URL: documents name it, it is never fetched (a local copy is vendored). */
export const EPCIS_CONTEXT_URL = 'https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld';

/** The vendored copy of the standard context (data, read once; never fetched from the network). */
export const EPCIS_CONTEXT = JSON.parse(readFileSync(new URL('./epcis-context.jsonld', import.meta.url), 'utf8')) as { '@context': Record<string, unknown> };

export const HERBTRACE_PREFIX = 'herbtrace';
export const vocabularyBase = (baseUrl: string) => `${baseUrl}/voc/`;

/** The @context of every document HerbTrace writes: the standard context and the herbtrace prefix. */
export const documentContext = (baseUrl: string) => [EPCIS_CONTEXT_URL, { [HERBTRACE_PREFIX]: vocabularyBase(baseUrl) }] as const;

export type TermKind = 'property' | 'class' | 'event-type' | 'stage' | 'operation' | 'analyte' | 'measurement-type' | 'biz-step';

export interface Term {
  term: string;
  kind: TermKind;
  label: string;
  labelZh?: string;
  description: string;
}

const STAGE_LABELS: Record<string, [string, string]> = {
  seed: ['Seed or seedling lot', '种子 / 种苗'],
  cultivation: ['Cultivation lot (plants in the ground)', '种植'],
  harvest: ['Harvested raw material', '采收'],
  processed: ['Primary-processed material (产地加工)', '产地加工'],
  decoction_piece: ['Decoction pieces (饮片)', '饮片'],
  product: ['Finished product', '成品'],
};

/** 炮制 and processing operations named in transformation process steps (free text; these are the common ones). */
export const OPERATIONS: Record<string, string> = {
  净制: 'cleaning and sorting', 洗: 'washing', 清洗: 'washing', 润: 'softening by moistening', 切: 'cutting into pieces', 炒: 'stir-frying',
  炙: 'stir-frying with a liquid adjuvant (honey, wine, vinegar)', 煅: 'calcining', 蒸: 'steaming', 干燥: 'drying', 晒干: 'sun-drying', 烫: 'scalding in hot sand',
  粉碎: 'grinding', 灌装: 'filling (capsules, bottles)',
};

/** The HerbTrace event types, each the `herbtrace:eventType` of its EPCIS form. */
export const EVENT_TYPES: Record<string, string> = {
  commissioned: 'A lot is created from outside the chain (its first record).',
  transformation: 'Input lots are consumed and new lots made (sowing, planting, harvest, processing, 炮制, packing).',
  split: 'A part of a lot is split off into a new lot (a partial shipment).',
  shipment_dispatched: 'Lots leave one organisation for another.',
  shipment_received: 'The receiving organisation takes custody of a shipment.',
  shipment_refused: 'The receiving organisation refuses a shipment; the lots stay with the sender.',
  status_changed: 'A lot is held, released, recalled or destroyed.',
  agro_input: 'A fertiliser, pesticide or other agricultural input applied to a lot.',
  inspection: 'An inspection of a lot (pass, fail or an observation).',
  sensor: 'A sensor reading on a lot (temperature, relative humidity).',
  note: 'A free-text note on a lot.',
  lab_granted: 'The holder authorises a testing lab to submit results for a lot.',
  lab_result: 'A lab report on a lot: analytes, values, verdicts against the pharmacopoeia.',
  certificate_recorded: 'A certificate (GAP, GI use, organic, …) recorded by or for an organisation.',
  certificate_confirmed: 'A regulator or certifier confirms a self-declared certificate.',
  gi_claimed: 'A lot claims a geographical indication, backed by a confirmed authorisation.',
  codes_issued: 'Consumer codes issued for the units (or the whole) of a lot.',
  code_voided: 'A consumer code withdrawn (a damaged or misprinted label).',
};

const PROPERTIES: [string, string][] = [
  ['eventType', 'The HerbTrace event type this EPCIS event records (a term of this vocabulary).'],
  ['event', 'The HerbTrace event (GET /v1/events/{id}) this EPCIS event is the form of.'],
  ['organization', 'The organisation that recorded the event (PUBLIC_BASE_URL/id/org/{id}).'],
  ['species', 'The species code of the HerbTrace species catalogue (GET /v1/species/{code}).'],
  ['stage', 'The chain stage of a lot (a stage term of this vocabulary).'],
  ['origin', 'Where a lot came from when it entered the chain (chain, wild collection, purchase, import …).'],
  ['attributes', "The stage's own data of a lot (variety, root age, form …), as recorded."],
  ['lots', 'The lots a transformation made, each with its identifier, stage, lot number and attributes.'],
  ['process', 'The processing or 炮制 steps of a transformation, each an operation with its parameters.'],
  ['note', 'A free-text note.'],
  ['reason', 'Why a status changed, a shipment was refused, or a code voided.'],
  ['statusFrom', 'The lot status before a status change (active, hold, recalled, destroyed).'],
  ['statusTo', 'The lot status after a status change.'],
  ['labReport', 'The lab report a hold was caused by, or a lab result records (report number, verdict, edition, monograph).'],
  ['agroInput', 'The agricultural input applied: category, product, registration number, dose, area, pre-harvest interval.'],
  ['inspection', 'An inspection: inspector, result, findings.'],
  ['deviceId', "A sensor device's own id, as recorded (not a URI)."],
  ['lab', 'The testing lab a lab grant authorises (PUBLIC_BASE_URL/id/org/{id}).'],
  ['certificate', 'A certificate: kind, authority, number, validity, assertion, site or GI product.'],
  ['giProduct', 'A geographical-indication product claimed for a lot (GET /v1/gi-products/{code}).'],
  ['codeLevel', 'Whether consumer codes identify units or the whole lot.'],
  ['codeCount', 'How many consumer codes an issue made.'],
  ['analyte', 'The analyte of a lab-result item (a term analyte-{code} of this vocabulary).'],
  ['unit', 'The unit of a value as HerbTrace recorded it.'],
  ['basis', 'The basis a lab value is expressed on (as received, dried).'],
  ['method', 'The analytical method of a lab-result item.'],
  ['loq', 'The limit of quantification of a lab-result item.'],
  ['verdict', 'The verdict of a lab-result item or report against the pharmacopoeia limits (pass, fail, no_limit …).'],
  ['shipment', 'The HerbTrace shipment (GET /v1/shipments/{id}).'],
  ['operation', 'The operation of a process step (an op-{name} term of this vocabulary).'],
  ['operationName', 'The operation of a process step as recorded (free text, e.g. 切).'],
  ['params', 'The parameters of a process step (days, temperature …), as recorded.'],
  ['reportId', 'The id of a HerbTrace lab report.'],
  ['reportNumber', "The lab's own report number."],
  ['edition', 'The pharmacopoeia edition a lab report was judged against.'],
  ['monograph', 'The pharmacopoeia monograph a lab report was judged against.'],
  ['missing', 'Analytes the monograph requires that a lab report does not cover.'],
  ['speciesName', 'The Chinese name of a species (master data).'],
  ['latinName', 'The Latin name of a species (master data).'],
  ['producer', 'The organisation that made a lot (master data).'],
  ['name', 'The name of an organisation or site (master data).'],
  ['region', 'The administrative region (GB/T 2260 code and name) of a lot, site or organisation (master data).'],
  ['code', 'A code (region code).'],
  ['siteKind', 'The kind of a site: seed_nursery, cultivation_base, processing_plant, warehouse, market.'],
  ['termKind', 'What kind of term a vocabulary entry is: property, class, event-type, stage, operation, analyte, measurement-type, biz-step.'],
  ['data', 'The contents of an event of a type this mapping does not know.'],
];

/** Every term, by its name under PUBLIC_BASE_URL/voc/. Analytes come from the catalogue (see analyteTerm). */
export const TERMS: ReadonlyMap<string, Term> = new Map<string, Term>([
  ...PROPERTIES.map(([term, description]): [string, Term] => [term, { term, kind: 'property', label: term, description }]),
  ['Lot', { term: 'Lot', kind: 'class', label: 'Lot', labelZh: '批次', description: 'A HerbTrace lot: a quantity of one species at one stage, with a lot number, made by one organisation.' }],
  ['Site', { term: 'Site', kind: 'class', label: 'Site', labelZh: '基地 / 场所', description: 'A place of an organisation: nursery, cultivation base, processing plant, warehouse, market.' }],
  ['Organization', { term: 'Organization', kind: 'class', label: 'Organisation', labelZh: '组织', description: 'An organisation of the chain.' }],
  ['MassFraction', { term: 'MassFraction', kind: 'measurement-type', label: 'Mass fraction', description: 'Mass of a substance per mass of the sample (%, mg/kg, µg/kg): the GS1 measurement types have no mass fraction.' }],
  ['agro_input', { term: 'agro_input', kind: 'biz-step', label: 'Applying an agricultural input', labelZh: '农事投入', description: 'Business step: applying fertiliser, pesticide or another input to a crop (CBV has no such step).' }],
  ...Object.entries(EVENT_TYPES).map(([type, description]): [string, Term] => [`event-${type}`, { term: `event-${type}`, kind: 'event-type', label: type, description }]),
  ...Object.entries(STAGE_LABELS).map(([stage, [label, labelZh]]): [string, Term] => [`stage-${stage}`, { term: `stage-${stage}`, kind: 'stage', label, labelZh, description: `Chain stage ${stage}.` }]),
  ...Object.entries(OPERATIONS).map(([op, label]): [string, Term] => [`op-${op}`, { term: `op-${op}`, kind: 'operation', label, labelZh: op, description: `Processing / 炮制 operation ${op}: ${label}.` }]),
]);

export const analyteTerm = (code: string) => `analyte-${code}`;
export const stageTerm = (stage: string) => `stage-${stage}`;
export const eventTypeTerm = (type: string) => `event-${type}`;
export const operationTerm = (op: string) => `op-${op}`;
/** A compact IRI of this vocabulary (herbtrace:term), expanded through the document's @context. */
export const ht = (term: string) => `${HERBTRACE_PREFIX}:${term}`;
