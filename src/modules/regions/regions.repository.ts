import { eq, inArray } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { LRUCache } from 'lru-cache';
import type { Database } from '../../db/client.js';
import { regions } from '../../db/schema.js';

export interface RegionInfo {
  code: string;
  name: string;
  /** Province, prefecture and county names joined: 吉林省 白山市 抚松县. */
  fullName: string;
}

// Regions change only through migrations, so what was read once stays true for the life of the process. The
// bound is above the ≈ 3,350 codes of GB/T 2260, so in practice nothing read is ever dropped.
const cache = new LRUCache<string, RegionInfo>({ max: 5_000 });

/** The named regions with their full names; codes that do not exist are absent from the map. */
export async function findRegions(db: Database, codes: string[]): Promise<Map<string, RegionInfo>> {
  const unique = [...new Set(codes)];
  const found = new Map<string, RegionInfo>();
  const missing: string[] = [];
  for (const code of unique) {
    const info = cache.get(code);
    if (info) found.set(code, info);
    else missing.push(code);
  }
  if (missing.length > 0) {
    const parent = alias(regions, 'parent');
    const grandparent = alias(regions, 'grandparent');
    const rows = await db
      .select({ code: regions.code, name: regions.name, parentName: parent.name, grandparentName: grandparent.name })
      .from(regions)
      .leftJoin(parent, eq(parent.code, regions.parentCode))
      .leftJoin(grandparent, eq(grandparent.code, parent.parentCode))
      .where(inArray(regions.code, missing));
    for (const r of rows) {
      const info = {
        code: r.code,
        name: r.name,
        // 市辖区 ("districts under the city") is a placeholder level and says nothing to a reader.
        fullName: [r.grandparentName, r.parentName, r.name].filter((n): n is string => !!n && n !== '市辖区').join(' '),
      };
      cache.set(r.code, info);
      found.set(r.code, info);
    }
  }
  return found;
}
