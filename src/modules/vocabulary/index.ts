// The vocabulary module's public API: GET /v1/vocabulary (the terms themselves are src/web/lib/vocabulary.js).
export { vocabularyRoutes } from './vocabulary.routes.js';
export { vocabularySchemas } from './vocabulary.schemas.js';
