// The access matrix: every registered route, called by every kind of caller, answers as the table below says.
// A route that is registered but missing here fails the test, so a new route cannot be added without saying
// who may call it. Denied writes store nothing. Statuses are the exact ones clients see: 401 without
// credentials, 403 for a caller who may see the object but not do this, 404 for one who has no business with
// it, 422 where access passes and the chain's own rule (custody) refuses.
import t from 'tap';
import { gs1CheckDigit } from '../src/lib/identifiers.js';
import { adminHeaders, bearer, makeCreditCode, setupApp } from './support/app.js';
import { chainClient, kg } from './support/chain.js';
import { GOOD_PASSWORD, peopleClient, signedInFrom } from './support/people.js';
import { rowCounts } from './support/row-counts.js';

const { app, database, createOrganization } = await setupApp(t);
const c = chainClient(app);

// Keys and tokens first; then people signed in with a session cookie (and the CSRF token on writes): an owner, a
// recorder and a viewer of the owning organisation, and a regulator's owner.
const KEY_CALLERS = ['none', 'admin', 'owner', 'viewer', 'other', 'regulator', 'lab', 'strangerLab'] as const;
const SESSION_CALLERS = ['ownerUser', 'recorderUser', 'viewerUser', 'regulatorUser'] as const;
const CALLERS = [...KEY_CALLERS, ...SESSION_CALLERS] as const;
type Caller = (typeof CALLERS)[number];
type SessionCaller = (typeof SESSION_CALLERS)[number];

const owner = await createOrganization({ name: '矩阵合作社', kinds: ['cooperative', 'manufacturer'] });
const viewerKey = (await c.call('POST', `/v1/organizations/${owner.organization.id}/api-keys`, adminHeaders, { name: 'read only', role: 'viewer' })).key as string;
const other = await createOrganization({ name: '矩阵收购商', kinds: ['trader'] });
const regulator = await createOrganization({ name: '矩阵药监局', kinds: ['regulator'] });
const lab = await createOrganization({ name: '矩阵检测中心', kinds: ['lab'] });
const strangerLab = await createOrganization({ name: '矩阵无关实验室', kinds: ['lab'] });
const destination = await createOrganization({ name: '矩阵第三方', kinds: ['retailer'] });

const people = peopleClient(app);
const ownerUser = await people.firstOwner(owner.organization.id, 'mx.owner', '矩阵业主');
const recorderUser = await people.member(ownerUser.session.headers, owner.organization.id, { name: '矩阵记录员', login: 'mx.recorder', role: 'recorder' });
const viewerUser = await people.member(ownerUser.session.headers, owner.organization.id, { name: '矩阵查看员', login: 'mx.viewer', role: 'viewer' });
const regulatorUser = await people.firstOwner(regulator.organization.id, 'mx.regulator', '矩阵监管员');
// Fresh sessions for routes that end the caller's own (sign-out): TOTP accounts sign in with recovery codes.
const recoveryCodes: Partial<Record<SessionCaller, string[]>> = {};
async function freshSession(who: SessionCaller): Promise<ReturnType<typeof signedInFrom>> {
  const login = { ownerUser: 'mx.owner', recorderUser: 'mx.recorder', viewerUser: 'mx.viewer', regulatorUser: 'mx.regulator' }[who];
  if (who === 'ownerUser' || who === 'regulatorUser') {
    if (!recoveryCodes[who]) {
      // Recovery codes come once, at enrolment: enrolled anew here for the test (a reset by the admin).
      const org = who === 'ownerUser' ? owner.organization.id : regulator.organization.id;
      const user = who === 'ownerUser' ? ownerUser.user : regulatorUser.user;
      const reset = await c.call('POST', `/v1/organizations/${org}/users/${user.id}/setup-code`, adminHeaders, undefined, 200);
      const enrolled = await people.enrolTotp(signedInFrom(await people.setup(login, reset.setupCode)));
      recoveryCodes[who] = enrolled.recoveryCodes;
      headers[who] = enrolled.session.headers;
    }
    return signedInFrom(await people.login({ login, password: GOOD_PASSWORD, recoveryCode: recoveryCodes[who]!.pop()! }));
  }
  return signedInFrom(await people.login({ login, password: GOOD_PASSWORD }));
}

