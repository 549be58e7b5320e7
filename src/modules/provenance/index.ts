// The provenance module's public API: the graph walks that quality and the consumer page build on.
export { provenanceRoutes } from './provenance.routes.js';
export { provenanceSchemas } from './provenance.schemas.js';
export { originShares, requireProvenanceReader, type GraphLimits } from './provenance.service.js';
export { fetchAncestors, nodeDetail, type Graph, type GraphEdge, type GraphNode } from './provenance.repository.js';
