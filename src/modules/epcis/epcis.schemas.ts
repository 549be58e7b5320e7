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

export const epcisSchemas = [EpcisDocumentSchema, JsonLdNode];
