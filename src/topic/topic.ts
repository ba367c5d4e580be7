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
 * Why `value` is not a topic, or undefined when it is one. A topic is `.`-separated
 * non-empty levels without `*`, `#` or whitespace (api.md, Events and topics).
 */
export function topicProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') return 'a topic must be a string';
  const n = value.length;
  if (n === 0) return 'a topic must not be empty';
  if (n > MAX_TOPIC_LENGTH) return `a topic must be at most ${MAX_TOPIC_LENGTH} characters`;
  let levelStart = 0;
  for (let i = 0; i < n; i++) {
    const c = value.charCodeAt(i);
    if (c === DOT) {
      if (i === levelStart) return `empty level at offset ${i}`;
      levelStart = i + 1;
    } else if (c === STAR || c === HASH) {
      return `wildcard "${value[i]}" is only allowed in patterns`;
    } else if (isSpace(c)) {
      return `whitespace at offset ${i}`;
    }
  }
  if (levelStart === n) return 'a topic must not end with "."';
  return undefined;
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
