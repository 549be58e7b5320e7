// Types of limits.js for the tests that compare it with the server (the browser loads the .js as it is).
export const LIMITS: {
  lotNumber: { maxLength: number; pattern: RegExp };
  quantity: { maxLength: number; decimals: number; units: string[]; massUnits: string[] };
  site: { nameMaxLength: number; regionCode: RegExp; areaMuMax: number; areaMuDecimals: number; kinds: string[] };
  agroInput: { categories: string[]; productMaxLength: number; registrationNumberMaxLength: number; doseDecimals: number; doseMax: number; doseUnitMaxLength: number; areaMaxLength: number; phiMax: number; operatorMaxLength: number };
  step: { opMaxLength: number; maxSteps: number };
  status: { reasonMaxLength: number };
  codes: { countMax: number };
  lab: { reportNumberMaxLength: number; valueDecimals: number; maxItems: number };
  refusal: { reasonMaxLength: number };
};
