import type { Database } from '../../db/client.js';
import { ForbiddenError, NotFoundError, RuleViolationError, ValidationError } from '../../lib/errors.js';
import { newId } from '../../lib/ids.js';
import { decodeCursor, toPage } from '../../lib/pagination.js';
import { convert, milliToDecimal, parseQuantity, quantityView, toMilli, type Quantity } from '../../lib/quantity.js';
import { formatOffsetTime, parseEventTime } from '../../lib/time.js';
import { readsEverything, type Actor, type OrganizationActor } from '../../access/actor.js';
import { isShipmentParty, mayReadShipment, requireWriter } from '../../access/policy.js';
import { recordEvent } from '../../events/index.js';
import * as lotsRepo from '../lots/index.js';
import { assertNotBeforeProduction } from '../lots/index.js';
import { requireOwnSite } from '../lots/index.js';
import { findOrganizationById } from '../organizations/index.js';
import { assertEnough, lockUsableLots } from '../transformations/index.js';
import * as repo from './shipments.repository.js';
import type { CreateShipmentInput, ReceiveShipmentInput, RefuseShipmentInput, ShipmentListInput, ShipmentView } from './shipments.schemas.js';

/** A free lot number for a split-off child: the parent's number with the next free suffix. */
async function childLotNumber(db: Database, producerId: string, parent: lotsRepo.LotRow): Promise<string> {
  let next = (await lotsRepo.countChildren(db, parent.id)) + 1;
  for (;;) {
    const candidates = Array.from({ length: 10 }, (_, i) => `${parent.lotNumber}-${next + i}`);
    const taken = new Set(await lotsRepo.existingLotNumbers(db, producerId, candidates));
    const free = candidates.find((c) => !taken.has(c));
    if (free) return free;
    next += 10;
  }
}

/**
 * POST /v1/shipments: custody leaves in two steps. Each line's lot (or, for part of it, a child lot split off
 * with an edge and a split event) is marked in transit; nobody can use it until the receiver receives or
 * refuses the shipment.
 */
