/**
 * A connection's sockets by namespace name: almost every connection has one socket (the main
 * namespace), so the first entry is held in two fields and a `Map` is made only for a second —
 * an idle connection then keeps no collection at all. Iterates in insertion order, like a `Map`.
 */
export class NamespaceSockets<T> {
  #firstKey: string | null = null;
  #first: T | undefined = undefined;
  /** Every entry, in insertion order, once there are (or were) two or more. */
  #map: Map<string, T> | null = null;

  /** Number of entries. */
  get size(): number {
    return this.#map !== null ? this.#map.size : this.#firstKey === null ? 0 : 1;
  }

  /** The entry of `key`, if any. */
  get(key: string): T | undefined {
    if (this.#map !== null) return this.#map.get(key);
    return key === this.#firstKey ? this.#first : undefined;
  }

  /** True when `key` has an entry. */
  has(key: string): boolean {
    return this.#map !== null ? this.#map.has(key) : key === this.#firstKey;
  }

  /** Sets the entry of `key` (an existing key keeps its place). */
  set(key: string, value: T): void {
    if (this.#map !== null) {
      this.#map.set(key, value);
    } else if (this.#firstKey === null || this.#firstKey === key) {
      this.#firstKey = key;
      this.#first = value;
    } else {
      this.#map = new Map([[this.#firstKey, this.#first as T]]);
      this.#map.set(key, value);
      this.#firstKey = null;
      this.#first = undefined;
    }
  }

  /** Removes the entry of `key`; returns true if there was one. */
  delete(key: string): boolean {
    if (this.#map !== null) return this.#map.delete(key);
    if (key !== this.#firstKey) return false;
    this.#firstKey = null;
    this.#first = undefined;
    return true;
  }

  /** Removes every entry. */
  clear(): void {
    this.#map = null;
    this.#firstKey = null;
    this.#first = undefined;
  }

  /** A snapshot of the keys, in insertion order. */
  keys(): string[] {
    if (this.#map !== null) return [...this.#map.keys()];
    return this.#firstKey === null ? [] : [this.#firstKey];
  }

  /** A snapshot of the values, in insertion order. */
  values(): T[] {
    if (this.#map !== null) return [...this.#map.values()];
    return this.#firstKey === null ? [] : [this.#first as T];
  }
}
