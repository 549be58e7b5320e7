// RFC 8785 (JCS): the examples of the RFC (§3.2.2 and §3.2.3 and the number samples of Appendix B), and refusals.
import t from 'tap';
import { JcsError, canonicalize } from '../src/modules/tlog/index.js';

t.test('the RFC 8785 §3.2.2 example', async (t) => {
  const input = JSON.parse(
    '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001], "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/", "literals": [null, true, false]}',
  );
  t.equal(canonicalize(input), '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}');
});

t.test('the RFC 8785 §3.2.3 sorting example: by UTF-16 code units', async (t) => {
  const input = JSON.parse('{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}');
  t.equal(
    canonicalize(input),
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
  );
});

t.test('numbers: the IEEE 754 samples of RFC 8785 Appendix B', async (t) => {
  const samples: [string, string][] = [
    ['0000000000000000', '0'], ['8000000000000000', '0'], ['0000000000000001', '5e-324'], ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'], ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'], ['c340000000000000', '-9007199254740992'], ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'], ['44b52d02c7e14af6', '1e+23'], ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'], ['444b1ae4d6e2ef4f', '999999999999999900000'], ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'], ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'], ['41b3de4355555554', '333333333.33333325'], ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'], ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'], ['43143ff3c1cb0959', '1424953923781206.2'],
  ];
  for (const [hex, want] of samples) t.equal(canonicalize(Buffer.from(hex, 'hex').readDoubleBE(0)), want, hex);
  for (const bad of [NaN, Infinity, -Infinity]) t.throws(() => canonicalize([bad]), JcsError, `${bad} refused`);
});

t.test('refusals and the rest of JSON', async (t) => {
  t.throws(() => canonicalize({ a: '\ud800' }), JcsError, 'a lone surrogate in a value');
  t.throws(() => canonicalize({ '\udc00': 1 }), JcsError, 'and in a name');
  t.throws(() => canonicalize(10n), JcsError, 'a bigint is not JSON');
  t.equal(canonicalize({ b: [1, { d: 2, c: undefined }], a: 'x', e: {} }), '{"a":"x","b":[1,{"d":2}],"e":{}}', 'nested, undefined members left out');
  t.equal(canonicalize('\u2028\u0000\u001f\u007f'), '"\u2028\\u0000\\u001f\u007f"', 'only controls below 0x20 are escaped');
  t.equal(canonicalize(new Date(Date.UTC(2024, 0, 2))), '"2024-01-02T00:00:00.000Z"');
});
