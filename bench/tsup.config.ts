import { tsupConfig } from "@mp/tooling/tsup";
import { defineConfig } from "tsup";

// An application, not a library: no declarations; each family is a chunk of its own, loaded
// (with the workspace packages it imports) only by the child process that runs it.
export default defineConfig(tsupConfig({ entry: ["src/run.ts"], dts: false, splitting: true }));
