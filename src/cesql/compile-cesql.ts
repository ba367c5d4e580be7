import { MeshError } from '../errors.js';
import { compileProgram } from './compiler.js';
import { fastFilter } from './fast-filter.js';
import type { CesqlError, CesqlEvaluator, CesqlInput, Scope } from './types.js';

const NO_ERRORS: readonly CesqlError[] = Object.freeze([]);

/**
 * Compiles a CloudEvents SQL (CESQL v1) expression once into an evaluator giving the
 * value (boolean, integer or string) and the errors met (kinds of spec §3.3). A syntax
 * error throws `ERR_MESH_INVALID_FILTER` with `details.position`.
 *
 * @example
 * const isOrder = compileCesql("type = 'com.shop.order' AND source LIKE '/orders%'");
 * isOrder(event); // { value: true, errors: [] }
 */
export function compileCesql(expression: string): CesqlEvaluator {
  const { run } = compileProgram(expression);
  const scope: Scope = { count: 0, collect: true, errors: undefined };
  return (event) => {
    scope.count = 0;
    scope.errors = undefined;
    const value = run(event, scope);
    const errors = scope.errors ?? NO_ERRORS;
    scope.errors = undefined;
    return { value, errors };
  };
}

/**
 * The expression as a filter: it passes an event only when the value is `true` with no
 * error (spec §1.2). Errors are counted, never built. A call to a function that does not
 * exist can never pass, so it is refused here (spec §3.3: checks at compile time when
 * possible) rather than silently matching nothing.
 */
export function compileCesqlPredicate(expression: unknown): (event: CesqlInput) => boolean {
  const program = compileProgram(expression);
  if (program.unknownFunctions.length > 0) return refuseUnknown(expression as string, program.unknownFunctions);
  return fastFilter(program.ast, expression as string);
}

function refuseUnknown(expression: string, names: readonly string[]): never {
  throw new MeshError('ERR_MESH_INVALID_FILTER', `Invalid CESQL filter: no function ${names.join(', ')} (name/arity)`, {
    details: { expression, errors: names.map((name) => ({ kind: 'missingFunction', message: `no such function: ${name}` })) },
  });
}
