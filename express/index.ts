// evmesh/express: CloudEvents over HTTP for a mesh (ingest, Server-Sent Events,
// webhook delivery) and its admin endpoint (snapshot, metrics, health). Needs no
// Express import of its own: the routers are plain (req, res, next) handlers, so
// Express 4, Express 5 and node:http all mount them.
export { meshRouter } from './mesh-router.js';
export type { MeshRouter } from './mesh-router.js';
export type { MeshRouterOptions } from './options.js';
export type { AllowedTopics, AuthDecision, AuthHook, MeshAccess } from './access.js';
export type { Problem } from './problem.js';
export type { EventProblem } from './ingest.js';
export { webhookSink } from './webhook-sink.js';
export type { WebhookSinkOptions } from './webhook-sink.js';
export { meshAdmin } from './mesh-admin.js';
export type { MeshAdmin } from './mesh-admin.js';
export type { AdminAccess, AdminRoute, MeshAdminOptions } from './admin-options.js';
export { subscriptionsApi } from './subscriptions-api.js';
export type { SubscriptionsApi } from './subscriptions-api.js';
export type { AllowedSinks, SubscriptionsAccess, SubscriptionsApiOptions } from './subscriptions-options.js';
export { memoryCatalogue } from './subscription-record.js';
export type { HttpSettings, SubscriptionCatalogue, SubscriptionRecord } from './subscription-record.js';
export { fileCatalogue } from './file-catalogue.js';
