import { MeshError } from '../errors.js';

/** Longest topic or pattern accepted; keeps a hostile peer from making us split megabytes. */
export const MAX_TOPIC_LENGTH = 1024;

const DOT = 46;
const STAR = 42;
const HASH = 35;

/** Whitespace as the grammar means it: any Unicode white space or control separator. */
function isSpace(code: number): boolean {
  return code <= 32 || code === 0x7f || code === 0x85 || code === 0xa0 || code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) || code === 0x2028 || code === 0x2029 ||
    code === 0x202f || code === 0x205f || code === 0x3000 || code === 0xfeff;
}

/**
 * Characters that render as nothing or reorder what is around them, so two topics that
 * look the same are not: format characters (Cf: zero-width space U+200B, bidi overrides
 * U+202A–U+202E and isolates U+2066–U+2069, soft hyphen, tags…), C1 controls (Cc) and
 * lone surrogates (Cs under the `u` flag). Only run on text that has a non-ASCII code unit.
 */
const INVISIBLE = /[\p{Cf}\p{Cc}\p{Cs}]/u;

/**
 * Why the non-ASCII text `value` holds an invisible character, or undefined. Kept out of
 * the per-character loop: ASCII topics (nearly all of them) never get here.
 */
export function invisibleProblem(value: string): string | undefined {
  const found = INVISIBLE.exec(value);
  if (found === null) return undefined;
  const code = found[0].codePointAt(0)!;
  const what = code >= 0xd800 && code <= 0xdfff ? 'lone surrogate' : 'invisible format or control character';
  return `${what} U+${code.toString(16).toUpperCase().padStart(4, '0')} at offset ${found.index}`;
}

/**
 * Why `value` is not a topic, or undefined when it is one. A topic is `.`-separated
 * non-empty levels without `*`, `#`, whitespace or invisible characters (api.md, Events
 * and topics).
 */
export function topicProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a topic must be a string';
  const n = value.length;
  if (n === 0) return 'a topic must not be empty';
  if (n > MAX_TOPIC_LENGTH) return `a topic must be at most ${MAX_TOPIC_LENGTH} characters`;
  let levelStart = 0;
  let wide = false;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c > 32 && c < 0x7f) {
      // Printable ASCII: the common case, two compares before these.
      if (c === DOT) {
        if (i === levelStart) return `empty level at offset ${i}`;
        levelStart = i + 1;
      } else if (c === STAR || c === HASH) {
        return `wildcard "${value[i]}" is only allowed in patterns`;
      }
    } else if (isSpace(c)) {
      return `whitespace at offset ${i}`;
    } else {
      wide = true;
    }
  }
  if (levelStart === n) return 'a topic must not end with "."';
  return wide ? invisibleProblem(value) : undefined;
}

/** Throws `ERR_MESH_INVALID_TOPIC` unless `value` is a valid topic. */
export function assertTopic(value: unknown): asserts value is string {
  const problem = topicProblem(value);
  if (problem !== undefined) {
    throw new MeshError('ERR_MESH_INVALID_TOPIC', `Invalid topic ${JSON.stringify(value)}: ${problem}`, {
      details: { topic: value },
    });
  }
}

export { isSpace };
