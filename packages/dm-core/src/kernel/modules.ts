import { Errno } from "../block/status.js";

/** What a module does when it loads: register targets, selectors, handlers, drivers. */
export interface KernelModule {
  /** Module name as modprobe takes it (`dm-multipath`, `scsi_debug`). `_` and `-` are equivalent. */
  readonly name: string;
  /** Modules loaded first (`depends:`). */
  readonly depends?: readonly string[];
  /** Other names modprobe resolves to this module (`dm-mpath`). */
  readonly aliases?: readonly string[];
  /**
   * Runs at load. `params` are `key=value` pairs from the modprobe line. Returns 0 or a negative
   * errno (the load then fails as `modprobe` would report it).
   */
  init(params: ReadonlyMap<string, string>): number;
  /** Runs at unload (`rmmod`). */
  exit?(): void;
}

/** Result of {@link ModuleRegistry.load}. */
export type ModprobeResult =
  | { ok: true; alreadyLoaded: boolean }
  | { ok: false; errno: number; message: string };

function canon(name: string): string {
  return name.replace(/-/g, "_");
}

/**
 * Known and loaded kernel modules: `modprobe`, `request_module` (autoload of `dm-<selector>`,
 * `dm-<target>`), `lsmod`. Modules are offered by whoever builds the kernel (dm-core's own, the
 * fabric's `scsi_debug`, plugins) and only take effect once loaded, as on Linux.
 */
export class ModuleRegistry {
  readonly #known = new Map<string, KernelModule>();
  readonly #loaded: string[] = [];

  /** Makes a module available to modprobe (does not load it). */
  offer(mod: KernelModule): void {
    this.#known.set(canon(mod.name), mod);
    for (const a of mod.aliases ?? []) this.#known.set(canon(a), mod);
  }

  /** True when modprobe knows `name` (a module or an alias), loaded or not. */
  has(name: string): boolean {
    return this.#known.has(canon(name));
  }

  isLoaded(name: string): boolean {
    const mod = this.#known.get(canon(name));
    return mod !== undefined && this.#loaded.includes(canon(mod.name));
  }

  /** Loaded modules, most recently loaded first (as `lsmod` lists them). */
  loaded(): string[] {
    return [...this.#loaded].reverse();
  }

  /** `modprobe NAME [params]`: loads dependencies first; loading a loaded module is a no-op. */
  load(name: string, params: ReadonlyMap<string, string> = new Map()): ModprobeResult {
    const mod = this.#known.get(canon(name));
    if (!mod) {
      return {
        ok: false,
        errno: Errno.ENOENT,
        message: `modprobe: FATAL: Module ${name} not found in directory /lib/modules/6.1.0-mp`,
      };
    }
    const key = canon(mod.name);
    if (this.#loaded.includes(key)) return { ok: true, alreadyLoaded: true };
    for (const dep of mod.depends ?? []) {
      const r = this.load(dep);
      if (!r.ok) return r;
    }
    const rc = mod.init(params);
    if (rc !== 0) {
      return {
        ok: false,
        errno: -rc,
        message: `modprobe: ERROR: could not insert '${key}': ${rc === -Errno.EINVAL ? "Invalid argument" : "Operation not permitted"}`,
      };
    }
    this.#loaded.push(key);
    return { ok: true, alreadyLoaded: false };
  }

  /** `request_module()`: the kernel's own autoload; true when the module is (now) loaded. */
  request(name: string): boolean {
    const r = this.load(name);
    return r.ok;
  }
}
