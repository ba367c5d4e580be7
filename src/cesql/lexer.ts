import { parseError } from './parse-error.js';

export type TokenKind = 'integer' | 'string' | 'identifier' | 'function' | 'keyword' | 'operator' | 'end';

export interface Token {
  readonly kind: TokenKind;
  /** Keywords are upper-cased, identifiers lower-cased (both are case-insensitive, spec §2), strings unescaped. */
  readonly text: string;
  /** 0-based offset of the token's first character in the expression. */
  readonly position: number;
  /** True when whitespace separates this token from the previous one (`-1` is a literal, `- 1` an operator and a literal). */
  readonly spaced: boolean;
}

const KEYWORDS = new Set(['AND', 'OR', 'XOR', 'NOT', 'LIKE', 'EXISTS', 'IN', 'TRUE', 'FALSE']);
const OPERATORS = ['!=', '<>', '<=', '>=', '=', '<', '>', '+', '-', '*', '/', '%', '(', ')', ','];
const WORD = /[A-Za-z0-9_]/;
const SPACE = /[ \t\r\n]/;

/** Splits an expression into tokens (spec §2; the grammar files CESQLLexer.g4 for what §2 leaves open). */
export function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  let spaced = false;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (SPACE.test(c)) {
      i++;
      spaced = true;
      continue;
    }
    const token = c === "'" || c === '"' ? stringToken(expression, i, spaced) : WORD.test(c) ? wordToken(expression, i, spaced) : operatorToken(expression, i, spaced);
    tokens.push(token.token);
    i = token.end;
    spaced = false;
  }
  tokens.push({ kind: 'end', text: '', position: expression.length, spaced });
  return tokens;
}

interface Scanned {
  readonly token: Token;
  readonly end: number;
}

/**
 * A quoted string. As in the grammar, a backslash and the character after it are one
 * unit: `\'` in a '…' string (`\"` in a "…" string) is the quote itself, any other pair
 * stays as written (so `'ab\c'` is `ab\c`, and LIKE sees its own escapes untouched).
 */
function stringToken(expression: string, start: number, spaced: boolean): Scanned {
  const quote = expression[start] as string;
  let text = '';
  let i = start + 1;
  while (i < expression.length) {
    const c = expression[i] as string;
    if (c === quote) return { token: { kind: 'string', text, position: start, spaced }, end: i + 1 };
    if (c === '\\' && i + 1 < expression.length) {
      const next = expression[i + 1] as string;
      text += next === quote ? quote : c + next;
      i += 2;
    } else {
      text += c;
      i++;
    }
  }
  throw parseError(expression, start, 'unterminated string literal');
}

function wordToken(expression: string, start: number, spaced: boolean): Scanned {
  let end = start;
  while (end < expression.length && WORD.test(expression[end] as string)) end++;
  const word = expression.slice(start, end);
  const position = start;
  if (/^[0-9]+$/.test(word)) return { token: { kind: 'integer', text: word, position, spaced }, end };
  const upper = word.toUpperCase();
  if (KEYWORDS.has(upper)) return { token: { kind: 'keyword', text: upper, position, spaced }, end };
  if (nextNonSpace(expression, end) === '(') {
    if (!/^[A-Za-z][A-Za-z_]*$/.test(word)) throw parseError(expression, start, `"${word}" is not a function name (letters and _)`);
    return { token: { kind: 'function', text: upper, position, spaced }, end };
  }
  if (word.includes('_')) throw parseError(expression, start, `"${word}" is not an attribute name (letters and digits)`);
  return { token: { kind: 'identifier', text: word.toLowerCase(), position, spaced }, end };
}

function operatorToken(expression: string, start: number, spaced: boolean): Scanned {
  for (const op of OPERATORS) {
    if (expression.startsWith(op, start)) return { token: { kind: 'operator', text: op, position: start, spaced }, end: start + op.length };
  }
  throw parseError(expression, start, `unexpected character "${expression[start] as string}"`);
}

function nextNonSpace(expression: string, from: number): string | undefined {
  let i = from;
  while (i < expression.length && SPACE.test(expression[i] as string)) i++;
  return expression[i];
}
