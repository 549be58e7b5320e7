import { Type, type Static } from 'typebox';

export const SPECIES_KINDS = ['plant', 'animal', 'fungus'] as const;

export const Species = Type.Object(
  {
    code: Type.String({ description: 'Pinyin slug', examples: ['renshen'] }),
    nameZh: Type.String({ examples: ['人参'] }),
    pinyin: Type.String({ examples: ['rénshēn'] }),
    nameEn: Type.String({ examples: ['Ginseng'] }),
    latinName: Type.String({ description: 'Pharmaceutical name of the pharmacopoeia monograph', examples: ['Ginseng Radix et Rhizoma'] }),
    sourceSpecies: Type.Array(
      Type.Object({
        latinName: Type.String({ examples: ['Panax ginseng C. A. Mey.'] }),
        nameZh: Type.String({ examples: ['人参'] }),
        pharmacopoeia: Type.Boolean({ description: 'false for a source traded under the name but not named by the monograph' }),
      }),
    ),
    kind: Type.Unsafe<(typeof SPECIES_KINDS)[number]>({ type: 'string', enum: [...SPECIES_KINDS] }),
    medicinalPart: Type.Object({ zh: Type.String({ examples: ['干燥根和根茎'] }), en: Type.String({ examples: ['dried root and rhizome'] }) }),
    catalogueVersion: Type.Integer({ description: 'Catalogue version that last defined this entry' }),
  },
  { $id: 'Species' },
);
export type SpeciesView = Static<typeof Species>;

export const SpeciesListQuery = Type.Object(
  { kind: Type.Optional(Type.Unsafe<(typeof SPECIES_KINDS)[number]>({ type: 'string', enum: [...SPECIES_KINDS] })) },
  { additionalProperties: false },
);

export const SpeciesParams = Type.Object(
  { code: Type.String({ minLength: 1, maxLength: 64 }) },
  { additionalProperties: false },
);

/** The named schemas of this module, registered once in app.ts (validation, serialisation, OpenAPI components). */
export const speciesSchemas = [Species];
