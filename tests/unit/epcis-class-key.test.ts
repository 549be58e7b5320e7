// The class key the EPCIS index lists next to an identifier is the canonical form of the pure identity pattern of
// its class, so a pattern query finds the identifier (src/modules/epcis/epcis-index.ts classKeyOf).
import t from 'tap';
import { gs1CheckDigit } from '../../src/lib/identifiers.js';
import { classKeyOf, indexIdentifier, isUnmatchablePattern } from '../../src/modules/epcis/epcis-index.js';

// The GTIN of urn:epc:…:sgtin:0614141.107346: indicator digit 1, company prefix, item reference, check digit.
const GTIN = `1061414107346${gs1CheckDigit('1061414107346')}`;

const pairs: [instance: string, pattern: string][] = [
  ['urn:epc:id:sgtin:0614141.107346.2017', 'urn:epc:idpat:sgtin:0614141.107346.*'],
  ['urn:epc:class:lgtin:0614141.107346.LOT-9', 'urn:epc:idpat:sgtin:0614141.107346.*'],
  [`https://example.com/01/${GTIN}/10/LOT-9/21/2017`, 'urn:epc:idpat:sgtin:0614141.107346.*'],
  ['urn:epc:id:grai:0614141.12345.400', 'urn:epc:idpat:grai:0614141.12345.*'],
  ['urn:epc:id:gdti:0614141.12345.006847', 'urn:epc:idpat:gdti:0614141.12345.*'],
  ['urn:epc:id:cpi:0614141.123ABC.123456789', 'urn:epc:idpat:cpi:0614141.123ABC.*'],
  ['urn:epc:id:itip:4012345.012345.01.02.987', 'urn:epc:idpat:itip:4012345.012345.01.02.*'],
];

t.test('each identifier has the class key its pattern canonicalises to', async (t) => {
  for (const [instance, pattern] of pairs) t.equal(classKeyOf(indexIdentifier(instance)), indexIdentifier(pattern), `${instance} ~ ${pattern}`);
});

t.test('identifiers of a whole key, and other URIs, have none', async (t) => {
  for (const id of [`https://id.gs1.org/01/${GTIN}`, 'https://id.gs1.org/414/0614141000005', 'https://trace.example.cn/id/lot/lot_1', 'https://trace.example.cn/q/ABC'])
    t.equal(classKeyOf(indexIdentifier(id)), undefined, id);
});

t.test('patterns of a company prefix or wider are refused, whole-key patterns are not', async (t) => {
  t.ok(isUnmatchablePattern('urn:epc:idpat:sgtin:0614141.*.*'));
  t.ok(isUnmatchablePattern('urn:epc:idpat:sgtin:*.*.*'));
  t.notOk(isUnmatchablePattern('urn:epc:idpat:sgtin:0614141.107346.*'));
  t.notOk(isUnmatchablePattern('https://id.gs1.org/01/00614141073467'));
});
