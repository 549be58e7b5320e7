// Unit tests of what a request's text goes through: the coarse network of a scan, the consumer page's language,
// list cursors and timestamps.
import accepts from '@fastify/accepts';
import Fastify from 'fastify';
import t from 'tap';
import { ValidationError } from '../../src/lib/errors.js';
import { decodeCursor, encodeCursor, toPage } from '../../src/lib/pagination.js';
import {
  formatOffsetTime,
  isCalendarDate,
  MAX_FUTURE_SKEW_MS,
  parseEventTime,
  parseOffsetTime,
  tryParseOffsetTime,
} from '../../src/lib/time.js';
import { coarseNetwork, PAGE_LANGUAGES, pageLang, pickLang } from '../../src/modules/codes/resolve.service.js';

t.test('coarse networks: IPv4 /24, IPv6 /48, never the address', async (t) => {
  const cases: [string | undefined, string | null][] = [
    ['203.0.113.45', '203.0.113.0/24'],
    ['203.0.113.0', '203.0.113.0/24'],
    ['10.0.0.255', '10.0.0.0/24'],
    ['127.0.0.1', '127.0.0.0/24'],
    // IPv4-mapped IPv6 (a dual-stack listener), in every spelling: the IPv4 network.
    ['::ffff:198.51.100.7', '198.51.100.0/24'],
    ['::FFFF:198.51.100.7', '198.51.100.0/24'],
    ['::ffff:c633:6407', '198.51.100.0/24'],
    ['0:0:0:0:0:ffff:198.51.100.7', '198.51.100.0/24'],
    // IPv6: the first three groups, in RFC 5952 form (lower case, no leading zeros, :: for zeros).
    ['2001:db8:abcd:12::1', '2001:db8:abcd::/48'],
    ['2001:DB8:ABCD:0012:0000:0000:0000:0001', '2001:db8:abcd::/48'],
    ['2400:cb00:2048:1::c629:d7a2', '2400:cb00:2048::/48'],
    ['2001:db8::1', '2001:db8::/48'],
    ['2001:0:0:1::1', '2001::/48'],
    ['::1', '::/48'],
    ['fe80::1%eth0', 'fe80::/48'],
    // Not an address: no network.
    [undefined, null],
    ['', null],
    ['garbage', null],
    ['203.0.113', null],
    ['127.1', null],
    ['0x7f.0.0.1', null],
    ['203.0.113.256', null],
    ['2001:db8::1::2', null],
  ];
  for (const [ip, network] of cases) t.equal(coarseNetwork(ip), network, `${ip} → ${network}`);
  t.equal(coarseNetwork('198.51.100.7'), coarseNetwork('198.51.100.200'), 'one /24 is one network');
  t.not(coarseNetwork('198.51.100.7'), coarseNetwork('198.51.101.7'), 'the next /24 is another');
  t.equal(coarseNetwork('2001:db8:1:ffff::1'), coarseNetwork('2001:db8:1::2'), 'one /48 is one network');
});

t.test('page language: ?lang, then Accept-Language negotiation, Chinese by default', async (t) => {
  t.equal(pickLang('en', false), 'en');
  t.equal(pickLang('en-US', 'zh-CN'), 'en', '?lang= wins over the header');
  t.equal(pickLang('zh', 'en'), 'zh-CN');
  t.equal(pickLang('fr', 'en'), 'zh-CN', 'an unknown ?lang= is the default');
  t.equal(pickLang(undefined, 'en'), 'en');
  t.equal(pickLang(undefined, 'zh'), 'zh-CN');
  t.equal(pickLang(undefined, false), 'zh-CN', 'nothing acceptable: the default');
  t.equal(pickLang(undefined, undefined), 'zh-CN');

  // The negotiation the route does (pageLang): @fastify/accepts over PAGE_LANGUAGES, only with a header to negotiate.
  const app = Fastify();
  await app.register(accepts);
  app.get('/', async (request) => pageLang((request.query as { lang?: string }).lang, request.headers['accept-language'], () => request.language(PAGE_LANGUAGES)));
  t.teardown(() => app.close());
  const lang = async (acceptLanguage?: string, query = '') =>
    (await app.inject({ method: 'GET', url: `/${query}`, headers: acceptLanguage === undefined ? {} : { 'accept-language': acceptLanguage } })).body;
  const cases: [string | undefined, string][] = [
    [undefined, 'zh-CN'],
    ['', 'zh-CN'],
    ['en', 'en'],
    ['EN-us', 'en'],
    ['en-US,en;q=0.9,zh;q=0.5', 'en'],
    ['zh-CN,zh;q=0.9,en;q=0.8', 'zh-CN'],
    ['zh-TW,en;q=0.8', 'zh-CN'],
    ['zh-HK', 'zh-CN'],
    ['fr-FR,fr;q=0.9', 'zh-CN'],
    ['fr;q=1, en;q=0.5', 'en'],
    ['de, en;q=0.1, zh;q=0.2', 'zh-CN'],
    ['*', 'zh-CN'],
    ['en;q=0, zh', 'zh-CN'],
    ['en;q=0', 'zh-CN'],
    ['ja, en-GB;q=0.7', 'en'],
    [';;;,,', 'zh-CN'],
  ];
  for (const [header, expected] of cases) t.equal(await lang(header), expected, `Accept-Language ${JSON.stringify(header)} → ${expected}`);
  t.equal(await lang('zh-CN', '?lang=en'), 'en', 'the query wins over the header');
});

