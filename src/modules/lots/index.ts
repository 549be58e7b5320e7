// The lots module's public API: the lot chain's records (used by transformations and shipments, which write
// lots in their own transactions), its rules, and its routes and schemas.
export { lotRoutes } from './lots.routes.js';
export { lotSchemas, Attributes, Lot, LotNumber, StageSchema, type Stage } from './lots.schemas.js';
export { assertHolder, assertNotBeforeProduction, assertNotInTransit, assertStageTransition, assertUsable, NEXT_STAGES, validateAttributes } from './lots.rules.js';
export { lotNumberConflict, lotNumberOfRace, newLotView, normalizeGtin, requireOwnSite } from './lots.service.js';
export {
  countChildren,
  existingLotNumbers,
  insertEdges,
  insertLots,
  lockLots,
  setHolder,
  setRemaining,
  setShipment,
  setStatus,
  writeChainRecords,
  type LotRow,
  type NewLotRow,
} from './lots.repository.js';
