/** A CESQL value: the language has exactly these three primitive types (spec §3.1). */
export type CesqlValue = boolean | number | string;

/** The error kinds of CESQL v1 (spec §3.3), spelled as the conformance suite spells them. */
export type CesqlErrorKind = 'parse' | 'math' | 'cast' | 'missingAttribute' | 'missingFunction' | 'functionEvaluation';

export interface CesqlError {
  readonly kind: CesqlErrorKind;
  readonly message: string;
}

/** What an expression evaluates to: always a value, plus the errors met on the way (spec §1). */
export interface CesqlResult {
  readonly value: CesqlValue;
  readonly errors: readonly CesqlError[];
}

/** The attributes of the event an expression reads (a MeshEvent or any object with attributes as properties). */
export type CesqlInput = { readonly [attribute: string]: unknown };

export type CesqlEvaluator = (event: CesqlInput) => CesqlResult;

/** What the compiler knows of a node's type before any event: `any` is an attribute (its type depends on the event). */
export type StaticType = 'boolean' | 'integer' | 'string' | 'any';

/**
 * Per-evaluation state. One per compiled expression, reset before each evaluation:
 * evaluation is synchronous and never calls user code, so it cannot be re-entered.
 * `count` is read before and after each operand: an operand that added an error makes
 * its operator return its zero value (spec §3.2, §3.3 "return value on error").
 */
export interface Scope {
  count: number;
  /** Error records are built only when collected: a filter needs the count alone. */
  collect: boolean;
  errors: CesqlError[] | undefined;
}

/** A compiled node: reads the event, returns its value, records errors in the scope. */
export type Run = (event: CesqlInput, scope: Scope) => CesqlValue;

export function fail(scope: Scope, kind: CesqlErrorKind, message: string, subject?: string | number): void {
  scope.count++;
  if (!scope.collect) return;
  const error: CesqlError = { kind, message: subject === undefined ? message : `${message}: ${String(subject)}` };
  if (scope.errors === undefined) scope.errors = [error];
  else scope.errors.push(error);
}

/** The zero value of each type (spec §3.1); an attribute of unknown type counts as Boolean (spec §3.2). */
export function zeroOf(type: StaticType): CesqlValue {
  return type === 'integer' ? 0 : type === 'string' ? '' : false;
}
