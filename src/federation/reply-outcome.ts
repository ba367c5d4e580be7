import { MeshError } from '../errors.js';
import type { RequestFailure } from '../delivery/request-takers.js';
import type { WireFrame } from '../wire/frame.js';

/** PROTOCOL §6.4: the values of `evmeshoutcome` on a RESPONSE_TO_SERVER that is no reply. */
export type ReplyOutcome = 'failed' | 'none';

/** The outcome a RESPONSE_TO_SERVER carries, if any: `failure` set for `failed`. */
export interface ArrivedOutcome {
  readonly kind: ReplyOutcome;
  readonly failure: RequestFailure | undefined;
}

/** PROTOCOL §6.4: the body of a `failed` outcome, `{"code","message","subscription","node"}` in JSON. */
export function failureBody(failure: RequestFailure): Buffer {
  const { code, message, subscription, node } = failure;
  return Buffer.from(JSON.stringify({ code, message, subscription, node }));
}

/** Reads `evmeshoutcome` and, for `failed`, its body; undefined for a reply (no outcome). */
export function readOutcome(frame: WireFrame): ArrivedOutcome | undefined {
  const kind = frame.header.properties['evmeshoutcome'];
  if (kind === undefined) return undefined;
  if (kind === 'none') return { kind, failure: undefined };
  if (kind !== 'failed') throw bad(`RESPONSE_TO_SERVER has an unknown evmeshoutcome ${JSON.stringify(kind)}`);
  let value: unknown;
  try {
    value = JSON.parse(frame.body?.toString('utf8') ?? '');
  } catch (err) {
    throw bad('RESPONSE_TO_SERVER has a failure body that is not JSON', err);
  }
  const f = (typeof value === 'object' && value !== null ? value : {}) as Record<string, unknown>;
  const { code, message, subscription, node } = f;
  if (typeof code !== 'string' || typeof message !== 'string' || typeof subscription !== 'string' || typeof node !== 'string') {
    throw bad('RESPONSE_TO_SERVER has a malformed failure body');
  }
  return { kind, failure: { code, message, subscription, node } };
}

function bad(message: string, cause?: unknown): MeshError {
  return new MeshError('ERR_MESH_WIRE_BAD_BODY', message, { cause, details: { cmd: 'RESPONSE_TO_SERVER' } });
}
