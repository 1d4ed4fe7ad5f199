import { tsupConfig } from "@mp/tooling/tsup";
import { defineConfig } from "tsup";

export default defineConfig(tsupConfig({ entry: ["src/index.ts"] }));
