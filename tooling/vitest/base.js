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
      ...extra,
    },
  };
}
