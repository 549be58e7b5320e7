// The epcis module's public API.
export { eventHashId, eventPreHashString } from './event-hash.js';
export { epcisRoutes } from './epcis.routes.js';
export { epcisSchemas } from './epcis.schemas.js';
export { epcisEventById, epcisEventsOf, exportLotChain } from './epcis.service.js';
export { toEpcisEvent, type EpcisEvent, type EpcisFacts, type MappedEventRecord } from './epcis.mapping.js';
export { documentContext, EPCIS_CONTEXT, EPCIS_CONTEXT_URL, TERMS } from './epcis.vocabulary.js';
