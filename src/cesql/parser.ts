import type { BinaryOperator, Node } from './ast.js';
import { tokenize, type Token } from './lexer.js';
import { parseError } from './parse-error.js';

const INT_MIN = -2147483648;
const INT_MAX = 2147483647;
/** Deeper nesting is refused: expressions come from peers too, and parsing recurses. */
const MAX_DEPTH = 64;

/**
 * Binding powers, loosest first (spec §3.6): the logical operators share one level and
 * group left to right; then comparisons, additive, multiplicative; IN and LIKE bind
 * tighter than any binary operator, and the unary operators tighter still.
 */
const INFIX: Readonly<Record<string, number>> = {
  AND: 10, OR: 10, XOR: 10,
  '=': 20, '!=': 20, '<>': 20, '<': 20, '<=': 20, '>': 20, '>=': 20,
  '+': 30, '-': 30,
  '*': 40, '/': 40, '%': 40,
};
const IN_POWER = 50;
const LIKE_POWER = 60;
const UNARY_POWER = 70;

/** Parses a CESQL expression into its tree; a syntax error throws ERR_MESH_INVALID_FILTER with the position. */
export function parseCesql(expression: string): Node {
  return new Parser(expression).parseAll();
}

class Parser {
  private readonly tokens: Token[];
  private at = 0;
  private depth = 0;

  constructor(private readonly expression: string) {
    this.tokens = tokenize(expression);
  }

  parseAll(): Node {
    const node = this.parse(0);
    const rest = this.peek();
    if (rest.kind !== 'end') throw this.error(rest, `unexpected ${describe(rest)}`);
    return node;
  }

  private parse(minPower: number): Node {
    if (++this.depth > MAX_DEPTH) throw this.error(this.peek(), `expression nests deeper than ${String(MAX_DEPTH)}`);
    let left = this.prefix();
    for (;;) {
      const next = this.postfix(left, minPower);
      if (next === undefined) break;
      left = next;
    }
    this.depth--;
    return left;
  }

  /** One operator after `left` whose power exceeds `minPower`, or undefined when the expression ends here. */
  private postfix(left: Node, minPower: number): Node | undefined {
    const token = this.peek();
    if (token.kind !== 'keyword' && token.kind !== 'operator') return undefined;
    const negated = token.text === 'NOT' && token.kind === 'keyword';
    const op = negated ? this.peek(1).text : token.text;
    if ((op === 'LIKE' || op === 'IN') && (negated ? this.peek(1).kind === 'keyword' : true)) {
      if (minPower >= (op === 'LIKE' ? LIKE_POWER : IN_POWER)) return undefined;
      this.at += negated ? 2 : 1;
      return op === 'LIKE' ? this.like(left, negated) : this.inSet(left, negated);
    }
    const power = INFIX[token.text];
    if (power === undefined || negated || minPower >= power) return undefined;
    this.at++;
    return { kind: 'binary', op: token.text as BinaryOperator, left, right: this.parse(power) };
  }

  private prefix(): Node {
    const token = this.next();
    switch (token.kind) {
      case 'integer': return { kind: 'literal', value: this.integer(token, token.text) };
      case 'string': return { kind: 'literal', value: token.text };
      case 'identifier': return { kind: 'attribute', name: token.text };
      case 'function': return this.call(token);
      case 'keyword': return this.keyword(token);
      case 'operator': return this.operator(token);
      default: throw this.error(token, 'unexpected end of expression');
    }
  }

  private keyword(token: Token): Node {
    switch (token.text) {
      case 'TRUE': return { kind: 'literal', value: true };
      case 'FALSE': return { kind: 'literal', value: false };
      case 'NOT': return { kind: 'unary', op: 'NOT', operand: this.parse(UNARY_POWER) };
      case 'EXISTS': {
        const name = this.next();
        if (name.kind !== 'identifier') throw this.error(name, 'EXISTS takes an attribute name');
        return { kind: 'exists', name: name.text };
      }
      default: throw this.error(token, `unexpected ${token.text}`);
    }
  }

  private operator(token: Token): Node {
    const following = this.peek();
    // A sign glued to digits is part of the literal (spec §2.2): -2147483648 is a valid integer.
    if ((token.text === '-' || token.text === '+') && following.kind === 'integer' && !following.spaced) {
      this.at++;
      return { kind: 'literal', value: this.integer(token, token.text + following.text) };
    }
    if (token.text === '-') return { kind: 'unary', op: '-', operand: this.parse(UNARY_POWER) };
    if (token.text === '(') {
      const inner = this.parse(0);
      this.expect(')');
      return inner;
    }
    throw this.error(token, `unexpected ${describe(token)}`);
  }

  private integer(token: Token, text: string): number {
    const value = Number(text);
    if (value < INT_MIN || value > INT_MAX) throw this.error(token, `${text} is not a 32-bit signed integer`);
    return value === 0 ? 0 : value;
  }

  private call(token: Token): Node {
    this.expect('(');
    const args: Node[] = [];
    if (!this.accept(')')) {
      do args.push(this.parse(0));
      while (this.accept(','));
      this.expect(')');
    }
    return { kind: 'call', name: token.text, args, position: token.position };
  }

  /** spec §3.4.3: the pattern must be a string literal, checked by the parser. */
  private like(operand: Node, negated: boolean): Node {
    const pattern = this.next();
    if (pattern.kind !== 'string') throw this.error(pattern, 'LIKE takes a string literal pattern');
    return { kind: 'like', negated, operand, pattern: pattern.text };
  }

  /** spec §2.3: a set is a parenthesized, non-empty list of expressions. */
  private inSet(operand: Node, negated: boolean): Node {
    this.expect('(');
    const set: Node[] = [];
    do set.push(this.parse(0));
    while (this.accept(','));
    this.expect(')');
    return { kind: 'in', negated, operand, set };
  }

  private peek(ahead = 0): Token {
    return this.tokens[Math.min(this.at + ahead, this.tokens.length - 1)] as Token;
  }

  private next(): Token {
    const token = this.peek();
    if (token.kind !== 'end') this.at++;
    return token;
  }

  private accept(text: string): boolean {
    const token = this.peek();
    if (token.kind !== 'operator' || token.text !== text) return false;
    this.at++;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) throw this.error(this.peek(), `expected "${text}", found ${describe(this.peek())}`);
  }

  private error(token: Token, problem: string): Error {
    return parseError(this.expression, token.position, problem);
  }
}

function describe(token: Token): string {
  if (token.kind === 'end') return 'the end of the expression';
  if (token.kind === 'string') return 'a string';
  return `"${token.text}"`;
}
