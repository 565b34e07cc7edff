const PENDING = Symbol('pending');

/**
 * A Map whose values are built the first time they are read. Keys keep the order they were first
 * deferred in, as `set` would; deferring a key again replaces its builder (the later entry wins, as
 * with `set`). Iterating builds every pending value, so a full read sees what an eager parse would.
 */
export class DeferredMap<V> extends Map<string, V> {
  readonly #builders = new Map<string, () => V>();

  defer(key: string, build: () => V): void {
    if (!super.has(key)) super.set(key, PENDING as V);
    this.#builders.set(key, build);
  }

  override get(key: string): V | undefined {
    const build = this.#builders.get(key);
    if (!build) return super.get(key);
    const value = build();
    this.#builders.delete(key);
    super.set(key, value);
    return value;
  }

  override set(key: string, value: V): this {
    this.#builders.delete(key);
    return super.set(key, value);
  }

  override delete(key: string): boolean {
    this.#builders.delete(key);
    return super.delete(key);
  }

  override clear(): void {
    this.#builders.clear();
    super.clear();
  }

  override forEach(fn: (value: V, key: string, map: Map<string, V>) => void, thisArg?: unknown): void {
    this.#buildAll();
    super.forEach(fn, thisArg);
  }

  override entries(): MapIterator<[string, V]> {
    this.#buildAll();
    return super.entries();
  }

  override values(): MapIterator<V> {
    this.#buildAll();
    return super.values();
  }

  override [Symbol.iterator](): MapIterator<[string, V]> {
    return this.entries();
  }

  #buildAll(): void {
    for (const key of [...this.#builders.keys()]) this.get(key);
  }
}
