// The web app checks its forms with the server's limits (src/web/app/limits.js). This compares each with
// the API document and the server's own rules, so a limit changed on one side only fails here.
import { readFileSync } from 'node:fs';
import t from 'tap';
import { LIMITS } from '../../src/web/app/limits.js';

const doc = JSON.parse(readFileSync(new URL('../../openapi/openapi.json', import.meta.url), 'utf8'));
const schemas = doc.components.schemas;
const body = (path: string, method = 'post') => {
  const ref = doc.paths[path][method].requestBody.content['application/json'].schema.$ref as string;
  return schemas[ref.split('/').pop()!];
};

t.test('lot numbers, quantities and units', async (t) => {
  const lotNumber = schemas.CommissionLot.properties.lotNumber;
  t.equal(LIMITS.lotNumber.maxLength, lotNumber.maxLength);
  t.equal(LIMITS.lotNumber.pattern.source, lotNumber.pattern);
  const value = schemas.Quantity.properties.value.anyOf.find((s: any) => s.type === 'string');
  t.equal(LIMITS.quantity.maxLength, value.maxLength);
  t.match(schemas.Quantity.properties.value.description, `at most ${LIMITS.quantity.decimals} decimals`);
  t.same([...LIMITS.quantity.units].sort(), [...schemas.Quantity.properties.unit.enum].sort());
});

t.test('sites', async (t) => {
  const site = schemas.CreateSite.properties;
  t.equal(LIMITS.site.nameMaxLength, site.name.maxLength);
  t.equal(LIMITS.site.regionCode.source, site.regionCode.pattern);
  t.equal(LIMITS.site.areaMuMax, site.areaMu.maximum);
  t.match(site.areaMu.description, `at most ${LIMITS.site.areaMuDecimals} decimals`);
  t.same([...LIMITS.site.kinds].sort(), [...site.kind.enum].sort());
});

t.test('agro-inputs', async (t) => {
  const agro = body('/v1/lots/{id}/events').oneOf.find((s: any) => s.properties.type.enum[0] === 'agro_input').properties.data.properties;
  t.same([...LIMITS.agroInput.categories].sort(), [...agro.category.enum].sort());
  t.equal(LIMITS.agroInput.productMaxLength, agro.product.maxLength);
  t.equal(LIMITS.agroInput.registrationNumberMaxLength, agro.registrationNumber.maxLength);
  t.equal(LIMITS.agroInput.doseMax, agro.dose.properties.value.anyOf.find((s: any) => s.type === 'number').exclusiveMaximum);
  t.match(agro.dose.properties.value.anyOf.find((s: any) => s.type === 'string').description, `at most ${LIMITS.agroInput.doseDecimals} decimals`);
  t.equal(LIMITS.agroInput.doseUnitMaxLength, agro.dose.properties.unit.maxLength);
  t.equal(LIMITS.agroInput.areaMaxLength, agro.area.maxLength);
  t.equal(LIMITS.agroInput.phiMax, agro.preHarvestIntervalDays.maximum);
  t.equal(LIMITS.agroInput.operatorMaxLength, agro.operator.maxLength);
});

t.test('steps, status, codes, lab reports, refusals', async (t) => {
  const steps = schemas.CreateTransformation.properties.process.properties.steps;
  t.equal(LIMITS.step.maxSteps, steps.maxItems);
  t.equal(LIMITS.step.opMaxLength, steps.items.properties.op.maxLength);
  t.equal(LIMITS.status.reasonMaxLength, schemas.StatusChange.properties.reason.maxLength);
  t.equal(LIMITS.codes.countMax, schemas.IssueCodesBody.properties.count.maximum);
  const lab = schemas.LabResultBody.properties;
  t.equal(LIMITS.lab.reportNumberMaxLength, lab.reportNumber.maxLength);
  t.equal(LIMITS.lab.maxItems, lab.results.maxItems);
  t.match(lab.results.items.properties.value.description, `at most ${LIMITS.lab.valueDecimals} decimals`);
  t.equal(LIMITS.refusal.reasonMaxLength, schemas.RefuseShipment.properties.reason.maxLength);
});

