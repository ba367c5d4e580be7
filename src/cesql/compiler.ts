import { MeshError } from '../errors.js';
import type { Node } from './ast.js';
import { compileAttribute, compileCall, compileExists, compileIn, compileLikeOperator } from './compile-predicates.js';
import { compileBinary, compileUnary } from './compile-operators.js';
import type { Compiled } from './compiled.js';
import { findFunction } from './functions.js';
import { parseCesql } from './parser.js';

/** Left-leaning chains (`a AND b AND …`) nest without nesting parentheses: their depth is capped here. */
const MAX_TREE_DEPTH = 256;

/** A parsed and compiled expression, with the calls no built-in answers (known before any event). */
export interface CesqlProgram extends Compiled {
  readonly unknownFunctions: readonly string[];
  /** The syntax tree it was compiled from (the filter's fast paths read it). */
  readonly ast: Node;
}

/** Parses and compiles an expression once; evaluation then runs closures, never walking the tree. */
export function compileProgram(expression: unknown): CesqlProgram {
  if (typeof expression !== 'string') {
    throw new MeshError('ERR_MESH_INVALID_FILTER', 'A CESQL expression must be a string', { details: { expression } });
  }
  const unknownFunctions: string[] = [];
  const ast = parseCesql(expression);
  const compiled = compile(ast, 0, expression, unknownFunctions);
  return { ...compiled, unknownFunctions, ast };
}

/** One subtree of an expression compiled on its own (already checked as part of the whole). */
export function compileSubtree(node: Node, expression: string): Compiled {
  return compile(node, 0, expression, []);
}

function compile(node: Node, depth: number, expression: string, unknown: string[]): Compiled {
  if (depth > MAX_TREE_DEPTH) {
    throw new MeshError('ERR_MESH_INVALID_FILTER', `Invalid CESQL expression: it nests deeper than ${String(MAX_TREE_DEPTH)} operators`, {
      details: { expression, errors: [{ kind: 'parse', message: 'expression too deep' }] },
    });
  }
  const sub = (child: Node): Compiled => compile(child, depth + 1, expression, unknown);
  switch (node.kind) {
    case 'literal': {
      const value = node.value;
      return { type: typeof value === 'number' ? 'integer' : typeof value === 'string' ? 'string' : 'boolean', constant: value, run: () => value };
    }
    case 'attribute': return compileAttribute(node.name);
    case 'exists': return compileExists(node.name);
    case 'unary': return compileUnary(node.op, sub(node.operand));
    case 'binary': return compileBinary(node.op, sub(node.left), sub(node.right));
    case 'like': return compileLikeOperator(sub(node.operand), node.pattern, node.negated);
    case 'in': return compileIn(sub(node.operand), node.set.map(sub), node.negated);
    case 'call': {
      if (findFunction(node.name, node.args.length) === undefined) unknown.push(`${node.name}/${String(node.args.length)}`);
      return compileCall(node.name, node.args.map(sub));
    }
  }
}
