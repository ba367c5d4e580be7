import { MatchCache } from '../topic/match-cache.js';
import { matchLevels, parsePattern, type ParsedPattern } from '../topic/pattern.js';
import { covers, overlaps } from '../topic/pattern-relations.js';

/** Topics whose answer a grant remembers: a few per identity and direction is the usual case. */
const CACHE_SIZE = 1024;

/**
 * The topic patterns an identity is granted in one direction (publish or subscribe),
 * parsed once. `allows` answers for a topic (exact patterns by one Set lookup, wildcard
 * ones by a walk whose answer is cached per topic), `covers` and `overlaps` for a
 * pattern someone subscribes.
 */
export class Grant {
  private readonly exact = new Set<string>();
  private readonly wild: ParsedPattern[] = [];
  private readonly all: (readonly string[])[] = [];
  private readonly cache = new MatchCache<boolean>(CACHE_SIZE);

  /** Throws ERR_MESH_INVALID_PATTERN for a malformed pattern. */
  constructor(readonly patterns: readonly string[]) {
    for (const pattern of patterns) {
      const parsed = parsePattern(pattern);
      if (parsed.exact) this.exact.add(parsed.text);
      else this.wild.push(parsed);
      this.all.push(parsed.levels);
    }
  }

  /** Whether `topic` matches one of the granted patterns. */
  allows(topic: string): boolean {
    if (this.exact.has(topic)) return true;
    if (this.wild.length === 0) return false;
    let answer = this.cache.get(topic);
    if (answer === undefined) {
      const levels = topic.split('.');
      answer = this.wild.some((p) => matchLevels(p.levels, levels));
      this.cache.set(topic, answer);
    }
    return answer;
  }

  /** Whether every topic `pattern` matches is granted (by one pattern; conservative, see `covers`). */
  covers(pattern: readonly string[]): boolean {
    return this.all.some((granted) => covers(granted, pattern));
  }

  /** Whether some topic `pattern` matches is granted. */
  overlaps(pattern: readonly string[]): boolean {
    return this.all.some((granted) => overlaps(granted, pattern));
  }
}

/** The grant of nothing. */
export const NOTHING = new Grant([]);
