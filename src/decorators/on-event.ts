import { MeshError } from '../errors.js';
import type { SubscribeOptions } from '../delivery/subscription.js';
import { checkSubscription } from '../delivery/check-subscription.js';
import { isStandardContext } from './decorator-kind.js';
import { addOnEventMetadata } from './metadata.js';

/**
 * Marks a method as a subscriber of `pattern` (same options as `subscribe`). It
 * only records metadata; `mesh.register(instance)` or `evmesh/nest` subscribes.
 * Pattern and options are checked here, so a typo fails at class definition.
 */
export function OnEvent(pattern: string, options?: SubscribeOptions) {
  checkSubscription(pattern, noop, options);
  return function onEvent(target: object, key?: unknown, descriptor?: PropertyDescriptor): void {
    const method = isStandardContext(key) ? target : descriptor?.value;
    if (typeof method !== 'function') throw new MeshError('ERR_MESH_INVALID_OPTIONS', '@OnEvent decorates methods only');
    addOnEventMetadata(method, { pattern, options });
  };
}

function noop(): void {}
