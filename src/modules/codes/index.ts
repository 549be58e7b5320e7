// The codes module's public API: codes, QR images, the consumer resolve.
export { codeRoutes } from './codes.routes.js';
export { codeSchemas } from './codes.schemas.js';
