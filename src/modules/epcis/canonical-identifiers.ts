// Identifier rules of the CBV 2.0 EPCIS Event Hash ID (ALGORITHM-README rules 17 and 18):
//  - rule 17: EPC URIs (urn:epc:id:…), EPC Class URIs (urn:epc:class:…) and EPC Pattern URIs (urn:epc:idpat:…) are
//    written as the corresponding canonical GS1 Digital Link URI (GS1 Digital Link URI Syntax 1.2 §4.11; the
//    EPC → element string translation of the GS1 EPC Tag Data Standard);
//  - rule 18: a GS1 Digital Link URI is written in its constrained canonical form: domain https://id.gs1.org, no
//    query string, and only the most fine-granular level of identification, i.e. one of the key / key-qualifier
//    combinations 00 | 01 | 01 21 | 01 10 | 01 235 | 253 | 255 | 401 | 402 | 414 | 414 254 | 417 | 8003 | 8004 |
//    8006 | 8006 21 | 8006 10 | 8010 | 8010 8011 | 8017 | 8018.
// Values that are neither are returned unchanged (undefined here), e.g. geo: URIs, urn:epcglobal:cbv:bt: ids, and
// EPC schemes without a Digital Link equivalent at that level (gid, usdod, adi, bic, imovn, most patterns).
import { gs1CheckDigit } from '../../lib/identifiers.js';

const ID_GS1_ORG = 'https://id.gs1.org';

/**
 * The characters the reference implementation percent-encodes when it copies an EPC URI component (serial, lot,
 * extension, asset reference …) into a Digital Link path: those of GS1 Digital Link Table 7-1 that an EPC URI may
 * carry unescaped. Characters the EPC URI already escapes (%22, %25, %26, %2F, %3C, %3E, %3F) stay as they are.
 */