const headers: Record<Caller, Record<string, string>> = {
  none: {},
  admin: adminHeaders,
  owner: owner.headers,
  viewer: bearer(viewerKey),
  other: other.headers,
  regulator: regulator.headers,
  lab: lab.headers,
  strangerLab: strangerLab.headers,
  ownerUser: ownerUser.session.headers,
  recorderUser: recorderUser.session.headers,
  viewerUser: viewerUser.session.headers,
  regulatorUser: regulatorUser.session.headers,
};
const orgOf: Record<Caller, string | undefined> = {
  none: undefined,
  admin: undefined,
  owner: owner.organization.id,
  viewer: owner.organization.id,
  other: other.organization.id,
  regulator: regulator.organization.id,
  lab: lab.organization.id,
  strangerLab: strangerLab.organization.id,
  ownerUser: owner.organization.id,
  recorderUser: owner.organization.id,
  viewerUser: owner.organization.id,
  regulatorUser: regulator.organization.id,
};

let serial = 0;
const next = () => `${++serial}`;

/**
 * Fresh objects of the owner for one route: a seed lot (lab granted), a site, a shipment to `other`, a code, a
 * certificate, a key, a pending member. Only what the route's url and body read is made (`needs`, found by
 * calling them on a recording stand-in): most routes touch one or two objects, and the matrix makes a fixture
 * for every caller a write succeeds for.
 */
type FixtureKey = 'site' | 'lot' | 'shipment' | 'code' | 'certificate' | 'keyId' | 'eventId' | 'eventHashId' | 'memberId';
const ALL_NEEDS: readonly FixtureKey[] = ['site', 'lot', 'shipment', 'code', 'certificate', 'keyId', 'eventId', 'eventHashId', 'memberId'];

async function fixture(needs: ReadonlySet<FixtureKey> = new Set(ALL_NEEDS)) {
  const n = next();
  const fx: Record<string, any> = {};
  const needsLot = needs.has('lot') || needs.has('code') || needs.has('eventId') || needs.has('eventHashId');
  if (needsLot || needs.has('site') || needs.has('shipment') || needs.has('certificate')) fx.site = await c.site(owner.headers, { name: `矩阵基地${n}` });
  if (needsLot) {
    fx.lot = await c.lot(owner.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: `MX-${n}`, siteId: fx.site.id, quantity: kg(100), producedAt: '2024-04-01T08:00:00+08:00' });
    await c.call('POST', `/v1/lots/${fx.lot.id}/lab-grants`, owner.headers, { labOrganizationId: lab.organization.id });
  }
  if (needs.has('shipment')) {
    const travelling = await c.lot(owner.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: `MX-${n}-T`, siteId: fx.site.id, quantity: kg(5), producedAt: '2024-04-01T08:00:00+08:00' });
    fx.shipment = await c.ship(owner.headers, { toOrganizationId: other.organization.id, shippedAt: '2024-05-01T08:00:00+08:00', lines: [{ lotId: travelling.id }] });
  }
  if (needs.has('code')) fx.code = (await c.call('POST', `/v1/lots/${fx.lot.id}/codes`, owner.headers, { count: 1, level: 'lot' })).codes[0].code as string;
  if (needs.has('certificate')) {
    fx.certificate = await c.call('POST', '/v1/certificates', owner.headers, {
      kind: 'gap', siteId: fx.site.id, authority: '吉林省药监局', number: `GAP-MX-${n}`, validFrom: '2024-01-01', validUntil: '2026-12-31',
    });
  }
  if (needs.has('keyId')) fx.keyId = (await c.call('POST', `/v1/organizations/${owner.organization.id}/api-keys`, adminHeaders, { name: `k${n}` })).id as string;
  if (needs.has('eventId')) fx.eventId = (await c.get(owner.headers, `/v1/lots/${fx.lot.id}/timeline?scope=lot`)).items[0].id as string;
  if (needs.has('eventHashId')) {
    // The Event Hash ID of the lot's commissioning (the EPCIS index's eventID).
    const lotClass = encodeURIComponent(`https://trace.example.cn/id/lot/${fx.lot.id}`);
    fx.eventHashId = (await c.get(owner.headers, `/epcis/events?MATCH_epcClass=${lotClass}&EQ_bizStep=commissioning`)).epcisBody.queryResults.resultsBody.eventList[0].eventID as string;
  }
  if (needs.has('memberId')) fx.memberId = (await people.createMember(adminHeaders, owner.organization.id, { name: `成员${n}`, login: `mx.member.${n}`, role: 'recorder' })).user.id;
  return fx as { site: any; lot: any; shipment: any; code: string; certificate: any; keyId: string; eventId: string; eventHashId: string; memberId: string };
}

