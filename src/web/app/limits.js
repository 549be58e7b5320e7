// The server's limits on what the forms send, in one place. tests/webapp-limits.test.ts compares each with
// the API document (openapi/openapi.json), so a change on the server that is not made here fails the suite.
export const LIMITS = {
  lotNumber: { maxLength: 20, pattern: /^[A-Za-z0-9][A-Za-z0-9._/-]*$/ },
  quantity: { maxLength: 24, decimals: 3, units: ['kg', 'g', 't', 'plant', 'piece', 'head', 'box'], massUnits: ['kg', 'g', 't'] },
  site: { nameMaxLength: 200, regionCode: /^[0-9]{6}$/, areaMuMax: 1000000000, areaMuDecimals: 3, kinds: ['seed_nursery', 'cultivation_base', 'forest_plot', 'animal_farm', 'processing_plant', 'warehouse', 'market', 'lab'] },
  agroInput: { categories: ['fertilizer', 'pesticide', 'herbicide', 'fungicide', 'growth_regulator', 'feed', 'veterinary_drug', 'other'], productMaxLength: 200, registrationNumberMaxLength: 64, doseDecimals: 6, doseMax: 10000000, doseUnitMaxLength: 20, areaMaxLength: 200, phiMax: 3650, operatorMaxLength: 100 },
  step: { opMaxLength: 50, maxSteps: 100 },
  status: { reasonMaxLength: 2000 },
  codes: { countMax: 100000 },
  lab: { reportNumberMaxLength: 64, valueDecimals: 6, maxItems: 200 },
  refusal: { reasonMaxLength: 2000 },
};

