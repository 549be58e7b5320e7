// The species catalogue's public API.
export { speciesRoutes } from './species.routes.js';
export { speciesSchemas } from './species.schemas.js';
export { findSpecies } from './species.repository.js';
export { listSpecies } from './species.service.js';
