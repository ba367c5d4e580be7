import { MeshError } from '../errors.js';
import type { HelloVerdict } from './peer-info.js';

/** What to do with `verifyHello`'s answer, sync or async. */
export interface VerdictActions {
  /** Admitted under `identity` (the verdict's, else the fallback the caller gave). */
  admit(identity: string): void;
  refuse(): void;
  /** The hook threw, rejected or answered something that is no verdict: it is refused too. */
  failed(error: unknown): void;
}

/** The identity a verdict admits under; undefined when it refuses. Throws for what is no verdict. */
function identityOf(verdict: unknown, fallback: string): string | undefined {
  if (verdict === true) return fallback;
  if (verdict === false) return undefined;
  const identity = typeof verdict === 'object' && verdict !== null ? (verdict as { identity?: unknown }).identity : undefined;
  if (typeof identity === 'string' && identity.length > 0) return identity;
  throw new MeshError('ERR_MESH_INVALID_OPTIONS', 'verifyHello must answer true, false or { identity: a non-empty string }');
}

/** Applies a `verifyHello` verdict (PROTOCOL §9.2): at once when it is a value, when it settles when a promise. */
export function applyVerdict(verdict: HelloVerdict | Promise<HelloVerdict>, fallback: string, act: VerdictActions): void {
  const apply = (value: unknown): void => {
    let identity: string | undefined;
    try {
      identity = identityOf(value, fallback);
    } catch (err) {
      return act.failed(err);
    }
    if (identity === undefined) act.refuse();
    else act.admit(identity);
  };
  if (verdict instanceof Promise) verdict.then(apply, (err: unknown) => act.failed(err));
  else apply(verdict);
}
