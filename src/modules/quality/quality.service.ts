import type { Database } from '../../db/client.js';
import { pgConstraintName, pgErrorCode, UNIQUE_VIOLATION } from '../../lib/db-errors.js';
import { ConflictError, ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { formatOffsetTime, parseEventTime, parseOffsetTime, type OffsetTime } from '../../lib/time.js';
import type { Actor, OrganizationActor } from '../../access/actor.js';
import { authorizeLot, requireWriter } from '../../access/policy.js';
import { recordEvent } from '../../events/index.js';
import * as lotsRepo from '../lots/index.js';
import { assertHolder, assertNotBeforeProduction, assertNotInTransit } from '../lots/index.js';
import { findOrganizationById } from '../organizations/index.js';
import { findRegions } from '../regions/index.js';
import { originShares, requireProvenanceReader, type GraphLimits } from '../provenance/index.js';
import * as provenanceRepo from '../provenance/index.js';
import * as repo from './quality.repository.js';
import { judgeReport, localDate, normalizeDecimal, parseDecimal, UNIT_FACTORS, type ParsedResult } from './quality.rules.js';
import type { GiClaimInput, GiClaimView, GiProductView, LabGrantInput, LabReportView, LabResultInput, SetGiRegionsInput } from './quality.schemas.js';

/** POST /v1/lots/{id}/lab-grants: the holder lets a lab organisation submit results for the lot. */
export async function grantLab(db: Database, actor: Actor, lotId: string, input: LabGrantInput) {
  const writer = requireWriter(actor);
  const lot = await authorizeLot(db, actor, lotId, 'record');
  if (lot.holderId !== writer.organizationId) throw new ForbiddenError('Only the holder of the lot authorises labs for it.');
  // The sender stays holder until receipt: a grant given in transit would let its lab hold the receiver's lot.
  assertNotInTransit(lot, 'lotId');
  const lab = await findOrganizationById(db, input.labOrganizationId);
  if (!lab) throw ValidationError.field('labOrganizationId', `${input.labOrganizationId} is not a known organisation`);
  if (!lab.kinds.includes('lab')) {
    throw new RuleViolationError('not-a-lab', `${lab.name} is not a testing lab (organisation kind lab).`, [
      { path: 'labOrganizationId', message: 'not an organisation of kind lab' },
    ]);
  }
  if (await repo.findGrant(db, lotId, lab.id, writer.organizationId)) throw new ConflictError(`${lab.name} is already authorised for lot ${lotId}.`);
  try {
    const grant = await db.transaction(async (tx) => {
      const event = await recordEvent(tx, actor, {
        type: 'lab_granted',
        occurredAt: parseOffsetTime(new Date().toISOString()),
        data: { labOrganizationId: lab.id, labName: lab.name },
        lots: [{ lotId, role: 'subject' }],
      });
      return repo.insertGrant(tx, { lotId, labOrganizationId: lab.id, grantedBy: writer.organizationId, eventId: event.id });
    });
    return {
      lotId,
      labOrganization: { id: lab.id, name: lab.name },
      grantedBy: { id: writer.organizationId, name: writer.organizationName },
      eventId: grant.eventId,
      createdAt: grant.createdAt.toISOString(),
    };
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw new ConflictError(`${lab.name} is already authorised for lot ${lotId}.`);
    throw error;
  }
}

/** GET /v1/lab-grants: the lots a lab may submit results for (granted by their current holder). */
export async function listLabGrants(db: Database, actor: OrganizationActor) {
  const rows = await repo.listGrantsForLab(db, actor.organizationId, 500);
  return {
    items: rows.map((r) => ({
      lot: { id: r.lot_id, lotNumber: r.lot_number, stage: r.stage, speciesCode: r.species_code, status: r.status },
      grantedBy: { id: r.granted_by, name: r.granted_by_name },
      createdAt: new Date(r.created_at).toISOString(),
    })),
  };
}

/** Every result checked against the analyte vocabulary: an unknown analyte or unit is a 400 naming the field. */
async function parseResults(db: Database, input: LabResultInput): Promise<ParsedResult[]> {
  const vocabulary = await repo.findAnalytes(db, [...new Set(input.results.map((r) => r.analyte))]);
  const seen = new Set<string>();
  return input.results.map((r, i) => {
    const path = `results/${i}`;
    const analyte = vocabulary.get(r.analyte);
    if (!analyte) throw ValidationError.field(`${path}/analyte`, `${r.analyte} is not in the analyte vocabulary (GET /v1/analytes)`);
    if (seen.has(r.analyte)) throw ValidationError.field(`${path}/analyte`, `${r.analyte} is reported twice`);
    seen.add(r.analyte);
    if (!analyte.units.includes(r.unit) || !UNIT_FACTORS[r.unit]) {
      throw ValidationError.field(`${path}/unit`, `${r.unit} is not a unit for ${r.analyte}; use ${analyte.units.join(', ')}`);
    }
    const { text, value } = parseDecimal(r.value, `${path}/value`);
    if (r.unit === '%' && value.n >= 100n * value.d) throw ValidationError.field(`${path}/value`, 'a percentage must be below 100');
    if (r.loq !== undefined) parseDecimal(r.loq, `${path}/loq`);
    return { analyte: r.analyte, value, valueText: text, unit: r.unit, basis: r.basis ?? 'as_is' };
  });
}

/**
 * POST /v1/lots/{id}/lab-results: stores the report with a verdict per item and overall, judged against the
 * lot's monograph in the requested (default: newest) edition. A failing report puts an active lot on hold in
 * the same transaction, with a status_changed event naming the report; releasing it is an explicit
 * POST /v1/lots/{id}/status {status: active}.
 */
export async function submitLabResults(db: Database, actor: Actor, lotId: string, input: LabResultInput): Promise<LabReportView> {
  // Who submits: the holder, or a lab the current holder authorised (a new holder chooses its own labs).
  const writer = requireWriter(actor);
  const lot = await authorizeLot(db, actor, lotId, 'submit-lab-results');
  // Nobody reports on a travelling lot (a failing report would put it on hold in the receiver's hands); checked
  // again under the row lock below.
  assertNotInTransit(lot, 'lotId');
  const results = await parseResults(db, input);
  const sampledAt = parseEventTime(input.sampledAt, 'sampledAt');
  const testedAt = parseEventTime(input.testedAt, 'testedAt');
  assertNotBeforeProduction(lot, sampledAt.at, 'sampledAt');
  if (testedAt.at.getTime() < sampledAt.at.getTime()) {
    throw new RuleViolationError('chronology', 'A sample is tested after it was taken.', [{ path: 'testedAt', message: 'before sampledAt' }]);
  }
  const edition = input.edition ?? (await repo.newestEdition(db)) ?? null;
  if (input.edition !== undefined && !(await repo.editionExists(db, input.edition))) {
    throw ValidationError.field('edition', `edition ${input.edition} of the pharmacopoeia is not loaded`);
  }
  const form = typeof lot.attributes === 'object' && lot.attributes !== null ? (lot.attributes as Record<string, unknown>).form : undefined;
  const monograph = await repo.monographForLot(db, { speciesCode: lot.speciesCode, stage: lot.stage, form: typeof form === 'string' ? form : null });
  const limits = monograph && edition ? await repo.limitsFor(db, edition, monograph.code) : null;
  const judged = judgeReport(results, limits);
  if (await repo.reportNumberUsed(db, lotId, input.reportNumber)) throw reportConflict(input.reportNumber);

  const reportId = newId('lab');
  // The items as reported (normalised), shared by the event and the answer.
  const reported = input.results.map((r, i) => ({
    analyte: r.analyte,
    value: results[i]!.valueText,
    unit: r.unit,
    basis: results[i]!.basis,
    method: r.method ?? null,
    loq: r.loq === undefined ? null : normalizeDecimal(String(r.loq)),
  }));
  try {
    const written = await db.transaction(async (tx) => {
      const locked = (await lotsRepo.lockLots(tx, [lotId])).get(lotId)!;
      assertNotInTransit(locked, 'lotId');
      const event = await recordEvent(tx, actor, {
        type: 'lab_result',
        occurredAt: testedAt,
        // The whole report, items and their verdicts included: the event alone says what the lab found.
        data: {
          reportId,
          reportNumber: input.reportNumber,
          sampledAt: formatOffsetTime(sampledAt.at, sampledAt.offsetMinutes),
          verdict: judged.verdict,
          edition,
          monograph: monograph?.code ?? null,
          missing: judged.missing,
          items: reported.map((r, i) => ({
            ...r,
            verdict: judged.items[i]!.verdict,
            limitId: judged.items[i]!.limit?.id ?? null,
            comparedValue: judged.items[i]!.compared?.value ?? null,
          })),
        },
        lots: [{ lotId, role: 'subject' }],
      });
      await repo.insertReport(
        tx,
        {
          id: reportId,
          lotId,
          reportNumber: input.reportNumber,
          submittedBy: writer.organizationId,
          sampledAt: sampledAt.at,
          sampledAtOffset: sampledAt.offsetMinutes,
          testedAt: testedAt.at,
          testedAtOffset: testedAt.offsetMinutes,
          edition,
          monographCode: monograph?.code ?? null,
          verdict: judged.verdict,
          missing: judged.missing,
          eventId: event.id,
        },
        input.results.map((r, i) => ({
          reportId,
          lineNo: i,
          analyteCode: r.analyte,
          value: results[i]!.valueText,
          unit: r.unit,
          basis: results[i]!.basis,
          method: r.method ?? null,
          loq: r.loq === undefined ? null : normalizeDecimal(String(r.loq)),
          limitId: judged.items[i]!.limit?.id ?? null,
          comparedValue: judged.items[i]!.compared?.value ?? null,
          verdict: judged.items[i]!.verdict,
        })),
      );
      let hold: { eventId: string } | null = null;
      if (judged.verdict === 'fail' && locked.status === 'active') {
        const failed = results
          .map((r, i) => ({ r, item: judged.items[i]! }))
          .filter(({ item }) => item.verdict === 'fail')
          .map(({ r, item }) => `${r.analyte} ${item.compared!.value} ${item.limit!.unit} (${item.limit!.comparator === 'gte' ? '≥' : '≤'} ${normalizeDecimal(item.limit!.value)})`);
        await lotsRepo.setStatus(tx, [lotId], 'hold');
        const held = await recordEvent(tx, actor, {
          type: 'status_changed',
          occurredAt: testedAt,
          data: { from: 'active', to: 'hold', reason: `Lab report ${input.reportNumber} (${reportId}) failed: ${failed.join('; ')}`, labReportId: reportId },
          lots: [{ lotId, role: 'subject' }],
        });
        hold = { eventId: held.id };
      }
      return { eventId: event.id, hold };
    });
    const limitViews = new Map((limits ?? []).map((l) => [l.id, limitView(l)]));
    return {
      id: reportId,
      lotId,
      reportNumber: input.reportNumber,
      submittedBy: { id: writer.organizationId, name: writer.organizationName },
      sampledAt: formatOffsetTime(sampledAt.at, sampledAt.offsetMinutes),
      testedAt: formatOffsetTime(testedAt.at, testedAt.offsetMinutes),
      edition,
      monograph: monograph ? { code: monograph.code, nameZh: monograph.nameZh } : null,
      verdict: judged.verdict,
      missing: judged.missing,
      items: reported.map((r, i) => ({
        ...r,
        limit: judged.items[i]!.limit ? limitViews.get(judged.items[i]!.limit!.id)! : null,
        compared: judged.items[i]!.compared,
        verdict: judged.items[i]!.verdict,
      })),
      hold: written.hold,
      eventId: written.eventId,
    };
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION && pgConstraintName(error) === 'lab_reports_lot_report_number_key') throw reportConflict(input.reportNumber);
    throw error;
  }
}

