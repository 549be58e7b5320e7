// The CBV 2.0 EPCIS Event Hash ID (GS1 Core Business Vocabulary 2.0 §8.9): a canonical "pre-hash string" of an
// EPCIS event, independent of the event's serialisation (key order, list order, URN or Digital Link ids, bare or
// full vocabulary, time zone, number syntax, namespace prefixes), and its SHA-256 as an RFC 6920 'ni' URI,
// ni:///sha-256;<hex>?ver=CBV2.0.
//
// Rule numbers in the comments are those of the reference implementation's description of the algorithm
// (RalphTro/epcis-event-hash-generator, ALGORITHM-README.md). Where that description and the reference
// implementation disagree, this file follows the implementation, because the published hash values (its test
// vectors, and every Event Hash ID computed with it) come from the implementation; each such place says so.
import { sha256Hex } from '../../lib/hash.js';
import { canonicalIdentifier } from './canonical-identifiers.js';
import { formatNumber, normalizeNumericText, normalizeTimestamp, sortedJoin, trimValue } from './canonical-values.js';
import { cbvUrnToWebUri, expandBareTerm, type VocabularyField } from './canonical-vocabulary.js';

/** A JSON-LD @context as EPCIS documents carry it: the standard context's URL, inline prefix maps, or a list of both. */
export type JsonLdContext = string | Readonly<Record<string, unknown>> | readonly (string | Readonly<Record<string, unknown>>)[];

export interface EventHashOptions {
  /**
   * Top-level event fields to leave out of the hash besides the standard ones (eventID, recordTime,
   * errorDeclaration), e.g. a repository's own bookkeeping fields; compact ("ex:captureID") or expanded
   * ("{https://ns.example.com/}captureID") names. The reference implementation reads such a list from a document
   * field "<prefix>:ignoreFields" whose prefix is https://repository-x.example.com/.
   */
  readonly ignoreFields?: readonly string[];
}

type JsonObject = Readonly<Record<string, unknown>>;

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------------------------
// Namespaces (rule 15: compact IRIs are expanded; rules 19–21: extension names are written {namespace}localName)

/**
 * Prefixes of the standard EPCIS 2.0 context. Rule 15 expands CURIEs "also [for] standard CBV values, i.e. with the
 * CURIE prefix expansions 'gs1', 'epcis' and 'cbv'", so these apply even when the document does not repeat them in
 * its own @context (the reference implementation only knows prefixes that the document declares inline; with the
 * declaration present, as in every published vector, both give the same result).
 */
const STANDARD_PREFIXES: ReadonlyMap<string, string> = new Map([
  ['epcis', 'https://ref.gs1.org/epcis/'],
  ['cbv', 'https://ref.gs1.org/cbv/'],
  ['cbvmda', 'urn:epcglobal:cbv:mda:'],
  ['gs1', 'https://gs1.org/voc/'],
  ['rdfs', 'http://www.w3.org/2000/01/rdf-schema#'],
  ['owl', 'http://www.w3.org/2002/07/owl#'],
  ['xsd', 'http://www.w3.org/2001/XMLSchema#'],
  ['dcterms', 'http://purl.org/dc/terms/'],
]);

interface Scope {
  readonly prefixes: ReadonlyMap<string, string>;
  readonly depth: number;
}

/** Nesting deeper than any EPCIS event needs; refused rather than overflowing the call stack. */
const MAX_DEPTH = 64;

function splitCurie(text: string): [string, string] | undefined {
  const colon = text.indexOf(':');
  if (colon <= 0) return undefined;
  const suffix = text.slice(colon + 1);
  if (suffix.startsWith('//')) return undefined; // an absolute IRI (scheme://…), never a compact one (JSON-LD 1.1 §4.1.5)
  return [text.slice(0, colon), suffix];
}

