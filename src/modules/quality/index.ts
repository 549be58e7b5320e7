// The quality module's public API: lab results, certificates, GI claims, verification.
export { qualityRoutes } from './quality.routes.js';
export { qualitySchemas } from './quality.schemas.js';
export { listAnalytes } from './quality.service.js';
