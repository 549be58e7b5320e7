import type { Actor } from '../../access/actor.js';
import { readsEverything } from '../../access/actor.js';
import type { Database } from '../../db/client.js';
import { NotFoundError, RuleViolationError } from '../../lib/errors.js';
import { fetchAncestors, requireProvenanceReader, type GraphLimits } from '../provenance/index.js';
import { siteAtKey, siteQuestionOf, toEpcisEvent, type EpcisEvent, type EpcisFacts, type LotFact, type MappedEventRecord, type OrganizationFact, type ShipmentFact, type SiteFact } from './epcis.mapping.js';
import { catchUpEpcisIndex } from './epcis-index.js';
import * as repo from './epcis.repository.js';
import { analyteTerm, documentContext, ht, TERMS, vocabularyBase, type Term } from './epcis.vocabulary.js';

/** Stored documents read per statement by the chain export (and fact lookups for events not indexed yet). */
const EXPORT_BATCH = 1000;

/** The facts of the objects events name, looked up once per export and kept while it runs. */
class FactCache {
  readonly lots = new Map<string, LotFact>();
  readonly sites = new Map<string, SiteFact>();
  readonly organizations = new Map<string, OrganizationFact>();
  readonly shipments = new Map<string, ShipmentFact>();

  constructor(
    private readonly db: Database,
    private readonly baseUrl: string,
  ) {}

  /** The facts for these records, loading what is not known yet. */
  async factsFor(records: MappedEventRecord[]): Promise<EpcisFacts> {
    const missing = <T>(ids: Iterable<string>, known: Map<string, T>) => [...new Set(ids)].filter((id) => id && !known.has(id));
    const str = (v: unknown) => (typeof v === 'string' ? [v] : []);
    const lotIds = missing(records.flatMap((r) => r.lots.map((l) => l.lotId)), this.lots);
    for (const lot of await repo.lotFacts(this.db, lotIds)) this.lots.set(lot.id, lot);
    const shipmentIds = missing(records.flatMap((r) => (r.type.startsWith('shipment_') ? str(r.data.shipmentId) : [])), this.shipments);
    for (const s of await repo.shipmentFacts(this.db, shipmentIds)) this.shipments.set(s.id, s);
    const questions = records.flatMap((r) => {
      const lotId = siteQuestionOf(r);
      return lotId ? [{ eventId: r.id, lotId, organizationId: r.organization.id }] : [];
    });
    const receipts = await repo.receiptSitesAtEvents(this.db, questions);
    const siteIds = missing(
      [...records.flatMap((r) => [...r.lots.map((l) => this.lots.get(l.lotId)?.siteId ?? ''), ...str(r.data.siteId)]), ...[...receipts.values()].flatMap(str)],
      this.sites,
    );
    for (const s of await repo.siteFacts(this.db, siteIds)) this.sites.set(s.id, s);
    // As of the event: the organisation's last receipt of the lot, else where the lot was made when it was there.
    const sitesAt = new Map<string, string | null>();
    for (const q of questions) {
      const key = siteAtKey(q.eventId, q.lotId);
      const produced = this.lots.get(q.lotId)?.siteId;
      sitesAt.set(key, receipts.has(key) ? receipts.get(key)! : produced && this.sites.get(produced)?.organizationId === q.organizationId ? produced : null);
    }
    const orgIds = missing(
      records.flatMap((r) => [r.organization.id, ...str(r.data.toOrganizationId), ...str(r.data.labOrganizationId), ...(r.type.startsWith('shipment_') ? str(this.shipments.get(String(r.data.shipmentId))?.fromOrganizationId) : [])]),
      this.organizations,
    );
    for (const o of await repo.organizationFacts(this.db, orgIds)) this.organizations.set(o.id, o);
    const lotOf = (r: MappedEventRecord) => ({ eventId: r.id, lotId: r.lots[0]?.lotId ?? '' });
    const codesByEvent = await repo.codesOfEvents(this.db, records.filter((r) => r.type === 'codes_issued').map(lotOf), records.filter((r) => r.type === 'code_voided').map(lotOf));
    return { baseUrl: this.baseUrl, lots: this.lots, sites: this.sites, organizations: this.organizations, shipments: this.shipments, codesByEvent, sitesAt };
  }
}

/** The EPCIS forms of these event records (for callers that already read them under the read rules). */
export async function epcisEventsOf(db: Database, records: MappedEventRecord[], baseUrl: string): Promise<EpcisEvent[]> {
  const facts = await new FactCache(db, baseUrl).factsFor(records);
  return records.map((r) => toEpcisEvent(r, facts));
}