/** What a route's url and body read of a fixture (they are called on a stand-in that records the reads). */
function needsOf(spec: { url: (fx: any, who: Caller) => string; body?: (fx: any, who: Caller) => unknown }): Set<FixtureKey> {
  const read = new Set<FixtureKey>();
  // Each field reads as a value that is both an object (fx.lot.id) and a string (`${fx.code}`).
  const value = new Proxy({}, { get: (_target, key) => (key === Symbol.toPrimitive ? () => 'x' : 'x') });
  const standIn = new Proxy({}, { get: (_target, key) => (read.add(key as FixtureKey), value) });
  spec.url(standIn, 'owner');
  spec.body?.(standIn, 'owner');
  return read;
}
type Fixture = Awaited<ReturnType<typeof fixture>>;

interface RouteCase {
  url: (fx: Fixture, who: Caller) => string;
  body?: (fx: Fixture, who: Caller) => unknown;
  /** Status per key caller, in order: none admin owner viewer other regulator lab strangerLab. */
  expect: string;
  /**
   * Status per session caller: ownerUser recorderUser viewerUser regulatorUser. By default a person answers as
   * the key of their organisation and role: the owner's key, the owner's key (no route of the chain needs more
   * than recording), the viewer key, the regulator's key.
   */
  sessions?: string;
  /** The route ends the caller's own session: each session caller gets a new one for it. */
  freshSession?: boolean;
}

const gtin = `690123456789${gs1CheckDigit('690123456789')}`;
const same = (status: number) => KEY_CALLERS.map(() => status).join(' ');
const PUBLIC_200 = same(200);

