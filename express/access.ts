import type { IncomingMessage } from 'node:http';
import { parsePattern, patternMatcher, type Mesh } from '../src/index.js';
import { aclOf, covers } from '../src/internal.js';

export { covers };

/** What a request wants to do, as the auth hook and `allowedTopics` see it. */
export type MeshAccess =
  | { readonly action: 'publish' }
  | { readonly action: 'stream'; readonly pattern: string };

/**
 * The auth hook's answer: `true` lets the request through; `{ identity }` too, as that
 * identity, which the mesh's `acl` then holds to its grant (publish: the topics it may
 * POST; subscribe: the patterns it may stream); `false` answers 401; an object with a
 * `status` picks 401 (no or bad credentials) or 403 (known caller, not allowed), with an
 * optional `detail` for the problem document and extra response headers (e.g.
 * `WWW-Authenticate` on a 401).
 */
export type AuthDecision =
  | boolean
  | { readonly identity: string }
  | { readonly status: 401 | 403; readonly detail?: string; readonly headers?: Readonly<Record<string, string>> };

/**
 * Decides whether a request may go on; runs before the body is read. A throw is passed to
 * `next(err)`. `A` is what the request wants: `MeshAccess` for `meshRouter`, `AdminAccess`
 * for `meshAdmin`; one hook serves both as `AuthHook<MeshAccess | AdminAccess>`.
 */
export type AuthHook<A = MeshAccess> = (req: IncomingMessage, access: A) => AuthDecision | Promise<AuthDecision>;

/** Mesh patterns the caller may publish to and stream from; a function is asked per request. */
export type AllowedTopics =
  | readonly string[]
  | ((req: IncomingMessage) => readonly string[] | Promise<readonly string[]>);

/** A compiled list of allowed patterns. */
export class TopicPolicy {
  private readonly matchers: ((topic: string) => boolean)[];
  private readonly levels: (readonly string[])[];

  /** Throws `ERR_MESH_INVALID_PATTERN` for a malformed pattern. */
  constructor(readonly patterns: readonly string[]) {
    this.levels = patterns.map((p) => parsePattern(p).levels);
    this.matchers = patterns.map((p) => patternMatcher(p));
  }

  /** Whether `topic` may be published. */
  allowsTopic(topic: string): boolean {
    return this.matchers.some((m) => m(topic));
  }

  /** Whether every topic `pattern` can match is allowed by one of the patterns. */
  allowsPattern(pattern: string): boolean {
    const wanted = parsePattern(pattern).levels;
    return this.levels.some((allowed) => covers(allowed, wanted));
  }
}

/** What a caller the auth hook named may do under the mesh's `acl`. */
export interface CallerGrant {
  readonly identity: string;
  /** Whether it may publish `topic`; a refusal is reported on the mesh. */
  allowsTopic(topic: string): boolean;
  /** Whether it may stream every topic of `pattern`; a refusal is reported on the mesh. */
  allowsPattern(pattern: string): boolean;
}

/** The mesh's `acl` for a caller named `identity`; undefined without an identity or without an acl. */
export function callerGrant(mesh: Mesh, identity: string | undefined): CallerGrant | undefined {
  const acl = identity === undefined ? undefined : aclOf(mesh);
  if (acl === undefined || identity === undefined) return undefined;
  return {
    identity,
    allowsTopic: (topic) => {
      if (acl.grant(identity, 'publish').allows(topic)) return true;
      acl.refused(identity, 'http', 'publish', topic);
      return false;
    },
    allowsPattern: (pattern) => {
      if (acl.grant(identity, 'subscribe').covers(parsePattern(pattern).levels)) return true;
      acl.refused(identity, 'http', 'subscribe', pattern);
      return false;
    },
  };
}