function encodeComponent(value: string): string {
  return value.replace(/[!()*+,:]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function withCheckDigit(digits: string): string {
  return digits + String(gs1CheckDigit(digits));
}

// ---------------------------------------------------------------------------------------------------------------
// EPC URIs (EPC Tag Data Standard, pure identity, class and pattern URIs)

/** One character of an EPC URI component: a percent escape or one of the characters GS1 AI encodable set 82 allows. */
const C = "(?:%[0-9A-Fa-f]{2}|[!'()*+,\\-.0-9:;=A-Za-z_])";
/** CPI reference characters (GS1 AI encodable set 39: digits, capitals, '-', and escaped '#' and '/'). */
const CPI = '(?:%2[3Ff]|[0-9A-Z\\-])';

interface EpcScheme {
  readonly pattern: RegExp;
  /** Builds the Digital Link from the pattern's groups, or undefined when the lengths do not fit the scheme. */
  readonly toDigitalLink: (groups: readonly string[]) => string | undefined;
}

/** Company prefix of 6–12 digits and a reference, together `total` digits long. */
function fits(companyPrefix: string, reference: string, total: number): boolean {
  return companyPrefix.length >= 6 && companyPrefix.length <= 12 && companyPrefix.length + reference.length === total;
}

/** GTIN-14 of an SGTIN/LGTIN/ITIP/UPUI: indicator digit (first of the item reference), company prefix, rest, check. */
function gtin(companyPrefix: string, itemReference: string): string {
  return withCheckDigit(itemReference.slice(0, 1) + companyPrefix + itemReference.slice(1));
}

function scheme(pattern: string, toDigitalLink: (g: readonly string[]) => string | undefined): EpcScheme {
  return { pattern: new RegExp(`^${pattern}$`), toDigitalLink };
}

const at = (g: readonly string[], i: number): string => g[i] ?? '';

const EPC_SCHEMES: readonly EpcScheme[] = [
  // SGTIN → (01) GTIN (21) serial
  scheme(`urn:epc:id:sgtin:(\\d+)\\.(\\d+)\\.(${C}{1,20})`, (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/01/${gtin(at(g, 1), at(g, 2))}/21/${encodeComponent(at(g, 3))}` : undefined,
  ),
  // SSCC → (00): extension digit, company prefix, serial reference, check digit
  scheme('urn:epc:id:sscc:(\\d+)\\.(\\d+)', (g) =>
    fits(at(g, 1), at(g, 2), 17) ? `${ID_GS1_ORG}/00/${withCheckDigit(at(g, 2).slice(0, 1) + at(g, 1) + at(g, 2).slice(1))}` : undefined,
  ),
  // SGLN → (414) GLN, with (254) extension unless the extension is "0" (TDS: "0" means no extension)
  scheme(`urn:epc:id:sgln:(\\d+)\\.(\\d*)\\.(${C}{1,20})`, (g) => {
    if (!fits(at(g, 1), at(g, 2), 12)) return undefined;
    const gln = `${ID_GS1_ORG}/414/${withCheckDigit(at(g, 1) + at(g, 2))}`;
    return at(g, 3) === '0' ? gln : `${gln}/254/${encodeComponent(at(g, 3))}`;
  }),
  // GRAI → (8003) "0" + company prefix + asset type + check digit, then the serial
  scheme(`urn:epc:id:grai:(\\d+)\\.(\\d*)\\.(${C}{1,16})`, (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/8003/${withCheckDigit(`0${at(g, 1)}${at(g, 2)}`)}${encodeComponent(at(g, 3))}` : undefined,
  ),
  // GIAI → (8004) company prefix + asset reference (at most 30 characters together)
  scheme(`urn:epc:id:giai:(\\d+)\\.(${C}+)`, (g) =>
    at(g, 1).length >= 6 && at(g, 1).length <= 12 && at(g, 1).length + componentLength(at(g, 2)) <= 30
      ? `${ID_GS1_ORG}/8004/${at(g, 1)}${encodeComponent(at(g, 2))}`
      : undefined,
  ),
  // GSRN → (8018), GSRN-P → (8017): company prefix + service reference + check digit
  scheme('urn:epc:id:gsrn:(\\d+)\\.(\\d+)', (g) =>
    fits(at(g, 1), at(g, 2), 17) ? `${ID_GS1_ORG}/8018/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  scheme('urn:epc:id:gsrnp:(\\d+)\\.(\\d+)', (g) =>
    fits(at(g, 1), at(g, 2), 17) ? `${ID_GS1_ORG}/8017/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  // GDTI → (253) company prefix + document type + check digit, then the serial
  scheme(`urn:epc:id:gdti:(\\d+)\\.(\\d*)\\.(${C}{1,17})`, (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/253/${withCheckDigit(at(g, 1) + at(g, 2))}${encodeComponent(at(g, 3))}` : undefined,
  ),
  // CPI → (8010) company prefix + component/part reference, (8011) serial
  scheme(`urn:epc:id:cpi:(\\d+)\\.(${CPI}+)\\.(\\d{1,12})`, (g) =>
    at(g, 1).length >= 6 && at(g, 1).length <= 12 && at(g, 1).length + componentLength(at(g, 2)) <= 30
      ? `${ID_GS1_ORG}/8010/${at(g, 1)}${encodeComponent(at(g, 2))}/8011/${at(g, 3)}`
      : undefined,
  ),
  // SGCN → (255) company prefix + coupon reference + check digit, then the serial
  scheme('urn:epc:id:sgcn:(\\d+)\\.(\\d*)\\.(\\d{1,12})', (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/255/${withCheckDigit(at(g, 1) + at(g, 2))}${at(g, 3)}` : undefined,
  ),
  // GINC → (401) company prefix + consignment reference (at most 30 characters together)
  scheme(`urn:epc:id:ginc:(\\d+)\\.(${C}+)`, (g) =>
    at(g, 1).length >= 6 && at(g, 1).length <= 12 && at(g, 1).length + componentLength(at(g, 2)) <= 30
      ? `${ID_GS1_ORG}/401/${at(g, 1)}${encodeComponent(at(g, 2))}`
      : undefined,
  ),
  // GSIN → (402) company prefix + shipper reference + check digit
  scheme('urn:epc:id:gsin:(\\d+)\\.(\\d+)', (g) =>
    fits(at(g, 1), at(g, 2), 16) ? `${ID_GS1_ORG}/402/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  // ITIP → (8006) GTIN + piece + total, (21) serial
  scheme(`urn:epc:id:itip:(\\d+)\\.(\\d+)\\.(\\d{2})\\.(\\d{2})\\.(${C}{1,20})`, (g) =>
    fits(at(g, 1), at(g, 2), 13)
      ? `${ID_GS1_ORG}/8006/${gtin(at(g, 1), at(g, 2))}${at(g, 3)}${at(g, 4)}/21/${encodeComponent(at(g, 5))}`
      : undefined,
  ),
  // UPUI → (01) GTIN (235) third-party controlled serial
  scheme(`urn:epc:id:upui:(\\d+)\\.(\\d+)\\.(${C}{1,28})`, (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/01/${gtin(at(g, 1), at(g, 2))}/235/${encodeComponent(at(g, 3))}` : undefined,
  ),
  // PGLN → (417) company prefix + party reference + check digit
  scheme('urn:epc:id:pgln:(\\d+)\\.(\\d*)', (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/417/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  // LGTIN class → (01) GTIN (10) lot
  scheme(`urn:epc:class:lgtin:(\\d+)\\.(\\d+)\\.(${C}{1,20})`, (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/01/${gtin(at(g, 1), at(g, 2))}/10/${encodeComponent(at(g, 3))}` : undefined,
  ),
  // Patterns whose fixed part is a whole key: the key alone (its most fine-granular level that the pattern names)
  scheme('urn:epc:idpat:sgtin:(\\d+)\\.(\\d+)\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/01/${gtin(at(g, 1), at(g, 2))}` : undefined,
  ),
  scheme('urn:epc:idpat:grai:(\\d+)\\.(\\d*)\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/8003/${withCheckDigit(`0${at(g, 1)}${at(g, 2)}`)}` : undefined,
  ),
  scheme('urn:epc:idpat:gdti:(\\d+)\\.(\\d*)\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/253/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  scheme('urn:epc:idpat:sgcn:(\\d+)\\.(\\d*)\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 12) ? `${ID_GS1_ORG}/255/${withCheckDigit(at(g, 1) + at(g, 2))}` : undefined,
  ),
  scheme(`urn:epc:idpat:cpi:(\\d+)\\.(${CPI}+)\\.\\*`, (g) =>
    at(g, 1).length >= 6 && at(g, 1).length <= 12 && at(g, 1).length + componentLength(at(g, 2)) <= 30
      ? `${ID_GS1_ORG}/8010/${at(g, 1)}${encodeComponent(at(g, 2))}`
      : undefined,
  ),
  scheme('urn:epc:idpat:itip:(\\d+)\\.(\\d+)\\.(\\d{2})\\.(\\d{2})\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/8006/${gtin(at(g, 1), at(g, 2))}${at(g, 3)}${at(g, 4)}` : undefined,
  ),
  scheme('urn:epc:idpat:upui:(\\d+)\\.(\\d+)\\.\\*', (g) =>
    fits(at(g, 1), at(g, 2), 13) ? `${ID_GS1_ORG}/01/${gtin(at(g, 1), at(g, 2))}` : undefined,
  ),
];

/** Length of a component counting a percent escape as the one character it stands for. */
function componentLength(value: string): number {
  return value.replace(/%[0-9A-Fa-f]{2}/g, '_').length;
}

function epcUriToDigitalLink(value: string): string | undefined {
  if (!value.startsWith('urn:epc:')) return undefined;
  for (const { pattern, toDigitalLink } of EPC_SCHEMES) {
    const m = pattern.exec(value);
    if (m) return toDigitalLink(m);
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------------------------------
// GS1 Digital Link URIs

/** Short names of GS1 Digital Link 1.0 for primary keys and key qualifiers, and the AIs they stand for. */
const SHORT_NAMES: Readonly<Record<string, string>> = {
  gtin: '01', itip: '8006', cpid: '8010', gln: '414', party: '417', gsrnp: '8017', gsrn: '8018', gcn: '255',
  sscc: '00', gdti: '253', ginc: '401', gsin: '402', grai: '8003', giai: '8004', cpv: '22', lot: '10', ser: '21',
};

/**
 * A path value: characters of GS1 AI encodable set 82 that may stand unescaped in a URI path, or percent escapes
 * for the others (GS1 Digital Link Table 7-1). `n` is the maximum length, an escape counting as one character.
 */
const x = (min: number, max: number) => new RegExp(`^(?:%[0-9A-Fa-f]{2}|["'\\-.0-9;<=>?A-Z_a-z]){${min},${max}}$`);

interface KeyRule {
  /** Validates (and for GTINs pads) the key value; undefined when it is not a value of this key. */
  readonly value: (v: string) => string | undefined;
  /** Key qualifiers allowed after this key, in the order GS1 Digital Link requires them. */
  readonly qualifiers: readonly string[];
}

const test = (re: RegExp) => (v: string) => (re.test(v) ? v : undefined);
/** A value that starts with a GS1 Company Prefix (at least four digits) and has at most `max` characters. */
const prefixed = (max: number) => (v: string) => (/^\d{4}/.test(v) && x(0, max).test(v) ? v : undefined);

const KEYS: Readonly<Record<string, KeyRule>> = {
  '00': { value: test(/^\d{18}$/), qualifiers: [] },
  // GTIN-8, -12, -13 and -14 are all written as GTIN-14 (GS1 Digital Link §4.11: left-padded with zeros).
  '01': { value: (v) => (/^(?:\d{8}|\d{12,14})$/.test(v) ? v.padStart(14, '0') : undefined), qualifiers: ['22', '10', '21', '235'] },
  '253': { value: (v) => (/^\d{13}/.test(v) && x(13, 30).test(v) ? v : undefined), qualifiers: [] },
  '255': { value: test(/^\d{13,25}$/), qualifiers: [] },
  '401': { value: prefixed(30), qualifiers: [] },
  '402': { value: test(/^\d{17}$/), qualifiers: [] },
  '414': { value: test(/^\d{13}$/), qualifiers: ['254'] },
  '417': { value: test(/^\d{13}$/), qualifiers: [] },
  '8003': { value: (v) => (/^\d{14}/.test(v) && x(14, 30).test(v) ? v : undefined), qualifiers: [] },
  '8004': { value: prefixed(30), qualifiers: [] },
  '8006': { value: test(/^\d{18}$/), qualifiers: ['22', '10', '21'] },
  '8010': { value: test(/^\d{4}(?:%2[3Ff]|[0-9A-Z-]){0,26}$/), qualifiers: ['8011'] },
  '8017': { value: test(/^\d{18}$/), qualifiers: [] },
  '8018': { value: test(/^\d{18}$/), qualifiers: [] },
};

const QUALIFIER_VALUES: Readonly<Record<string, RegExp>> = {
  '22': x(1, 20),
  '10': x(1, 20),
  '21': x(1, 20),
  '235': x(1, 28),
  '254': x(1, 20),
  '8011': /^\d{1,12}$/,
};

/** The canonical path of a key and its qualifiers (segments starting with the key's AI), or undefined. */
function canonicalKeyPath(segments: readonly string[]): string | undefined {
  if (segments.length < 2 || segments.length % 2 !== 0) return undefined;
  const ai = SHORT_NAMES[segments[0] ?? ''] ?? segments[0] ?? '';
  const rule = KEYS[ai];
  const keyValue = rule?.value(segments[1] ?? '');
  if (!rule || keyValue === undefined) return undefined;

  const found = new Map<string, string>();
  let position = -1;
  for (let i = 2; i < segments.length; i += 2) {
    const qualifier = SHORT_NAMES[segments[i] ?? ''] ?? segments[i] ?? '';
    const value = segments[i + 1] ?? '';
    const index = rule.qualifiers.indexOf(qualifier);
    // Qualifiers in their defined order, each once; 235 (third-party serial) excludes lot and serial.
    if (index <= position || !(QUALIFIER_VALUES[qualifier]?.test(value) ?? false)) return undefined;
    if (qualifier === '235' && (found.has('10') || found.has('21'))) return undefined;
    position = index;
    found.set(qualifier, value);
  }

  // Only the most fine-granular level: a serial makes the lot (and the consumer product variant, 22) redundant;
  // a lot makes the variant redundant; 22 alone is dropped (it is not one of the allowed combinations).
  const path = [ai, keyValue];
  const keep = ['21', '235', '10', '254', '8011'].find((q) => found.has(q));
  if (keep !== undefined) path.push(keep, found.get(keep) ?? '');
  return path.join('/');
}

/**
 * Rule 18 for an http(s) URI: the constrained canonical GS1 Digital Link, or undefined when the URI is not a GS1
 * Digital Link URI. The primary key is the first path segment from which the rest of the path is a valid key with
 * key qualifiers (anything before it is the custom domain's path stem); the query string (attributes) and fragment
 * are dropped, and the domain becomes id.gs1.org (a custom domain is replaced, http becomes https).
 */
function digitalLinkToCanonical(value: string): string | undefined {
  const m = /^https?:\/\/[^/?#]*(\/[^?#]*)?(?:\?[^#]*)?(?:#.*)?$/.exec(value);
  const path = m?.[1];
  if (path === undefined) return undefined;
  const segments = path.slice(1).split('/');
  for (let i = 0; i + 1 < segments.length; i++) {
    const segment = segments[i] ?? '';
    if (KEYS[SHORT_NAMES[segment] ?? segment] === undefined) continue;
    const canonical = canonicalKeyPath(segments.slice(i));
    if (canonical !== undefined) return `${ID_GS1_ORG}/${canonical}`;
  }
  return undefined;
}

/**
 * Rules 17 and 18: an EPC URI, EPC Class URI, EPC Pattern URI or GS1 Digital Link URI as its constrained canonical
 * GS1 Digital Link URI; undefined for any other value.
 */
export function canonicalIdentifier(value: string): string | undefined {
  if (value.startsWith('urn:epc:')) return epcUriToDigitalLink(value);
  if (value.startsWith('http://') || value.startsWith('https://')) return digitalLinkToCanonical(value);
  return undefined;
}
