/**
 * User-friendly names and the bindings file (libmultipath/alias.c, 0.9.4): `prefix` plus a
 * bijective base-26 suffix (`mpatha` … `mpathz`, `mpathaa` …), the first free id allocated in
 * file order (not the sorted order later releases use), names already used by another dm map
 * skipped, and `check_alias_settings` reconciling multipath.conf aliases with the file.
 */
import { getMpeWwid } from "../config/config.js";
import type { AliasBindings } from "../config/propsel.js";
import { WWID_SIZE } from "../structs/structs.js";
import type { LibmpContext } from "./context.js";
import { dmGetUuid, dmMapPresent } from "./devmapper.js";
import { appendToFile, type OpenedFile, openFile, rewriteFile } from "./file.js";

/** The bindings file header (`BINDINGS_FILE_HEADER`). */
export const BINDINGS_FILE_HEADER =
  "# Multipath bindings, Version : 1.0\n" +
  "# NOTE: this file is automatically maintained by the multipath program.\n" +
  "# You should not need to edit this file in normal circumstances.\n" +
  "#\n" +
  "# Format:\n" +
  "# alias wwid\n" +
  "#\n";

const INT_MAX = 2147483647;

/** `valid_alias`: no `/` in it. */
export function validAlias(alias: string): boolean {
  return !alias.includes("/");
}

/** `format_devname`: 1 → `a`, 26 → `z`, 27 → `aa` … ; null for ids <= 0. */
export function formatDevname(id: number): string | null {
  if (id <= 0) return null;
  let s = "";
  for (let n = id; n >= 1; n = Math.floor(n / 26)) {
    n--;
    s = String.fromCharCode(97 + (n % 26)) + s;
  }
  return s;
}

/** `scan_devname`: the id of `prefix<letters>` (text after a blank ignored), or -1. */
export function scanDevname(alias: string, prefix: string | null): number {
  if (prefix === null || !alias.startsWith(prefix)) return -1;
  if (alias.length === prefix.length) return -1;
  if (alias.length > prefix.length + 7) return -1;
  const last26 = Math.floor(INT_MAX / 26);
  let n = 0;
  for (let i = prefix.length; i < alias.length; i++) {
    const c = alias[i]!;
    if (c === " " || c === "\t") break;
    if (c < "a" || c > "z") return -1;
    const d = c.charCodeAt(0) - 97;
    if (n > last26 || (n === last26 && d >= INT_MAX % 26)) return -1;
    n = n * 26 + d;
    n++;
  }
  return n;
}

/** A bindings line, parsed once (the id of its alias remembered for the last prefix asked). */
export interface BindingLine {
  readonly fields: string[];
  idPrefix: string | null | undefined;
  id: number;
}

/** Parses a bindings line for the cache. */
export function bindingLine(line: string): BindingLine {
  return { fields: bindingFields(line), idPrefix: undefined, id: -1 };
}

