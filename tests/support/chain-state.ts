import type { FastifyInstance, InjectOptions } from 'fastify';
import type { Test } from 'tap';
import { sql } from 'drizzle-orm';
import { queryRows, type DatabaseHandle } from '../../src/db/client.js';
import { eventLots, events, lotEdges, lots, shipmentLines, shipments } from '../../src/db/schema.js';
import { expectProblem, type ProblemBody } from './http.js';

/**
 * Everything a lot-chain request could change: row counts of every chain table and the mutable state of every
 * lot and shipment, read in one statement (a refusal test takes two snapshots; eight queries each were the
 * larger part of those tests' time).
 */
export async function chainSnapshot(database: DatabaseHandle) {
  const tables = { lots, events, eventLots, lotEdges, shipments, shipmentLines };
  const counts = sql.join(
    Object.entries(tables).map(([name, table]) => sql`(select count(*)::int from ${table}) as ${sql.identifier(name)}`),
    sql`, `,
  );
  const [row] = await queryRows<Record<string, unknown>>(
    database.db,
    sql`select ${counts},
      (select coalesce(json_agg(json_build_object(
          'id', ${lots.id}, 'lotNumber', ${lots.lotNumber}, 'remaining', ${lots.remaining}::text, 'status', ${lots.status},
          'holderId', ${lots.holderId}, 'shipmentId', ${lots.shipmentId}, 'siteId', ${lots.siteId}, 'locationSiteId', ${lots.locationSiteId}
        ) order by ${lots.id}), '[]'::json) from ${lots}) as "lotRows",
      (select coalesce(json_agg(json_build_object(
          'id', ${shipments.id}, 'status', ${shipments.status}, 'closedAt', ${shipments.closedAt}, 'closeEventId', ${shipments.closeEventId}
        ) order by ${shipments.id}), '[]'::json) from ${shipments}) as "shipmentRows"`,
  );
  const json = (value: unknown) => (typeof value === 'string' ? JSON.parse(value) : value);
  return {
    counts: Object.fromEntries(Object.keys(tables).map((name) => [name, Number(row![name])])) as Record<keyof typeof tables, number>,
    lotRows: json(row!.lotRows) as {
      id: string;
      lotNumber: string;
      remaining: string;
      status: string;
      holderId: string | null;
      shipmentId: string | null;
      siteId: string | null;
      locationSiteId: string | null;
    }[],
    shipmentRows: json(row!.shipmentRows) as { id: string; status: string; closedAt: string | null; closeEventId: string | null }[],
  };
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
