import type { Node } from './ast.js';
import { isReadable } from './attributes.js';
import { compileSubtree } from './compiler.js';
import { compileLike } from './like.js';
import type { CesqlInput, Scope } from './types.js';

/** Whether an event passes: the expression (or a part of it) is `true` with no error. */
export type Passes = (event: CesqlInput) => boolean;

/**
 * The filter of an expression, with the shapes filters are mostly made of answered
 * without the general evaluator: `AND` chains of an attribute compared (`=`, `!=`, `<>`)
 * with a string, matched with `LIKE`, or tested with `IN` against strings. A part passes
 * when it is `true` with no error, so an `AND` passes when both parts do: the chain is
 * split, and each comparison reads its attribute and compares strings directly. When the
 * attribute is absent or not a string (where casts and errors decide), that comparison is
 * asked of the general evaluator, as is every other shape, so the answers are the same.
 */
export function fastFilter(node: Node, expression: string): Passes {
  if (node.kind === 'binary' && node.op === 'AND') {
    const left = fastFilter(node.left, expression);
    const right = fastFilter(node.right, expression);
    return (event) => left(event) && right(event);
  }
  return leaf(node, expression) ?? general(node, expression);
}

/** A comparison of one attribute with strings, answered directly for string values. */
function leaf(node: Node, expression: string): Passes | undefined {
  const test = stringTest(node);
  // `data` is not an attribute (it reads as absent): the general evaluator says so.
  if (test === undefined || !isReadable(test.name)) return undefined;
  const { name, accepts } = test;
  const read = rawReader(name);
  const slow = general(node, expression);
  // A string attribute is its own CESQL value (attributes.ts normalizes only other types).
  return (event) => {
    const value = read(event);
    return typeof value === 'string' ? accepts(value) : slow(event);
  };
}

/** The attribute as the event holds it: a named load for the core ones, a keyed load for extensions. */
function rawReader(name: string): (event: CesqlInput) => unknown {
  switch (name) {
    case 'type': return (e) => e['type'];
    case 'source': return (e) => e['source'];
    case 'subject': return (e) => e['subject'];
    case 'id': return (e) => e['id'];
    default: return (e) => e[name];
  }
}

function stringTest(node: Node): { name: string; accepts: (value: string) => boolean } | undefined {
  if (node.kind === 'binary' && (node.op === '=' || node.op === '!=' || node.op === '<>')) {
    const [attribute, literal] = node.left.kind === 'attribute' ? [node.left, node.right] : [node.right, node.left];
    if (attribute.kind !== 'attribute' || literal.kind !== 'literal' || typeof literal.value !== 'string') return undefined;
    const text = literal.value;
    return { name: attribute.name, accepts: node.op === '=' ? (v) => v === text : (v) => v !== text };
  }
  if (node.kind === 'like' && node.operand.kind === 'attribute') {
    const like = compileLike(node.pattern);
    return { name: node.operand.name, accepts: node.negated ? (v) => !like(v) : like };
  }
  if (node.kind === 'in' && node.operand.kind === 'attribute' && node.set.every((n) => n.kind === 'literal' && typeof n.value === 'string')) {
    const set = new Set(node.set.map((n) => (n as { value: string }).value));
    return { name: node.operand.name, accepts: node.negated ? (v) => !set.has(v) : (v) => set.has(v) };
  }
  return undefined;
}

function general(node: Node, expression: string): Passes {
  const { run } = compileSubtree(node, expression);
  const scope: Scope = { count: 0, collect: false, errors: undefined };
  return (event) => {
    scope.count = 0;
    return run(event, scope) === true && scope.count === 0;
  };
}
