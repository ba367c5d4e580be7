import { MeshError } from '../errors.js';
import { MAX_TOPIC_LENGTH, invisibleProblem, isSpace } from './topic.js';

/** `*` matches exactly one level. */
export const ONE = '*';
/** `#` matches zero or more levels. */
export const SOME = '#';

/** A validated pattern: its text (with runs of `#` collapsed) and its levels. */
export interface ParsedPattern {
  readonly text: string;
  readonly levels: readonly string[];
  /** True when no level is a wildcard: the pattern is a plain topic. */
  readonly exact: boolean;
}

/**
 * Wildcards of other grammars that would otherwise pass as plain levels (`>`, `+`) or be
 * refused without a word of why (`**`): each with the evmesh wildcard that means it.
 */
const FOREIGN_WILDCARDS: Readonly<Record<string, string>> = {
  '>': 'use "#" (zero or more levels) where NATS uses ">"; "*" is exactly one level',
  '+': 'use "*" (exactly one level) where MQTT uses "+"; "#" is zero or more levels',
  '**': 'use "#" (zero or more levels) where EventEmitter2 uses "**"; "*" is exactly one level',
};

interface Problem {
  readonly problem: string;
  readonly hint?: string;
}

function levelProblem(level: string): Problem | string | undefined {
  if (level.length === 0) return 'empty level';
  if (level === ONE || level === SOME) return undefined;
  const hint = FOREIGN_WILDCARDS[level];
  if (hint !== undefined) return { problem: `"${level}" is not a wildcard here: ${hint}`, hint };
  for (let i = 0; i < level.length; i++) {
    const c = level.charCodeAt(i);
    if (c === 42 || c === 35) return `"${level}": a wildcard must stand alone as a whole level`;
    if (isSpace(c)) return `"${level}": whitespace`;
  }
  return undefined;
}

/**
 * Parses and validates a subscription pattern. `#.#` is collapsed to `#`: both
 * match the same topics, and one `#` per run keeps the trie walk duplicate-free.
 */
export function parsePattern(value: unknown): ParsedPattern {
  if (typeof value !== 'string') throw invalid(value, 'a pattern must be a string');
  if (value.length === 0) throw invalid(value, 'a pattern must not be empty');
  if (value.length > MAX_TOPIC_LENGTH) throw invalid(value, `a pattern must be at most ${MAX_TOPIC_LENGTH} characters`);
  const raw = value.split('.');
  const levels: string[] = [];
  let exact = true;
  for (const level of raw) {
    const problem = levelProblem(level);
    if (problem !== undefined) throw invalid(value, problem);
    if (level === ONE || level === SOME) exact = false;
    if (level === SOME && levels[levels.length - 1] === SOME) continue;
    levels.push(level);
  }
  // Patterns are parsed once per subscription, so no ASCII fast path is needed here.
  const invisible = invisibleProblem(value);
  if (invisible !== undefined) throw invalid(value, invisible);
  // Reuse the caller's string unless `#` runs were collapsed: one string less per subscription.
  return { text: levels.length === raw.length ? value : levels.join('.'), levels, exact };
}

function invalid(value: unknown, why: Problem | string): MeshError {
  const { problem, hint } = typeof why === 'string' ? { problem: why, hint: undefined } : why;
  return new MeshError('ERR_MESH_INVALID_PATTERN', `Invalid pattern ${JSON.stringify(value)}: ${problem}`, {
    details: hint === undefined ? { pattern: value } : { pattern: value, hint },
  });
}

/**
 * Does `pattern` match the topic split into `topic` levels? A direct recursive
 * matcher for places that test one pattern at a time (stores, request checks); the
 * router uses the trie instead.
 */
export function matchLevels(pattern: readonly string[], topic: readonly string[], p = 0, t = 0): boolean {
  for (; p < pattern.length; p++, t++) {
    const level = pattern[p];
    if (level === SOME) {
      if (p === pattern.length - 1) return true;
      for (let k = t; k <= topic.length; k++) if (matchLevels(pattern, topic, p + 1, k)) return true;
      return false;
    }
    if (t >= topic.length) return false;
    if (level !== ONE && level !== topic[t]) return false;
  }
  return t === topic.length;
}

/** Compiles a pattern into a predicate over topics. */
export function patternMatcher(pattern: string): (topic: string) => boolean {
  const parsed = parsePattern(pattern);
  if (parsed.exact) return (topic) => topic === parsed.text;
  return (topic) => matchLevels(parsed.levels, topic.split('.'));
}
