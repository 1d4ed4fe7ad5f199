// One tsup base for every package, so a later switch to tsdown is mechanical.
/** @param {Partial<import('tsup').Options>} overrides */
export function tsupConfig(overrides = {}) {
  return {
    entry: ["src/index.ts"],
    format: ["esm"],
    target: "node20",
    platform: "node",
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: false,
    treeshake: true,
    tsconfig: "tsconfig.build.json",
    ...overrides,
  };
}
