import type { UserConfig } from "vitest/config";
/** A vitest project config for one workspace package, resolving workspace imports from source. */
export declare function vitestProject(name: string, extra?: Record<string, unknown>): UserConfig;
