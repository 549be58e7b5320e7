// The organisations module's public API: organisations and their API keys.
export { organizationRoutes } from './organizations.routes.js';
export { organizationSchemas } from './organizations.schemas.js';
export { findOrganizationById } from './organizations.repository.js';
export { authenticateApiKey, API_KEY_PATTERN } from './api-keys.service.js';
