import { MeshError } from '../errors.js';
import { MAX_TOPIC_LENGTH, isSpace } from './topic.js';

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

function levelProblem(level: string): string | undefined {
  if (level.length === 0) return 'empty level';
  if (level === ONE || level === SOME) return undefined;
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
  // Reuse the caller's string unless `#` runs were collapsed: one string less per subscription.
  return { text: levels.length === raw.length ? value : levels.join('.'), levels, exact };
}

function invalid(value: unknown, problem: string): MeshError {
  return new MeshError('ERR_MESH_INVALID_PATTERN', `Invalid pattern ${JSON.stringify(value)}: ${problem}`, {
    details: { pattern: value },
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
