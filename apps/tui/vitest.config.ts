import { vitestProject } from "@mp/tooling/vitest";
import { defineConfig } from "vitest/config";

export default defineConfig(vitestProject("@mp/tui"));