/** The prefixes of a JSON-LD @context added to `base` (inline prefix definitions; remote contexts add nothing). */
function withContext(base: ReadonlyMap<string, string>, context: unknown): ReadonlyMap<string, string> {
  const entries = Array.isArray(context) ? (context as readonly unknown[]) : [context];
  let prefixes: Map<string, string> | undefined;
  for (const entry of entries) {
    if (!isObject(entry)) continue; // a URL: the standard context's prefixes are already in STANDARD_PREFIXES
    for (const [term, definition] of Object.entries(entry)) {
      if (term.startsWith('@') || term.includes(':')) continue;
      const iri = typeof definition === 'string' ? definition : isObject(definition) && typeof definition['@id'] === 'string' ? definition['@id'] : undefined;
      if (iri === undefined || iri.startsWith('@') || !iri.includes(':')) continue;
      prefixes ??= new Map(base);
      prefixes.set(term, expandCurie(iri, prefixes));
    }
  }
  return prefixes ?? base;
}

/** Rule 15: a compact IRI value ("gs1:Temperature", "example:x") as its full IRI; any other value unchanged. */
function expandCurie(value: string, prefixes: ReadonlyMap<string, string>): string {
  const curie = splitCurie(value);
  const namespace = curie ? prefixes.get(curie[0]) : undefined;
  return curie && namespace !== undefined ? namespace + curie[1] : value;
}

const RDFS_COMMENT = '{http://www.w3.org/2000/01/rdf-schema#}comment';

/**
 * The name of a field in the pre-hash string. Standard EPCIS fields keep their names; a namespaced field (a user
 * extension, ILMD element, or anything else under a prefix) is written with its full namespace in curly brackets
 * and its local name (rules 19–21): "example:myField" with example = https://ns.example.com/epcis/ →
 * "{https://ns.example.com/epcis/}myField". A field named by an absolute IRI is split after its last '/' or '#'.
 * The JSON-LD keywords @id and @type are the EPCIS context's aliases id and type.
 */
function fieldName(key: string, scope: Scope): string {
  if (key === '@id') return 'id';
  if (key === '@type') return 'type';
  const curie = splitCurie(key);
  if (curie) {
    const namespace = scope.prefixes.get(curie[0]);
    return namespace !== undefined ? `{${namespace}}${curie[1]}` : key;
  }
  if (/^[A-Za-z][A-Za-z0-9+.-]*:\/\//.test(key)) {
    const cut = Math.max(key.lastIndexOf('/'), key.lastIndexOf('#')) + 1;
    if (cut > key.indexOf('//') + 2 && cut < key.length) return `{${key.slice(0, cut)}}${key.slice(cut)}`;
  }
  return key;
}

/**
 * Annotations that are not event data: JSON-LD's @context (which only scopes names), and comments (rdfs:comment, or
 * a bare "comment"), which the reference implementation leaves out at every level: an event with a comment has the
 * hash of the same event without it (vector epcisDocHavingEventWithComment).
 */
function isAnnotation(key: string, name: string): boolean {
  return key === '@context' || key === 'comment' || name === RDFS_COMMENT;
}

/** An object's fields as [name in the pre-hash string, value], annotations left out. */
function fieldsOf(object: JsonObject, scope: Scope): [string, unknown][] {
  const out: [string, unknown][] = [];
  for (const [key, value] of Object.entries(object)) {
    const name = fieldName(key, scope);
    if (!isAnnotation(key, name)) out.push([name, value]);
  }
  return out;
}

function innerScope(object: JsonObject, scope: Scope): Scope {
  if (scope.depth >= MAX_DEPTH) throw new RangeError(`EPCIS event nested deeper than ${MAX_DEPTH} levels`);
  const context = object['@context'];
  return { prefixes: context === undefined ? scope.prefixes : withContext(scope.prefixes, context), depth: scope.depth + 1 };
}

// ---------------------------------------------------------------------------------------------------------------
// Values

