import type { Database } from '../../db/client.js';
import { ValidationError } from '../../lib/errors.js';
import { findRegions, type RegionInfo } from './regions.repository.js';

/** The region for a code a client sent, or a 400 naming the field. */
export async function requireRegion(db: Database, code: string, path: string): Promise<RegionInfo> {
  const region = (await findRegions(db, [code])).get(code);
  if (!region) throw ValidationError.field(path, `${code} is not a GB/T 2260 administrative region code`);
  return region;
}

export { findRegions, type RegionInfo };
