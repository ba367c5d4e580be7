import { MeshError } from '../errors.js';
import { compileFilter, type EventPredicate } from '../filter/dialects.js';
import { parsePattern, type ParsedPattern } from '../topic/pattern.js';
import { compileTransform, type EventTransform } from '../transform/transform.js';
import { resolvePolicy } from './policy.js';
import type { DeliveryPolicy, SubscribeOptions } from './subscription.js';

/** A subscription's pattern, filter and policy, validated and compiled. */
export interface CheckedSubscription {
  readonly parsed: ParsedPattern;
  readonly filter: EventPredicate | undefined;
  readonly policy: DeliveryPolicy;
  readonly transform: EventTransform | undefined;
}

/**
 * Every check `subscribe` makes on its arguments, with no side effect: also what
 * `observe` and `@OnEvent` run to fail at once, not at some later subscribe.
 */
export function checkSubscription(pattern: string, handler: unknown, options: SubscribeOptions | undefined): CheckedSubscription {
  const parsed = parsePattern(pattern);
  if (typeof handler !== 'function') throw invalid('the handler must be a function');
  if (options !== undefined && (typeof options !== 'object' || options === null)) throw invalid('subscribe options must be an object');
  checkNames(options);
  const filter = options?.filter === undefined ? undefined : compileFilter(options.filter);
  if (options?.pipe !== undefined && typeof options.pipe !== 'function') throw invalid('pipe must be a function');
  if (options?.pipe !== undefined && options.durable !== undefined) {
    throw invalid('a durable subscription cannot have a pipe: its events are acknowledged per handler run; use a filter');
  }
  const transform = options?.transform === undefined ? undefined : compileTransform(options.transform);
  return { parsed, filter, policy: resolvePolicy(options), transform };
}

function checkNames(options: SubscribeOptions | undefined): void {
  if (options === undefined) return;
  for (const key of ['group', 'durable', 'name'] as const) {
    const value = options[key];
    if (value !== undefined && (typeof value !== 'string' || value.length === 0)) throw invalid(`${key} must be a non-empty string`);
  }
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
