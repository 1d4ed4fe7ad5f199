import { tsupConfig } from "@mp/tooling/tsup";
import { defineConfig } from "tsup";

// An application, not a library: one entry, no declarations.
export default defineConfig(tsupConfig({ entry: ["src/run.ts"], dts: false }));
