import { ONE, SOME } from './pattern.js';
import { TrieNode } from './trie-node.js';

/**
 * A trie of wildcard patterns, one node per level. Matching walks only the branches
 * the topic can take (its literal level, `*`, `#`), so its cost depends on the
 * topic's depth and the matches, not on how many non-matching patterns exist.
 */
export class TopicTrie<T> {
  private readonly root = new TrieNode<T>();
  private epoch = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(levels: readonly string[], item: T): void {
    let node = this.root;
    for (const level of levels) node = this.step(node, level);
    // Most patterns end on a node of their own: `[item]` is sized 1, where `[]` and a
    // push reserve 17 slots (~130 bytes more per such node, measured).
    if (node.items === undefined) node.items = [item];
    else node.items.push(item);
    this.count++;
  }

  remove(levels: readonly string[], item: T): boolean {
    const removed = this.removeAt(this.root, levels, 0, item);
    if (removed) this.count--;
    return removed;
  }

  /**
   * Writes every item whose pattern matches the topic levels into `out` from index
   * `from` on, and returns the index after the last one written. Entries of `out` past
   * that index are left as they were: a caller reusing one buffer never shrinks it
   * (`length = 0` drops V8's backing store, and the next match regrows it push by push,
   * which measured ~5x the cost of the writes themselves at ~300 matches).
   */
  match(topic: readonly string[], out: T[], from: number = out.length): number {
    if (this.count === 0) return from;
    // Wraps long before 2^53; 0 is never a live stamp because nodes start at 0 and
    // the first epoch used is 1.
    this.epoch = this.epoch === Number.MAX_SAFE_INTEGER ? 1 : this.epoch + 1;
    return this.walk(this.root, topic, 0, out, from);
  }

  /** Every item, in no particular order (not on any hot path). */
  *values(): Generator<T> {
    const stack: TrieNode<T>[] = [this.root];
    for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
      if (node.items !== undefined) yield* node.items;
      stack.push(...node.literals());
      if (node.one !== undefined) stack.push(node.one);
      if (node.some !== undefined) stack.push(node.some);
    }
  }

  private step(node: TrieNode<T>, level: string): TrieNode<T> {
    if (level === ONE) return (node.one ??= new TrieNode<T>());
    if (level === SOME) return (node.some ??= new TrieNode<T>());
    return node.addLiteral(level);
  }

  private walk(node: TrieNode<T>, topic: readonly string[], i: number, out: T[], n: number): number {
    if (i === topic.length) {
      n = this.collect(node, out, n);
      // `#` also matches zero levels at the end.
      return node.some === undefined ? n : this.collect(node.some, out, n);
    }
    const child = node.literal(topic[i] as string);
    if (child !== undefined) n = this.walk(child, topic, i + 1, out, n);
    if (node.one !== undefined) n = this.walk(node.one, topic, i + 1, out, n);
    const some = node.some;
    if (some !== undefined) {
      // A trailing `#` (the common `a.b.#`) matches whatever remains: collect it
      // once instead of walking it at every remaining level.
      if (some.child === undefined && some.children === undefined && some.one === undefined) n = this.collect(some, out, n);
      // Otherwise `#` consumes k >= 0 levels and the rest of the pattern continues after them.
      else for (let j = i; j <= topic.length; j++) n = this.walk(some, topic, j, out, n);
    }
    return n;
  }

  private collect(node: TrieNode<T>, out: T[], n: number): number {
    const items = node.items;
    if (items === undefined || node.stamp === this.epoch) return n;
    node.stamp = this.epoch;
    for (let k = 0; k < items.length; k++) out[n++] = items[k] as T;
    return n;
  }

  private removeAt(node: TrieNode<T>, levels: readonly string[], i: number, item: T): boolean {
    if (i === levels.length) {
      const items = node.items;
      const at = items === undefined ? -1 : items.indexOf(item);
      if (at < 0 || items === undefined) return false;
      items.splice(at, 1);
      if (items.length === 0) node.items = undefined;
      return true;
    }
    const level = levels[i] as string;
    const next = level === ONE ? node.one : level === SOME ? node.some : node.literal(level);
    if (next === undefined || !this.removeAt(next, levels, i + 1, item)) return false;
    // Prune emptied branches so subscribe/unsubscribe churn does not leak nodes.
    if (next.isEmpty()) {
      if (level === ONE) node.one = undefined;
      else if (level === SOME) node.some = undefined;
      else node.deleteLiteral(level);
    }
    return true;
  }
}
