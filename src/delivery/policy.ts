import { MeshError } from '../errors.js';
import { assertTopic } from '../topic/topic.js';
import { NO_RETRY, resolveRetry } from './retry.js';
import type { DeliveryPolicy, SubscribeOptions } from './subscription.js';

/** `SubscribeOptions.maxQueued` when not given: as many as a stock client's push queue holds. */
export const DEFAULT_MAX_QUEUED = 10_000;

/** The policy of a subscription with no delivery option: shared, never copied. */
export const DEFAULT_POLICY: DeliveryPolicy = Object.freeze({
  concurrency: 1, keyOf: undefined, retry: NO_RETRY, deadLetter: undefined, maxQueued: DEFAULT_MAX_QUEUED,
});

/** Resolves and validates the delivery options of `subscribe` once. */
export function resolvePolicy(options: SubscribeOptions | undefined): DeliveryPolicy {
  if (options === undefined) return DEFAULT_POLICY;
  const { concurrency = 1, orderingKey, retry, deadLetter, maxQueued = DEFAULT_MAX_QUEUED } = options;
  if (concurrency === 1 && orderingKey === undefined && retry === undefined && deadLetter === undefined && maxQueued === DEFAULT_MAX_QUEUED) {
    return DEFAULT_POLICY;
  }
  if (!Number.isInteger(concurrency) || concurrency < 1) throw invalid('concurrency must be an integer >= 1');
  if (!(Number.isInteger(maxQueued) && maxQueued >= 1) && maxQueued !== Infinity) throw invalid('maxQueued must be an integer >= 1 or Infinity');
  if (deadLetter !== undefined) assertTopic(deadLetter);
  const keyOf = keyFunction(orderingKey);
  // With one handler at a time everything is already in order: a key would only cost.
  return { concurrency, keyOf: concurrency > 1 ? keyOf : undefined, retry: resolveRetry(retry), deadLetter, maxQueued };
}

function keyFunction(orderingKey: SubscribeOptions['orderingKey']): DeliveryPolicy['keyOf'] {
  if (orderingKey === undefined) return undefined;
  if (typeof orderingKey === 'function') return (event) => String(orderingKey(event));
  if (typeof orderingKey !== 'string' || orderingKey.length === 0) throw invalid('orderingKey must be an attribute name or a function');
  return (event) => {
    const value = event[orderingKey];
    return value === undefined ? '' : String(value);
  };
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