const reportConflict = (reportNumber: string) => new ConflictError(`Report ${reportNumber} is already recorded for this lot.`);

function limitView(l: repo.LimitRow) {
  return {
    id: l.id,
    edition: l.edition,
    monographCode: l.monographCode,
    analyte: l.analyteCode,
    comparator: l.comparator,
    value: normalizeDecimal(l.value),
    unit: l.unit,
    basis: l.basis,
    required: l.required,
    methodReference: l.methodReference,
    verified: l.verified,
    source: l.source,
  };
}

/** GET /v1/lots/{id}/lab-results: readers of the lot's provenance and the labs authorised for it. */
export async function listLabResults(db: Database, actor: Actor, lotId: string, limits: GraphLimits): Promise<{ items: LabReportView[] }> {
  await authorizeLot(db, actor, lotId, 'read-lab-results', { lineageLimit: limits.maxNodes });
  const rows = await repo.reportsOfLot(db, lotId);
  const items = await repo.itemsOfReports(db, rows.map((r) => r.report.id));
  const limitRows = await repo.findLimits(db, [...new Set(items.flatMap((i) => (i.limitId ? [i.limitId] : [])))]);
  const monographs = new Map<string, string>();
  for (const code of new Set(rows.flatMap((r) => (r.report.monographCode ? [r.report.monographCode] : [])))) {
    monographs.set(code, (await repo.findMonograph(db, code))?.nameZh ?? code);
  }
  const holds = await repo.holdEventsOfReports(db, lotId);
  return {
    items: rows.map(({ report, submitterName }) => ({
      id: report.id,
      lotId,
      reportNumber: report.reportNumber,
      submittedBy: { id: report.submittedBy, name: submitterName },
      sampledAt: formatOffsetTime(report.sampledAt, report.sampledAtOffset),
      testedAt: formatOffsetTime(report.testedAt, report.testedAtOffset),
      edition: report.edition,
      monograph: report.monographCode ? { code: report.monographCode, nameZh: monographs.get(report.monographCode)! } : null,
      verdict: report.verdict,
      missing: report.missing,
      items: items
        .filter((i) => i.reportId === report.id)
        .map((i) => {
          const limit = i.limitId ? limitRows.get(i.limitId) : undefined;
          return {
            analyte: i.analyteCode,
            value: normalizeDecimal(i.value),
            unit: i.unit,
            basis: i.basis,
            method: i.method,
            loq: i.loq === null ? null : normalizeDecimal(i.loq),
            limit: limit ? limitView(limit) : null,
            compared: limit && i.comparedValue !== null ? { value: i.comparedValue, unit: limit.unit, basis: limit.basis } : null,
            verdict: i.verdict,
          };
        }),
      hold: holds.get(report.id) ? { eventId: holds.get(report.id)! } : null,
      eventId: report.eventId,
    })),
  };
}

