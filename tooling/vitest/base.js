// Shared vitest project settings: resolve workspace packages from source (the "@mp/source"
// export condition), so tests never need a build first.
/** @param {string} name */
export function vitestProject(name, extra = {}) {
  return {
    resolve: { conditions: ["@mp/source", "import", "default"] },
    ssr: { resolve: { conditions: ["@mp/source", "import", "default"] } },
    test: {
      name,
      include: ["src/**/*.test.ts", "src/**/*.test.tsx", "test/**/*.test.ts", "test/**/*.test.tsx"],
      environment: "node",
      // CI machines have two cores shared by every package's tests: integration tests that
      // replay whole scenarios need more than vitest's 5 s default when the machine is busy.
      testTimeout: 30_000,
      ...extra,
    },
  };
}
