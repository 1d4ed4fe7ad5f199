// Finds the steering repository's shared/ directory (conformance transcripts, the kernel lab,
// the references). Tests and the conformance script read it from there and never copy it.
// Order: $MP_SHARED_DIR, then ../shared next to the repository, then /work/shared.
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** @returns {string} absolute path of shared/ (throws when it cannot be found). */
export function sharedDir() {
  const candidates = [process.env.MP_SHARED_DIR, join(repoRoot, "..", "shared"), "/work/shared"].filter(
    (p) => typeof p === "string" && p.length > 0,
  );
  for (const c of candidates) if (existsSync(join(c, "conformance", "README.md"))) return resolve(c);
  throw new Error(
    `cannot find the shared/ directory (conformance transcripts); looked in: ${candidates.join(", ")}. ` +
      "Set MP_SHARED_DIR to its path.",
  );
}

/** @param {...string} parts @returns {string} a path inside shared/. */
export function sharedPath(...parts) {
  return join(sharedDir(), ...parts);
}
