// The sites module's public API.
export { siteRoutes } from './sites.routes.js';
export { siteSchemas } from './sites.schemas.js';
export { findSiteById, type SiteRow } from './sites.repository.js';
