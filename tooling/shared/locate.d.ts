/** Absolute path of the shared/ directory ($MP_SHARED_DIR, ../shared beside the repo, /work/shared). */
export declare function sharedDir(): string;
/** A path inside shared/. */
export declare function sharedPath(...parts: string[]): string;
