// The EPCIS 2.0 (JSON-LD) form of every HerbTrace event, design.md §11. Pure: the event record and the facts it
// names (lots, sites, organisations, codes, shipments) in, one EPCIS event out, its eventID the CBV 2.0 Event
// Hash ID. Every fact is one fixed when the event was written (a lot's data as created, the shipment the event
// belongs to, where the lot was as of the event), never current state, so an event's form and hash do not depend
// on when it is mapped. The README's "EPCIS 2.0" section tabulates the mapping; the tests validate every kind against the GS1
// JSON Schema.
import { encodeDigitalLinkSegment } from '../../lib/identifiers.js';
import { eventHashId } from './event-hash.js';
import { analyteTerm, documentContext, eventTypeTerm, ht, operationTerm, stageTerm } from './epcis.vocabulary.js';

/** The event as the event store keeps it (events/EventRecord's fields that the mapping reads). */
export interface MappedEventRecord {
  id: string;
  type: string;
  organization: { id: string };
  /** With the offset the client wrote, e.g. 2024-10-08T10:00:00.000+08:00. */
  occurredAt: string;
  recordedAt: string;
  lots: { lotId: string; role: string }[];
  data: Record<string, unknown>;
}

/** A lot's data as created (these columns never change after the event that made the lot). */
export interface LotFact {
  id: string;
  lotNumber: string;
  gtin: string | null;
  stage: string;
  speciesCode: string;
  unit: string;
  quantity: string;
  /** Where the lot was produced. */
  siteId: string | null;
  producerId: string;
  attributes: Record<string, unknown>;
  origin: Record<string, unknown>;
}
export interface SiteFact {
  id: string;
  organizationId: string;
  gln: string | null;
}
export interface OrganizationFact {
  id: string;
  gln: string | null;
}
export interface CodeFact {
  code: string;
  level: string;
  lotId: string;
}
export interface ShipmentFact {
  id: string;
  fromOrganizationId: string;
  toOrganizationId: string;
  lines: { lotId: string; quantity: string; unit: string }[];
}

/** What the mapping needs besides the record: the service's base URL and the objects the events name. */
export interface EpcisFacts {
  baseUrl: string;
  lots: ReadonlyMap<string, LotFact>;
  sites: ReadonlyMap<string, SiteFact>;
  organizations: ReadonlyMap<string, OrganizationFact>;
  /** The codes an issue made, by the codes_issued event's id. */
  codesByEvent: ReadonlyMap<string, CodeFact[]>;
  shipments: ReadonlyMap<string, ShipmentFact>;
  /**
   * Where the event's organisation had the lot as of the event (siteAtKey(event, lot) → site id, null for
   * nowhere known), for the lot siteQuestionOf names: the readPoint of events that happen wherever the lot is.
   */
  sitesAt: ReadonlyMap<string, string | null>;
}

export const siteAtKey = (eventId: string, lotId: string) => `${eventId} ${lotId}`;

/** Events whose readPoint is where their lot was when they happened (not where it was made). */
const AT_THE_LOT = new Set(['split', 'shipment_dispatched', 'status_changed', 'lab_result', 'inspection', 'sensor', 'agro_input']);

/** The lot whose site as of the event (EpcisFacts.sitesAt) the mapping of this record reads, if any. */
export function siteQuestionOf(record: MappedEventRecord): string | undefined {
  if (!AT_THE_LOT.has(record.type)) return undefined;
  const first = (role: string) => record.lots.find((l) => l.role === role)?.lotId;
  if (record.type === 'split') return typeof record.data.from === 'string' ? record.data.from : first('input');
  if (record.type === 'shipment_dispatched') {
    const lines = record.data.lines as { lotId: string }[] | undefined;
    return lines?.[0]?.lotId ?? first('shipped');
  }
  return first('subject') ?? first('cascade');
}

export type EpcisEvent = Record<string, unknown>;

// ---------------------------------------------------------------------------------------------------------------
// Identifiers

