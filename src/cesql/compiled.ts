import type { CesqlValue, Run, StaticType } from './types.js';

/** A node compiled to a closure, with what the compiler knows of it to pick specialized closures. */
export interface Compiled {
  readonly type: StaticType;
  readonly run: Run;
  /** The value of a literal. */
  readonly constant?: CesqlValue;
  /** The name of a readable attribute reference. */
  readonly attribute?: string;
}

export const MISSING = 'the event has no attribute';