export async function listAnalytes(db: Database) {
  return { items: await repo.listAnalytes(db) };
}

export async function listLimits(db: Database, query: { edition?: string | undefined; monograph?: string | undefined }) {
  const edition = query.edition ?? (await repo.newestEdition(db));
  const rows = edition ? await repo.listLimits(db, edition, query.monograph) : [];
  return { edition: edition ?? null, items: rows.map(limitView) };
}

/* ---------- GI products, protected regions and claims ---------- */

async function giView(db: Database, gi: repo.GiProductRow): Promise<GiProductView> {
  const codes = (await repo.giRegionCodes(db, [gi.code])).get(gi.code)!;
  const names = await findRegions(db, codes);
  return {
    code: gi.code,
    nameZh: gi.nameZh,
    speciesCode: gi.speciesCode,
    regions: codes.map((code) => ({ code, name: names.get(code)?.fullName ?? code })),
    regionsVerified: gi.regionsVerified,
    regionsSource: gi.regionsSource,
  };
}

export async function listGiProducts(db: Database) {
  const rows = await repo.listGiProducts(db);
  return { items: await Promise.all(rows.map((gi) => giView(db, gi))) };
}

export async function getGiProduct(db: Database, code: string) {
  const gi = await repo.findGiProduct(db, code);
  if (!gi) throw new NotFoundError(`No GI product ${code}.`);
  return giView(db, gi);
}

