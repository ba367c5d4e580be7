import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { HelloVerdict, PeerHello } from '../src/index.js';
import type { AuthDecision } from '../express/index.js';
import type { NodeConfig, VerifyConfig } from './node-config.js';

/**
 * `verifyHello` from `verify`: a verified client certificate (with `certificate: true`)
 * is admitted as its subject CN; else a HELLO whose UserAgent token is one of `tokens`
 * as that identity; anything else is refused.
 */
export function verifyHelloOf(verify: VerifyConfig): (hello: PeerHello) => HelloVerdict {
  const byToken = tokenTable(verify.tokens);
  return (hello) => {
    const cn = hello.certificate?.subject['CN'];
    if (verify.certificate && cn !== undefined) return { identity: String(Array.isArray(cn) ? cn[0] : cn) };
    const identity = hello.token === undefined ? undefined : byToken(hello.token);
    return identity === undefined ? false : { identity };
  };
}

/**
 * The HTTP side's auth hook, or undefined (open) when neither `httpToken` nor `verify`
 * tokens are set: `Authorization: Bearer <httpToken>` passes with full access, a bearer
 * that is one of the `verify` tokens passes as its identity (held to the `acl`),
 * anything else is 401.
 */
export function httpAuthOf(config: NodeConfig): ((req: IncomingMessage) => AuthDecision) | undefined {
  const tokens = config.verify?.tokens ?? {};
  if (config.httpToken === undefined && Object.keys(tokens).length === 0) return undefined;
  const byToken = tokenTable(tokens);
  const full = config.httpToken === undefined ? undefined : digest(config.httpToken);
  return (req) => {
    const bearer = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    if (bearer !== undefined) {
      if (full !== undefined && timingSafeEqual(digest(bearer), full)) return true;
      const identity = byToken(bearer);
      if (identity !== undefined) return { identity };
    }
    return { status: 401, detail: 'send Authorization: Bearer <token>', headers: { 'WWW-Authenticate': 'Bearer' } };
  };
}

/** Looks a token up without leaking, through timing, how much of it matched. */
function tokenTable(tokens: Readonly<Record<string, string>>): (token: string) => string | undefined {
  const entries = Object.entries(tokens).map(([identity, token]) => [identity, digest(token)] as const);
  return (token) => {
    const d = digest(token);
    let found: string | undefined;
    for (const [identity, expected] of entries) if (timingSafeEqual(d, expected)) found ??= identity;
    return found;
  };
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
