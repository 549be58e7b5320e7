import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Test } from 'tap';
import { asc, count } from 'drizzle-orm';
import type { DatabaseHandle } from '../../src/db/client.js';
import { eventLots, events, lotEdges, lots, shipmentLines, shipments } from '../../src/db/schema.js';
import { expectProblem, type ProblemBody } from './http.js';

/** Everything a lot-chain request could change: row counts of every chain table and the mutable state of every lot and shipment. */
export async function chainSnapshot(database: DatabaseHandle) {
  const db = database.db;
  const tables = { lots, events, eventLots, lotEdges, shipments, shipmentLines };
  const counts: Record<string, number> = {};
  for (const [name, table] of Object.entries(tables)) {
    const [row] = await db.select({ n: count() }).from(table);
    counts[name] = Number(row!.n);
  }
  const lotRows = await db
    .select({
      id: lots.id,
      lotNumber: lots.lotNumber,
      remaining: lots.remaining,
      status: lots.status,
      holderId: lots.holderId,
      shipmentId: lots.shipmentId,
      siteId: lots.siteId,
      locationSiteId: lots.locationSiteId,
    })
    .from(lots)
    .orderBy(asc(lots.id));
  const shipmentRows = await db
    .select({ id: shipments.id, status: shipments.status, closedAt: shipments.closedAt, closeEventId: shipments.closeEventId })
    .from(shipments)
    .orderBy(asc(shipments.id));
  return { counts, lotRows, shipmentRows };
}

export interface RefusalExpectation {
  rule?: string;
  /** A path that must be among errors[].path. */
  path?: string;
}

/**
 * `refused(t, request, status, expect)`: sends a request that must be refused with `status` (and rule / error
 * path), and asserts that nothing in the chain changed.
 */
export function refusalChecker(app: FastifyInstance, database: DatabaseHandle) {
  return async function refused(t: Test, request: InjectOptions, status: number, expect: RefusalExpectation = {}): Promise<ProblemBody> {
    const before = await chainSnapshot(database);
    const res = await app.inject(request);
    const problem = expectProblem(t, res, status);
    if (expect.rule !== undefined) t.equal(problem.rule, expect.rule, `rule ${expect.rule}`);
    else if (status !== 422) t.notOk(problem.rule, 'no rule on a non-422 problem');
    if (status === 422) t.equal(problem.type, `/problems/rule/${problem.rule}`, 'problem type names the rule');
    if (expect.path !== undefined) {
      t.ok(
        (problem.errors ?? []).some((e) => e.path === expect.path),
        `errors[].path has ${expect.path} (got ${JSON.stringify(problem.errors)})`,
      );
    }
    t.same(await chainSnapshot(database), before, 'nothing stored');
    return problem;
  };
}
