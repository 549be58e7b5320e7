// The CBV 2.0 EPCIS Event Hash ID (src/modules/epcis/event-hash.ts) against every published test vector in
// ../shared/corpora/epcis/hash (from the reference implementation, RalphTro/epcis-event-hash-generator), and the
// properties the algorithm exists for: the same event in another serialisation has the same hash, another event
// has another.
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { eventHashId, eventPreHashString } from '../../src/modules/epcis/index.js';

type Json = Record<string, unknown>;

const VECTORS = path.resolve(process.cwd(), '../shared/corpora/epcis/hash');

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The lines of a vector file; a missing final newline is allowed. */
function lines(file: string): string[] {
  const all = readFileSync(file, 'utf8').split(/\r?\n/);
  if (all.at(-1) === '') all.pop();
  return all;
}

/** The events of an EPCIS document in document order: eventList, a query's resultsBody.eventList, or one event. */
function eventsOf(doc: Json): Json[] {
  const body = isObject(doc.epcisBody) ? doc.epcisBody : {};
  const query = isObject(body.queryResults) ? body.queryResults : {};
  const results = isObject(query.resultsBody) ? query.resultsBody : {};
  const list = body.eventList ?? results.eventList ?? (isObject(body.event) ? [body.event] : typeof doc.type === 'string' && doc.type.endsWith('Event') ? [doc] : undefined);
  if (!Array.isArray(list) || !list.every(isObject)) throw new Error('no events in the document');
  return list;
}

/** The reference implementation's repository-specific "<prefix>:ignoreFields" list, on the document or its query results. */
function ignoreFieldsOf(doc: Json): string[] | undefined {
  const body = isObject(doc.epcisBody) ? doc.epcisBody : {};
  for (const holder of [doc, isObject(body.queryResults) ? body.queryResults : {}]) {
    for (const [key, value] of Object.entries(holder)) {
      if (key.endsWith(':ignoreFields') && Array.isArray(value)) return value.filter((v): v is string => typeof v === 'string');
    }
  }
  return undefined;
}

t.test('every published vector: pre-hash string and Event Hash ID', async (t) => {
  t.ok(existsSync(VECTORS), `vector folder ${VECTORS} exists`);
  if (!existsSync(VECTORS)) return;
  const documents = readdirSync(VECTORS).filter((f) => f.endsWith('.jsonld')).sort();
  t.ok(documents.length > 0, 'the folder has vector documents');

  let hashVectors = 0;
  let hashMatches = 0;
  let preVectors = 0;
  let preMatches = 0;
  for (const file of documents) {
    const name = file.slice(0, -'.jsonld'.length);
    await t.test(name, async (t) => {
      const doc: unknown = JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8'));
      if (!isObject(doc)) throw new Error(`${file} is not a JSON object`);
      const context = doc['@context'] as Parameters<typeof eventPreHashString>[1];
      const options = { ignoreFields: ignoreFieldsOf(doc) };
      const events = eventsOf(doc);
      const hashes = lines(path.join(VECTORS, `${name}.hashes`));
      const prehashFile = path.join(VECTORS, `${name}.prehashes`);
      const prehashes = existsSync(prehashFile) ? lines(prehashFile) : undefined;
      t.equal(hashes.length, events.length, 'one expected hash per event');
      if (prehashes) t.equal(prehashes.length, events.length, 'one expected pre-hash string per event');
      else t.comment(`${name}: no .prehashes file, so only the hashes are compared`);

      events.forEach((event, i) => {
        const pre = eventPreHashString(event, context, options);
        const hash = eventHashId(event, context, options);
        const expectedPre = prehashes?.[i];
        if (expectedPre !== undefined) {
          preVectors++;
          if (pre === expectedPre) preMatches++;
          t.equal(pre, expectedPre, `event ${i}: pre-hash string`);
        }
        hashVectors++;
        if (hash === hashes[i]) hashMatches++;
        t.equal(hash, hashes[i], `event ${i}: hash`);
      });
    });
  }
  t.comment(
    `EPCIS hash vectors: ${documents.length} documents, ${hashVectors} events; hashes ${hashMatches}/${hashVectors} match, ` +
      `pre-hash strings ${preMatches}/${preVectors} match`,
  );
});

// ---------------------------------------------------------------------------------------------------------------

