// The field app (/app/): its bundled modules, shell and service worker, built in memory and served.
export { webappRoutes } from './webapp.routes.js';
export { loadWebAssets } from './webapp.assets.js';
