// The shipments module's public API.
export { shipmentRoutes } from './shipments.routes.js';
export { shipmentSchemas } from './shipments.schemas.js';
