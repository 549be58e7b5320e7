import { getTableName, sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/client.js';
import * as schema from '../../src/db/schema.js';

/**
 * Every table a request can write to (the catalogues — regions, species, limits, GI products — it cannot).
 * security_events is left out on purpose: a refusal is recorded there by design (the owner reads it), so a refused
 * request changes nothing else but may add one.
 */
const WRITABLE_TABLES = [
  schema.organizations,
  schema.apiKeys,
  schema.sites,
  schema.idempotencyKeys,
  schema.lots,
  schema.events,
  schema.eventLots,
  schema.lotEdges,
  schema.shipments,
  schema.shipmentLines,
  schema.labGrants,
  schema.labReports,
  schema.labResultItems,
  schema.giRegions,
  schema.certificates,
  schema.giClaims,
  schema.codes,
  schema.codeScans,
  schema.users,
  schema.userRecoveryCodes,
  schema.sessions,
];

/** Row counts of every writable table in one statement: "nothing stored" is "these did not change". */
export async function rowCounts(database: DatabaseHandle): Promise<Record<string, number>> {
  const names = WRITABLE_TABLES.map((table) => getTableName(table));
  const [row] = await queryRows<Record<string, unknown>>(
    database.db,
    sql.raw(`select ${names.map((n) => `(select count(*) from "${n}")::int as "${n}"`).join(', ')}`),
  );
  return Object.fromEntries(names.map((n) => [n, Number(row![n])]));
}
