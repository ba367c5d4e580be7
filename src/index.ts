// The public surface of `evmesh`, listed by name (no `export *`): anything not
// here is internal and may change.
export { createMesh, Mesh } from './mesh/mesh.js';
export type { RequestOptions } from './mesh/mesh.js';
export type { MeshOptions, MeshLogger, LogLevel, LogFields, StartOptions } from './mesh/options.js';
export type { MeshTracerProvider, MeshTracingOptions } from './tracing/tracing-options.js';
export type { AccessControlList, AclEntry } from './security/acl-rules.js';
export type { MeshSignal, MeshSignals, PeerInfo } from './mesh/signals.js';
export type { InboundStats, PeerInterest, PeerState, PeerStats } from './federation/peer-info.js';
export type {
  DurableSnapshot, MeshSnapshot, PeerSnapshot, RefusalTotals, StockSessionInfo, SubscriptionSnapshot,
} from './inspect/snapshot.js';
export type { HealthCheck, HealthOptions, HealthReport } from './inspect/health.js';
export type { MetricsOptions, MetricsRegistry } from './metrics/metrics-options.js';
export type { HelloCertificate, HelloVerdict, PeerHello, StockClientOptions } from './mesh/options.js';
export type { FrameEncoderStats } from './wire/frame-encoder.js';

export type { MeshEvent } from './event/mesh-event.js';
export type { CloudEventInput, EventAttributes } from './event/normalize.js';
export { toCloudEvent } from './event/to-cloud-event.js';

export type {
  DeliveryContext, EventHandler, EventPipe, ReplayFrom, SubscribeOptions, Subscription,
} from './delivery/subscription.js';
export type { RetryPolicy } from './delivery/retry.js';
export type { TransformSpec } from './transform/transform.js';
export type { ObserveOptions } from './pipeline/observe.js';
export type { UseOperator } from './pipeline/use-chain.js';

export { compileFilter } from './filter/dialects.js';
export type { EventFilter, EventPredicate } from './filter/dialects.js';
export { compileCesql } from './cesql/compile-cesql.js';
export type { CesqlError, CesqlErrorKind, CesqlEvaluator, CesqlInput, CesqlResult, CesqlValue } from './cesql/types.js';
export { parsePattern, patternMatcher } from './topic/pattern.js';
export type { ParsedPattern } from './topic/pattern.js';
export { assertTopic } from './topic/topic.js';

export { OnEvent } from './decorators/on-event.js';
export { Publish } from './decorators/publish.js';
export type { PublishOptions } from './decorators/publish.js';

export { memoryStore } from './store/memory-store.js';
export type { MemoryStoreOptions } from './store/memory-store.js';
export type {
  ConsumerSpec, MeshStore, StoreCapabilities, StoreConsumer, StoreContext, StoreHandler, StoreReplayFrom,
} from './store/store.js';

export { MeshError, MESH_ERROR_CODES } from './errors.js';
export type { MeshErrorCode, MeshErrorDetails } from './errors.js';
