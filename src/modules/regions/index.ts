// GB/T 2260 regions: names and checks.
export { findRegions, requireRegion, type RegionInfo } from './regions.service.js';
