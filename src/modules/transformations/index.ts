// The transformations module's public API: its routes, and the locking draw that shipments share.
export { transformationRoutes } from './transformations.routes.js';
export { transformationSchemas } from './transformations.schemas.js';
export { assertEnough, lockUsableLots } from './transformations.service.js';