/** A bindings line split as `strtok(" \t")` does after cutting at `#`, `\n` or `\r`. */
export function bindingFields(line: string): string[] {
  const cut = line.search(/[#\n\r]/);
  const s = cut >= 0 ? line.slice(0, cut) : line;
  return s.split(/[ \t]+/).filter((w) => w.length > 0);
}

function idAlreadyTaken(ctx: LibmpContext, id: number, prefix: string, mapWwid: string): boolean {
  const suffix = formatDevname(id);
  if (suffix === null) return false;
  const alias = prefix + suffix;
  if (dmMapPresent(ctx, alias)) {
    const wwid = dmGetUuid(ctx, alias);
    if (wwid !== null && wwid.slice(0, WWID_SIZE) === mapWwid.slice(0, WWID_SIZE)) return false;
    ctx.log.log(3, `${mapWwid}: alias '${alias}' already taken, but not in bindings file. reselecting alias`);
    return true;
  }
  return false;
}

/** `lookup_binding`: the bound alias, or a free id (> 0), or -1. */
function lookupBinding(
  ctx: LibmpContext,
  f: OpenedFile,
  mapWwid: string,
  prefix: string | null,
  checkIfTaken: boolean,
): { alias: string } | { id: number } {
  let id = 1;
  let biggestId = 1;
  let smallestBiggerId = INT_MAX;
  let lineNr = 0;
  for (const b of ctx.fileCache.bindings.of(f.text)) {
    lineNr++;
    const w = b.fields;
    const alias = w[0];
    if (alias === undefined) continue;
    if (b.idPrefix !== prefix) {
      b.idPrefix = prefix;
      b.id = scanDevname(alias, prefix);
    }
    const currId = b.id;
    if (currId === id) {
      if (id < INT_MAX) id++;
      else {
        id = -1;
        break;
      }
    }
    if (currId > biggestId) biggestId = currId;
    if (currId > id && currId < smallestBiggerId) smallestBiggerId = currId;
    const wwid = w[1];
    if (wwid === undefined) {
      ctx.log.log(3, `Ignoring malformed line ${lineNr} in bindings file`);
      continue;
    }
    if (wwid === mapWwid) {
      ctx.log.log(3, `Found matching wwid [${wwid}] in bindings file. Setting alias to ${alias}`);
      return { alias };
    }
  }
  if (prefix === null && checkIfTaken) id = -1;
  if (id >= smallestBiggerId) id = biggestId < INT_MAX ? biggestId + 1 : -1;
  if (id > 0 && checkIfTaken && prefix !== null) {
    while (idAlreadyTaken(ctx, id, prefix, mapWwid)) {
      if (id === INT_MAX) {
        id = -1;
        break;
      }
      id++;
      if (id === smallestBiggerId) {
        if (biggestId === INT_MAX) {
          id = -1;
          break;
        }
        if (biggestId >= smallestBiggerId) id = biggestId + 1;
      }
    }
  }
  if (id < 0) ctx.log.log(0, "no more available user_friendly_names");
  else ctx.log.log(3, `No matching wwid [${mapWwid}] in bindings file.`);
  return { id };
}

/** `rlookup_binding`: the WWID bound to `alias`, or "". */
function rlookupBinding(ctx: LibmpContext, f: OpenedFile, mapAlias: string): string {
  let lineNr = 0;
  for (const b of ctx.fileCache.bindings.of(f.text)) {
    lineNr++;
    const w = b.fields;
    const alias = w[0];
    if (alias === undefined) continue;
    const wwid = w[1];
    if (wwid === undefined) {
      ctx.log.log(3, `Ignoring malformed line ${lineNr} in bindings file`);
      continue;
    }
    if (wwid.length > WWID_SIZE - 1) {
      ctx.log.log(3, `Ignoring too large wwid at ${lineNr} in bindings file`);
      continue;
    }
    if (alias === mapAlias) {
      ctx.log.log(3, `Found matching alias [${alias}] in bindings file. Setting wwid to ${wwid}`);
      return wwid;
    }
  }
  ctx.log.log(3, `No matching alias [${mapAlias}] in bindings file.`);
  return "";
}

/** `allocate_binding`: appends `prefix<id> wwid`; the new alias, or null. */
function allocateBinding(
  ctx: LibmpContext,
  f: OpenedFile,
  wwid: string,
  id: number,
  prefix: string,
): string | null {
  const suffix = formatDevname(id);
  if (id <= 0 || suffix === null) {
    ctx.log.log(0, `allocate_binding: cannot allocate new binding for id ${id}`);
    return null;
  }
  const alias = prefix + suffix;
  const before = f.text;
  const line = `${alias} ${wwid}\n`;
  if (!appendToFile(ctx, f, line)) {
    ctx.log.log(0, "Cannot write binding to bindings file : Read-only file system");
    return null;
  }
  ctx.fileCache.bindings.appended(before, line, f.text);
  ctx.log.log(3, `Created new binding [${alias}] for WWID [${wwid}]`);
  return alias;
}

/** `use_existing_alias`: keeps a running map's name if the bindings file allows it. */
export function useExistingAlias(
  ctx: LibmpContext,
  wwid: string,
  aliasOld: string,
  prefix: string,
): string | undefined {
  const f = openFile(ctx, ctx.config.bindingsFile, BINDINGS_FILE_HEADER);
  if (f === null) return undefined;
  const bound = rlookupBinding(ctx, f, aliasOld);
  if (bound.length > 0) {
    if (bound === wwid) return aliasOld;
    ctx.log.log(0, `alias ${aliasOld} already bound to wwid ${bound}, cannot reuse`);
    return undefined;
  }
  const r = lookupBinding(ctx, f, wwid, null, false);
  if ("alias" in r) {
    ctx.log.log(3, `Use existing binding [${r.alias}] for WWID [${wwid}]`);
    return r.alias;
  }
  const id = scanDevname(aliasOld, prefix);
  if (id <= 0) return undefined;
  if (f.canWrite && !ctx.bindingsReadOnly) {
    const alias = allocateBinding(ctx, f, wwid, id, prefix);
    ctx.log.log(0, `Allocated existing binding [${alias ?? "(null)"}] for WWID [${wwid}]`);
    return alias ?? undefined;
  }
  return undefined;
}

/** `get_user_friendly_alias`: the bound alias, or a newly allocated one. */
export function getUserFriendlyAlias(ctx: LibmpContext, wwid: string, prefix: string): string | undefined {
  if (wwid === "") {
    ctx.log.log(3, "Cannot find binding for empty WWID");
    return undefined;
  }
  const f = openFile(ctx, ctx.config.bindingsFile, BINDINGS_FILE_HEADER);
  if (f === null) return undefined;
  const r = lookupBinding(ctx, f, wwid, prefix, true);
  if ("alias" in r) return r.alias;
  if (r.id < 0) return undefined;
  if (f.canWrite && !ctx.bindingsReadOnly) return allocateBinding(ctx, f, wwid, r.id, prefix) ?? undefined;
  return undefined;
}

/** `get_user_friendly_wwid`: the WWID bound to `alias`, or null. */
export function getUserFriendlyWwid(ctx: LibmpContext, alias: string): string | null {
  if (alias === "") {
    ctx.log.log(3, "Cannot find binding for empty alias");
    return null;
  }
  const f = openFile(ctx, ctx.config.bindingsFile, BINDINGS_FILE_HEADER);
  if (f === null) return null;
  const wwid = rlookupBinding(ctx, f, alias);
  return wwid.length > 0 ? wwid : null;
}

/** The bindings-file side of propsel's `select_alias`, for one map. */
export function aliasBindings(ctx: LibmpContext, aliasOld: string): AliasBindings {
  return {
    aliasOld,
    useExistingAlias: (wwid, old, prefix) => useExistingAlias(ctx, wwid, old, prefix),
    getUserFriendlyAlias: (wwid, prefix) => getUserFriendlyAlias(ctx, wwid, prefix),
  };
}

type BindingResult = "exists" | "conflict" | "added";

/** `add_binding` into a list kept sorted by alias (strcmp). */
function addBinding(list: { alias: string; wwid: string }[], alias: string, wwid: string): BindingResult {
  let i = list.length - 1;
  let cmp = 0;
  for (; i >= 0; i--) {
    const b = list[i]!;
    cmp = b.alias < alias ? -1 : b.alias > alias ? 1 : 0;
    if (cmp <= 0) break;
  }
  if (i >= 0 && cmp === 0) return list[i]!.wwid !== wwid ? "conflict" : "exists";
  list.splice(i + 1, 0, { alias, wwid });
  return "added";
}

/**
 * `check_alias_settings`: drops multipath.conf aliases bound to several WWIDs, then checks the
 * bindings file against multipath.conf and itself, rewriting it without the conflicting lines.
 * Returns false when the configuration is bad and could not be fixed.
 */
export function checkAliasSettings(ctx: LibmpContext): boolean {
  const conf = ctx.config;
  const bindings: { alias: string; wwid: string }[] = [];
  const withAlias = conf.mptable.filter((m) => m.alias !== undefined);
  withAlias.sort((a, b) => (a.alias! < b.alias! ? -1 : a.alias! > b.alias! ? 1 : 0));
  for (const mpe of withAlias) {
    if (addBinding(bindings, mpe.alias!, mpe.wwid ?? "") === "conflict") {
      ctx.log.log(
        0,
        `ERROR: alias "${mpe.alias}" bound to multiple wwids in multipath.conf, discarding binding to ${mpe.wwid}`,
      );
      delete mpe.alias;
    }
  }
  bindings.length = 0;
  const f = openFile(ctx, conf.bindingsFile, BINDINGS_FILE_HEADER);
  if (f === null) return true;
  let ok = true;
  let lineNr = 0;
  for (const b of ctx.fileCache.bindings.of(f.text)) {
    lineNr++;
    const w = b.fields;
    const alias = w[0];
    if (alias === undefined) continue;
    const wwid = w[1];
    if (wwid === undefined) {
      ctx.log.log(1, `invalid line ${lineNr} in bindings file, missing WWID`);
      continue;
    }
    if (w[2] !== undefined) ctx.log.log(1, `invalid line ${lineNr} in bindings file, extra args "${w[2]}"`);
    const mpeWwid = getMpeWwid(conf, alias);
    if (mpeWwid !== undefined && mpeWwid !== wwid) {
      ctx.log.log(
        0,
        `ERROR: alias "${alias}" for WWID ${wwid} in bindings file on line ${lineNr} conflicts with multipath.conf entry for ${mpeWwid}`,
      );
      ok = false;
      continue;
    }
    switch (addBinding(bindings, alias, wwid)) {
      case "conflict":
        ctx.log.log(
          0,
          `ERROR: multiple bindings for alias "${alias}" in bindings file on line ${lineNr}, discarding binding to WWID ${wwid}`,
        );
        ok = false;
        break;
      case "exists":
        ctx.log.log(2, `duplicate line for alias ${alias} in bindings file on line ${lineNr}`);
        break;
      default:
        break;
    }
  }
  if (ok) return true;
  if (!f.canWrite || ctx.bindingsReadOnly) {
    ctx.log.log(0, `ERROR: bad settings in read-only bindings file ${conf.bindingsFile}`);
    return false;
  }
  const text = BINDINGS_FILE_HEADER + bindings.map((b) => `${b.alias} ${b.wwid}\n`).join("");
  if (!rewriteFile(ctx, f, text)) {
    ctx.log.log(0, "fix_bindings_file: rename: Read-only file system");
    return false;
  }
  ctx.log.log(1, `updated bindings file ${conf.bindingsFile}`);
  return true;
}
