/**
 * A bounded topic → route cache. Eviction is first-in-first-out: a Map keeps
 * insertion order, so the oldest key is the first one, and a hit costs one lookup
 * with no bookkeeping (an LRU would write on every hit, on the publish hot path).
 */
export class MatchCache<V> {
  private readonly map = new Map<string, V>();

  constructor(readonly capacity: number) {}

  get(topic: string): V | undefined {
    return this.map.get(topic);
  }

  set(topic: string, value: V): void {
    if (this.capacity <= 0) return;
    if (this.map.size >= this.capacity && !this.map.has(topic)) {
      const oldest = this.map.keys().next();
      if (oldest.done !== true) this.map.delete(oldest.value);
    }
    this.map.set(topic, value);
  }

  delete(topic: string): void {
    this.map.delete(topic);
  }

  clear(): void {
    if (this.map.size > 0) this.map.clear();
  }

  get size(): number {
    return this.map.size;
  }
}