/** A deep copy with every object's keys and every array in reverse order. */
function reversed(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(reversed).reverse();
  if (isObject(value)) return Object.fromEntries(Object.entries(value).reverse().map(([k, v]) => [k, reversed(v)]));
  return value;
}

const CONTEXT = ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { example: 'https://ns.example.com/epcis/' }];

function baseEvent(): Json {
  return {
    type: 'ObjectEvent',
    eventTime: '2020-03-04T11:00:30.000+01:00',
    eventTimeZoneOffset: '+01:00',
    epcList: ['urn:epc:id:sgtin:4012345.011111.9876', 'urn:epc:id:sscc:4012345.0000000111'],
    quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.LOT1', quantity: 1.5, uom: 'KGM' }],
    action: 'OBSERVE',
    bizStep: 'shipping',
    disposition: 'in_transit',
    readPoint: { id: 'urn:epc:id:sgln:4012345.00011.0' },
    bizTransactionList: [
      { type: 'po', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO-1' },
      { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:ASN-7' },
    ],
    sourceList: [{ type: 'owning_party', source: 'urn:epc:id:pgln:4012345.00000' }],
    sensorElementList: [
      {
        sensorMetadata: { time: '2020-03-04T10:59:00+01:00', deviceID: 'urn:epc:id:giai:4000001.111' },
        sensorReport: [
          { type: 'Temperature', value: 4.5, uom: 'CEL' },
          { type: 'RelativeHumidity', value: 61, uom: 'P1' },
        ],
      },
    ],
    ilmd: { 'example:harvestDate': '2019-09-30', 'example:origin': { 'example:region': 'Jilin' } },
    'example:grade': 'A',
  };
}

t.test('key order and list order do not change the hash', async (t) => {
  const base = baseEvent();
  t.equal(eventPreHashString(reversed(base) as Json, CONTEXT), eventPreHashString(base, CONTEXT));
  // Every vector event too, with all keys and all lists reversed.
  if (existsSync(VECTORS)) {
    let checked = 0;
    for (const file of readdirSync(VECTORS).filter((f) => f.endsWith('.jsonld'))) {
      const doc = JSON.parse(readFileSync(path.join(VECTORS, file), 'utf8')) as Json;
      const context = doc['@context'] as Parameters<typeof eventPreHashString>[1];
      for (const event of eventsOf(doc)) {
        t.equal(eventHashId(reversed(event) as Json, context), eventHashId(event, context), `${file}: reversed keys and lists`);
        checked++;
      }
    }
    t.ok(checked > 0, `${checked} vector events reversed`);
  }
  // A typed list entry with its id before its type.
  const swapped = { ...base, bizTransactionList: [{ bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO-1', type: 'po' }, { bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:ASN-7', type: 'desadv' }] };
  t.equal(eventHashId(swapped, CONTEXT), eventHashId(base, CONTEXT), 'bizTransaction before type');
});

t.test('timestamps: UTC, milliseconds, offset and rounding normalised', async (t) => {
  const at = (eventTime: string) => eventPreHashString({ ...baseEvent(), eventTime }, CONTEXT);
  const expected = at('2020-03-04T10:00:30.000Z');
  t.match(expected, /eventTime=2020-03-04T10:00:30\.000ZeventTimeZoneOffset=\+01:00/);
  for (const same of ['2020-03-04T11:00:30+01:00', '2020-03-04T10:00:30Z', '2020-03-04T05:30:30-04:30', '2020-03-04T10:00:30.0004Z', '2020-03-04T10:00:29.9996Z', '2020-03-04T10:00:30.000000+00:00']) {
    t.equal(at(same), expected, same);
  }
  t.match(at('2020-03-04T23:30:00-01:00'), /eventTime=2020-03-05T00:30:00\.000Z/, 'the UTC date can be the next day');
  t.match(at('2023-01-18T11:04:03.1415Z'), /eventTime=2023-01-18T11:04:03\.142Z/, 'the 4th decimal 5 rounds up');
  t.match(at('2023-01-18T11:04:03.1414Z'), /eventTime=2023-01-18T11:04:03\.141Z/, 'the 4th decimal 4 rounds down');
  t.match(at('2023-12-31T23:59:59.9995Z'), /eventTime=2024-01-01T00:00:00\.000Z/, 'rounding carries into the year');
  t.not(at('2020-03-04T10:00:30.001Z'), expected, 'a millisecond is a different event');
  t.match(eventPreHashString(baseEvent(), CONTEXT), /sensorMetadatatime=2020-03-04T09:59:00\.000Z/, 'sensor times too');
  t.not(eventHashId({ ...baseEvent(), eventTimeZoneOffset: '+02:00' }, CONTEXT), eventHashId(baseEvent(), CONTEXT), 'the offset field itself is hashed');
});

t.test('any changed, added or removed value changes the hash', async (t) => {
  const base = baseEvent();
  const hash = eventHashId(base, CONTEXT);
  const variants: Record<string, Json> = {
    'another serial': { ...base, epcList: ['urn:epc:id:sgtin:4012345.011111.9877', 'urn:epc:id:sscc:4012345.0000000111'] },
    'one epc fewer': { ...base, epcList: ['urn:epc:id:sscc:4012345.0000000111'] },
    'another quantity': { ...base, quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.LOT1', quantity: 1.6, uom: 'KGM' }] },
    'another unit': { ...base, quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.LOT1', quantity: 1.5, uom: 'LTR' }] },
    'another bizStep': { ...base, bizStep: 'receiving' },
    'another action': { ...base, action: 'ADD' },
    'another read point': { ...base, readPoint: { id: 'urn:epc:id:sgln:4012345.00011.1' } },
    'another transaction type': { ...base, bizTransactionList: [{ type: 'inv', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:PO-1' }, { type: 'desadv', bizTransaction: 'urn:epcglobal:cbv:bt:4012345000009:ASN-7' }] },
    'another sensor value': { ...base, sensorElementList: [{ sensorMetadata: { time: '2020-03-04T10:59:00+01:00', deviceID: 'urn:epc:id:giai:4000001.111' }, sensorReport: [{ type: 'Temperature', value: 4.6, uom: 'CEL' }, { type: 'RelativeHumidity', value: 61, uom: 'P1' }] }] },
    'another ILMD value': { ...base, ilmd: { 'example:harvestDate': '2019-10-01', 'example:origin': { 'example:region': 'Jilin' } } },
    'another nested ILMD value': { ...base, ilmd: { 'example:harvestDate': '2019-09-30', 'example:origin': { 'example:region': 'Liaoning' } } },
    'another extension value': { ...base, 'example:grade': 'B' },
    'an added extension': { ...base, 'example:note': 'x' },
    'an added disposition': { ...base, persistentDisposition: { set: ['recalled'] } },
    'another event type': { ...base, type: 'TransactionEvent' },
  };
  const { disposition: _removed, ...withoutDisposition } = base;
  variants['a removed field'] = withoutDisposition;
  const seen = new Set([hash]);
  for (const [name, variant] of Object.entries(variants)) {
    const h = eventHashId(variant, CONTEXT);
    t.not(h, hash, name);
    seen.add(h);
  }
  t.equal(seen.size, Object.keys(variants).length + 1, 'all variants hash differently from each other');
});

t.test('equivalent spellings of the same event hash alike', async (t) => {
  const base = baseEvent();
  const hash = eventHashId(base, CONTEXT);
  const same: Record<string, Json> = {
    'Digital Link ids, custom domain and query string': {
      ...base,
      epcList: ['https://brand.example.com/01/04012345111118/21/9876?linkType=all', 'https://id.gs1.org/00/040123450000001112'],
      readPoint: { id: 'https://example.org/414/4012345000115' },
    },
    'GTIN-13 short-name Digital Link': { ...base, epcList: ['http://example.com/gtin/4012345111118/ser/9876', 'urn:epc:id:sscc:4012345.0000000111'] },
    'CBV 1.x vocabulary URNs': { ...base, bizStep: 'urn:epcglobal:cbv:bizstep:shipping', disposition: 'urn:epcglobal:cbv:disp:in_transit' },
    'Web URIs and CURIEs': { ...base, bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping', disposition: 'cbv:Disp-in_transit' },
    'number syntax': { ...base, quantityList: [{ epcClass: 'urn:epc:class:lgtin:4012345.012345.LOT1', quantity: '1.50', uom: 'KGM' }] },
    'whitespace around values': { ...base, action: ' OBSERVE ', 'example:grade': 'A\n' },
    'no eventID, recordTime, errorDeclaration or comment in the hash': {
      ...base,
      eventID: 'ni:///sha-256;00?ver=CBV2.0',
      recordTime: '2024-01-01T00:00:00Z',
      errorDeclaration: { declarationTime: '2024-01-02T00:00:00Z', reason: 'incorrect_data' },
      'rdfs:comment': 'checked by hand',
    },
  };
  for (const [name, variant] of Object.entries(same)) t.equal(eventHashId(variant, CONTEXT), hash, name);

  // The namespace matters, not the prefix that names it, nor where it is declared.
  const renamed = JSON.parse(JSON.stringify(base).replaceAll('"example:', '"ns1:')) as Json;
  t.equal(eventHashId(renamed, ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ns1: 'https://ns.example.com/epcis/' }]), hash, 'another prefix');
  t.equal(eventHashId({ ...base, '@context': CONTEXT }), hash, "the event's own @context");
  t.not(eventHashId(base, [{ example: 'https://ns.other.example/' }]), hash, 'another namespace is another event');
  t.equal(eventHashId({ ...base, 'ex2:internal': 'x' }, [...CONTEXT, { ex2: 'https://repository-x.example.com/' }], { ignoreFields: ['ex2:internal'] }), hash, 'ignoreFields');
});

t.test('pre-hash details', async (t) => {
  const pre = eventPreHashString(baseEvent(), CONTEXT);
  t.ok(pre.startsWith('eventType=ObjectEventeventTime=2020-03-04T10:00:30.000ZeventTimeZoneOffset=+01:00epcListepc=https://id.gs1.org/00/040123450000001112epc=https://id.gs1.org/01/04012345111118/21/9876'), 'canonical order, lists sorted after normalisation');
  t.match(pre, 'quantityListquantityElementepcClass=https://id.gs1.org/01/04012345123456/10/LOT1quantity=1.5uom=KGMaction=OBSERVE');
  t.match(pre, 'readPointid=https://id.gs1.org/414/4012345000115', 'SGLN extension 0 is no extension');
  t.match(pre, 'sensorReporttype=https://gs1.org/voc/RelativeHumidityvalue=61uom=P1sensorReporttype=https://gs1.org/voc/Temperaturevalue=4.5uom=CEL', 'sensor reports sorted');
  t.ok(
    pre.endsWith(
      'bizTransactionListtype=https://ref.gs1.org/cbv/BTT-desadvbizTransaction=urn:epcglobal:cbv:bt:4012345000009:ASN-7type=https://ref.gs1.org/cbv/BTT-pobizTransaction=urn:epcglobal:cbv:bt:4012345000009:PO-1' +
        'ilmd{https://ns.example.com/epcis/}harvestDate=2019-09-30{https://ns.example.com/epcis/}origin{https://ns.example.com/epcis/}region=Jilin' +
        'sourceListtype=https://ref.gs1.org/cbv/SDT-owning_partysource=https://id.gs1.org/417/4012345000009{https://ns.example.com/epcis/}grade=A',
    ),
    'typed lists, ILMD and extensions sorted together at the end',
  );
  const hash = eventHashId(baseEvent(), CONTEXT);
  t.match(hash, /^ni:\/\/\/sha-256;[0-9a-f]{64}\?ver=CBV2\.0$/);
  t.equal(hash, `ni:///sha-256;${createHash('sha256').update(pre, 'utf8').digest('hex')}?ver=CBV2.0`, 'SHA-256 of the UTF-8 pre-hash string');

  // Sorting is by code point (UTF-8 order), not by UTF-16 code unit: U+FFFD sorts before U+1F33F.
  t.match(eventPreHashString({ type: 'ObjectEvent', 'example:tag': ['\u{1F33F}', '\uFFFD'] }, CONTEXT), '{https://ns.example.com/epcis/}tag=\uFFFD{https://ns.example.com/epcis/}tag=\u{1F33F}');
  t.match(eventPreHashString({ type: 'ObjectEvent', 'example:count': '００７' }, CONTEXT), '}count=7', 'numbers in any decimal digits');
  t.match(eventPreHashString({ type: 'ObjectEvent', 'example:ok': true }, CONTEXT), '}ok=true', 'booleans as in XML');
  t.throws(() => eventPreHashString({ eventTime: '2020-01-01T00:00:00Z' }), TypeError, 'an event needs a type');
});