const gtin14 = (gtin: string) => gtin.padStart(14, '0');

/** A lot as an EPC class: GS1 Digital Link …/01/{gtin14}/10/{lot} when it has a GTIN, else PUBLIC_BASE_URL/id/lot/{id}. */
export function lotUri(baseUrl: string, lot: Pick<LotFact, 'id' | 'gtin' | 'lotNumber'> | undefined, lotId: string): string {
  if (lot?.gtin) return `${baseUrl}/01/${gtin14(lot.gtin)}/10/${encodeDigitalLinkSegment(lot.lotNumber)}`;
  return `${baseUrl}/id/lot/${encodeURIComponent(lotId)}`;
}
export const siteUri = (baseUrl: string, site: SiteFact | undefined, siteId: string) =>
  site?.gln ? `${baseUrl}/414/${site.gln}` : `${baseUrl}/id/site/${encodeURIComponent(siteId)}`;
export const organizationUri = (baseUrl: string, org: OrganizationFact | undefined, orgId: string) =>
  org?.gln ? `${baseUrl}/417/${org.gln}` : `${baseUrl}/id/org/${encodeURIComponent(orgId)}`;
/** A consumer code as an EPC: the Digital Link with serial (AI 21) for unit codes of a lot with a GTIN, else its /q/ URL. */
export function codeUri(baseUrl: string, lot: Pick<LotFact, 'gtin' | 'lotNumber'> | undefined, code: string, level: string): string {
  if (level === 'unit' && lot?.gtin) return `${baseUrl}/01/${gtin14(lot.gtin)}/10/${encodeDigitalLinkSegment(lot.lotNumber)}/21/${code}`;
  return `${baseUrl}/q/${code}`;
}

/** UN/ECE Recommendation 20 codes (CBV 2.0 §8.8 uom) for HerbTrace's quantity units. */
export const UOM: Readonly<Record<string, string>> = { g: 'GRM', kg: 'KGM', t: 'TNE', plant: 'H87', piece: 'H87', head: 'H87', box: 'BX' };
/** UN/ECE codes for lab and sensor units where one exists. */
const VALUE_UOM: Readonly<Record<string, string>> = { '%': 'P1', 'mg/kg': 'NA', 'µg/kg': 'J33', 'ug/kg': 'J33', 'g/kg': 'GK', '°C': 'CEL', 'mg/g': 'GK' };
// mg/g is numerically g/kg.

const numberOf = (value: unknown): number | undefined => {
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?[0-9]+(\.[0-9]+)?$/.test(value.trim()) ? Number(value) : NaN;
  return Number.isFinite(n) ? n : undefined;
};

// ---------------------------------------------------------------------------------------------------------------
// Times

/** ±HH:MM of an offset time as the event store writes it (Z → +00:00). */
export function timeZoneOffsetOf(occurredAt: string): string {
  const match = /([+-]\d{2}:\d{2}|Z)$/.exec(occurredAt);
  return !match || match[1] === 'Z' ? '+00:00' : match[1]!;
}
const utc = (time: string) => new Date(time).toISOString();

// ---------------------------------------------------------------------------------------------------------------

type Quantity = { value: number | string; unit: string };
const asQuantity = (q: unknown): Quantity | undefined => (q && typeof q === 'object' && 'unit' in q ? (q as Quantity) : undefined);

/**
 * Extension contents with every member name in the herbtrace namespace (nested objects and lists too), so that
 * JSON-LD readers keep them: unprefixed names inside an extension field are terms no context defines.
 */
export function namespaced(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(namespaced);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k.includes(':') ? k : ht(k), namespaced(v)]),
  );
}

/** Drops undefined members, so the JSON (and the hash) never see them. */
function compact(object: Record<string, unknown>): Record<string, unknown> {
  for (const key of Object.keys(object)) if (object[key] === undefined) delete object[key];
  return object;
}

