import { ONE, SOME } from './pattern.js';

/**
 * Whether pattern `a` matches every topic pattern `p` matches, level by level.
 * Conservative where exactness would need more than a walk: a `#` in `p` is only
 * covered by a `#` in `a` (so `*.#` is not taken to cover `#.x`); a caller refused
 * that way can ask for a narrower pattern. Each `#` of `a` branches, and `p` comes
 * from the client: steps already known to fail are remembered, so the walk is
 * bounded by |a|·|p| steps instead of growing with the power of `a`'s `#` count.
 */
export function covers(a: readonly string[], p: readonly string[]): boolean {
  const failed = new Set<number>();
  const walk = (i: number, j: number): boolean => {
    if (i === a.length) return j === p.length;
    const step = i * (p.length + 1) + j;
    if (failed.has(step)) return false;
    const head = a[i];
    let ok: boolean;
    // `#` matches zero levels here, or swallows p's next level (whatever it is).
    if (head === SOME) ok = walk(i + 1, j) || (j < p.length && walk(i, j + 1));
    else if (j === p.length || p[j] === SOME) ok = false;
    else ok = (head === ONE || p[j] === head) && walk(i + 1, j + 1);
    if (!ok) failed.add(step);
    return ok;
  };
  return walk(0, 0);
}

/**
 * Whether some topic matches both patterns `a` and `b`. Exact: a `#` matches zero or
 * more levels and a `*` any one level, on either side. Steps known to fail are
 * remembered, as in `covers`, so the walk is bounded by |a|·|b| steps.
 */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const failed = new Set<number>();
  const walk = (i: number, j: number): boolean => {
    if (i === a.length && j === b.length) return true;
    const step = i * (b.length + 1) + j;
    if (failed.has(step)) return false;
    let ok: boolean;
    if (a[i] === SOME) ok = walk(i + 1, j) || (j < b.length && walk(i, j + 1));
    else if (b[j] === SOME) ok = walk(i, j + 1) || (i < a.length && walk(i + 1, j));
    else if (i === a.length || j === b.length) ok = false;
    else ok = (a[i] === ONE || b[j] === ONE || a[i] === b[j]) && walk(i + 1, j + 1);
    if (!ok) failed.add(step);
    return ok;
  };
  return walk(0, 0);
}