/** PUT /v1/gi-products/{code}/regions (admin): replaces the protected regions of a GI. */
export async function setGiRegions(db: Database, code: string, input: SetGiRegionsInput) {
  const gi = await repo.findGiProduct(db, code);
  if (!gi) throw new NotFoundError(`No GI product ${code}.`);
  const known = await findRegions(db, input.regionCodes);
  const unknown = input.regionCodes.findIndex((c) => !known.has(c));
  if (unknown >= 0) throw ValidationError.field(`regionCodes/${unknown}`, `${input.regionCodes[unknown]} is not a GB/T 2260 region code`);
  await db.transaction((tx) => repo.replaceGiRegions(tx, code, input.regionCodes, input.verified, input.source));
  return getGiProduct(db, code);
}

export interface GiProblem {
  rule: 'gi-species' | 'gi-region' | 'gi-authorisation';
  detail: string;
  lots: string[];
}

/**
 * Whether a lot may carry a GI at `at`: the GI's species, every origin of the lot (the same origin lots as
 * provenance's originShares) at a site inside the GI's protected regions, and the lot's producer holding a
 * confirmed GI-use authorisation valid that day. Returns the problems (none: the claim is valid) and the authorisation.
 */
export async function evaluateGiClaim(
  db: Database,
  lot: { id: string; speciesCode: string; producerId: string },
  gi: repo.GiProductRow,
  at: OffsetTime,
  graph: provenanceRepo.Graph,
): Promise<{ problems: GiProblem[]; authorisation: repo.CertificateRow | undefined }> {
  const problems: GiProblem[] = [];
  if (gi.speciesCode && gi.speciesCode !== lot.speciesCode) {
    problems.push({ rule: 'gi-species', detail: `${gi.nameZh} is a GI for species ${gi.speciesCode}, not ${lot.speciesCode}.`, lots: [lot.id] });
  }
  const regions = (await repo.giRegionCodes(db, [gi.code])).get(gi.code)!;
  const nodes = new Map(graph.nodes.map((n) => [n.id, n]));
  const parentEdges = new Map<string, provenanceRepo.GraphEdge[]>();
  for (const e of graph.edges) parentEdges.set(e.childLotId, [...(parentEdges.get(e.childLotId) ?? []), e]);
  const origins = [...originShares(lot.id, nodes, parentEdges).origins.keys()].map((id) => nodes.get(id)!);
  const sites = new Map(graph.sites.map((s) => [s.id, s]));
  const lineage = await repo.regionLineage(db, [...new Set(origins.flatMap((o) => (o.siteId && sites.get(o.siteId) ? [sites.get(o.siteId)!.regionCode] : [])))]);
  const outside = origins.filter((o) => {
    if (o.origin.type === 'external' || !o.siteId) return true;
    const region = sites.get(o.siteId)?.regionCode;
    const up = region ? lineage.get(region) : undefined;
    return !up || !regions.some((r) => up.has(r));
  });
  if (regions.length === 0) {
    problems.push({ rule: 'gi-region', detail: `${gi.nameZh} has no protected regions configured.`, lots: origins.map((o) => o.id) });
  } else if (outside.length > 0) {
    const where = outside.map((o) => {
      const site = o.siteId ? sites.get(o.siteId) : undefined;
      return o.origin.type === 'external' ? `${o.lotNumber} (external, untraced)` : `${o.lotNumber} (${site ? `${site.name}, ${site.regionCode}` : 'no site'})`;
    });
    problems.push({
      rule: 'gi-region',
      detail: `Origins outside the protected regions of ${gi.nameZh} (${regions.join(', ')}): ${where.join('; ')}.`,
      lots: outside.map((o) => o.id),
    });
  }
  const day = localDate(at.at, at.offsetMinutes);
  // Only a confirmed authorisation counts: anyone can record a certificate for itself.
  const found = await repo.validGiAuthorisation(db, lot.producerId, gi.code, day);
  const authorisation = found?.assertion === 'confirmed' ? found : undefined;
  if (!found) {
    problems.push({ rule: 'gi-authorisation', detail: `The producer of lot ${lot.id} holds no authorisation to use ${gi.nameZh} valid on ${day}.`, lots: [lot.id] });
  } else if (!authorisation) {
    problems.push({
      rule: 'gi-authorisation',
      detail: `The producer's authorisation to use ${gi.nameZh} (${found.authority} ${found.number}, certificate ${found.id}) is self-declared: it counts once a regulator or certifier confirms it (POST /v1/certificates/${found.id}/confirm).`,
      lots: [lot.id],
    });
  }
  return { problems, authorisation };
}

