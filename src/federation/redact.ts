import type { WireFrame } from '../wire/frame.js';

/**
 * A frame as hooks see it: a HELLO's body (the UserAgent, with its `token` and
 * `password`) is left out, so no secret reaches metrics, tracing or access-control
 * code; `verifyHello` alone is given the token. Other frames are passed as they are.
 */
export function withoutSecrets(frame: WireFrame): WireFrame {
  const cmd = frame.header.cmd;
  if (cmd !== 'HELLO_REQUEST' && cmd !== 'RECOMMEND_REQUEST') return frame;
  return { header: frame.header, body: undefined };
}
