// evmesh/express: CloudEvents over HTTP for a mesh (ingest, Server-Sent Events,
// webhook delivery). Needs no Express import of its own: the router is a plain
// (req, res, next) handler, so Express 4, Express 5 and node:http all mount it.
export { meshRouter } from './mesh-router.js';
export type { MeshRouter } from './mesh-router.js';
export type { MeshRouterOptions } from './options.js';
export type { AllowedTopics, AuthDecision, AuthHook, MeshAccess } from './access.js';
export type { Problem } from './problem.js';
export type { EventProblem } from './ingest.js';
export { webhookSink } from './webhook-sink.js';
export type { WebhookSinkOptions } from './webhook-sink.js';
