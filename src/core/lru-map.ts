// A bounded map that forgets the least recently used entry first: a read moves an entry to the back, a write of
// a new key beyond the bound drops the front. Map keeps insertion order, which is all the bookkeeping needed.
export class LruMap<K, V> {
  private readonly entries = new Map<K, V>();

  constructor(readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** The value, marked as just used. */
  get(key: K): V | undefined {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  /** Stores the value as the most recently used; returns how many entries were dropped to stay within the bound. */
  set(key: K, value: V): number {
    this.entries.delete(key);
    this.entries.set(key, value);
    let dropped = 0;
    while (this.entries.size > this.maxEntries) {
      this.entries.delete(this.entries.keys().next().value as K);
      dropped++;
    }
    return dropped;
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }
}