const MATRIX: Record<string, RouteCase> = {
  'GET /health': { url: () => '/health', expect: PUBLIC_200 },
  'GET /ready': { url: () => '/ready', expect: PUBLIC_200 },
  'GET /v1/species': { url: () => '/v1/species', expect: PUBLIC_200 },
  'GET /v1/species/{code}': { url: () => '/v1/species/renshen', expect: PUBLIC_200 },
  'GET /v1/analytes': { url: () => '/v1/analytes', expect: PUBLIC_200 },
  'GET /v1/vocabulary': { url: () => '/v1/vocabulary', expect: PUBLIC_200 },
  'GET /v1/pharmacopoeia-limits': { url: () => '/v1/pharmacopoeia-limits', expect: PUBLIC_200 },
  'GET /v1/gi-products': { url: () => '/v1/gi-products', expect: PUBLIC_200 },
  'GET /v1/gi-products/{code}': { url: () => '/v1/gi-products/changbaishan-renshen', expect: PUBLIC_200 },
  'GET /v1/codes/{code}/qr.svg': { url: (fx) => `/v1/codes/${fx.code}/qr.svg`, expect: PUBLIC_200 },
  'GET /v1/codes/{code}/qr.png': { url: (fx) => `/v1/codes/${fx.code}/qr.png`, expect: PUBLIC_200 },
  'GET /q/{code}': { url: (fx) => `/q/${fx.code}`, expect: PUBLIC_200 },
  'GET /01/{gtin}/10/{lot}/21/{serial}': { url: () => `/01/${gtin}/10/NOPE/21/ABCDEFGH23456789`, expect: same(404) },

  'POST /v1/organizations': {
    url: () => '/v1/organizations',
    body: () => ({ name: `矩阵新组织${next()}`, kinds: ['farm'], creditCode: makeCreditCode(), regionCode: '220621' }),
    expect: '401 201 403 403 403 403 403 403',
  },
  'GET /v1/organizations': { url: () => '/v1/organizations', expect: '401 200 200 200 200 200 200 200' },
  'GET /v1/organizations/{id}': { url: () => `/v1/organizations/${owner.organization.id}`, expect: '401 200 200 200 200 200 200 200' },
  'POST /v1/organizations/{id}/api-keys': { url: () => `/v1/organizations/${owner.organization.id}/api-keys`, body: () => ({}), expect: '401 201 403 403 403 403 403 403' },
  'GET /v1/organizations/{id}/api-keys': { url: () => `/v1/organizations/${owner.organization.id}/api-keys`, expect: '401 200 403 403 403 403 403 403' },
  'DELETE /v1/organizations/{id}/api-keys/{keyId}': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/api-keys/${fx.keyId}`,
    expect: '401 200 403 403 403 403 403 403',
  },

  'POST /v1/sites': { url: () => '/v1/sites', body: () => ({ kind: 'warehouse', name: `矩阵仓库${next()}`, regionCode: '220621' }), expect: '401 403 201 403 201 201 201 201' },
  'GET /v1/sites': { url: () => '/v1/sites', expect: '401 200 200 200 200 200 200 200' },
  'GET /v1/sites/{id}': { url: (fx) => `/v1/sites/${fx.site.id}`, expect: '401 200 200 200 404 200 404 404' },

  'POST /v1/lots': {
    url: () => '/v1/lots',
    body: (fx) => ({ stage: 'seed', speciesCode: 'renshen', lotNumber: `MX-NEW-${next()}`, siteId: fx.site.id, quantity: kg(1), producedAt: '2024-04-01T08:00:00+08:00' }),
    expect: '401 403 201 403 422 422 422 422',
  },
  'GET /v1/lots': { url: () => '/v1/lots', expect: '401 200 200 200 200 200 200 200' },
  'GET /v1/lots/{id}': { url: (fx) => `/v1/lots/${fx.lot.id}`, expect: '401 200 200 200 404 200 404 404' },
  'POST /v1/lots/{id}/events': {
    url: (fx) => `/v1/lots/${fx.lot.id}/events`,
    body: () => ({ type: 'note', occurredAt: '2024-06-01T08:00:00+08:00', data: { text: '巡查' } }),
    expect: '401 403 201 403 404 422 404 404',
  },
  'POST /v1/lots/{id}/status': {
    url: (fx) => `/v1/lots/${fx.lot.id}/status`,
    body: () => ({ status: 'hold', reason: '抽检' }),
    expect: '401 403 200 403 404 200 404 404',
  },
  'POST /v1/transformations': {
    url: () => '/v1/transformations',
    body: (fx) => ({
      occurredAt: '2024-05-01T08:00:00+08:00',
      inputs: [{ lotId: fx.lot.id, quantity: kg(1) }],
      outputs: [{ stage: 'cultivation', lotNumber: `MX-CU-${next()}`, quantity: { value: 10, unit: 'plant' }, siteId: fx.site.id }],
    }),
    expect: '401 403 201 403 404 422 404 404',
  },
  'POST /v1/shipments': {
    url: () => '/v1/shipments',
    body: (fx) => ({ toOrganizationId: destination.organization.id, shippedAt: '2024-05-01T08:00:00+08:00', lines: [{ lotId: fx.lot.id, quantity: kg(1) }] }),
    expect: '401 403 201 403 404 422 404 404',
  },
  'GET /v1/shipments': { url: () => '/v1/shipments', expect: '401 200 200 200 200 200 200 200' },
  'POST /v1/shipments/{id}/receive': { url: (fx) => `/v1/shipments/${fx.shipment.id}/receive`, body: () => ({}), expect: '401 403 403 403 200 404 404 404' },
  'POST /v1/shipments/{id}/refuse': { url: (fx) => `/v1/shipments/${fx.shipment.id}/refuse`, body: () => ({ reason: '不符' }), expect: '401 403 403 403 200 404 404 404' },
  'GET /v1/shipments/{id}': { url: (fx) => `/v1/shipments/${fx.shipment.id}`, expect: '401 200 200 200 200 200 404 404' },

  'GET /v1/lots/{id}/provenance': { url: (fx) => `/v1/lots/${fx.lot.id}/provenance`, expect: '401 200 200 200 404 200 404 404' },
  'GET /v1/lots/{id}/descendants': { url: (fx) => `/v1/lots/${fx.lot.id}/descendants`, expect: '401 200 200 200 404 200 404 404' },
  'GET /v1/lots/{id}/timeline': { url: (fx) => `/v1/lots/${fx.lot.id}/timeline`, expect: '401 200 200 200 404 200 404 404' },
  'GET /v1/lots/{id}/verification': { url: (fx) => `/v1/lots/${fx.lot.id}/verification`, expect: '401 200 200 200 404 200 404 404' },

  'POST /v1/lots/{id}/lab-grants': {
    url: (fx) => `/v1/lots/${fx.lot.id}/lab-grants`,
    body: () => ({ labOrganizationId: strangerLab.organization.id }),
    expect: '401 403 201 403 404 403 404 404',
  },
  'POST /v1/lots/{id}/lab-results': {
    url: (fx) => `/v1/lots/${fx.lot.id}/lab-results`,
    body: (_fx, who) => ({
      reportNumber: `MX-R-${who}-${next()}`,
      sampledAt: '2024-06-01T08:00:00+08:00',
      testedAt: '2024-06-02T08:00:00+08:00',
      results: [{ analyte: 'moisture', value: '10.1', unit: '%' }],
    }),
    expect: '401 403 201 403 404 403 201 404',
  },
  // Every organisation may ask; each sees only the grants to itself (none for a non-lab).
  'GET /v1/lab-grants': { url: () => '/v1/lab-grants', expect: '401 403 200 200 200 200 200 200' },
  'GET /v1/lots/{id}/lab-results': { url: (fx) => `/v1/lots/${fx.lot.id}/lab-results`, expect: '401 200 200 200 404 200 200 404' },
  'POST /v1/lots/{id}/gi-claims': {
    url: (fx) => `/v1/lots/${fx.lot.id}/gi-claims`,
    body: () => ({ giCode: 'changbaishan-renshen', claimedAt: '2024-06-01T08:00:00+08:00' }),
    // The owner passes access; the GI rules then refuse (no confirmed authorisation): 422.
    expect: '401 403 422 403 404 422 404 404',
  },
  'GET /v1/lots/{id}/gi-claims': { url: (fx) => `/v1/lots/${fx.lot.id}/gi-claims`, expect: '401 200 200 200 404 200 404 404' },

  'POST /v1/certificates': {
    url: () => '/v1/certificates',
    body: (_fx, who) => ({ kind: 'other', authority: '某认证机构', number: `MX-C-${who}-${next()}`, validFrom: '2024-01-01', validUntil: '2026-12-31' }),
    expect: '401 403 201 403 201 201 201 201',
  },
  'GET /v1/certificates': { url: () => '/v1/certificates', expect: '401 200 200 200 200 200 200 200' },
  'POST /v1/certificates/{id}/confirm': { url: (fx) => `/v1/certificates/${fx.certificate.id}/confirm`, body: () => ({}), expect: '401 403 403 403 403 200 403 403' },
  'GET /v1/certificates/{id}': { url: (fx) => `/v1/certificates/${fx.certificate.id}`, expect: '401 200 200 200 200 200 200 200' },
  'PUT /v1/gi-products/{code}/regions': {
    url: () => '/v1/gi-products/changbaishan-renshen/regions',
    body: () => ({ regionCodes: ['220621', '220622'], verified: false, source: 'access matrix test' }),
    expect: '401 200 403 403 403 403 403 403',
  },

  'POST /v1/lots/{id}/codes': { url: (fx) => `/v1/lots/${fx.lot.id}/codes`, body: () => ({ count: 1, level: 'lot' }), expect: '401 403 201 403 404 422 404 404' },
  'GET /v1/lots/{id}/codes': { url: (fx) => `/v1/lots/${fx.lot.id}/codes`, expect: '401 403 200 200 404 403 404 404' },
  'GET /v1/lots/{id}/scans': { url: (fx) => `/v1/lots/${fx.lot.id}/scans`, expect: '401 403 200 200 404 403 404 404' },
  'GET /v1/codes/{code}/scans': { url: (fx) => `/v1/codes/${fx.code}/scans`, expect: '401 404 200 200 404 404 404 404' },
  'POST /v1/codes/{code}/void': { url: (fx) => `/v1/codes/${fx.code}/void`, body: () => ({ reason: '标签损坏' }), expect: '401 403 200 403 404 404 404 404' },

  'GET /v1/lots/{id}/epcis': { url: (fx) => `/v1/lots/${fx.lot.id}/epcis`, expect: '401 200 200 200 404 200 404 404' },
  'GET /epcis/events': { url: (fx) => `/epcis/events?MATCH_anyEPCClass=${encodeURIComponent(`https://trace.example.cn/id/lot/${fx.lot.id}`)}`, expect: '401 200 200 200 200 200 200 200' },
  'GET /epcis/events/{eventID}': { url: (fx) => `/epcis/events/${encodeURIComponent(fx.eventHashId)}`, expect: '401 200 200 200 404 200 404 404' },
  'GET /epcis/epcs/{epc}/events': { url: (fx) => `/epcis/epcs/${encodeURIComponent(`https://trace.example.cn/id/lot/${fx.lot.id}`)}/events`, expect: '401 200 200 200 200 200 200 200' },
  'GET /epcis/eventTypes': { url: () => '/epcis/eventTypes', expect: '401 200 200 200 200 200 200 200' },
  'GET /id/lot/{id}': { url: (fx) => `/id/lot/${fx.lot.id}`, expect: PUBLIC_200 },
  'GET /id/site/{id}': { url: (fx) => `/id/site/${fx.site.id}`, expect: PUBLIC_200 },
  'GET /id/org/{id}': { url: () => `/id/org/${owner.organization.id}`, expect: PUBLIC_200 },
  'GET /voc/': { url: () => '/voc/', expect: PUBLIC_200 },
  'GET /voc/{term}': { url: () => '/voc/stage-harvest', expect: PUBLIC_200 },

  'GET /v1/events/{id}': { url: (fx) => `/v1/events/${fx.eventId}`, expect: '401 200 200 200 404 200 404 404' },
  // The verifiable log: its tree is public; an event's proof (record and salt) is under the event's read rules.
  'GET /v1/events/{id}/proof': { url: (fx) => `/v1/events/${fx.eventId}/proof`, expect: '401 200 200 200 404 200 404 404' },
  'GET /log/checkpoint': { url: () => '/log/checkpoint', expect: PUBLIC_200 },
  'GET /log/key': { url: () => '/log/key', expect: PUBLIC_200 },
  'GET /log/tile/{*}': { url: () => '/log/tile/0/999.p/1', expect: same(404) },
  'GET /log/consistency': { url: () => '/log/consistency?from=1&to=1', expect: PUBLIC_200 },
  // A cosignature is its own credential (a configured witness key): anyone may submit; this app has no witness
  // configured, so every submission is refused (tests/log-verifier.test.ts covers the configured case).
  'POST /log/cosignatures': { url: () => '/log/cosignatures', body: () => ({ checkpoint: 'not a checkpoint' }), expect: same(403), sessions: '403 403 403 403' },
  'GET /v1/lots/{id}/log-entries': { url: (fx) => `/v1/lots/${fx.lot.id}/log-entries`, expect: '401 200 200 200 404 200 404 404' },

  // People: owners of the organisation (and the admin) manage its members; everyone signs in.
  'POST /v1/organizations/{id}/users': {
    url: () => `/v1/organizations/${owner.organization.id}/users`,
    body: () => ({ name: '新成员', login: `mx.new.${next()}`, role: 'recorder' }),
    expect: '401 201 201 403 403 403 403 403',
    sessions: '201 403 403 403',
  },
  'GET /v1/organizations/{id}/users': { url: () => `/v1/organizations/${owner.organization.id}/users`, expect: '401 200 200 403 403 403 403 403', sessions: '200 403 403 403' },
  'GET /v1/organizations/{id}/users/{userId}': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/users/${fx.memberId}`,
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  'PATCH /v1/organizations/{id}/users/{userId}': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/users/${fx.memberId}`,
    body: () => ({ name: '改名' }),
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  'POST /v1/organizations/{id}/users/{userId}/deactivate': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/users/${fx.memberId}/deactivate`,
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  'POST /v1/organizations/{id}/users/{userId}/setup-code': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/users/${fx.memberId}/setup-code`,
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  'DELETE /v1/organizations/{id}/users/{userId}/sessions': {
    url: (fx) => `/v1/organizations/${owner.organization.id}/users/${fx.memberId}/sessions`,
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  'GET /v1/organizations/{id}/security-events': {
    url: () => `/v1/organizations/${owner.organization.id}/security-events`,
    expect: '401 200 200 403 403 403 403 403',
    sessions: '200 403 403 403',
  },
  // Public; a wrong setup code and a wrong password are refused alike for everyone.
  'POST /v1/auth/setup': { url: () => '/v1/auth/setup', body: () => ({ login: `mx.setup.${next()}`, setupCode: 'AAAA-BBBB-CCCC-DDDD', password: GOOD_PASSWORD }), expect: same(401), sessions: '401 401 401 401' },
  'POST /v1/auth/login': { url: () => '/v1/auth/login', body: () => ({ login: `mx.login.${next()}`, password: 'not the password' }), expect: same(401), sessions: '401 401 401 401' },
  // A person's own session: keys are refused (403), people answer.
  'POST /v1/auth/logout': { url: () => '/v1/auth/logout', expect: '401 403 403 403 403 403 403 403', sessions: '204 204 204 204', freshSession: true },
  'GET /v1/auth/session': { url: () => '/v1/auth/session', expect: '401 403 403 403 403 403 403 403', sessions: '200 200 200 200' },
  'GET /v1/auth/sessions': { url: () => '/v1/auth/sessions', expect: '401 403 403 403 403 403 403 403', sessions: '200 200 200 200' },
  'DELETE /v1/auth/sessions/{id}': {
    url: (_fx, who) => `/v1/auth/sessions/${(SESSION_CALLERS as readonly string[]).includes(who) ? currentSessionId : 'ses_0000000000000000'}`,
    expect: '401 403 403 403 403 403 403 403',
    sessions: '200 200 200 200',
    freshSession: true,
  },
  // Enrolled accounts (owners) are refused a second enrolment; recorders and viewers may enrol.
  'POST /v1/auth/totp': { url: () => '/v1/auth/totp', expect: '401 403 403 403 403 403 403 403', sessions: '409 200 200 409' },
  'POST /v1/auth/totp/confirm': { url: () => '/v1/auth/totp/confirm', body: () => ({ code: '000000' }), expect: '401 403 403 403 403 403 403 403', sessions: '409 422 422 409' },
  // The current password right, the new one too weak: refused by the policy, nothing changed.
  'POST /v1/auth/password': {
    url: () => '/v1/auth/password',
    body: () => ({ currentPassword: GOOD_PASSWORD, newPassword: 'password' }),
    expect: '401 403 403 403 403 403 403 403',
    sessions: '422 422 422 422',
  },
};
let currentSessionId = '';

/** The expected status of every caller: the key columns, then the session columns (given or derived). */
function expectations(spec: RouteCase): number[] {
  const keys = spec.expect.split(' ').map(Number);
  const at = (who: (typeof KEY_CALLERS)[number]) => keys[KEY_CALLERS.indexOf(who)]!;
  const sessions = spec.sessions ? spec.sessions.split(' ').map(Number) : [at('owner'), at('owner'), at('viewer'), at('regulator')];
  return [...keys, ...sessions];
}

const routeKey = (method: string, path: string) => `${method.toUpperCase()} ${path}`;
// Reads change nothing: they share one fixture.
const readFixture = await fixture();

t.test('every registered route is in the access matrix, and nothing else is', async (t) => {
  await app.ready();
  const document = app.swagger() as { paths: Record<string, Record<string, unknown>> };
  const registered = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((m) => routeKey(m, path)));
  t.ok(registered.length > 40, `${registered.length} routes registered`);
  const missing = registered.filter((r) => !(r in MATRIX));
  t.strictSame(missing, [], 'no registered route is missing from the matrix');
  t.strictSame(Object.keys(MATRIX).filter((r) => !registered.includes(r)), [], 'no matrix entry names a route that does not exist');
});

for (const [route, spec] of Object.entries(MATRIX)) {
  t.test(route, async (t) => {
    const [method] = route.split(' ') as ['GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'];
    const expected = expectations(spec);
    t.equal(expected.length, CALLERS.length, 'one expectation per caller');
    const isWrite = method !== 'GET';
    // Denied callers first on one fixture (a refusal changes nothing, checked); each caller that succeeds at a
    // write gets a fixture of its own, so one success cannot change what the next caller meets.
    const needs = needsOf(spec);
    const shared = isWrite ? await fixture(needs) : readFixture;
    const order = CALLERS.map((who, i) => ({ who, status: expected[i]! })).sort((a, b) => Number(a.status < 300) - Number(b.status < 300));
    for (const { who, status } of order) {
      const fx = isWrite && status < 300 ? await fixture(needs) : shared;
      const body = spec.body?.(fx, who);
      let callerHeaders = headers[who];
      if (spec.freshSession && (SESSION_CALLERS as readonly string[]).includes(who)) {
        const session = await freshSession(who as SessionCaller);
        callerHeaders = session.headers;
        currentSessionId = session.body.session.id;
      }
      const before = isWrite && status >= 400 ? await rowCounts(database) : undefined;
      const res = await app.inject({
        method,
        url: spec.url(fx, who),
        headers: { ...callerHeaders, ...(method === 'GET' ? { accept: 'application/json' } : {}) },
        ...(body !== undefined ? { payload: body as object } : {}),
      });
      t.equal(res.statusCode, status, `${who} (${orgOf[who] ?? 'no organisation'}) → ${status}: ${res.body.slice(0, 160)}`);
      // The consumer resolve answers an unknown code with its own JSON view (found: false), not a problem.
      if (res.statusCode >= 400 && !route.startsWith('GET /01/')) t.match(String(res.headers['content-type']), /^application\/problem\+json/, `${who}: a problem document`);
      if (before) t.strictSame(await rowCounts(database), before, `${who}: the refused write stored nothing`);
    }
  });
}
