// Idempotency-Key records, for plugins/idempotency.ts.
export { claimKey, completeKey, deleteExpiredKeys, findKey, storeRefusal, type IdempotencyRecord } from './idempotency.repository.js';
