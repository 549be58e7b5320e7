// The field app (/app/): its files and libraries, served as they are.
export { webappRoutes } from './webapp.routes.js';
