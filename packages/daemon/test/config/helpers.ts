import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { FileStore } from "@mp/dm-core";
import { sharedPath } from "@mp/tooling/shared";
import { type LoadConfigResult, loadConfig, multipathToolConfig, printConfig } from "../../src/index.js";

export const CONFORMANCE = sharedPath("conformance/multipathd");
export const FIXTURES = new URL("./fixtures/", import.meta.url).pathname;

/** The users of a Debian 12 base system, as getpwnam sees them (for uid/gid keywords). */
export const DEBIAN_USERS = new Map([
  ["root", { uid: 0, gid: 0 }],
  ["daemon", { uid: 1, gid: 1 }],
  ["nobody", { uid: 65534, gid: 65534 }],
]);
export const lookupUser = (name: string) => DEBIAN_USERS.get(name);

/** An in-memory read-only FileStore. */
export function memFiles(files: Record<string, string>): Pick<FileStore, "read" | "list"> {
  return {
    read: (p) => files[p] ?? null,
    list: (dir) => {
      const prefix = `${dir}/`;
      const names = Object.keys(files)
        .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes("/"))
        .map((p) => p.slice(prefix.length))
        .sort();
      return names.length > 0 || Object.keys(files).some((p) => p === `${dir}/.`) ? names : null;
    },
  };
}

/** A fixture case directory as the files of /etc: multipath.conf and conf.d/*. */
export function caseFiles(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const main = join(dir, "multipath.conf");
  if (existsSync(main)) files["/etc/multipath.conf"] = readFileSync(main, "utf8");
  const confd = join(dir, "conf.d");
  if (existsSync(confd) && statSync(confd).isDirectory()) {
    files["/etc/multipath/conf.d/."] = "";
    for (const n of readdirSync(confd))
      files[`/etc/multipath/conf.d/${n}`] = readFileSync(join(confd, n), "utf8");
  }
  return files;
}

/** What `multipath -t` prints for a load result (warnings first: stderr is unbuffered), masked. */
export function multipathT(r: LoadConfigResult): string {
  let out = "";
  for (const d of r.diagnostics) if (d.level <= 2) out += `TIME | ${d.message}\n`;
  if (r.ok) out += printConfig(multipathToolConfig(r.config));
  const rc = r.ok ? 0 : r.fatal === "SIGSEGV" ? 139 : 1;
  return `${out}[rc=${rc}]\n`;
}

/** Replaces each `devices { ... }` block by its entry count and sha256 (fixtures stay small). */
export function hashDevices(text: string): string {
  const lines = text.split("\n");
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "devices {") {
      out.push(lines[i]!);
      continue;
    }
    let j = i + 1;
    while (lines[j] !== "}") j++;
    const inner = lines.slice(i + 1, j);
    const body = inner.length > 0 ? `${inner.join("\n")}\n` : "";
    const n = inner.filter((l) => l === "\tdevice {").length;
    out.push(
      "devices {",
      `\t# ${n} device entries, sha256 ${createHash("sha256").update(body).digest("hex")}`,
      "}",
    );
    i = j;
  }
  return out.join("\n");
}

/** Applies the transcripts' timestamp mask. */
export const maskTime = (s: string): string => s.replace(/^[0-9]+\.[0-9]+ \| /gm, "TIME | ");

export { loadConfig };
