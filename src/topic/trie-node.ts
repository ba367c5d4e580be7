/**
 * One level of the topic trie. Literal children are kept in two forms: a node with one
 * literal child (over a third of them at 100k patterns) holds it in `key`/`child`, and
 * only a node with several has a Map. A one-entry Map costs ~184 bytes and a hash lookup
 * per visit; the pair costs 16 bytes and one string compare.
 */
export class TrieNode<T> {
  /** The only literal child's level, while `child` is set. */
  key: string | undefined = undefined;
  child: TrieNode<T> | undefined = undefined;
  /** Literal children when there are two or more (then `child` is undefined). */
  children: Map<string, TrieNode<T>> | undefined = undefined;
  one: TrieNode<T> | undefined = undefined;
  some: TrieNode<T> | undefined = undefined;
  items: T[] | undefined = undefined;
  // Match epoch that last collected this node: a pattern with several `#` can reach
  // the same terminal node along several paths, and must be collected once.
  stamp = 0;

  /** The child for literal `level`, if any. */
  literal(level: string): TrieNode<T> | undefined {
    const child = this.child;
    if (child !== undefined) return this.key === level ? child : undefined;
    return this.children?.get(level);
  }

  /** The child for literal `level`, made if missing. */
  addLiteral(level: string): TrieNode<T> {
    const found = this.literal(level);
    if (found !== undefined) return found;
    const made = new TrieNode<T>();
    if (this.child === undefined && this.children === undefined) {
      this.key = level;
      this.child = made;
      return made;
    }
    if (this.child !== undefined) {
      this.children = new Map([[this.key as string, this.child]]);
      this.key = this.child = undefined;
    }
    (this.children as Map<string, TrieNode<T>>).set(level, made);
    return made;
  }

  /** Drops the child for literal `level`; a Map left with one entry goes back to the pair. */
  deleteLiteral(level: string): void {
    if (this.child !== undefined) {
      if (this.key === level) this.key = this.child = undefined;
      return;
    }
    const children = this.children;
    if (children === undefined || !children.delete(level) || children.size > 1) return;
    this.children = undefined;
    for (const [key, child] of children) {
      this.key = key;
      this.child = child;
    }
  }

  /** Every literal child (not on any hot path). */
  literals(): TrieNode<T>[] {
    if (this.child !== undefined) return [this.child];
    return this.children === undefined ? [] : [...this.children.values()];
  }

  isEmpty(): boolean {
    return this.items === undefined && this.one === undefined && this.some === undefined &&
      this.child === undefined && this.children === undefined;
  }
}