t.test('list cursors: what encodeCursor writes decodes, nothing else does', async (t) => {
  const position = { createdAt: new Date('2024-09-18T00:00:00.123Z'), id: 'lot_abc123XYZ_-' };
  const cursor = encodeCursor(position);
  t.match(cursor, /^[A-Za-z0-9_-]+$/, 'URL-safe');
  t.strictSame(decodeCursor(cursor), position, 'round trip');
  t.equal(decodeCursor(undefined), undefined, 'no cursor: the first page');

  const encode = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
  const refused = [
    'garbage!',
    '',
    encode('not json'),
    encode({ createdAt: '2024-09-18T00:00:00.000Z', id: 'lot_1' }),
    encode(['2024-09-18T00:00:00.000Z']),
    encode([1726617600000, 'lot_1']),
    encode(['2024-09-18', 'lot_1']),
    encode(['2024-02-30T00:00:00.000Z', 'lot_1']),
    encode(['2300-01-01T00:00:00.000Z', 'lot_1']),
    encode(['2024-09-18T00:00:00.000Z', 'lot 1']),
    encode(['2024-09-18T00:00:00.000Z', 'x'.repeat(65)]),
    encode(['2024-09-18T00:00:00.000Z', '']),
    encode(['2024-09-18T00:00:00.000Z', 42]),
  ];
  for (const bad of refused) {
    t.throws(() => decodeCursor(bad), ValidationError, `refuses ${JSON.stringify(bad)}`);
  }
  try {
    decodeCursor('garbage!');
  } catch (error) {
    t.strictSame((error as ValidationError).errors, [{ path: 'cursor', message: 'is not a cursor this service issued' }], 'names the cursor');
  }

  const rows = [1, 2, 3, 4].map((n) => ({ createdAt: new Date(Date.UTC(2024, 0, n)), id: `row_${n}` }));
  const page = toPage(rows, 3, (r) => r.id);
  t.strictSame(page.items, ['row_1', 'row_2', 'row_3'], 'limit rows');
  t.strictSame(decodeCursor(page.nextCursor!), { createdAt: rows[2]!.createdAt, id: 'row_3' }, 'the next page starts after the last row shown');
  t.strictSame(toPage(rows.slice(0, 3), 3, (r) => r.id), { items: ['row_1', 'row_2', 'row_3'], nextCursor: null }, 'no row beyond the limit: no next page');
  t.strictSame(toPage([], 3, (r: { createdAt: Date; id: string }) => r.id), { items: [], nextCursor: null });
});