export async function upstreamGraph(db: Database, lotId: string, limits: GraphLimits): Promise<provenanceRepo.Graph> {
  const graph = await provenanceRepo.fetchAncestors(db, lotId, limits.maxNodes);
  if (graph.truncated) {
    throw new RuleViolationError('graph-too-large', `The upstream graph of this lot has more than ${limits.maxNodes} lots; ask for a lot further up the chain.`);
  }
  return graph;
}

/** POST /v1/lots/{id}/gi-claims: the holder claims a GI for the lot; refused with a 422 naming the broken rule. */
export async function claimGi(db: Database, actor: Actor, lotId: string, input: GiClaimInput, limits: GraphLimits): Promise<GiClaimView> {
  const writer = requireWriter(actor);
  const lot = await authorizeLot(db, actor, lotId, 'record');
  assertHolder(lot, writer.organizationId, 'lotId');
  const gi = await repo.findGiProduct(db, input.giCode);
  if (!gi) throw ValidationError.field('giCode', `${input.giCode} is not a GI product (GET /v1/gi-products)`);
  const claimedAt = parseEventTime(input.claimedAt ?? new Date().toISOString(), 'claimedAt');
  assertNotBeforeProduction(lot, claimedAt.at, 'claimedAt');
  if (await repo.findGiClaim(db, lotId, gi.code)) throw new ConflictError(`Lot ${lotId} already claims ${gi.nameZh}.`);
  const graph = await upstreamGraph(db, lotId, limits);
  const { problems, authorisation } = await evaluateGiClaim(db, lot, gi, claimedAt, graph);
  const first = problems[0];
  if (first) {
    throw new RuleViolationError(first.rule, first.detail, [{ path: first.rule === 'gi-species' || first.rule === 'gi-region' ? 'lotId' : 'giCode', message: first.rule }]);
  }
  try {
    const eventId = await db.transaction(async (tx) => {
      const event = await recordEvent(tx, actor, {
        type: 'gi_claimed',
        occurredAt: claimedAt,
        data: {
          giCode: gi.code,
          giName: gi.nameZh,
          certificateId: authorisation!.id,
          certificate: { authority: authorisation!.authority, number: authorisation!.number, assertion: authorisation!.assertion },
        },
        lots: [{ lotId, role: 'subject' }],
      });
      await repo.insertGiClaim(tx, {
        lotId,
        giCode: gi.code,
        organizationId: writer.organizationId,
        certificateId: authorisation!.id,
        claimedAt: claimedAt.at,
        claimedAtOffset: claimedAt.offsetMinutes,
        eventId: event.id,
      });
      return event.id;
    });
    return {
      lotId,
      gi: { code: gi.code, nameZh: gi.nameZh },
      organizationId: writer.organizationId,
      certificateId: authorisation!.id,
      claimedAt: formatOffsetTime(claimedAt.at, claimedAt.offsetMinutes),
      eventId,
    };
  } catch (error) {
    if (pgErrorCode(error) === UNIQUE_VIOLATION) throw new ConflictError(`Lot ${lotId} already claims ${gi.nameZh}.`);
    throw error;
  }
}

export async function listGiClaims(db: Database, actor: Actor, lotId: string, limits: GraphLimits) {
  await requireProvenanceReader(db, actor, lotId, limits);
  const claims = await repo.giClaimsOfLot(db, lotId);
  const names = new Map((await repo.listGiProducts(db)).map((g) => [g.code, g.nameZh]));
  return {
    items: claims.map((c) => ({
      lotId,
      gi: { code: c.giCode, nameZh: names.get(c.giCode) ?? c.giCode },
      organizationId: c.organizationId,
      certificateId: c.certificateId,
      claimedAt: formatOffsetTime(c.claimedAt, c.claimedAtOffset),
      eventId: c.eventId,
    })),
  };
}

