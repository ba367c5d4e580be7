import { MeshError } from '../errors.js';
import type { ResolvedLimits } from '../federation/limits.js';
import { DEFAULT_MAX_FRAME } from '../wire/constants.js';
import { integerOption } from './integer-option.js';
import type { MeshLimits } from './options.js';

const MAX_TIMER = 2_147_483_647;

/** `MeshOptions.limits` validated, with the defaults its JSDoc states. */
export function resolveLimits(limits: MeshLimits | undefined): ResolvedLimits {
  if (limits !== undefined && (typeof limits !== 'object' || limits === null)) throw invalid('limits must be an object');
  const helloTimeout = integerOption(limits?.helloTimeout, 5000, 'limits.helloTimeout', 1);
  if (helloTimeout > MAX_TIMER) throw invalid(`limits.helloTimeout must be at most ${String(MAX_TIMER)} ms`);
  return {
    helloTimeout,
    maxConnections: integerOption(limits?.maxConnections, 10_000, 'limits.maxConnections', 1),
    maxPeers: integerOption(limits?.maxPeers, 1000, 'limits.maxPeers', 1),
    maxStockSessions: integerOption(limits?.maxStockSessions, 10_000, 'limits.maxStockSessions', 1),
    maxOutboundBytes: integerOption(limits?.maxOutboundBytes, 256 * 1024 * 1024, 'limits.maxOutboundBytes', DEFAULT_MAX_FRAME),
    publishRate: resolveRate(limits?.publishRate),
  };
}

function resolveRate(rate: MeshLimits['publishRate']): ResolvedLimits['publishRate'] {
  if (rate === undefined) return undefined;
  if (typeof rate !== 'object' || rate === null) throw invalid('limits.publishRate must be { rate, burst }');
  const perSecond = rate.rate;
  if (typeof perSecond !== 'number' || !Number.isFinite(perSecond) || perSecond <= 0) throw invalid('limits.publishRate.rate must be a number > 0 (events a second)');
  return { rate: perSecond, burst: integerOption(rate.burst, Math.max(1, Math.ceil(perSecond)), 'limits.publishRate.burst', 1) };
}

function invalid(message: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_OPTIONS', message);
}
