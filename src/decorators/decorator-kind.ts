/**
 * Decorators here support both forms: TypeScript's `experimentalDecorators`
 * (what NestJS apps compile with: target, key, descriptor) and TC39 standard
 * decorators (value, context).
 */
export interface StandardMethodContext {
  readonly kind: 'method';
  readonly name: string | symbol;
}

export function isStandardContext(value: unknown): value is StandardMethodContext {
  return typeof value === 'object' && value !== null && (value as { kind?: unknown }).kind === 'method';
}
