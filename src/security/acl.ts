import { MeshError } from '../errors.js';
import type { AclRules } from './acl-rules.js';
import type { Grant } from './grant.js';

/** Who was refused: a peer or stock client (hooks' `RemoteParty.kind`), or an HTTP caller. */
export type RefusedKind = 'peer' | 'client' | 'http';

/** A refusal of one (identity, action, topic) is reported at most once in this many ms. */
const BURST_MS = 10_000;
/** Refusals remembered at most; past it the memory starts over (a flood of distinct topics). */
const MAX_REMEMBERED = 10_000;

/**
 * The mesh's access control list (`createMesh({ acl })`): the grant of an identity in
 * each direction, and the one place refusals are reported (`ERR_MESH_FORBIDDEN` with
 * `details.identity`), once per (identity, action, topic) per burst, so a flood of
 * refused events is not a flood of errors.
 */
export class Acl {
  private readonly reported = new Map<string, number>();
  /** Every refusal, reported or not (`mesh.inspect()`, metrics). */
  readonly totals = { publish: 0, subscribe: 0 };

  constructor(private readonly rules: AclRules, private readonly report: (error: MeshError) => void) {}

  /** What `identity` may do in `action`: its entry's grant, else the `'*'` entry's, else nothing. */
  grant(identity: string | undefined, action: 'publish' | 'subscribe'): Grant {
    const grants = identity === undefined ? undefined : this.rules.byIdentity.get(identity);
    return (grants ?? this.rules.others)[action];
  }

  /** Reports a refusal (deduplicated per burst). */
  refused(identity: string | undefined, kind: RefusedKind, action: 'publish' | 'subscribe', topic: string): void {
    this.totals[action]++;
    const key = `${kind}\u0000${String(identity)}\u0000${action}\u0000${topic}`;
    const now = Date.now();
    const until = this.reported.get(key);
    if (until !== undefined && until > now) return;
    if (this.reported.size >= MAX_REMEMBERED) this.reported.clear();
    this.reported.set(key, now + BURST_MS);
    const what = action === 'publish' ? 'bring in' : 'receive';
    this.report(new MeshError('ERR_MESH_FORBIDDEN', `${kind} ${JSON.stringify(identity)} may not ${what} ${topic} (acl)`, {
      details: { identity, kind, action, topic },
    }));
  }
}