/** JSON-LD list and value objects ({"@list": […]}, {"@value": …}) as the plain JSON they stand for. */
function plain(value: unknown): unknown {
  if (!isObject(value)) return value;
  if (Array.isArray(value['@list'])) return value['@list'];
  if (Array.isArray(value['@set'])) return value['@set'];
  if ('@value' in value) return value['@value'];
  return value;
}

/**
 * A value and its repetitions: JSON arrays (and nested arrays) flattened, nulls left out (rule 4: omitted).
 * Iterative, so no depth of nested arrays can overflow the call stack.
 */
function itemsOf(value: unknown): unknown[] {
  const out: unknown[] = [];
  const work: unknown[] = [value];
  while (work.length > 0) {
    const v = plain(work.pop());
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) work.push(v[i]);
    else if (v !== null && v !== undefined) out.push(v);
  }
  return out;
}

interface ValueRule {
  /** The field's standard vocabulary: bare terms are written as their Web URIs (rule 16). */
  readonly vocabulary?: VocabularyField;
  /** An xsd:dateTimeStamp field: UTC, millisecond precision (rules 8, 9). */
  readonly time?: true;
}

/**
 * A scalar as the pre-hash string writes it: trimmed (rule 5); a bare standard vocabulary term expanded (rule 16);
 * a CURIE expanded (rule 15); a CBV 1.x vocabulary URN as its Web URI (rule 14); a number without trailing zeros
 * (rules 6, 7); an EPC URI or GS1 Digital Link as the constrained canonical Digital Link (rules 17, 18).
 * Timestamps get only their own normalisation, as in the reference implementation.
 * JSON booleans are written true / false, their xsd:boolean (and XML) form, so that a JSON event hashes like the
 * same event in XML (the reference implementation's JSON reader writes Python's True / False instead).
 */
function canonicalScalar(value: unknown, scope: Scope, rule: ValueRule = {}): string {
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value !== 'string') return '';
  if (rule.time) return normalizeTimestamp(value);
  const text = trimValue(value);
  if (rule.vocabulary !== undefined) {
    const term = expandBareTerm(rule.vocabulary, text);
    if (term !== undefined) return term;
  }
  const expanded = normalizeNumericText(cbvUrnToWebUri(expandCurie(text, scope.prefixes)));
  return canonicalIdentifier(expanded) ?? expanded;
}

// ---------------------------------------------------------------------------------------------------------------
// Generic elements: user extensions, ILMD, and any field without a place in the canonical order

/**
 * An element that has no defined structure (rules 19–21), as its substrings, one per value: name, '=' and the value
 * if there is one, then its child elements sorted (rule 12). An empty value or object still writes its name: the
 * element is present (the XML form is an empty element), as in the reference implementation.
 * A field whose name ends in "List" is written as in XML, a list element of items named without "List"
 * (ex:itemList: ["a", "b"] → {ns}itemList{ns}item=a{ns}item=b): the reference implementation maps JSON lists to
 * the XML data model this way for every such name.
 */
