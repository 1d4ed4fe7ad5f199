import type { Options } from "tsup";
/** The shared tsup options, with per-package overrides. */
export declare function tsupConfig(overrides?: Partial<Options>): Options;
