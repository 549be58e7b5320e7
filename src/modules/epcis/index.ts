// The epcis module's public API.
export { eventHashId, eventPreHashString } from './event-hash.js';
