/** A bounded event log that numbers what it is given. */
import type { EventEntry } from "./model.js";

/** An event before the log numbered it. */
export type NewEvent = Omit<EventEntry, "seq">;

/** Keeps the newest `capacity` events, oldest first. */
export class EventLog {
  readonly #capacity: number;
  #events: EventEntry[] = [];
  #seq = 0;
  #view: readonly EventEntry[] | null = null;

  constructor(capacity = 2000) {
    this.#capacity = capacity;
  }

  push(e: NewEvent): void {
    this.#events.push({ ...e, seq: ++this.#seq });
    // Trim in batches so a busy log does not shift the array on every event.
    if (this.#events.length > this.#capacity * 1.25) this.#events = this.#events.slice(-this.#capacity);
    this.#view = null;
  }

  /** The events, oldest first (the same array until the next push, so snapshots can share it). */
  list(): readonly EventEntry[] {
    if (this.#view === null)
      this.#view =
        this.#events.length > this.#capacity ? this.#events.slice(-this.#capacity) : this.#events.slice();
    return this.#view;
  }

  get size(): number {
    return Math.min(this.#events.length, this.#capacity);
  }
}