t.test('timestamps: ISO 8601 with an offset, kept in the offset the client wrote', async (t) => {
  const parsed = tryParseOffsetTime('2024-09-18T08:00:00+08:00')!;
  t.equal(parsed.at.toISOString(), '2024-09-18T00:00:00.000Z');
  t.equal(parsed.offsetMinutes, 480);
  t.equal(formatOffsetTime(parsed.at, parsed.offsetMinutes), '2024-09-18T08:00:00.000+08:00', 'the same local time back');

  const cases: [string, string, number][] = [
    ['2024-09-18T08:00:00Z', '2024-09-18T08:00:00.000Z', 0],
    ['2024-09-18T08:00:00.5Z', '2024-09-18T08:00:00.500Z', 0],
    ['2024-09-18T08:00:00.12+08:00', '2024-09-18T00:00:00.120Z', 480],
    ['2024-09-18T08:00:00.123-05:30', '2024-09-18T13:30:00.123Z', -330],
    ['2024-09-18T00:30:00+05:45', '2024-09-17T18:45:00.000Z', 345],
    ['2024-01-01T00:00:00+14:00', '2023-12-31T10:00:00.000Z', 840],
    ['2024-01-01T00:00:00-18:00', '2024-01-01T18:00:00.000Z', -1080],
    ['2024-02-29T23:59:59+00:00', '2024-02-29T23:59:59.000Z', 0],
    ['2024-09-18T08:00:00-00:00', '2024-09-18T08:00:00.000Z', 0],
    ['1900-01-01T00:00:00Z', '1900-01-01T00:00:00.000Z', 0],
    ['2200-12-31T23:59:59.999Z', '2200-12-31T23:59:59.999Z', 0],
  ];
  for (const [text, instant, offset] of cases) {
    const time = tryParseOffsetTime(text);
    t.ok(time, `${text} is taken`);
    t.equal(time?.at.toISOString(), instant, `${text} is the instant ${instant}`);
    t.equal(time?.offsetMinutes, offset, `${text} keeps offset ${offset}`);
  }
  t.equal(formatOffsetTime(new Date('2024-09-17T18:45:00Z'), 345), '2024-09-18T00:30:00.000+05:45', 'a local date after the UTC date');
  t.equal(formatOffsetTime(new Date('2024-09-18T13:30:00.123Z'), -330), '2024-09-18T08:00:00.123-05:30', 'a negative offset');
  t.equal(formatOffsetTime(new Date('2024-01-01T18:00:00Z'), -1080), '2024-01-01T00:00:00.000-18:00');
  t.equal(formatOffsetTime(new Date('2024-09-18T08:00:00Z'), 0), '2024-09-18T08:00:00.000Z', 'UTC as Z');

  const refused = [
    '2024-09-18',
    '2024-09-18T08:00:00',
    '2024-09-18 08:00:00Z',
    '2024-09-18T08:00Z',
    '2024-09-18T08:00:00+08',
    '2024-09-18T08:00:00+0800',
    '2024-09-18T08:00:00.1234Z',
    '2024-09-18T08:00:00.Z',
    '2024-09-18T24:00:00Z',
    '2024-09-18T23:60:00Z',
    '2016-12-31T23:59:60Z',
    '2023-02-29T00:00:00Z',
    '2024-04-31T00:00:00Z',
    '2024-13-01T00:00:00Z',
    '2024-00-10T00:00:00Z',
    '2024-09-18T08:00:00+18:01',
    '2024-09-18T08:00:00+19:00',
    '2024-09-18T08:00:00+08:60',
    '1899-12-31T23:59:59Z',
    '2201-01-01T00:00:00Z',
    '1900-01-01T00:00:00+01:00',
    '2200-12-31T23:00:00-02:00',
    '+002024-09-18T08:00:00Z',
    '2024-09-18t08:00:00z',
    ' 2024-09-18T08:00:00Z',
    '２０２４-09-18T08:00:00Z',
  ];
  for (const text of refused) t.equal(tryParseOffsetTime(text), undefined, `refuses ${JSON.stringify(text)}`);

  t.throws(() => parseOffsetTime('2024-09-18', 'body/producedAt'), { errors: [{ path: 'body/producedAt' }] }, 'parseOffsetTime names the field');
  const now = Date.parse('2024-09-18T00:00:00Z');
  t.equal(parseEventTime('2024-09-18T23:59:59Z', 'body/occurredAt', now).at.getTime(), Date.parse('2024-09-18T23:59:59Z'), 'within a day ahead: clock skew');
  t.equal(parseEventTime(new Date(now + MAX_FUTURE_SKEW_MS).toISOString(), 'body/occurredAt', now).at.getTime(), now + MAX_FUTURE_SKEW_MS, 'exactly a day ahead');
  t.throws(() => parseEventTime(new Date(now + MAX_FUTURE_SKEW_MS + 1).toISOString(), 'body/occurredAt', now), { errors: [{ path: 'body/occurredAt', message: 'is more than one day in the future' }] });

  for (const day of ['2024-02-29', '1900-01-01', '2200-12-31', '2023-12-31']) t.ok(isCalendarDate(day), `${day} is a day`);
  for (const day of ['2023-02-29', '1900-02-29', '2024-04-31', '1899-12-31', '2201-01-01', '2024-9-1', '20240918', '2024-09-18T00:00:00Z']) {
    t.notOk(isCalendarDate(day), `${day} is not`);
  }
  t.ok(isCalendarDate('2000-02-29'), '2000 is a leap year');
});
