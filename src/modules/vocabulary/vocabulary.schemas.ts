import { Type } from 'typebox';
import { vocabulary } from '../../web/lib/vocabulary.js';

const Term = Type.Object({ 'zh-CN': Type.String(), en: Type.String() });

/**
 * GET /v1/vocabulary: the static vocabulary of src/web/lib/vocabulary.js (one member per group, described
 * there) and the reference data a form needs from the database.
 */
export const Vocabulary = Type.Object(
  {
    version: Type.String({ description: 'Changes whenever anything in this document changes (also its ETag)' }),
    ...Object.fromEntries(
      Object.keys(vocabulary)
        .filter((k) => k !== 'langs')
        .map((k) => [k, Type.Unknown({ description: `vocabulary.js \`${k}\`` })]),
    ),
    langs: Type.Array(Type.String(), { examples: [['zh-CN', 'en']] }),
    rules: Type.Record(Type.String(), Term, { description: 'Every business rule a 422 can name (`rule`), explained for the person whose write was refused' }),
    species: Type.Array(
      Type.Object({
        code: Type.String(),
        nameZh: Type.String(),
        nameEn: Type.String(),
        latinName: Type.String({ description: 'The pharmacopoeia name of the drug', examples: ['Ginseng Radix et Rhizoma'] }),
        scientificName: Type.String({ description: 'The first source species, without its authority', examples: ['Panax ginseng'] }),
        pinyin: Type.String(),
        kind: Type.String(),
        medicinalPart: Term,
      }),
      { description: 'The species catalogue (GET /v1/species)' },
    ),
    analytes: Type.Array(
      Type.Object({ code: Type.String(), 'zh-CN': Type.String(), en: Type.String(), category: Type.String(), units: Type.Array(Type.String()) }),
      { description: 'Lab analytes with the units each may be reported in (GET /v1/analytes)' },
    ),
    nextStages: Type.Record(Type.String(), Type.Array(Type.String()), { description: 'The stages a lot of each stage may become (a transformation output)', examples: [{ seed: ['seed', 'cultivation'] }] }),
  },
  { $id: 'Vocabulary', description: 'The terms of the web app and the consumer page in zh-CN and en, with the reference data of forms' },
);

export const vocabularySchemas = [Vocabulary];
