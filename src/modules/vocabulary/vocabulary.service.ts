import { createHash } from 'node:crypto';
import type { Database } from '../../db/client.js';
import { NEXT_STAGES } from '../lots/index.js';
import { listAnalytes } from '../quality/index.js';
import { listSpecies } from '../species/index.js';
import { scientificName, vocabulary } from '../../web/lib/vocabulary.js';

export interface VocabularyDocument {
  /** The JSON text, served as it is. */
  text: string;
  etag: string;
}

/** The vocabulary with the species catalogue and the analytes, as JSON text with a content ETag. */
export async function buildVocabularyDocument(db: Database): Promise<VocabularyDocument> {
  const [species, analytes] = await Promise.all([listSpecies(db, undefined), listAnalytes(db)]);
  const content = {
    ...vocabulary,
    species: species.items.map((s) => ({ code: s.code, nameZh: s.nameZh, nameEn: s.nameEn, latinName: s.latinName, scientificName: scientificName(s.sourceSpecies[0]?.latinName), pinyin: s.pinyin, kind: s.kind, medicinalPart: { 'zh-CN': s.medicinalPart.zh, en: s.medicinalPart.en } })),
    analytes: analytes.items.map((a) => ({ code: a.code, 'zh-CN': a.nameZh, en: a.nameEn, category: a.category, units: a.units })),
    // The chain's stage rule itself, so the app offers only what the server accepts.
    nextStages: NEXT_STAGES,
  };
  const version = createHash('sha256').update(JSON.stringify(content)).digest('base64url').slice(0, 22);
  return { text: JSON.stringify({ version, ...content }), etag: `"${version}"` };
}

/**
 * The document, built at most once per `ttlMs`: the reference data changes only with a migration or a new
 * catalogue, and every phone that opens the app asks for it (single-flight, so a burst builds it once).
 */
export function vocabularyCache(db: Database, ttlMs: number): () => Promise<VocabularyDocument> {
  let current: { at: number; document: Promise<VocabularyDocument> } | undefined;
  return () => {
    const now = Date.now();
    if (!current || now - current.at > ttlMs) {
      const document = buildVocabularyDocument(db);
      current = { at: now, document };
      // A failed build is not kept: the next request tries again.
      document.catch(() => {
        if (current?.document === document) current = undefined;
      });
    }
    return current.document;
  };
}
