// Unit tests of src/lib: the exact arithmetic and identifier rules every route relies on.
import t from 'tap';
import { add, compare, div, fraction, mul, ONE, sub, toDecimals, ZERO } from '../../src/lib/fraction.js';
import {
  creditCodeCheckCharacter,
  encodeDigitalLinkSegment,
  gs1CheckDigit,
  organizationCodeCheckCharacter,
  toGtin14,
  validateCreditCode,
  validateGln,
  validateGtin,
  validateGs1Cset82,
} from '../../src/lib/identifiers.js';
import { convert, decimalJson, decimalValue, massMilligrams, milliToDecimal, parseQuantity, quantityView, toMilli } from '../../src/lib/quantity.js';
import { ValidationError, RuleViolationError } from '../../src/lib/errors.js';

t.test('quantities: thousandths on bigint, exact both ways', async (t) => {
  t.equal(toMilli('850.5'), 850_500n);
  t.equal(toMilli('850.500'), 850_500n, 'a numeric column text');
  t.equal(toMilli('0.001'), 1n);
  t.equal(milliToDecimal(850_500n), '850.5');
  t.equal(milliToDecimal(-1n), '-0.001');
  t.equal(milliToDecimal(12_345_678_901_234_567n), '12345678901234.567');
  t.throws(() => toMilli('1.0001'), /more than 3 decimals/);
  t.strictSame(parseQuantity({ value: '12345678901234.567', unit: 'kg' }, 'body/q'), { milli: 12_345_678_901_234_567n, unit: 'kg' });
  t.strictSame(parseQuantity({ value: 0.125, unit: 't' }, 'body/q'), { milli: 125n, unit: 't' });
  for (const bad of ['0', '-1', '1.2345', '01', '1e3', '']) {
    t.throws(() => parseQuantity({ value: bad, unit: 'kg' }, 'body/q'), ValidationError, `refuses ${JSON.stringify(bad)}`);
  }
  t.throws(() => parseQuantity({ value: '1.5', unit: 'plant' }, 'body/q'), /whole number/);
  t.throws(() => parseQuantity({ value: '1', unit: 'jin' }, 'body/q'), /must be one of/);
});

t.test('quantities: units convert exactly or refuse with the rule', async (t) => {
  t.equal(convert({ milli: 1_500n, unit: 'kg' }, 'g', 'p'), 1_500_000n);
  t.equal(convert({ milli: 1_000n, unit: 'g' }, 'kg', 'p'), 1n, '1 g is 0.001 kg');
  t.throws(() => convert({ milli: 1n, unit: 'g' }, 'kg', 'p'), RuleViolationError, '0.001 g is not exact in kg');
  t.throws(() => convert({ milli: 1_000n, unit: 'box' }, 'kg', 'p'), /only mass units/);
  t.equal(massMilligrams({ milli: 2_000n, unit: 't' }), 2_000_000_000n);
});

t.test('quantities as answered: a number when exact, else the decimal string', async (t) => {
  t.strictSame(quantityView(850_500n, 'kg'), { value: 850.5, unit: 'kg' });
  t.strictSame(quantityView(12_345_678_901_234_567n, 'kg'), { value: '12345678901234.567', unit: 'kg' });
  t.strictSame(quantityView(999_999_999_999_999n, 'kg'), { value: 999_999_999_999.999, unit: 'kg' }, '15 digits stay a number');
  t.equal(decimalValue('850.500'), 850.5);
  t.equal(decimalValue('1000.000'), 1000);
  t.equal(decimalValue('0.000'), 0);
  t.equal(decimalValue('0.125'), 0.125);
  t.equal(decimalValue('12345678901234.567'), '12345678901234.567');
  t.equal(decimalValue('12345678901234.560'), '12345678901234.56');
  t.equal(decimalValue('1234567890123456.000'), '1234567890123456');
  t.equal(decimalJson('12345678901234.567'), '"12345678901234.567"');
  t.equal(decimalJson('850.500'), '850.5');
  // Whatever the form, the value read back is the exact decimal.
  for (const milli of [1n, 999n, 850_500n, 12_345_678_901_234_567n, 99_999_999_999_999_999n]) {
    t.equal(String(quantityView(milli, 'kg').value), milliToDecimal(milli), `${milli} round-trips`);
  }
});

t.test('fractions: exact shares that sum to one', async (t) => {
  const third = fraction(1n, 3n);
  t.strictSame(add(add(third, third), third), ONE);
  t.strictSame(fraction(2n, 4n), { n: 1n, d: 2n });
  t.strictSame(mul(fraction(2n, 3n), fraction(3n, 4n)), { n: 1n, d: 2n });
  t.strictSame(sub(ONE, third), { n: 2n, d: 3n });
  t.strictSame(div(fraction(1n, 2n), fraction(1n, 4n)), { n: 2n, d: 1n });
  t.equal(compare(third, fraction(1n, 2n)), -1);
  t.equal(compare(fraction(2n, 6n), third), 0);
  t.strictSame(add(ZERO, third), third);
  t.throws(() => fraction(1n, 0n));
  t.throws(() => div(ONE, ZERO));
  t.strictSame(toDecimals([third, third, third], 3), ['0.334', '0.333', '0.333'], 'largest remainder: still sums to 1.000');
  t.strictSame(toDecimals([fraction(1n, 8n), fraction(7n, 8n)], 2), ['0.13', '0.87']);
});

t.test('identifiers: credit codes (GB 32100), GTIN and GLN check digits, Digital Link segments', async (t) => {
  const body = '71526726';
  const first17 = `91440300${body}${organizationCodeCheckCharacter(body)}`;
  const code = `${first17}${creditCodeCheckCharacter(first17)}`;
  t.equal(validateCreditCode(code), undefined, 'a code built from its check characters validates');
  t.equal(validateCreditCode('9144030071526726XG'), undefined, 'the README example is valid');
  t.match(validateCreditCode('9144030071526726X1'), /check character/);
  t.match(validateCreditCode('9144030071526726X'), /18 characters/);
  t.match(validateCreditCode('9144030071526726xg'), /contains "x"/);
  t.match(validateCreditCode('0144030071526726XG'), /registration authority/);
  t.equal(gs1CheckDigit('690123456789'), Number(`690123456789${gs1CheckDigit('690123456789')}`.slice(-1)));
  t.equal(gs1CheckDigit('400638133393'), 1, 'GS1 example 4006381333931');
  t.equal(validateGtin('4006381333931'), undefined);
  t.match(validateGtin('4006381333932'), /check digit/);
  t.equal(toGtin14('4006381333931'), '04006381333931');
  t.equal(validateGln('4006381333931'), undefined);
  t.ok(validateGln('400638133393'), 'a GLN has 13 digits');
  t.equal(validateGs1Cset82('SL-2411/01'), undefined);
  t.ok(validateGs1Cset82('批次01'), 'Chinese characters are outside GS1 CSET 82');
  t.equal(encodeDigitalLinkSegment('A/B 1'), 'A%2FB%201');
});