/** The EPCIS form of one stored event by its HerbTrace id (no read rule: callers check authorizeEvent first). */
export async function epcisEventById(db: Database, id: string, baseUrl: string): Promise<EpcisEvent | undefined> {
  const event = await repo.eventById(db, id);
  return event ? (await epcisEventsOf(db, [event], baseUrl))[0] : undefined;
}

export interface ExportOptions {
  baseUrl: string;
  limits: GraphLimits;
  now?: Date;
  /** Events whose documents are read per statement (1,000). */
  batchSize?: number;
}

/**
 * GET /v1/lots/{id}/epcis: the lot's whole upstream chain (every event of the lot and of all its ancestors, but
 * not their consumption into lots outside this chain, in the order they happened) as one EPCISDocument, written
 * a batch of events at a time. The read rule is provenance's
 * ('read-lineage'); it is checked, and the lineage walked, before the first byte, so refusals are plain 404s.
 */
export async function exportLotChain(db: Database, actor: Actor, lotId: string, options: ExportOptions): Promise<AsyncGenerator<string>> {
  if (!readsEverything(actor)) await requireProvenanceReader(db, actor, lotId, options.limits);
  // The events' stored EPCIS forms (the index), so the export shows the eventIDs the query routes give.
  await catchUpEpcisIndex(db, options.baseUrl);
  const graph = await fetchAncestors(db, lotId, options.limits.maxNodes);
  if (!graph.nodes.some((n) => n.id === lotId)) throw new NotFoundError(`No lot ${lotId}.`);
  if (graph.truncated) {
    throw new RuleViolationError('graph-too-large', `The upstream graph of this lot has more than ${options.limits.maxNodes} lots; export a lot further up the chain.`);
  }
  const cache = new FactCache(db, options.baseUrl);
  for (const n of graph.nodes) {
    cache.lots.set(n.id, {
      id: n.id,
      lotNumber: n.lotNumber,
      gtin: n.gtin,
      stage: n.stage,
      speciesCode: n.speciesCode,
      unit: n.unit,
      quantity: n.quantity,
      siteId: n.siteId,
      producerId: n.producerId,
      attributes: JSON.parse(n.attributesJson) as Record<string, unknown>,
      origin: n.origin,
    });
  }
  const lotIds = graph.nodes.map((n) => n.id);
  const head = {
    '@context': documentContext(options.baseUrl),
    type: 'EPCISDocument',
    schemaVersion: '2.0',
    creationDate: (options.now ?? new Date()).toISOString(),
  };
  // The chain's events in order, listed before the first byte; their documents read a batch at a time.
  const eventIds = await repo.chainEventIds(db, lotIds);
  const batchSize = options.batchSize ?? EXPORT_BATCH;
  /** One batch of the event list, as JSON text. */
  const readBatch = async (batch: string[]): Promise<string> => {
    const documents = await repo.storedDocuments(db, batch);
    // Only an event a transaction older than it still hides from the queue is not indexed yet: mapped here.
    const unindexed = await repo.eventRecords(db, batch.filter((id) => !documents.has(id)));
    if (unindexed.length > 0) {
      const facts = await cache.factsFor(unindexed);
      for (const record of unindexed) documents.set(record.id, JSON.stringify(toEpcisEvent(record, facts)));
    }
    return batch.map((id) => documents.get(id)!).join(',');
  };
  /**
   * The next batch is read while this one is sent. Its failure is heard where it is awaited; the handler attached
   * here only keeps a failure that happens while the generator waits on the client (or after the client went
   * away) from counting as unhandled.
   */
  const prefetch = (start: number) => {
    if (start >= eventIds.length) return undefined;
    const read = readBatch(eventIds.slice(start, start + batchSize));
    read.catch(() => undefined);
    return read;
  };
  async function* document(): AsyncGenerator<string> {
    yield `${JSON.stringify(head).slice(0, -1)},"epcisBody":{"eventList":[`;
    let next = prefetch(0);
    for (let start = 0; next; start += batchSize) {
      const chunk = await next;
      next = prefetch(start + batchSize);
      yield (start === 0 ? '' : ',') + chunk;
    }
    yield ']}}';
  }
  return document();
}

// ---------------------------------------------------------------------------------------------------------------
// Master data (GET /id/…) and the vocabulary (GET /voc/…): public, only what a consumer page shows.

const context = (baseUrl: string) => documentContext(baseUrl);

