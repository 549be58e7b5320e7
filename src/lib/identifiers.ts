/**
 * Check-character validation of the identifiers this service stores. Each function returns an error message
 * (for the problem+json `errors[].message`) or undefined when the value is valid.
 */

// GB 32100-2015 统一社会信用代码: 18 characters from this 31-character set (no I, O, S, V, Z).
const CREDIT_CODE_CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const CREDIT_CODE_WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];
// Position 1: registration authority; position 2: organisation category within it (GB 32100-2015 table 1).
const CREDIT_CODE_CATEGORIES: Record<string, string> = {
  '1': '1239',
  '2': '19',
  '3': '123459',
  '4': '19',
  '5': '1239',
  '6': '129',
  '7': '129',
  '8': '19',
  '9': '123',
  A: '19',
  N: '12349',
  Y: '1',
};

// GB 11714 organisation code (positions 9–17 of the credit code): 8 body characters and a check character.
const ORG_CODE_CHARSET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const ORG_CODE_WEIGHTS = [3, 7, 9, 10, 5, 8, 4, 2];

export function creditCodeCheckCharacter(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += CREDIT_CODE_CHARSET.indexOf(first17[i]!) * CREDIT_CODE_WEIGHTS[i]!;
  return CREDIT_CODE_CHARSET[(31 - (sum % 31)) % 31]!;
}

export function organizationCodeCheckCharacter(body8: string): string {
  let sum = 0;
  for (let i = 0; i < 8; i++) sum += ORG_CODE_CHARSET.indexOf(body8[i]!) * ORG_CODE_WEIGHTS[i]!;
  const c = 11 - (sum % 11);
  return c === 10 ? 'X' : c === 11 ? '0' : String(c);
}

export function validateCreditCode(code: string): string | undefined {
  if (code.length !== 18) return `must be 18 characters, got ${code.length}`;
  const bad = [...code].find((ch) => !CREDIT_CODE_CHARSET.includes(ch));
  if (bad !== undefined) {
    return `contains "${bad}": only digits and the capital letters ${CREDIT_CODE_CHARSET.slice(10)} are used`;
  }
  const categories = CREDIT_CODE_CATEGORIES[code[0]!];
  if (categories === undefined) return `registration authority code "${code[0]}" (1st character) does not exist`;
  if (!categories.includes(code[1]!)) {
    return `organisation category "${code[1]}" (2nd character) does not exist for authority "${code[0]}"`;
  }
  if (!/^\d{6}$/.test(code.slice(2, 8))) return 'characters 3–8 must be the 6-digit administrative region code';
  const orgBody = code.slice(8, 16);
  const orgCheck = organizationCodeCheckCharacter(orgBody);
  if (code[16] !== orgCheck) {
    return `embedded organisation code ${orgBody}-${code[16]} fails its GB 11714 check (expected ${orgCheck})`;
  }
  const expected = creditCodeCheckCharacter(code.slice(0, 17));
  if (code[17] !== expected) return `check character is "${code[17]}" but should be "${expected}"`;
  return undefined;
}

/** GS1 mod-10 check digit over the digits before it (GTIN, GLN, SSCC all use it). */
export function gs1CheckDigit(withoutCheck: string): number {
  let sum = 0;
  const digits = [...withoutCheck].reverse();
  digits.forEach((d, i) => {
    sum += Number(d) * (i % 2 === 0 ? 3 : 1);
  });
  return (10 - (sum % 10)) % 10;
}

export function validateGln(gln: string): string | undefined {
  if (!/^\d{13}$/.test(gln)) return 'must be 13 digits';
  const expected = gs1CheckDigit(gln.slice(0, 12));
  if (Number(gln[12]) !== expected) return `check digit is ${gln[12]} but should be ${expected}`;
  return undefined;
}

/** GTIN-8/12/13/14; returns the message, or undefined when valid. */
export function validateGtin(gtin: string): string | undefined {
  if (!/^(\d{8}|\d{12}|\d{13}|\d{14})$/.test(gtin)) return 'must be 8, 12, 13 or 14 digits';
  const expected = gs1CheckDigit(gtin.slice(0, -1));
  if (Number(gtin.at(-1)) !== expected) return `check digit is ${gtin.at(-1)} but should be ${expected}`;
  return undefined;
}

/** A valid GTIN of any length as the 14-digit form stored and used in Digital Link URIs. */
export function toGtin14(gtin: string): string {
  return gtin.padStart(14, '0');
}

export function validateLatitude(lat: number): string | undefined {
  return Number.isFinite(lat) && lat >= -90 && lat <= 90 ? undefined : 'latitude must be between -90 and 90';
}

export function validateLongitude(lon: number): string | undefined {
  return Number.isFinite(lon) && lon >= -180 && lon <= 180 ? undefined : 'longitude must be between -180 and 180';
}

/**
 * GS1 AI encodable character set 82 (GS1 General Specifications 7.11, figure 7.11-1): the characters allowed in
 * AI 10 (batch/lot) and AI 21 (serial) values, each at most 20 characters long.
 */
const GS1_CSET82 = /^[!"%&'()*+,\-./0-9:;<=>?A-Z_a-z]{1,20}$/;

/** Why `value` cannot be an AI 10 or AI 21 value, or undefined when it can. */
export function validateGs1Cset82(value: string): string | undefined {
  if (value.length === 0 || value.length > 20) return 'must be 1 to 20 characters long';
  if (!GS1_CSET82.test(value)) return 'may only contain the GS1 character set 82 (letters A-Z a-z, digits and !"%&\'()*+,-./:;<=>?_)';
  return undefined;
}

/**
 * A path segment of a GS1 Digital Link URI: every character outside the URI unreserved set [A-Za-z0-9-._~]
 * is percent-encoded (GS1 Digital Link 1.2, section 7.4), including the sub-delimiters that
 * encodeURIComponent leaves alone.
 */
export function encodeDigitalLinkSegment(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
