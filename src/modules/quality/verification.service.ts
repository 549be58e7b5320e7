import type { Database } from '../../db/client.js';
import type { Actor } from '../../access/actor.js';
import { originShares, requireProvenanceReader, type GraphLimits } from '../provenance/index.js';
import type { GraphEdge, GraphNode } from '../provenance/index.js';
import * as repo from './quality.repository.js';
import { localDate } from './quality.rules.js';
import { evaluateGiClaim, upstreamGraph } from './quality.service.js';
import type { VerificationView } from './quality.schemas.js';

/** Stages whose lots need a passing lab report: dried origin-processed material and decoction pieces. */
export const TESTED_STAGES = new Set(['processed', 'decoction_piece']);

type Check = VerificationView['checks'][number];
const check = (name: string, failures: string[], pass: string, fail: (n: number) => string, extra = ''): Check => ({
  name,
  verdict: failures.length === 0 ? 'pass' : 'fail',
  detail: failures.length === 0 ? pass : `${fail(failures.length)}${extra}`,
  lots: failures,
});

/**
 * GET /v1/lots/{id}/verification: what a manufacturer checks before accepting an input lot, over its whole
 * upstream graph (one graph query, the same as provenance), each check with a verdict and the lots it failed on.
 */
export async function verifyLot(db: Database, actor: Actor, lotId: string, limits: GraphLimits): Promise<VerificationView> {
  const lot = await requireProvenanceReader(db, actor, lotId, limits);
  const graph = await upstreamGraph(db, lotId, limits);
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const parentEdges = new Map<string, GraphEdge[]>();
  for (const e of graph.edges) parentEdges.set(e.childLotId, [...(parentEdges.get(e.childLotId) ?? []), e]);
  const parentsOf = (id: string) => [...new Set((parentEdges.get(id) ?? []).map((e) => e.parentLotId))].map((p) => nodes.get(p)!);
  const label = (n: GraphNode) => `${n.lotNumber} (${n.id})`;
  const checks: Check[] = [];

  // 1. Every path ends in a seed lot recorded in the system (no external root).
  const roots = graph.nodes.filter((n) => parentsOf(n.id).length === 0);
  const untraced = roots.filter((n) => n.stage !== 'seed' || n.origin.type === 'external');
  checks.push(
    check(
      'chain-complete',
      untraced.map((n) => n.id),
      `Every path ends in a seed lot recorded in the chain (${roots.length} root${roots.length === 1 ? '' : 's'}).`,
      (k) => `${k} root lot${k === 1 ? '' : 's'} not traced to a seed source: ${untraced.map((n) => `${label(n)}${n.origin.type === 'external' ? ' external' : ` ${n.stage}`}`).join(', ')}.`,
    ),
  );

  // 2. Lots of a tested stage have a passing latest report, or are a split or merge of such lots of the same stage.
  const latest = await repo.latestReports(db, graph.nodes.map((n) => n.id));
  const covered = new Map<string, boolean>();
  const isCovered = (n: GraphNode): boolean => {
    const known = covered.get(n.id);
    if (known !== undefined) return known;
    const report = latest.get(n.id);
    const parents = parentsOf(n.id);
    const result = report
      ? report.verdict === 'pass'
      : parents.length > 0 && parents.every((p) => p.stage === n.stage && isCovered(p));
    covered.set(n.id, result);
    return result;
  };
  const needing = graph.nodes.filter((n) => TESTED_STAGES.has(n.stage));
  const untested = needing.filter((n) => !isCovered(n));
  checks.push(
    needing.length === 0
      ? { name: 'lab-tests', verdict: 'not_applicable', detail: 'No processed or decoction-piece lot upstream needs a test.', lots: [] }
      : check(
          'lab-tests',
          untested.map((n) => n.id),
          `All ${needing.length} processed and decoction-piece lots have a passing lab report (their own, or the lot they were split from).`,
          (k) =>
            `${k} lot${k === 1 ? '' : 's'} without a passing lab report: ${untested.map((n) => `${label(n)}${latest.get(n.id) ? ` latest report ${latest.get(n.id)!.reportNumber} ${latest.get(n.id)!.verdict}` : ' untested'}`).join(', ')}.`,
        ),
  );

  // 3. Nothing upstream (or the lot itself) is on hold or recalled; the lot itself is not destroyed.
  const blocked = graph.nodes.filter((n) => n.status === 'hold' || n.status === 'recalled' || (n.id === lotId && n.status === 'destroyed'));
  checks.push(
    check(
      'no-blocks',
      blocked.map((n) => n.id),
      'No lot of the chain is on hold or recalled.',
      (k) => `${k} lot${k === 1 ? '' : 's'} blocked: ${blocked.map((n) => `${label(n)} ${n.status}`).join(', ')}.`,
    ),
  );

  // 4. Every origin (harvest or cultivation lot, as in provenance originShares) grew at a site GAP-certified on its
  //    date, by a confirmed certificate: a self-declared one is named in the detail but does not count.
  const origins = [...originShares(lotId, nodes, parentEdges).origins.keys()].map((id) => nodes.get(id)!);
  const grown = origins.filter((o) => o.stage === 'harvest' || o.stage === 'cultivation' || o.origin.type === 'external');
  const gap = await repo.gapCertificatesOfSites(db, [...new Set(grown.flatMap((o) => (o.siteId ? [o.siteId] : [])))]);
  const selfDeclaredOnly = new Set<string>();
  const uncertified = grown.filter((o) => {
    if (o.origin.type === 'external' || !o.siteId) return true;
    const day = localDate(new Date(o.producedAtMs), o.producedAtOffset);
    const valid = gap.filter((c) => c.siteId === o.siteId && c.validFrom <= day && c.validUntil >= day);
    if (valid.some((c) => c.assertion === 'confirmed')) return false;
    if (valid.length > 0) selfDeclaredOnly.add(o.id);
    return true;
  });
  checks.push(
    grown.length === 0
      ? { name: 'gap-certified', verdict: 'not_applicable', detail: 'No harvest or cultivation lot upstream.', lots: [] }
      : check(
          'gap-certified',
          uncertified.map((o) => o.id),
          `All ${grown.length} origin lot${grown.length === 1 ? '' : 's'} grew at a base with a confirmed GAP certificate valid on the day they were produced.`,
          (k) =>
            `${k} origin lot${k === 1 ? '' : 's'} without a valid confirmed GAP certificate of their base: ${uncertified
              .map((o) => `${label(o)}${o.origin.type === 'external' ? ' external' : o.siteId ? ` site ${o.siteId}` : ' no site'}${selfDeclaredOnly.has(o.id) ? ' (self-declared only, not confirmed)' : ''}`)
              .join(', ')}.`,
        ),
  );

  // 5. Each GI the lot claims is still valid: origins in today's protected regions, authorisation valid at the claim.
  const claims = await repo.giClaimsOfLot(db, lotId);
  if (claims.length === 0) {
    checks.push({ name: 'gi-claim', verdict: 'not_applicable', detail: 'The lot claims no geographical indication.', lots: [] });
  } else {
    const problems: string[] = [];
    const lots = new Set<string>();
    for (const c of claims) {
      const gi = (await repo.findGiProduct(db, c.giCode))!;
      const result = await evaluateGiClaim(db, lot, gi, { at: c.claimedAt, offsetMinutes: c.claimedAtOffset }, graph);
      for (const p of result.problems) {
        problems.push(`${gi.nameZh}: ${p.rule}: ${p.detail}`);
        p.lots.forEach((id) => lots.add(id));
      }
    }
    checks.push(
      problems.length === 0
        ? { name: 'gi-claim', verdict: 'pass', detail: `GI claim${claims.length === 1 ? '' : 's'} ${claims.map((c) => c.giCode).join(', ')} valid.`, lots: [] }
        : { name: 'gi-claim', verdict: 'fail', detail: problems.join(' '), lots: [...lots] },
    );
  }

  // 6. Custody: whoever made each transformation held every input at that moment (the producer, or the last
  //    receiver of a shipment before the event, in insertion order).
  const { edgeEvents, receipts } = await repo.custodyEvents(db, [...new Set(graph.edges.map((e) => e.eventId))], graph.nodes.map((n) => n.id));
  const broken = new Set<string>();
  for (const e of graph.edges) {
    const event = edgeEvents.get(e.eventId);
    if (!event) {
      broken.add(e.childLotId);
      continue;
    }
    let holder = nodes.get(e.parentLotId)!.producerId;
    for (const r of receipts) if (r.lotId === e.parentLotId && r.seq < event.seq) holder = r.organizationId;
    if (holder !== event.organizationId) broken.add(e.childLotId);
  }
  checks.push(
    check(
      'custody',
      [...broken],
      `Each of the ${graph.edges.length} transformation inputs was held by the organisation that used it.`,
      (k) => `${k} lot${k === 1 ? '' : 's'} made from material its maker did not hold: ${[...broken].join(', ')}.`,
    ),
  );

  return { lotId, verdict: checks.some((c) => c.verdict === 'fail') ? 'fail' : 'pass', checks };
}

