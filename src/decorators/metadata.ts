import 'reflect-metadata';
import type { SubscribeOptions } from '../delivery/subscription.js';

/**
 * Metadata keys are plain strings, identical in every copy of evmesh (ESM, CJS,
 * `evmesh/nest`), so a loader reads what any copy's decorators wrote.
 */
export const ON_EVENT_METADATA = 'evmesh:on-event';
export const PUBLISH_METADATA = 'evmesh:publish';

export interface OnEventMetadata {
  readonly pattern: string;
  readonly options: SubscribeOptions | undefined;
}

export interface PublishMetadata {
  readonly topic: string;
}

/** The `@OnEvent` entries recorded on a method (one method may carry several). */
export function getOnEventMetadata(method: unknown): readonly OnEventMetadata[] {
  if (typeof method !== 'function') return [];
  return (Reflect.getMetadata(ON_EVENT_METADATA, method) as OnEventMetadata[] | undefined) ?? [];
}

export function getPublishMetadata(method: unknown): PublishMetadata | undefined {
  if (typeof method !== 'function') return undefined;
  return Reflect.getMetadata(PUBLISH_METADATA, method) as PublishMetadata | undefined;
}

export function addOnEventMetadata(method: object, entry: OnEventMetadata): void {
  Reflect.defineMetadata(ON_EVENT_METADATA, [...getOnEventMetadata(method), entry], method);
}

/** Keeps metadata when a decorator replaces a method with a wrapper. */
export function copyMetadata(from: object, to: object): void {
  for (const key of Reflect.getOwnMetadataKeys(from)) {
    Reflect.defineMetadata(key, Reflect.getOwnMetadata(key, from), to);
  }
}

/** Where a registered instance keeps its mesh, for its `@Publish` methods. Symbol.for: shared across copies. */
export const MESH_OF_INSTANCE = Symbol.for('evmesh.mesh');
