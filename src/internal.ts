// What `nest/`, `express/` and `adapters/` need from the kernel beyond the public
// surface. They import it by relative path, so the built entries share one copy
// of the kernel modules.
export {
  getOnEventMetadata, getPublishMetadata, ON_EVENT_METADATA, PUBLISH_METADATA, MESH_OF_INSTANCE,
} from './decorators/metadata.js';
export type { OnEventMetadata, PublishMetadata } from './decorators/metadata.js';
export { methodNames } from './decorators/register.js';
export { MeshEvent, extensionsOf } from './event/mesh-event.js';
export { toMeshEvent, createEvent } from './event/normalize.js';
export type { EventFactory } from './event/normalize.js';
export { EventIds } from './event/event-ids.js';
export { matchLevels } from './topic/pattern.js';
export { covers, overlaps } from './topic/pattern-relations.js';
export { toMeshError } from './errors.js';
export { loadDependency } from './store/load-dependency.js';
export { encodeStoredEvent, decodeStoredEvent } from './store/event-codec.js';
export { integerOption } from './mesh/integer-option.js';
export { resolveRetry } from './delivery/retry.js';
export { compileTransform } from './transform/transform.js';
export { ConsumerRing } from './store/consumer-ring.js';
export type { RingConsumer } from './store/consumer-ring.js';
export { eventJson } from './event/event-json.js';
export { aclOf, hooksOf, metricsRegistryOf, publishLimiterOf } from './mesh/mesh.js';
export type { RateLimiter } from './util/rate-limiter.js';
export type { Acl, RefusedKind } from './security/acl.js';
export type { Grant } from './security/grant.js';
export type { Hooks } from './hooks/hooks.js';
export { HOOK_NAMES } from './hooks/hook-list.js';
export type {
  CheckHookName, DeliveryOutcome, HookName, HookSignatures, HookSubscription, NotifyHookName, RemoteAdvertisement, RemoteParty,
} from './hooks/hook-list.js';
export { buildEvent, openStoreOf, routeLive, storeOf } from './mesh/outbox-entry.js';
export { setOutboxHook } from './decorators/outbox-hook.js';
export type { OutboxHook } from './decorators/outbox-hook.js';
