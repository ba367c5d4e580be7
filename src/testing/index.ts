// `evmesh/testing`: helpers for users' own tests.
export { captureEvents } from './capture.js';
export type { CapturedEvents } from './capture.js';
