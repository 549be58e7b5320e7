// Types of vocabulary.js for the TypeScript server (the browser loads the .js as it is). Kept by hand beside
// it: tests/unit/vocabulary.test.ts checks the two agree on every group and key the server relies on.

export type Lang = 'zh-CN' | 'en';
export type Term = { 'zh-CN': string; en: string };
export type StageKey = 'seed' | 'cultivation' | 'harvest' | 'processed' | 'decoction_piece' | 'product';

export interface ParamSpec extends Term {
  type: 'number' | 'integer' | 'range' | 'choice' | 'text';
  unit?: Term;
  unitOne?: Partial<Term>;
  choicesOf?: string;
}
export interface ChoiceTerm extends Term {
  ops: string[];
}
export interface OperationSpec extends Term {
  /** How a done step reads (`Dried`). */
  done: Term;
  stages: StageKey[];
  params: string[];
}
export interface FieldSpec extends Term {
  type: 'text' | 'number' | 'integer' | 'date' | 'list' | 'choice';
  min?: number;
  max?: number;
  exclusiveMin?: number;
  exclusiveMax?: number;
  maxLength?: number;
  maxDecimals?: number;
  unit?: Term;
  choicesOf?: string;
  suggestionsOf?: string;
  examples?: string[];
  unitSuggestions?: string[];
}
export interface UnitSpec extends Term {
  kind: 'mass' | 'count';
  grams?: number;
}

export const LANGS: Lang[];
export const stages: Record<StageKey, Term>;
export const lotStatuses: Record<'active' | 'hold' | 'recalled' | 'destroyed', Term>;
export const params: Record<string, ParamSpec>;
export const PARAM_ORDER: string[];
export const methods: Record<string, ChoiceTerm>;
export const adjuvants: Record<string, Term>;
export const operations: Record<string, OperationSpec>;
export const cultivationModes: Record<string, Term>;
export const antlerGrades: Record<string, Term>;
export const attributes: Record<StageKey, Record<string, FieldSpec>>;
export const ATTRIBUTE_TEXT_MAX: number;
export const eventTypes: Record<string, Term>;
export const observationKinds: Record<'agro_input' | 'inspection' | 'sensor' | 'note', Term>;
export const observationFields: Record<'agro_input' | 'inspection' | 'sensor' | 'note', Record<string, FieldSpec>>;
export const agroInputCategories: Record<string, Term>;
export const inspectionResults: Record<string, Term>;
export const siteKinds: Record<string, Term>;
export const organizationKinds: Record<string, Term>;
export const units: Record<string, UnitSpec>;
export const QUANTITY_DECIMALS: { mass: number; count: number };
export const areaUnit: Term & { exclusiveMin: number; max: number };
export const memberRoles: Record<'owner' | 'recorder' | 'viewer', Term>;
export const certificateKinds: Record<string, Term>;
export const speciesKinds: Record<string, Term>;
export const labVerdicts: Record<string, Term>;
export const itemVerdicts: Record<string, Term>;
export const resultBases: Record<string, Term>;
/** Explanations of the business rules (422 `rule`). */
export const rules: Record<string, Term>;
/** Explanations of the other problems, by slug. */
export const problems: Record<string, Term>;
export const groups: Record<string, Record<string, Term>>;

export function pickLang(tag: unknown): Lang;
export function label(group: string, key: unknown, lang: Lang): string;
export function formatStep(step: { op?: unknown; params?: unknown } | null | undefined, lang: Lang): string;
export function scientificName(latin: unknown): string;
export function speciesName(
  species: { nameZh?: string; nameEn?: string; latinName?: string; scientificName?: string; sourceSpecies?: { latinName?: string }[] } | null | undefined,
  lang: Lang,
): string;
export function explainProblem(problem: unknown, lang: Lang): string;

/** The static vocabulary as one object (what GET /v1/vocabulary serves, before the reference data). */
export const vocabulary: {
  langs: Lang[];
  attributes: typeof attributes;
  observationFields: typeof observationFields;
  paramOrder: string[];
  quantityDecimals: typeof QUANTITY_DECIMALS;
  areaUnit: typeof areaUnit;
  attributeTextMax: number;
} & Record<string, unknown>;