export async function lotMasterData(db: Database, id: string, baseUrl: string) {
  const lot = await repo.publicLot(db, id);
  if (!lot) throw new NotFoundError(`No lot ${id}.`);
  return {
    '@context': context(baseUrl),
    id: `${baseUrl}/id/lot/${encodeURIComponent(id)}`,
    type: ht('Lot'),
    'cbvmda:lotNumber': lot.lot_number,
    [ht('species')]: lot.species_code,
    [ht('speciesName')]: lot.species_name_zh,
    [ht('latinName')]: lot.latin_name,
    [ht('stage')]: ht(`stage-${lot.stage}`),
    [ht('producer')]: { id: `${baseUrl}/id/org/${lot.producer_id}`, [ht('name')]: lot.producer_name },
    [ht('region')]: lot.region_code ? { [ht('code')]: lot.region_code, [ht('name')]: lot.region_name } : null,
  };
}

export async function siteMasterData(db: Database, id: string, baseUrl: string) {
  const site = await repo.publicSite(db, id);
  if (!site) throw new NotFoundError(`No site ${id}.`);
  return {
    '@context': context(baseUrl),
    id: `${baseUrl}/id/site/${encodeURIComponent(id)}`,
    type: ht('Site'),
    ...(site.gln ? { 'gs1:globalLocationNumber': site.gln } : {}),
    [ht('name')]: site.name,
    [ht('siteKind')]: site.kind,
    [ht('organization')]: { id: `${baseUrl}/id/org/${site.organization_id}`, [ht('name')]: site.organization_name },
    [ht('region')]: { [ht('code')]: site.region_code, [ht('name')]: site.region_name },
  };
}

export async function organizationMasterData(db: Database, id: string, baseUrl: string) {
  const org = await repo.publicOrganization(db, id);
  if (!org) throw new NotFoundError(`No organisation ${id}.`);
  return {
    '@context': context(baseUrl),
    id: `${baseUrl}/id/org/${encodeURIComponent(id)}`,
    type: ht('Organization'),
    ...(org.gln ? { 'gs1:globalLocationNumber': org.gln } : {}),
    [ht('name')]: org.name,
    [ht('region')]: { [ht('code')]: org.region_code, [ht('name')]: org.region_name },
  };
}

/** Every term of the vocabulary, the analytes of the catalogue included. */
async function allTerms(db: Database): Promise<Term[]> {
  const analytes = (await repo.analyteCatalogue(db)).map(
    (a): Term => ({ term: analyteTerm(a.code), kind: 'analyte', label: a.name_en, labelZh: a.name_zh, description: `Analyte ${a.code} (${a.category}) of the HerbTrace analyte catalogue (GET /v1/analytes).` }),
  );
  return [...TERMS.values(), ...analytes];
}

const termNode = (baseUrl: string, t: Term) => ({
  id: `${vocabularyBase(baseUrl)}${encodeURIComponent(t.term)}`,
  type: t.kind === 'property' ? 'rdf:Property' : 'rdfs:Class',
  'rdfs:label': t.labelZh ? [{ '@value': t.label, '@language': 'en' }, { '@value': t.labelZh, '@language': 'zh' }] : t.label,
  'rdfs:comment': t.description,
  [ht('termKind')]: t.kind,
});

const vocabularyContext = (baseUrl: string) => [...context(baseUrl), { rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#' }];

export async function vocabulary(db: Database, baseUrl: string) {
  const terms = await allTerms(db);
  return {
    '@context': vocabularyContext(baseUrl),
    id: vocabularyBase(baseUrl),
    type: 'owl:Ontology',
    'rdfs:label': 'HerbTrace EPCIS extension vocabulary',
    'rdfs:comment': 'The terms HerbTrace uses in its EPCIS 2.0 events where the CBV and GS1 vocabularies have none.',
    '@graph': terms.map((t) => termNode(baseUrl, t)),
  };
}

export async function vocabularyTerm(db: Database, term: string, baseUrl: string) {
  const found = TERMS.get(term) ?? (term.startsWith('analyte-') ? (await allTerms(db)).find((t) => t.term === term) : undefined);
  // Process operations are free text: an operation this list does not name is still an operation.
  const op = !found && term.startsWith('op-') && term.length > 3 ? ({ term, kind: 'operation', label: term.slice(3), description: `Processing / 炮制 operation ${term.slice(3)} (as recorded).` } as Term) : undefined;
  const t = found ?? op;
  if (!t) throw new NotFoundError(`No term ${term} in the HerbTrace vocabulary.`);
  return { '@context': vocabularyContext(baseUrl), ...termNode(baseUrl, t) };
}
