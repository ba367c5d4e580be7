/** The syntax tree of a CESQL expression (spec §2), compiled once into closures. */
export type Node =
  | { readonly kind: 'literal'; readonly value: boolean | number | string }
  | { readonly kind: 'attribute'; readonly name: string }
  | { readonly kind: 'exists'; readonly name: string }
  | { readonly kind: 'unary'; readonly op: 'NOT' | '-'; readonly operand: Node }
  | { readonly kind: 'binary'; readonly op: BinaryOperator; readonly left: Node; readonly right: Node }
  | { readonly kind: 'like'; readonly negated: boolean; readonly operand: Node; readonly pattern: string }
  | { readonly kind: 'in'; readonly negated: boolean; readonly operand: Node; readonly set: readonly Node[] }
  | { readonly kind: 'call'; readonly name: string; readonly args: readonly Node[]; readonly position: number };

export type BinaryOperator =
  | 'AND' | 'OR' | 'XOR'
  | '=' | '!=' | '<>' | '<' | '<=' | '>' | '>='
  | '+' | '-' | '*' | '/' | '%';
