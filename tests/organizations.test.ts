import t from 'tap';
import { eq } from 'drizzle-orm';
import { organizations } from '../src/db/schema.js';
import { adminHeaders, makeCreditCode, setupApp } from './support/app.js';
import { errorPaths, expectProblem, isRecentTimestamp, listAll } from './support/http.js';

interface Organization {
  id: string;
  name: string;
  kinds: string[];
  creditCode: string;
  regionCode: string;
  regionName: string;
  address: string | null;
  gln: string | null;
  createdAt: string;
}

const { app, database, createOrganization } = await setupApp(t);

const allOrganizations = () => listAll<Organization>(app, '/v1/organizations', adminHeaders);
const postOrganization = (payload: unknown, headers: Record<string, string> = adminHeaders) =>
  app.inject({ method: 'POST', url: '/v1/organizations', headers, payload: payload as Record<string, unknown> });

t.test('create an organisation: 201, Location, every field, kinds sorted, regionName', async (t) => {
  const creditCode = makeCreditCode('220621', '93');
  const payload = {
    name: '抚松县松岭人参种植专业合作社',
    kinds: ['gap_base', 'cooperative', 'seed_producer'],
    creditCode,
    regionCode: '220621',
    address: '吉林省白山市抚松县松江河镇',
    gln: '6901234000016',
  };
  const res = await postOrganization(payload);
  t.equal(res.statusCode, 201, res.body);
  t.match(String(res.headers['content-type']), /^application\/json/);
  const body = res.json() as Organization;
  t.match(body.id, /^org_[0-9a-z]{16}$/, 'prefixed random id');
  t.equal(res.headers.location, `/v1/organizations/${body.id}`);
  t.ok(isRecentTimestamp(body.createdAt), `createdAt is a recent ISO timestamp: ${body.createdAt}`);
  t.strictSame(body, {
    id: body.id,
    name: '抚松县松岭人参种植专业合作社',
    kinds: ['cooperative', 'gap_base', 'seed_producer'],
    creditCode,
    regionCode: '220621',
    regionName: '吉林省 白山市 抚松县',
    address: '吉林省白山市抚松县松江河镇',
    gln: '6901234000016',
    createdAt: body.createdAt,
  });

  const { headers: orgKeyHeaders } = await createOrganization();
  const byKey = await app.inject({ method: 'GET', url: `/v1/organizations/${body.id}`, headers: orgKeyHeaders });
  t.equal(byKey.statusCode, 200, 'readable with any organisation key');
  t.strictSame(byKey.json(), body, 'GET with an org key returns what POST returned');

  const byAdmin = await app.inject({ method: 'GET', url: res.headers.location as string, headers: adminHeaders });
  t.equal(byAdmin.statusCode, 200);
  t.strictSame(byAdmin.json(), body, 'GET Location with admin returns what POST returned');

  const listed = (await allOrganizations()).filter((o) => o.id === body.id);
  t.strictSame(listed, [body], 'the list shows it once, identical');
});

t.test('optional fields default to null', async (t) => {
  const creditCode = makeCreditCode();
  const res = await postOrganization({ name: '白山市参茸贸易有限公司', kinds: ['trader'], creditCode, regionCode: '220600' });
  t.equal(res.statusCode, 201, res.body);
  const body = res.json() as Organization;
  t.equal(body.address, null);
  t.equal(body.gln, null);
  t.equal(body.regionName, '吉林省 白山市', 'a prefecture-level code has a two-part name');
  t.strictSame(body.kinds, ['trader']);
});

t.test('GET unknown organisation → 404 problem+json; no key → 401', async (t) => {
  const res = await app.inject({ method: 'GET', url: '/v1/organizations/org_0000000000000000', headers: adminHeaders });
  const problem = expectProblem(t, res, 404, '/problems/not-found');
  t.equal(problem.instance, '/v1/organizations/org_0000000000000000');
  t.match(problem.detail, /org_0000000000000000/);

  const { organization } = await createOrganization();
  const anonymous = await app.inject({ method: 'GET', url: `/v1/organizations/${organization.id}` });
  expectProblem(t, anonymous, 401, '/problems/unauthorized');
});

t.test('list: kind filter', async (t) => {
  // 'lab' and 'logistics' are used by no other test in this file.
  const lab = await createOrganization({ name: '吉林省药检所', kinds: ['lab'] });
  const labAndLogistics = await createOrganization({ name: '长白山冷链检测', kinds: ['logistics', 'lab'] });
  const logistics = await createOrganization({ name: '延边物流', kinds: ['logistics'] });

  const labs = await app.inject({ method: 'GET', url: '/v1/organizations?kind=lab', headers: adminHeaders });
  t.equal(labs.statusCode, 200);
  const labPage = labs.json() as { items: Organization[]; nextCursor: string | null };
  t.strictSame(labPage.items.map((o) => o.id).sort(), [lab.organization.id, labAndLogistics.organization.id].sort());
  t.equal(labPage.nextCursor, null);
  t.ok(labPage.items.every((o) => o.kinds.includes('lab')));

  const logisticsList = await listAll<Organization>(app, '/v1/organizations?kind=logistics', lab.headers);
  t.strictSame(logisticsList.map((o) => o.id).sort(), [labAndLogistics.organization.id, logistics.organization.id].sort(), 'an org key may list too');

  const none = await app.inject({ method: 'GET', url: '/v1/organizations?kind=retailer', headers: adminHeaders });
  t.equal(none.statusCode, 200);
  t.strictSame(none.json(), { items: [], nextCursor: null });

  const badKind = await app.inject({ method: 'GET', url: '/v1/organizations?kind=pharmacy', headers: adminHeaders });
  const problem = expectProblem(t, badKind, 400, '/problems/validation-error');
  t.strictSame(errorPaths(problem), ['querystring/kind']);
});

