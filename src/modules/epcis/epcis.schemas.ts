import { Type } from 'typebox';

/** An EPCIS 2.0 document as HerbTrace writes it (the GS1 JSON Schema is the full definition; tests validate against it). */
export const EpcisDocumentSchema = Type.Object(
  {
    '@context': Type.Array(Type.Unknown()),
    type: Type.Literal('EPCISDocument'),
    schemaVersion: Type.Literal('2.0'),
    creationDate: Type.String({ format: 'date-time' }),
    epcisBody: Type.Object({ eventList: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
  },
  {
    $id: 'EpcisDocument',
    description:
      'GS1 EPCIS 2.0 EPCISDocument (JSON-LD): the standard context and the herbtrace prefix (PUBLIC_BASE_URL/voc/), every event with its CBV 2.0 Event Hash ID as eventID. Valid against https://ref.gs1.org/standards/epcis/2.0.0/epcis-json-schema.json',
  },
);

/** JSON-LD master data or vocabulary (an open object: its members are IRIs). */
export const JsonLdNode = Type.Record(Type.String(), Type.Unknown(), { $id: 'JsonLdNode', description: 'A JSON-LD node with its @context' });

export const TermParams = Type.Object({ term: Type.String({ minLength: 1, maxLength: 200 }) }, { additionalProperties: false });


// ---------------------------------------------------------------------------------------------------------------
// The query interface (EPCIS 2.0 REST binding)

const listParameter = (description: string) => Type.Optional(Type.String({ minLength: 1, maxLength: 4000, description }));
const timeParameter = (description: string) =>
  Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: `${description} RFC 3339 with an offset (percent-encode the +: %2B).` }));

/** SimpleEventQuery parameters; unknown ones are refused (400 naming them). */
export const EventQuerystring = Type.Object(
  {
    eventType: listParameter('Event types, comma-separated: ObjectEvent, AggregationEvent, TransactionEvent, TransformationEvent, AssociationEvent.'),
    GE_eventTime: timeParameter('Events whose eventTime is at or after this.'),
    LT_eventTime: timeParameter('Events whose eventTime is before this.'),
    GE_recordTime: timeParameter('Events whose recordTime is at or after this.'),
    LT_recordTime: timeParameter('Events whose recordTime is before this.'),
    EQ_bizStep: listParameter('Business steps, comma-separated: bare CBV words (shipping), CBV Web URIs or URNs, herbtrace: terms.'),
    EQ_disposition: listParameter('Dispositions, comma-separated: bare CBV words (in_transit), CBV Web URIs or URNs.'),
    MATCH_epc: listParameter('EPCs in epcList / childEPCs, comma-separated (GS1 Digital Link, EPC URNs or HerbTrace URIs).'),
    MATCH_anyEPC: listParameter('EPCs in any EPC field (epcList, childEPCs, parentID, inputEPCList, outputEPCList).'),
    MATCH_epcClass: listParameter('EPC classes (lots) in quantityList / childQuantityList, comma-separated.'),
    MATCH_anyEPCClass: listParameter('EPC classes in any quantity list (inputQuantityList and outputQuantityList included).'),
    EQ_bizLocation: listParameter('Business locations (site URIs, GS1 Digital Link /414/…, SGLN URNs), comma-separated.'),
    EQ_readPoint: listParameter('Read points, comma-separated.'),
    perPage: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 30, description: 'Events per page (1–1000, default 30).' })),
    nextPageToken: Type.Optional(Type.String({ minLength: 1, maxLength: 512, description: 'The token of the Link rel="next" of the previous page (opaque, signed).' })),
  },
  { additionalProperties: false },
);

export const EventIdParams = Type.Object(
  { eventID: Type.String({ minLength: 1, maxLength: 200, description: 'The Event Hash ID (ni:///sha-256;…?ver=CBV2.0), URL-encoded.' }) },
  { additionalProperties: false },
);
export const EpcParams = Type.Object(
  { epc: Type.String({ minLength: 1, maxLength: 1000, description: 'An EPC or EPC class (GS1 Digital Link, EPC URN or HerbTrace URI), URL-encoded.' }) },
  { additionalProperties: false },
);

/** An EPCISQueryDocument as the query routes write it. */
export const EpcisQueryDocumentSchema = Type.Object(
  {
    '@context': Type.Array(Type.Unknown()),
    type: Type.Literal('EPCISQueryDocument'),
    schemaVersion: Type.Literal('2.0'),
    creationDate: Type.String({ format: 'date-time' }),
    epcisBody: Type.Object({
      queryResults: Type.Object({
        queryName: Type.Literal('SimpleEventQuery'),
        resultsBody: Type.Object({ eventList: Type.Array(Type.Record(Type.String(), Type.Unknown())) }),
      }),
    }),
  },
  {
    $id: 'EpcisQueryDocument',
    description: 'GS1 EPCIS 2.0 EPCISQueryDocument (JSON-LD): the events matching a SimpleEventQuery that the caller may read, each with its Event Hash ID as eventID.',
  },
);

/** A JSON-LD set of names (GET /epcis/eventTypes). */
export const EpcisCollection = Type.Object(
  { '@context': Type.Array(Type.Unknown()), '@set': Type.Array(Type.String()) },
  { $id: 'EpcisCollection', description: 'A collection of names, as the EPCIS 2.0 REST binding lists top-level resources.' },
);

export const epcisSchemas = [EpcisDocumentSchema, JsonLdNode, EpcisQueryDocumentSchema, EpcisCollection];
