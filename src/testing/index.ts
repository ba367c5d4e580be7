// `evmesh/testing`: helpers for users' own tests.
export { captureEvents } from './capture.js';
export type { CapturedEvents } from './capture.js';
export { linkInMemory } from './link-in-memory.js';
export type { MemoryLinkHandle } from './link-in-memory.js';
export { storeConformance } from './store-conformance.js';
export type { ConformanceTestApi, StoreConformanceOptions } from './store-conformance.js';
