/**
 * Base of every error dm-core throws. `code` is stable (tests and callers match on it); a user
 * mistake (bad table, bad message) is never thrown — it is a typed result with Linux's wording.
 * Thrown errors mean a program bug or a broken invariant.
 */
export class MpError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** An invariant of the model was broken (e.g. a bio completed twice). */
export class InvariantError extends MpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MP_INVARIANT", message, options);
  }
}

/** A plugin (selector, handler, target) was registered or defined wrongly. */
export class PluginError extends MpError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("MP_PLUGIN", message, options);
  }
}