t.test('list: cursor pagination with limit=1 walks every organisation exactly once', async (t) => {
  for (let i = 0; i < 4; i++) await createOrganization({ name: `分页测试 ${i}` });
  const all = await allOrganizations();
  t.ok(all.length >= 5, `at least 5 organisations exist (${all.length})`);

  const seen: string[] = [];
  let cursor: string | null = null;
  let pages = 0;
  do {
    const url: string = `/v1/organizations?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res = await app.inject({ method: 'GET', url, headers: adminHeaders });
    t.equal(res.statusCode, 200, res.body);
    const page = res.json() as { items: Organization[]; nextCursor: string | null };
    t.equal(page.items.length, 1, `page ${pages} has one item`);
    seen.push(...page.items.map((o) => o.id));
    cursor = page.nextCursor;
    pages++;
  } while (cursor !== null && pages < all.length + 5);
  t.equal(cursor, null, 'the last page has nextCursor null');
  t.equal(pages, all.length, 'one page per organisation');
  t.equal(new Set(seen).size, seen.length, 'no duplicates');
  t.strictSame(seen, all.map((o) => o.id), 'same organisations in the same order as one big page');

  const two = await app.inject({ method: 'GET', url: '/v1/organizations?limit=2', headers: adminHeaders });
  const twoPage = two.json() as { items: Organization[]; nextCursor: string | null };
  t.equal(twoPage.items.length, 2);
  t.type(twoPage.nextCursor, 'string');
  const next = await app.inject({
    method: 'GET',
    url: `/v1/organizations?limit=2&cursor=${encodeURIComponent(twoPage.nextCursor!)}`,
    headers: adminHeaders,
  });
  t.strictSame(
    (next.json() as { items: Organization[] }).items.map((o) => o.id),
    all.slice(2, 4).map((o) => o.id),
    'the second page continues where the first stopped',
  );
});

t.test('list: bad cursor and bad limit → 400', async (t) => {
  for (const cursor of ['not-a-cursor', 'eyJ4Ijp7fX0', Buffer.from('["yesterday","org_x"]').toString('base64url')]) {
    const res = await app.inject({ method: 'GET', url: `/v1/organizations?cursor=${cursor}`, headers: adminHeaders });
    const problem = expectProblem(t, res, 400, '/problems/validation-error');
    t.strictSame(errorPaths(problem), ['querystring/cursor'], `cursor ${cursor}`);
  }
  for (const limit of ['0', '201', 'ten']) {
    const res = await app.inject({ method: 'GET', url: `/v1/organizations?limit=${limit}`, headers: adminHeaders });
    const problem = expectProblem(t, res, 400, '/problems/validation-error');
    t.strictSame(errorPaths(problem), ['querystring/limit'], `limit ${limit}`);
  }
  const unknownParam = await app.inject({ method: 'GET', url: '/v1/organizations?sort=name', headers: adminHeaders });
  const problem = expectProblem(t, unknownParam, 400, '/problems/validation-error');
  t.strictSame(errorPaths(problem), ['querystring/sort']);
});

t.test('validation: a bad request is a 400 naming the field and stores nothing', async (t) => {
  const valid = () => ({ name: '校验测试', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' });
  const cases: { name: string; payload: Record<string, unknown>; paths: string[]; message?: RegExp }[] = [
    { name: 'wrong check character', payload: { ...valid(), creditCode: '9144030071526726XH' }, paths: ['body/creditCode'], message: /check character/ },
    { name: 'too short (17)', payload: { ...valid(), creditCode: '9144030071526726X' }, paths: ['body/creditCode'], message: /18/ },
    { name: 'too long (19)', payload: { ...valid(), creditCode: '9144030071526726XG0' }, paths: ['body/creditCode'], message: /18/ },
    { name: 'lowercase letters', payload: { ...valid(), creditCode: '9144030071526726xg' }, paths: ['body/creditCode'], message: /"x"/ },
    { name: 'illegal letter I', payload: { ...valid(), creditCode: '91440300715267I6XG' }, paths: ['body/creditCode'], message: /"I"/ },
    { name: 'illegal letter O', payload: { ...valid(), creditCode: '9144030071526726XO' }, paths: ['body/creditCode'], message: /"O"/ },
    // 80210043-4 instead of -3, with the final check character recomputed so only the embedded code is wrong.
    {
      name: 'bad embedded organisation code check',
      payload: { ...valid(), creditCode: '91110000802100434E' },
      paths: ['body/creditCode'],
      message: /organisation code/,
    },
    { name: 'unknown registration authority', payload: { ...valid(), creditCode: 'B1110000802100433B' }, paths: ['body/creditCode'] },
    { name: 'empty credit code', payload: { ...valid(), creditCode: '' }, paths: ['body/creditCode'] },
    { name: 'unknown region 229999', payload: { ...valid(), regionCode: '229999' }, paths: ['body/regionCode'], message: /229999/ },
    { name: 'region not 6 digits', payload: { ...valid(), regionCode: '2206' }, paths: ['body/regionCode'] },
    { name: 'GLN check digit', payload: { ...valid(), gln: '6901234000017' }, paths: ['body/gln'], message: /check digit/ },
    { name: 'GLN not 13 digits', payload: { ...valid(), gln: '690123400001' }, paths: ['body/gln'] },
    { name: 'unknown field', payload: { ...valid(), website: 'https://example.cn' }, paths: ['body/website'], message: /not a known field/ },
    { name: 'missing name', payload: { kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' }, paths: ['body/name'], message: /required/ },
    { name: 'missing creditCode', payload: { name: 'x', kinds: ['farm'], regionCode: '220621' }, paths: ['body/creditCode'], message: /required/ },
    { name: 'missing kinds', payload: { name: 'x', creditCode: makeCreditCode(), regionCode: '220621' }, paths: ['body/kinds'], message: /required/ },
    { name: 'empty name', payload: { ...valid(), name: '' }, paths: ['body/name'] },
    { name: 'empty kinds', payload: { ...valid(), kinds: [] }, paths: ['body/kinds'] },
    { name: 'unknown kind', payload: { ...valid(), kinds: ['farm', 'pharmacy'] }, paths: ['body/kinds/1'], message: /must be one of/ },
    { name: 'duplicate kinds', payload: { ...valid(), kinds: ['farm', 'farm'] }, paths: ['body/kinds'] },
    { name: 'kinds not an array', payload: { ...valid(), kinds: 'farm' }, paths: ['body/kinds'] },
    { name: 'name is a number (no coercion)', payload: { ...valid(), name: 42 }, paths: ['body/name'] },
  ];

  const before = await allOrganizations();
  for (const c of cases) {
    const res = await postOrganization(c.payload);
    const problem = expectProblem(t, res, 400, '/problems/validation-error');
    t.strictSame(errorPaths(problem), c.paths, `${c.name}: errors[].path`);
    if (c.message) t.match(problem.errors?.[0]?.message, c.message, `${c.name}: message`);
  }
  const after = await allOrganizations();
  t.equal(after.length, before.length, 'nothing was stored');
  const rows = await database.db.select({ id: organizations.id }).from(organizations).where(eq(organizations.name, '校验测试'));
  t.strictSame(rows, [], 'no row carries the name of the rejected requests');
});

t.test('duplicates: credit code and GLN → 409, nothing stored', async (t) => {
  const creditCode = makeCreditCode();
  const first = await postOrganization({ name: '重复测试一', kinds: ['farm'], creditCode, regionCode: '220621', gln: '6901234000023' });
  t.equal(first.statusCode, 201, first.body);
  const before = await allOrganizations();

  const sameCode = await postOrganization({ name: '重复测试二', kinds: ['farm'], creditCode, regionCode: '220622' });
  const codeProblem = expectProblem(t, sameCode, 409, '/problems/conflict');
  t.match(codeProblem.detail, creditCode);

  const sameGln = await postOrganization({ name: '重复测试三', kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621', gln: '6901234000023' });
  const glnProblem = expectProblem(t, sameGln, 409, '/problems/conflict');
  t.match(glnProblem.detail, '6901234000023');

  const after = await allOrganizations();
  t.equal(after.length, before.length, 'nothing was stored');
  t.notOk(after.some((o) => o.name === '重复测试二' || o.name === '重复测试三'));
});

t.test('real-world credit codes are accepted', async (t) => {
  const huawei = await postOrganization({ name: '华为技术有限公司', kinds: ['manufacturer'], creditCode: '9144030071526726XG', regionCode: '440307' });
  t.equal(huawei.statusCode, 201, huawei.body);
  t.match(huawei.json(), { creditCode: '9144030071526726XG', regionCode: '440307', regionName: '广东省 深圳市 龙岗区' });

  const beijing = await postOrganization({ name: '北京某中药饮片有限公司', kinds: ['decoction_piece_maker'], creditCode: '91110000802100433B', regionCode: '110101' });
  t.equal(beijing.statusCode, 201, beijing.body);
  t.match(beijing.json(), { creditCode: '91110000802100433B', regionName: '北京市 东城区' }, '市辖区 is left out of the name');

  const stored = (await allOrganizations()).filter((o) => ['9144030071526726XG', '91110000802100433B'].includes(o.creditCode));
  t.equal(stored.length, 2);
});
