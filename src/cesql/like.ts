/**
 * Compiles a LIKE pattern (spec §3.4.3): `%` is any run of characters, `_` exactly
 * one, `\%` and `\_` the characters themselves; any other backslash is literal.
 * The common shapes (no wildcard, one leading or trailing `%`, both) become string
 * methods; the rest a regular expression anchored at both ends.
 */
export function compileLike(pattern: string): (text: string) => boolean {
  const parts = split(pattern);
  const literal = parts.filter((p) => p !== ANY && p !== ONE).join('');
  const shape = parts.map((p) => (p === ANY ? '%' : p === ONE ? '_' : 'x')).join('').replace(/x+/g, 'x');
  switch (shape) {
    case '': return (text) => text === '';
    case 'x': return (text) => text === literal;
    case 'x%': return (text) => text.startsWith(literal);
    case '%x': return (text) => text.endsWith(literal);
    case '%x%': return (text) => text.includes(literal);
    case '%': return () => true;
    default: {
      const source = parts.map((p) => (p === ANY ? '.*' : p === ONE ? '.' : escapeRegExp(p))).join('');
      const regex = new RegExp(`^${source}$`, 'su');
      return (text) => regex.test(text);
    }
  }
}

const ANY = Symbol('%');
const ONE = Symbol('_');
type Part = string | typeof ANY | typeof ONE;

function split(pattern: string): Part[] {
  const parts: Part[] = [];
  let run = '';
  const flush = (): void => {
    if (run !== '') parts.push(run);
    run = '';
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i] as string;
    const next = pattern[i + 1];
    if (c === '\\' && (next === '%' || next === '_')) {
      run += next;
      i++;
    } else if (c === '%' || c === '_') {
      flush();
      // Consecutive %s mean the same as one.
      if (!(c === '%' && parts[parts.length - 1] === ANY)) parts.push(c === '%' ? ANY : ONE);
    } else {
      run += c;
    }
  }
  flush();
  return parts;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
