// The event store's public API: the only way to write events, and the queue their consumers drain.
export { recordEvent, eventWriteCtes, findEventRecord, ownEventIdsOf, toEventRecord, type EventRecord, type EventRole, type NewEvent } from './event-store.js';
export { drainEvents, readQueue, QUEUE_START, type QueuePosition } from './queue.js';
export { eventRoutes, eventSchemas } from './events.routes.js';
