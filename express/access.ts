import type { IncomingMessage } from 'node:http';
import { parsePattern, patternMatcher } from '../src/index.js';
import { covers } from '../src/internal.js';

export { covers };

/** What a request wants to do, as the auth hook and `allowedTopics` see it. */
export type MeshAccess =
  | { readonly action: 'publish' }
  | { readonly action: 'stream'; readonly pattern: string };

/**
 * The auth hook's answer: `true` lets the request through; `false` answers 401;
 * an object picks 401 (no or bad credentials) or 403 (known caller, not allowed),
 * with an optional `detail` for the problem document and extra response headers
 * (e.g. `WWW-Authenticate` on a 401).
 */
export type AuthDecision =
  | boolean
  | { readonly status: 401 | 403; readonly detail?: string; readonly headers?: Readonly<Record<string, string>> };

/** Decides whether a request may go on; runs before the body is read. A throw is passed to `next(err)`. */
export type AuthHook = (req: IncomingMessage, access: MeshAccess) => AuthDecision | Promise<AuthDecision>;

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
