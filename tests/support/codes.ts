import type { Test } from 'tap';
import { gs1CheckDigit } from '../../src/lib/identifiers.js';
import { makeCreditCode, setupApp } from './app.js';
import { chainClient, kg } from './chain.js';

export const GTIN13 = `690123456789${gs1CheckDigit('690123456789')}`;
export const GTIN14 = `0${GTIN13}`;
export const WRONG_GTIN = `690123456789${(gs1CheckDigit('690123456789') + 1) % 10}`;
export const BASE = 'https://trace.example.cn';

/** A short ginseng chain of one cooperative ending in a product lot with a GTIN, tested by a lab. */
export async function codedChain(t: Test, overrides: Parameters<typeof setupApp>[1] = {}, options: Parameters<typeof setupApp>[2] = {}) {
  const setup = await setupApp(t, overrides, options);
  const { app, createOrganization } = setup;
  const c = chainClient(app);
  const coopCreditCode = makeCreditCode('220621', '93');
  const coop = await createOrganization({ name: '抚松县松岭人参种植专业合作社', kinds: ['cooperative', 'manufacturer'], regionCode: '220621', creditCode: coopCreditCode });
  const lab = await createOrganization({ name: '通化长白山中药材质量检测有限公司', kinds: ['lab'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const stranger = await createOrganization({ name: '无关贸易公司', kinds: ['trader'], regionCode: '220502', creditCode: makeCreditCode('220502') });
  const base = await c.site(coop.headers, { kind: 'cultivation_base', name: '松岭GAP园参基地', regionCode: '220621', areaMu: 80 });
  const seed = await c.lot(coop.headers, { stage: 'seed', speciesCode: 'renshen', lotNumber: 'SD-2018-001', siteId: base.id, quantity: kg(40), producedAt: '2018-09-20T09:00:00+08:00' });
  const step = async (input: { id: string }, quantity: object, output: Record<string, unknown>, occurredAt: string, process?: object) =>
    (await c.transform(coop.headers, { occurredAt, inputs: [{ lotId: input.id, quantity }], outputs: [output], ...(process ? { process } : {}) })).outputs[0];
  const bed = await step(seed, kg(40), { stage: 'cultivation', lotNumber: 'SL-B03', quantity: { value: 150000, unit: 'plant' }, attributes: { households: 24 } }, '2019-04-15T08:00:00+08:00');
  const harvest = await step(bed, { value: 150000, unit: 'plant' }, { stage: 'harvest', lotNumber: 'SL-H01', quantity: kg(4000), attributes: { rootAgeYears: 6 } }, '2024-09-18T08:00:00+08:00');
  const dried = await step(harvest, kg(4000), { stage: 'processed', lotNumber: 'SL-SSS-01', quantity: kg(1000), attributes: { form: '生晒参' } }, '2024-10-08T10:00:00+08:00', {
    steps: [{ op: '洗', params: { method: '刷洗' } }, { op: '干燥', params: { method: '烘干', temperatureC: 45, hours: 72 } }],
  });
  await c.call('POST', `/v1/lots/${dried.id}/lab-grants`, coop.headers, { labOrganizationId: lab.organization.id });
  await c.call('POST', `/v1/lots/${dried.id}/lab-results`, lab.headers, {
    reportNumber: 'THJC-2024-1018',
    sampledAt: '2024-10-09T09:00:00+08:00',
    testedAt: '2024-10-15T16:00:00+08:00',
    results: [
      { analyte: 'ginsenoside_rg1_re', value: '0.52', unit: '%' },
      { analyte: 'ginsenoside_rb1', value: '0.38', unit: '%' },
      { analyte: 'moisture', value: '10.1', unit: '%' },
      { analyte: 'pb', value: '0.8', unit: 'mg/kg' },
    ],
  });
  const product = await step(dried, kg(500), { stage: 'product', lotNumber: 'SH-2411-01', quantity: { value: 40000, unit: 'box' }, gtin: GTIN13, attributes: { name: '松岭人参胶囊' } }, '2024-11-20T09:00:00+08:00', {
    steps: [{ op: '粉碎' }, { op: '灌装' }],
  });
  const plain = await step(dried, kg(100), { stage: 'product', lotNumber: 'NOGTIN-01', quantity: { value: 1000, unit: 'box' } }, '2024-11-21T09:00:00+08:00');
  const issue = (headers: Record<string, string>, lotId: string, payload: object) => app.inject({ method: 'POST', url: `/v1/lots/${lotId}/codes`, headers, payload });
  return { ...setup, c, coop, coopCreditCode, lab, stranger, base, seed, harvest, dried, product, plain, issue };
}
