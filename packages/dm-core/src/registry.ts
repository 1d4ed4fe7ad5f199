/**
 * A registry of named plugins (targets, selectors, handlers, checkers, prioritizers). Created by
 * a composition root and passed down; there are no module-level registries.
 */
export class Registry<T extends { readonly name: string }> {
  readonly #items = new Map<string, T>();
  readonly #kind: string;

  /** @param kind what the registry holds, for error messages ("path selector"). */
  constructor(kind: string, items: Iterable<T> = []) {
    this.#kind = kind;
    for (const it of items) this.register(it);
  }

  /** Adds an item. Throws on a duplicate name (registration is a program's setup, not user input). */
  register(item: T): this {
    if (this.#items.has(item.name)) throw new Error(`${this.#kind} ${item.name} is already registered`);
    this.#items.set(item.name, item);
    return this;
  }

  /** Removes an item; false when it was not there. */
  unregister(name: string): boolean {
    return this.#items.delete(name);
  }

  /** Exact, case-sensitive lookup. */
  get(name: string): T | undefined {
    return this.#items.get(name);
  }

  has(name: string): boolean {
    return this.#items.has(name);
  }

  /** Names in registration order. */
  names(): string[] {
    return [...this.#items.keys()];
  }

  values(): T[] {
    return [...this.#items.values()];
  }
}
