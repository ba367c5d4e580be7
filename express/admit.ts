import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthDecision, AuthHook } from './access.js';
import { fail } from './problem.js';

/** A caller the auth hook let through, with the identity it named, if any. */
export interface Admitted {
  readonly identity?: string;
}

type Refusal = Extract<AuthDecision, { readonly status: 401 | 403 }>;

/** The auth hook's verdict: admitted, or the refusal to answer with. No hook admits everyone. */
export async function verdict<A>(auth: AuthHook<A> | undefined, req: IncomingMessage, access: A): Promise<Admitted | { readonly refused: Refusal }> {
  if (auth === undefined) return {};
  const decision = await auth(req, access);
  if (decision === true) return {};
  const answer = typeof decision === 'object' && decision !== null ? decision : undefined;
  if (answer !== undefined && !('status' in answer) && typeof answer.identity === 'string' && answer.identity.length > 0) return { identity: answer.identity };
  // Anything else denies, so a hook that forgets to return never opens the door.
  return { refused: answer !== undefined && 'status' in answer ? answer : { status: 401 } };
}

/** The caller the auth hook let through, or undefined once refused (401/403 answered). */
export async function admitted<A>(auth: AuthHook<A> | undefined, req: IncomingMessage, res: ServerResponse, access: A): Promise<Admitted | undefined> {
  const v = await verdict(auth, req, access);
  if (!('refused' in v)) return v;
  const { refused } = v;
  if (refused.status === 403) fail(res, 'ERR_MESH_FORBIDDEN', refused.detail ?? 'Not allowed', refused.headers);
  else fail(res, 'ERR_MESH_UNAUTHORIZED', refused.detail ?? 'Missing or invalid credentials', refused.headers);
  return undefined;
}