export async function createShipment(db: Database, actor: Actor, input: CreateShipmentInput): Promise<ShipmentView> {
  const me = requireWriter(actor).organizationId;
  if (input.toOrganizationId === me) {
    throw new RuleViolationError('ship-to-self', 'A shipment goes to another organisation.', [
      { path: 'toOrganizationId', message: 'is your own organisation' },
    ]);
  }
  if (!(await findOrganizationById(db, input.toOrganizationId))) {
    throw ValidationError.field('toOrganizationId', `${input.toOrganizationId} is not a known organisation`);
  }
  const shippedAt = parseEventTime(input.shippedAt, 'shippedAt');
  const seen = new Set<string>();
  const lines = input.lines.map((l, n) => {
    const path = `lines/${n}`;
    if (seen.has(l.lotId)) throw ValidationError.field(`${path}/lotId`, 'names a lot already on another line');
    seen.add(l.lotId);
    return { lotId: l.lotId, quantity: l.quantity ? parseQuantity(l.quantity, `${path}/quantity`) : undefined, path };
  });

  const shipmentId = newId('shp');
  await db.transaction(async (tx) => {
    const locked = await lockUsableLots(tx, actor, lines.map((l) => ({ lotId: l.lotId, path: `${l.path}/lotId` })));
    const shipmentLines: { lotId: string; sourceLotId: string; quantity: string; unit: string }[] = [];

    for (const line of lines) {
      const lot = locked.get(line.lotId)!;
      assertNotBeforeProduction(lot, shippedAt.at, 'shippedAt');
      const remaining = toMilli(lot.remaining);
      const draw = line.quantity ? convert(line.quantity, lot.unit as Quantity['unit'], `${line.path}/quantity`) : remaining;
      if (draw === 0n) {
        throw new RuleViolationError('insufficient-quantity', `Lot ${lot.id} has nothing remaining to ship.`, [
          { path: `${line.path}/lotId`, message: 'nothing remaining' },
        ]);
      }
      const left = assertEnough(lot, draw, `${line.path}/quantity`);
      if (left === 0n) {
        shipmentLines.push({ lotId: lot.id, sourceLotId: lot.id, quantity: milliToDecimal(draw), unit: lot.unit });
        continue;
      }
      // Part of the lot travels: split it off as a child lot that carries the parent's identity and data.
      const childId = newId('lot');
      const splitEventId = newId('evt');
      await lotsRepo.insertLots(tx, [
        {
          id: childId,
          lotNumber: await childLotNumber(tx, me, lot),
          stage: lot.stage,
          speciesCode: lot.speciesCode,
          producerId: me,
          holderId: me,
          siteId: lot.siteId,
          locationSiteId: lot.locationSiteId,
          quantity: milliToDecimal(draw),
          remaining: milliToDecimal(draw),
          unit: lot.unit,
          status: 'active',
          producedAt: lot.producedAt,
          producedAtOffset: lot.producedAtOffset,
          attributes: lot.attributes,
          origin: { type: 'chain' },
          gtin: lot.gtin,
          createdByEventId: splitEventId,
          // The copy of the edge below (see lots.parent_*).
          parentLotIds: [lot.id],
          parentQuantities: [milliToDecimal(draw)],
          parentUnits: [lot.unit],
        },
      ]);
      await recordEvent(tx, actor, {
        id: splitEventId,
        type: 'split',
        occurredAt: shippedAt,
        data: { reason: 'partial shipment', shipmentId, quantity: quantityView(draw, lot.unit), from: lot.id, to: childId },
        lots: [
          { lotId: lot.id, role: 'input' },
          { lotId: childId, role: 'output' },
        ],
      });
      await lotsRepo.insertEdges(tx, [{ parentLotId: lot.id, childLotId: childId, eventId: splitEventId, parentQuantity: milliToDecimal(draw), parentUnit: lot.unit }]);
      await lotsRepo.setRemaining(tx, [{ id: lot.id, remaining: milliToDecimal(left) }]);
      shipmentLines.push({ lotId: childId, sourceLotId: lot.id, quantity: milliToDecimal(draw), unit: lot.unit });
    }

    const travelling = shipmentLines.map((l) => l.lotId);
    const dispatch = await recordEvent(tx, actor, {
      type: 'shipment_dispatched',
      occurredAt: shippedAt,
      data: {
        shipmentId,
        toOrganizationId: input.toOrganizationId,
        lines: shipmentLines.map((l) => ({ lotId: l.lotId, quantity: quantityView(toMilli(l.quantity), l.unit) })),
        ...(input.note ? { note: input.note } : {}),
      },
      lots: travelling.map((lotId) => ({ lotId, role: 'shipped' as const })),
    });
    await repo.insertShipment(
      tx,
      {
        id: shipmentId,
        fromOrganizationId: me,
        toOrganizationId: input.toOrganizationId,
        status: 'in_transit',
        shippedAt: shippedAt.at,
        shippedAtOffset: shippedAt.offsetMinutes,
        dispatchEventId: dispatch.id,
      },
      shipmentLines.map((l, n) => ({ shipmentId, lineNo: n + 1, ...l })),
    );
    await lotsRepo.setShipment(tx, travelling, shipmentId);
  });
  return getShipment(db, actor, shipmentId);
}

async function lockOpenShipmentForReceiver(db: Database, actor: OrganizationActor, id: string) {
  const shipment = await repo.lockShipment(db, id);
  if (!shipment || !isShipmentParty(actor, shipment)) throw new NotFoundError(`No shipment ${id}.`);
  if (shipment.toOrganizationId !== actor.organizationId) {
    throw new ForbiddenError('Only the receiving organisation receives or refuses a shipment.');
  }
  if (shipment.status !== 'in_transit') {
    throw new RuleViolationError('shipment-closed', `Shipment ${id} was already ${shipment.status}.`);
  }
  const lines = await repo.linesOf(db, [id]);
  return { shipment, lotIds: lines.map((l) => l.lotId) };
}