function genericElement(name: string, value: unknown, scope: Scope): string[] {
  if (name.endsWith('List') && !name.endsWith('}List') && name !== 'List') {
    const itemName = name.slice(0, -4);
    const items = itemsOf(value);
    if (items.length === 0) return [];
    return [name + sortedJoin(items.flatMap((item) => genericElement(itemName, item, scope)))];
  }
  return itemsOf(value).flatMap((item) => {
    if (isObject(item)) {
      const inner = innerScope(item, scope);
      const children = fieldsOf(item, inner).flatMap(([childName, child]) => genericElement(childName, child, inner));
      return [name + sortedJoin(children)];
    }
    const text = canonicalScalar(item, scope);
    return [text === '' ? name : `${name}=${text}`];
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Standard elements in canonical order (rule 1)

type Spec =
  /** name=value, once per value. */
  | { readonly kind: 'value'; readonly rule?: ValueRule }
  /** A list of identifiers: the list's name once, then epc=… for each, sorted (rule 11). */
  | { readonly kind: 'ids' }
  /** An element with fields in a canonical order, then its extensions (rule 21); one per value, sorted. */
  | { readonly kind: 'element'; readonly fields: Fields }
  /** A list of such elements, each written under the name `item`, sorted (rules 11, 12). */
  | { readonly kind: 'list'; readonly item: string; readonly fields: Fields };
type Fields = readonly (readonly [string, Spec])[];

const value = (rule?: ValueRule): Spec => ({ kind: 'value', ...(rule ? { rule } : {}) });
const TIME = value({ time: true });
const IDS: Spec = { kind: 'ids' };

const QUANTITY_ELEMENT: Fields = [
  ['epcClass', value()],
  ['quantity', value()],
  ['uom', value()],
];

const SENSOR_METADATA: Fields = [
  ['time', TIME],
  ['startTime', TIME],
  ['endTime', TIME],
  ['deviceID', value()],
  ['deviceMetadata', value()],
  ['rawData', value()],
  ['dataProcessingMethod', value()],
  ['bizRules', value()],
];

const SENSOR_REPORT: Fields = [
  ['type', value({ vocabulary: 'measurementType' })],
  ['exception', value({ vocabulary: 'sensorAlertType' })],
  ['deviceID', value()],
  ['deviceMetadata', value()],
  ['rawData', value()],
  ['dataProcessingMethod', value()],
  ['time', TIME],
  ['microorganism', value()],
  ['chemicalSubstance', value()],
  ['value', value()],
  ['component', value({ vocabulary: 'component' })],
  ['stringValue', value()],
  ['booleanValue', value()],
  ['hexBinaryValue', value()],
  ['uriValue', value()],
  ['minValue', value()],
  ['maxValue', value()],
  ['meanValue', value()],
  ['sDev', value()],
  ['percRank', value()],
  ['percValue', value()],
  ['uom', value()],
  ['coordinateReferenceSystem', value()],
];

const SENSOR_ELEMENT: Fields = [
  ['sensorMetadata', { kind: 'element', fields: SENSOR_METADATA }],
  ['sensorReport', { kind: 'element', fields: SENSOR_REPORT }],
];

const DISPOSITION = value({ vocabulary: 'disposition' });
const QUANTITIES: Spec = { kind: 'list', item: 'quantityElement', fields: QUANTITY_ELEMENT };
const LOCATION: Spec = { kind: 'element', fields: [['id', value()]] };

/**
 * The canonical property order, as the reference implementation applies it. It differs from the README's table in
 * two ways, both visible in the published vectors:
 *  - certificationInfo follows eventTimeZoneOffset (vector TimeStampRoundOff), and parentID precedes epcList;
 *  - bizTransactionList, sourceList and destinationList (table positions 20–22) are not written here but sorted
 *    among the remaining fields with ilmd and the user extensions (see REMAINING_LISTS): so destinationList comes
 *    before sourceList (vectors epcisDocWithShippingAndTransportingEvent, epcisDocWithVariousEventTypes), and
 *    sensorElementList before bizTransactionList.
 */
const EVENT_FIELDS: Fields = [
  ['eventTime', TIME],
  ['eventTimeZoneOffset', value()],
  ['certificationInfo', value()],
  ['parentID', value()],
  ['epcList', IDS],
  ['inputEPCList', IDS],
  ['childEPCs', IDS],
  ['quantityList', QUANTITIES],
  ['childQuantityList', QUANTITIES],
  ['inputQuantityList', QUANTITIES],
  ['outputEPCList', IDS],
  ['outputQuantityList', QUANTITIES],
  ['action', value()],
  ['transformationID', value()],
  ['bizStep', value({ vocabulary: 'bizStep' })],
  ['disposition', DISPOSITION],
  [
    'persistentDisposition',
    {
      kind: 'element',
      fields: [
        ['set', DISPOSITION],
        ['unset', DISPOSITION],
      ],
    },
  ],
  ['readPoint', LOCATION],
  ['bizLocation', LOCATION],
  ['sensorElementList', { kind: 'list', item: 'sensorElement', fields: SENSOR_ELEMENT }],
];

/**
 * The typed lists (rule 13). Each entry is written type=<type URI> and then <name>=<id>: the type first, as the
 * reference implementation writes it (the README says the type "SHALL follow the actual key-value"; every vector
 * has it first). The reference takes the two in the JSON's key order; here the order is fixed, so the hash does not
 * depend on key order. The entries are sorted by their whole substring.
 */
const REMAINING_LISTS: ReadonlyMap<string, { readonly item: string; readonly vocabulary: VocabularyField }> = new Map([
  ['bizTransactionList', { item: 'bizTransaction', vocabulary: 'bizTransactionType' }],
  ['sourceList', { item: 'source', vocabulary: 'sourceDestinationType' }],
  ['destinationList', { item: 'destination', vocabulary: 'sourceDestinationType' }],
]);

/**
 * Event fields that are not hashed (CBV 2.0 §8.9; the reference implementation's list): eventID (and id / @id, its
 * aliases in the EPCIS context: all three name the event's @id), recordTime, errorDeclaration, and type, which is
 * written first as eventType.
 */
const NOT_HASHED: ReadonlySet<string> = new Set(['eventID', 'id', 'recordTime', 'errorDeclaration', 'type']);

/**
 * Standard fields in their order (rule 1), each written only if it has content (rule 4), then the element's other
 * fields, its user extensions, sorted (rule 21: "added at the end of its enclosing parent's regular fields").
 */
function elementBody(object: JsonObject, fields: Fields, scope: Scope): string {
  const inner = innerScope(object, scope);
  const present = fieldsOf(object, inner);
  let out = '';
  for (const [name, spec] of fields) {
    for (const [fieldName, fieldValue] of present) {
      if (fieldName === name) out += standardField(name, spec, fieldValue, inner);
    }
  }
  const known = new Set(fields.map(([name]) => name));
  const extensions = present.filter(([name]) => !known.has(name)).flatMap(([name, v]) => genericElement(name, v, inner));
  return out + sortedJoin(extensions);
}

function standardField(name: string, spec: Spec, raw: unknown, scope: Scope): string {
  const items = itemsOf(raw);
  switch (spec.kind) {
    case 'value':
      return sortedJoin(
        items.flatMap((item) => {
          if (isObject(item)) {
            const id = item['@id'] ?? item['id'];
            return id === undefined ? genericElement(name, item, scope) : [`${name}=${canonicalScalar(id, scope, spec.rule)}`];
          }
          const text = canonicalScalar(item, scope, spec.rule);
          return text === '' ? [] : [`${name}=${text}`];
        }),
      );
    case 'ids': {
      const ids = items.map((item) => canonicalScalar(item, scope)).filter((text) => text !== '');
      return ids.length === 0 ? '' : name + sortedJoin(ids.map((id) => `epc=${id}`));
    }
    case 'element':
      return sortedJoin(
        items.flatMap((item) => {
          if (!isObject(item)) {
            // A compact JSON-LD reference ("readPoint": "urn:epc:id:sgln:…") is the element's id.
            const text = canonicalScalar(item, scope);
            return text === '' ? [] : [`${name}=${text}`];
          }
          const body = elementBody(item, spec.fields, scope);
          return body === '' ? [] : [name + body];
        }),
      );
    case 'list': {
      const elements = items.filter(isObject).map((item) => elementBody(item, spec.fields, scope)).filter((body) => body !== '');
      return elements.length === 0 ? '' : name + sortedJoin(elements.map((body) => spec.item + body));
    }
  }
}

/** name=value for each non-empty value, sorted. */
function valueParts(name: string, raw: unknown, scope: Scope, rule?: ValueRule): string {
  const texts = itemsOf(raw).map((item) => canonicalScalar(item, scope, rule));
  return sortedJoin(texts.filter((text) => text !== '').map((text) => `${name}=${text}`));
}

function typedList(name: string, raw: unknown, scope: Scope): string {
  const list = REMAINING_LISTS.get(name);
  if (!list) return '';
  const entries = itemsOf(raw).flatMap((item) => {
    if (!isObject(item)) {
      const text = canonicalScalar(item, scope);
      return text === '' ? [] : [`${list.item}=${text}`];
    }
    const inner = innerScope(item, scope);
    let type = '';
    let id = '';
    const extensions: string[] = [];
    for (const [fieldName, fieldValue] of fieldsOf(item, inner)) {
      if (fieldName === 'type') type += valueParts('type', fieldValue, inner, { vocabulary: list.vocabulary });
      else if (fieldName === list.item) id += valueParts(list.item, fieldValue, inner);
      else extensions.push(...genericElement(fieldName, fieldValue, inner));
    }
    const entry = type + id + sortedJoin(extensions);
    return entry === '' ? [] : [entry];
  });
  return entries.length === 0 ? '' : name + sortedJoin(entries);
}

function eventTypeOf(event: JsonObject): string {
  const raw = plain(event['type'] ?? event['@type']);
  const type = Array.isArray(raw) && raw.length === 1 ? raw[0] : raw;
  if (typeof type !== 'string' || trimValue(type) === '') throw new TypeError('EPCIS event without a type');
  // The event type is its local name (ObjectEvent …), also when written as epcis:ObjectEvent or as a full IRI.
  return trimValue(type).replace(/^(?:epcis:|https:\/\/ref\.gs1\.org\/epcis\/)/, '');
}

/**
 * The canonical pre-hash string of an EPCIS event (CBV 2.0 §8.9). `context` is the @context of the document the
 * event comes from (its inline prefixes name the namespaces of user extensions); an event's own @context, as a
 * single captured event carries it, is read as well.
 */
export function eventPreHashString(event: Record<string, unknown>, context?: JsonLdContext, options: EventHashOptions = {}): string {
  if (!isObject(event)) throw new TypeError('an EPCIS event must be a JSON object');
  const documentScope: Scope = { prefixes: context === undefined ? STANDARD_PREFIXES : withContext(STANDARD_PREFIXES, context), depth: 0 };
  const scope = innerScope(event, documentScope);
  const ignored = new Set(NOT_HASHED);
  for (const field of options.ignoreFields ?? []) ignored.add(fieldName(field, scope));

  const present = fieldsOf(event, scope).filter(([name]) => !ignored.has(name));
  let ordered = '';
  for (const [name, spec] of EVENT_FIELDS) {
    for (const [fieldName, fieldValue] of present) {
      if (fieldName === name) ordered += standardField(name, spec, fieldValue, scope);
    }
  }
  // Everything else: the typed lists, ilmd (rule 19: its elements sorted), user extensions (rule 20, sorted) and
  // any field this list does not know, all sorted together as the reference implementation sorts them.
  const known = new Set(EVENT_FIELDS.map(([name]) => name));
  const remaining = present
    .filter(([name]) => !known.has(name))
    .flatMap(([name, v]) => (REMAINING_LISTS.has(name) ? [typedList(name, v, scope)] : genericElement(name, v, scope)))
    .filter((part) => part !== '');
  return `eventType=${eventTypeOf(event)}${ordered}${sortedJoin(remaining)}`;
}

/** The EPCIS Event Hash ID of an event: ni:///sha-256;<64 lowercase hex digits>?ver=CBV2.0 (RFC 6920, rule 22). */
export function eventHashId(event: Record<string, unknown>, context?: JsonLdContext, options?: EventHashOptions): string {
  return `ni:///sha-256;${sha256Hex(eventPreHashString(event, context, options))}?ver=CBV2.0`;
}