export function toEpcisEvent(record: MappedEventRecord, facts: EpcisFacts): EpcisEvent {
  const { baseUrl } = facts;
  const lot = (id: string) => facts.lots.get(id);
  const lotRef = (id: string) => lotUri(baseUrl, lot(id), id);
  const orgRef = (id: string) => organizationUri(baseUrl, facts.organizations.get(id), id);
  const siteRef = (id: string | null | undefined) => (id ? { id: siteUri(baseUrl, facts.sites.get(id), id) } : undefined);
  const quantityElement = (lotId: string, q: Quantity | undefined) =>
    compact({ epcClass: lotRef(lotId), quantity: q ? numberOf(q.value) : undefined, uom: q ? UOM[q.unit] : undefined });
  const lotsOf = (...roles: string[]) => record.lots.filter((l) => roles.includes(l.role)).map((l) => l.lotId);
  const d = record.data;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const base: EpcisEvent = {
    type: 'ObjectEvent',
    eventTime: utc(record.occurredAt),
    eventTimeZoneOffset: timeZoneOffsetOf(record.occurredAt),
    recordTime: utc(record.recordedAt),
  };
  const extensions: EpcisEvent = {
    [ht('eventType')]: ht(eventTypeTerm(record.type)),
    [ht('event')]: `${baseUrl}/v1/events/${record.id}`,
    [ht('organization')]: orgRef(record.organization.id),
  };
  const observe = (lotIds: string[], quantities?: (id: string) => Quantity | undefined): EpcisEvent => ({
    ...base,
    action: 'OBSERVE',
    ...(lotIds.length > 0 ? { quantityList: lotIds.map((id) => quantityElement(id, quantities?.(id))) } : { epcList: [] }),
  });
  // Where the event happened, for the kinds that happen wherever the lot is (siteQuestionOf).
  const question = siteQuestionOf(record);
  const siteAtEvent = question ? siteRef(facts.sitesAt.get(siteAtKey(record.id, question))) : undefined;
  const ilmdOf = (l: LotFact | undefined) =>
    l
      ? compact({
          'cbvmda:lotNumber': l.lotNumber,
          [ht('species')]: l.speciesCode,
          [ht('stage')]: ht(stageTerm(l.stage)),
          [ht('origin')]: Object.keys(l.origin).length > 0 ? namespaced(l.origin) : undefined,
          [ht('attributes')]: Object.keys(l.attributes).length > 0 ? namespaced(l.attributes) : undefined,
        })
      : undefined;
  const processOf = (process: unknown) => {
    const steps = (process as { steps?: { op: string; params?: unknown }[] } | undefined)?.steps;
    return steps ? steps.map((s) => compact({ [ht('operation')]: ht(operationTerm(encodeURIComponent(s.op))), [ht('operationName')]: s.op, [ht('params')]: namespaced(s.params) })) : undefined;
  };

  let event: EpcisEvent;
  switch (record.type) {
    case 'commissioned': {
      const [id] = lotsOf('output');
      const l = lot(id!);
      const site = siteRef(l?.siteId);
      event = {
        ...base,
        action: 'ADD',
        quantityList: [quantityElement(id!, asQuantity(d.quantity))],
        bizStep: 'commissioning',
        disposition: 'active',
        ...(site ? { readPoint: site, bizLocation: site } : {}),
        ilmd: ilmdOf(l),
      };
      break;
    }
    case 'transformation': {
      const inputs = (d.inputs as { lotId: string; quantity: Quantity }[] | undefined) ?? [];
      const outputs = (d.outputs as { lotId: string; stage: string; quantity: Quantity }[] | undefined) ?? [];
      const site = siteRef(lot(outputs[0]?.lotId ?? '')?.siteId);
      const outputLots = outputs.map((o) => lot(o.lotId));
      event = {
        ...base,
        type: 'TransformationEvent',
        inputQuantityList: inputs.map((i) => quantityElement(i.lotId, i.quantity)),
        outputQuantityList: outputs.map((o) => quantityElement(o.lotId, o.quantity)),
        bizStep: 'commissioning',
        disposition: 'active',
        ...(site ? { readPoint: site, bizLocation: site } : {}),
        // One output: its lot data as ILMD; several: each output's, listed (ILMD applies to all outputs alike).
        ilmd:
          outputLots.length === 1
            ? ilmdOf(outputLots[0])
            : { [ht('lots')]: outputLots.map((l, n) => ({ epcClass: lotRef(outputs[n]!.lotId), ...ilmdOf(l) })) },
      };
      const process = processOf(d.process);
      if (process) extensions[ht('process')] = process;
      if (str(d.note)) extensions[ht('note')] = d.note;
      break;
    }
    case 'split': {
      // A partial shipment: the part split off into a new lot, picked for the shipment.
      const from = str(d.from) ?? lotsOf('input')[0]!;
      const to = str(d.to) ?? lotsOf('output')[0]!;
      const q = asQuantity(d.quantity);
      const site = siteAtEvent;
      event = {
        ...base,
        type: 'TransformationEvent',
        inputQuantityList: [quantityElement(from, q)],
        outputQuantityList: [quantityElement(to, q)],
        bizStep: 'picking',
        disposition: 'in_progress',
        ...(site ? { readPoint: site } : {}),
        bizTransactionList: str(d.shipmentId) ? [{ type: 'desadv', bizTransaction: `${baseUrl}/v1/shipments/${d.shipmentId}` }] : undefined,
      };
      break;
    }
    case 'shipment_dispatched': {
      const lines = (d.lines as { lotId: string; quantity: Quantity }[] | undefined) ?? [];
      const byLot = new Map(lines.map((l) => [l.lotId, l.quantity]));
      const ids = lines.length > 0 ? lines.map((l) => l.lotId) : lotsOf('shipped');
      const from = orgRef(record.organization.id);
      const to = orgRef(String(d.toOrganizationId));
      // Where the goods leave from: where the shipper had them (its own site) as of the dispatch.
      const site = siteAtEvent;
      event = {
        ...observe(ids, (id) => byLot.get(id)),
        bizStep: 'shipping',
        disposition: 'in_transit',
        ...(site ? { readPoint: site } : {}),
        bizTransactionList: [{ type: 'desadv', bizTransaction: `${baseUrl}/v1/shipments/${d.shipmentId}` }],
        sourceList: [
          { type: 'owning_party', source: from },
          { type: 'possessing_party', source: from },
          ...(site ? [{ type: 'location', source: site.id }] : []),
        ],
        destinationList: [
          { type: 'owning_party', destination: to },
          { type: 'possessing_party', destination: to },
        ],
      };
      if (str(d.note)) extensions[ht('note')] = d.note;
      break;
    }
    case 'shipment_received':
    case 'shipment_refused': {
      const shipment = facts.shipments.get(String(d.shipmentId));
      const byLot = new Map((shipment?.lines ?? []).map((l) => [l.lotId, { value: l.quantity, unit: l.unit }]));
      const ids = lotsOf('received', 'returned');
      const me = orgRef(record.organization.id);
      const sender = shipment ? orgRef(shipment.fromOrganizationId) : undefined;
      const received = record.type === 'shipment_received';
      const site = received ? siteRef(str(d.siteId)) : undefined;
      event = {
        ...observe(ids, (id) => byLot.get(id)),
        // A refusal: the goods arrived but were not taken in (no CBV step for refusing); they go back to the sender.
        bizStep: received ? 'receiving' : 'arriving',
        disposition: received ? 'in_progress' : 'returned',
        ...(site ? { readPoint: site, bizLocation: site } : {}),
        bizTransactionList: [{ type: 'desadv', bizTransaction: `${baseUrl}/v1/shipments/${d.shipmentId}` }],
        ...(sender ? { sourceList: [{ type: 'owning_party', source: sender }, { type: 'possessing_party', source: sender }] } : {}),
        destinationList: received
          ? [{ type: 'owning_party', destination: me }, { type: 'possessing_party', destination: me }, ...(site ? [{ type: 'location', destination: site.id }] : [])]
          : [{ type: 'owning_party', destination: me }],
      };
      if (!received && str(d.reason)) extensions[ht('reason')] = d.reason;
      break;
    }
    case 'status_changed': {
      const from = String(d.from);
      const to = String(d.to);
      const ids = lotsOf('subject', 'cascade');
      const LASTING: Record<string, string> = { hold: 'non_sellable_other', recalled: 'recalled', destroyed: 'destroyed' };
      const DISPOSITION: Record<string, string> = { active: 'active', ...LASTING };
      const set = LASTING[to];
      const unset = LASTING[from];
      event = {
        ...observe(ids),
        ...(to === 'destroyed' ? { bizStep: 'destroying' } : to === 'active' ? {} : { bizStep: 'holding' }),
        disposition: DISPOSITION[to] ?? 'unknown',
        persistentDisposition: compact({ set: set ? [set] : undefined, unset: unset && unset !== set ? [unset] : undefined }),
        ...(siteAtEvent ? { readPoint: siteAtEvent } : {}),
      };
      if (!set && !unset) delete event.persistentDisposition;
      extensions[ht('statusFrom')] = from;
      extensions[ht('statusTo')] = to;
      if (str(d.reason)) extensions[ht('reason')] = d.reason;
      if (str(d.labReportId)) extensions[ht('labReport')] = { [ht('reportId')]: d.labReportId };
      break;
    }
    case 'lab_result': {
      const ids = lotsOf('subject');
      const items = (d.items as Record<string, unknown>[] | undefined) ?? [];
      const verdict = str(d.verdict);
      const site = siteAtEvent;
      event = {
        ...observe(ids),
        bizStep: 'inspecting',
        ...(verdict === 'pass' ? { disposition: 'conformant' } : verdict === 'fail' ? { disposition: 'non_conformant' } : {}),
        ...(site ? { readPoint: site } : {}),
        sensorElementList: [
          {
            sensorMetadata: compact({ time: str(d.sampledAt) ? utc(d.sampledAt as string) : undefined }),
            sensorReport: items.map((item) => {
              const unit = String(item.unit ?? '');
              const value = numberOf(item.value);
              return compact({
                type: unit === '°C' ? 'gs1:Temperature' : ht('MassFraction'),
                chemicalSubstance: ht(analyteTerm(encodeURIComponent(String(item.analyte)))),
                value,
                stringValue: value === undefined ? String(item.value) : undefined,
                uom: VALUE_UOM[unit],
                [ht('analyte')]: item.analyte,
                [ht('unit')]: unit,
                [ht('basis')]: item.basis ?? undefined,
                [ht('method')]: item.method ?? undefined,
                [ht('loq')]: item.loq ?? undefined,
                [ht('verdict')]: item.verdict ?? undefined,
              });
            }),
          },
        ],
      };
      if (items.length === 0) delete event.sensorElementList;
      extensions[ht('labReport')] = compact({
        [ht('reportId')]: d.reportId,
        [ht('reportNumber')]: d.reportNumber,
        [ht('verdict')]: d.verdict,
        [ht('edition')]: d.edition ?? undefined,
        [ht('monograph')]: d.monograph ?? undefined,
        [ht('missing')]: Array.isArray(d.missing) && d.missing.length > 0 ? d.missing : undefined,
      });
      break;
    }
    case 'inspection': {
      const ids = lotsOf('subject');
      const site = siteAtEvent;
      event = {
        ...observe(ids),
        bizStep: 'inspecting',
        ...(d.result === 'pass' ? { disposition: 'conformant' } : d.result === 'fail' ? { disposition: 'non_conformant' } : {}),
        ...(site ? { readPoint: site } : {}),
      };
      extensions[ht('inspection')] = d;
      break;
    }
    case 'sensor': {
      const ids = lotsOf('subject');
      const reports = [
        ...(typeof d.temperatureC === 'number' ? [{ type: 'gs1:Temperature', value: d.temperatureC, uom: 'CEL' }] : []),
        ...(typeof d.humidityPct === 'number' ? [{ type: 'gs1:RelativeHumidity', value: d.humidityPct, uom: 'P1' }] : []),
      ];
      const site = siteAtEvent;
      event = {
        ...observe(ids),
        bizStep: 'sensor_reporting',
        ...(site ? { readPoint: site } : {}),
        ...(reports.length > 0 ? { sensorElementList: [{ sensorMetadata: { time: utc(record.occurredAt) }, sensorReport: reports }] } : {}),
      };
      if (str(d.deviceId)) extensions[ht('deviceId')] = d.deviceId;
      break;
    }
    case 'agro_input': {
      const ids = lotsOf('subject');
      const site = siteAtEvent;
      event = { ...observe(ids), bizStep: ht('agro_input'), ...(site ? { readPoint: site } : {}) };
      extensions[ht('agroInput')] = d;
      break;
    }
    case 'note': {
      event = observe(lotsOf('subject'));
      extensions[ht('note')] = d.text;
      break;
    }
    case 'lab_granted': {
      event = observe(lotsOf('subject'));
      extensions[ht('lab')] = orgRef(String(d.labOrganizationId));
      break;
    }
    case 'gi_claimed': {
      event = {
        ...observe(lotsOf('subject')),
        certificationInfo: `${baseUrl}/v1/certificates/${d.certificateId}`,
      };
      extensions[ht('giProduct')] = `${baseUrl}/v1/gi-products/${d.giCode}`;
      extensions[ht('certificate')] = d.certificate;
      break;
    }
    case 'certificate_recorded':
    case 'certificate_confirmed': {
      // Certificates concern organisations and sites, not lots: an observation of no object, at the site certified.
      const site = siteRef(str(d.siteId));
      event = {
        ...base,
        action: 'OBSERVE',
        epcList: [],
        ...(site ? { readPoint: site, bizLocation: site } : {}),
        certificationInfo: `${baseUrl}/v1/certificates/${d.certificateId}`,
      };
      extensions[ht('certificate')] = compact({ ...d, siteId: undefined });
      break;
    }
    case 'codes_issued': {
      const [lotId] = lotsOf('subject');
      const l = lot(lotId!);
      const codes = facts.codesByEvent.get(record.id) ?? [];
      const level = String(d.level ?? 'unit');
      event = {
        ...base,
        action: 'ADD',
        epcList: codes.map((c) => codeUri(baseUrl, l, c.code, c.level)),
        // Lot-level codes name the whole lot: it is listed as the class they identify.
        ...(level === 'lot' ? { quantityList: [quantityElement(lotId!, undefined)] } : {}),
        bizStep: 'commissioning',
        disposition: 'active',
      };
      extensions[ht('codeLevel')] = level;
      extensions[ht('codeCount')] = d.count;
      break;
    }
    case 'code_voided': {
      const [lotId] = lotsOf('subject');
      const code = String(d.code);
      const level = facts.codesByEvent.get(record.id)?.[0]?.level ?? 'unit';
      event = {
        ...base,
        action: 'DELETE',
        epcList: [codeUri(baseUrl, lot(lotId!), code, level)],
        bizStep: 'decommissioning',
        disposition: 'inactive',
      };
      if (str(d.reason)) extensions[ht('reason')] = d.reason;
      break;
    }
    default:
      event = observe(record.lots.map((l) => l.lotId));
      extensions[ht('data')] = d;
  }
  for (const [key, value] of Object.entries(extensions)) extensions[key] = namespaced(value);
  const full = compact({ ...event, ...extensions });
  return { type: full.type, eventID: eventHashId(full, documentContext(baseUrl)), ...full };
}