/** POST /v1/shipments/{id}/receive: custody passes to the receiver. */
export async function receiveShipment(db: Database, actor: Actor, id: string, input: ReceiveShipmentInput): Promise<ShipmentView> {
  const me = requireWriter(actor).organizationId;
  const receivedAt = parseEventTime(input.receivedAt ?? new Date().toISOString(), 'receivedAt');
  if (input.siteId) await requireOwnSite(db, me, input.siteId, 'siteId');
  await db.transaction(async (tx) => {
    const { lotIds } = await lockOpenShipmentForReceiver(tx, requireWriter(actor), id);
    await lotsRepo.lockLots(tx, lotIds);
    const event = await recordEvent(tx, actor, {
      type: 'shipment_received',
      occurredAt: receivedAt,
      data: { shipmentId: id, ...(input.siteId ? { siteId: input.siteId } : {}) },
      lots: lotIds.map((lotId) => ({ lotId, role: 'received' as const })),
    });
    await lotsRepo.setHolder(tx, lotIds, me, input.siteId);
    await repo.closeShipment(tx, id, 'received', receivedAt.at, receivedAt.offsetMinutes, event.id);
  });
  return getShipment(db, actor, id);
}

/** POST /v1/shipments/{id}/refuse: the receiver declines; the lots return to the sender's custody. */
export async function refuseShipment(db: Database, actor: Actor, id: string, input: RefuseShipmentInput): Promise<ShipmentView> {
  const refusedAt = parseEventTime(input.refusedAt ?? new Date().toISOString(), 'refusedAt');
  await db.transaction(async (tx) => {
    const { lotIds } = await lockOpenShipmentForReceiver(tx, requireWriter(actor), id);
    await lotsRepo.lockLots(tx, lotIds);
    const event = await recordEvent(tx, actor, {
      type: 'shipment_refused',
      occurredAt: refusedAt,
      data: { shipmentId: id, reason: input.reason },
      lots: lotIds.map((lotId) => ({ lotId, role: 'returned' as const })),
    });
    await lotsRepo.setShipment(tx, lotIds, null);
    await repo.closeShipment(tx, id, 'refused', refusedAt.at, refusedAt.offsetMinutes, event.id);
  });
  return getShipment(db, actor, id);
}

export async function getShipment(db: Database, actor: Actor, id: string): Promise<ShipmentView> {
  const [row] = await repo.shipmentsWithNames(db, repo.shipmentConditions({ id }), 1);
  if (!row || !mayReadShipment(actor, row.shipment)) throw new NotFoundError(`No shipment ${id}.`);
  return (await toViews(db, [row]))[0]!;
}

export async function listShipments(db: Database, actor: Actor, query: ShipmentListInput) {
  const limit = query.limit ?? 50;
  const rows = await repo.shipmentsWithNames(
    db,
    repo.shipmentConditions({
      party: readsEverything(actor) || actor.kind !== 'organization' ? undefined : actor.organizationId,
      direction: query.direction,
      status: query.status,
      after: decodeCursor(query.cursor),
    }),
    limit + 1,
  );
  const page = toPage(rows.map((r) => ({ ...r, id: r.shipment.id, createdAt: r.shipment.createdAt })), limit, (r) => r);
  return { items: await toViews(db, page.items), nextCursor: page.nextCursor };
}

async function toViews(db: Database, rows: Awaited<ReturnType<typeof repo.shipmentsWithNames>>): Promise<ShipmentView[]> {
  const lines = await repo.linesOf(db, rows.map((r) => r.shipment.id));
  return rows.map(({ shipment: s, fromName, toName }) => ({
    id: s.id,
    status: s.status as ShipmentView['status'],
    fromOrganization: { id: s.fromOrganizationId, name: fromName },
    toOrganization: { id: s.toOrganizationId, name: toName },
    shippedAt: formatOffsetTime(s.shippedAt, s.shippedAtOffset),
    closedAt: s.closedAt ? formatOffsetTime(s.closedAt, s.closedAtOffset ?? 0) : null,
    lines: lines
      .filter((l) => l.shipmentId === s.id)
      .map((l) => ({ lotId: l.lotId, sourceLotId: l.sourceLotId, quantity: quantityView(toMilli(l.quantity), l.unit) })),
    createdAt: s.createdAt.toISOString(),
  }));
}
