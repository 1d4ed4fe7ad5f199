import {
  IGNORED_OPTIONS,
  JOB_OPTION_ALIASES,
  JOB_OPTION_NAMES,
  type JobDiagnostic,
  type JobOptions,
} from "./job-options.js";

/** Result of parsing a fio job file or command line. */
export interface JobFileResult {
  readonly ok: boolean;
  readonly jobs: readonly JobOptions[];
  readonly diagnostics: readonly JobDiagnostic[];
}

/** Result of {@link parseFioArgs}. */
export interface FioArgsResult extends JobFileResult {
  /** `--output-format`: normal (default) or json. */
  readonly outputFormat: "normal" | "json";
  /** Job files named on the command line. */
  readonly files: readonly string[];
}

/** The canonical name of an option (aliases resolved); "" for ignored ones; undefined if unknown. */
export function canonicalOption(key: string): string | undefined {
  if (key === "name") return "name";
  if (JOB_OPTION_NAMES.includes(key)) return key;
  if (IGNORED_OPTIONS.includes(key)) return "";
  return JOB_OPTION_ALIASES[key];
}

type Draft = Record<string, string>;

function finishJob(name: string, opts: Draft): JobOptions {
  return { ...opts, name } as unknown as JobOptions;
}

/**
 * Parses a fio job file: `[section]` headers, `key=value` or bare `key` (a boolean set to 1)
 * lines, `#`/`;` comment lines. `[global]` options apply to every job after them. Unknown
 * options are errors with their line number.
 */
export function parseJobFile(text: string): JobFileResult {
  const diags: JobDiagnostic[] = [];
  const jobs: JobOptions[] = [];
  let global: Draft = {};
  let current: { name: string; opts: Draft } | null = null;
  let inGlobal = false;
  const flush = () => {
    if (current) jobs.push(finishJob(current.name, current.opts));
    current = null;
  };
  text.split(/\r?\n/).forEach((rawLine, i) => {
    const line = rawLine.trim();
    const lineNo = i + 1;
    if (line === "" || line.startsWith("#") || line.startsWith(";")) return;
    const section = /^\[(.*)\]$/.exec(line);
    if (section) {
      flush();
      const name = section[1]!.trim();
      if (name === "") {
        diags.push({ severity: "error", job: "", line: lineNo, message: "empty section name" });
        return;
      }
      inGlobal = name === "global";
      if (!inGlobal) current = { name, opts: { ...global } };
      return;
    }
    const eq = line.indexOf("=");
    const key = (eq < 0 ? line : line.slice(0, eq)).trim();
    const value = eq < 0 ? "1" : line.slice(eq + 1).trim();
    const jobName = inGlobal ? "global" : ((current as { name: string } | null)?.name ?? "");
    if (!inGlobal && !current) {
      diags.push({
        severity: "error",
        job: "",
        line: lineNo,
        option: key,
        message: `option "${key}" outside of a [] job section`,
      });
      return;
    }
    const canon = canonicalOption(key);
    if (canon === undefined) {
      diags.push({
        severity: "error",
        job: jobName,
        line: lineNo,
        option: key,
        message: `unknown option "${key}"`,
      });
      return;
    }
    if (canon === "") {
      diags.push({
        severity: "warning",
        job: jobName,
        line: lineNo,
        option: key,
        message: `option "${key}" is ignored by the model`,
      });
      return;
    }
    if (canon === "name") {
      diags.push({
        severity: "error",
        job: jobName,
        line: lineNo,
        option: key,
        message: "name is given by the [section] header",
      });
      return;
    }
    if (inGlobal) global = { ...global, [canon]: value };
    else (current as unknown as { opts: Draft }).opts[canon] = value;
  });
  flush();
  if (jobs.length === 0 && !diags.some((d) => d.severity === "error"))
    diags.push({ severity: "error", job: "", message: "no job defined" });
  return { ok: !diags.some((d) => d.severity === "error"), jobs, diagnostics: diags };
}

/**
 * Parses fio's command line: `--name=x` starts a job; options before the first `--name` are
 * global; `--output-format=json`; other words are job files (returned in `files`).
 */
export function parseFioArgs(argv: readonly string[]): FioArgsResult {
  const diags: JobDiagnostic[] = [];
  const jobs: JobOptions[] = [];
  const files: string[] = [];
  let global: Draft = {};
  let current: { name: string; opts: Draft } | null = null;
  let outputFormat: "normal" | "json" = "normal";
  const flush = () => {
    if (current) jobs.push(finishJob(current.name, current.opts));
    current = null;
  };
  argv.forEach((arg, i) => {
    if (!arg.startsWith("--")) {
      files.push(arg);
      return;
    }
    const body = arg.slice(2);
    const eq = body.indexOf("=");
    const key = eq < 0 ? body : body.slice(0, eq);
    const value = eq < 0 ? "1" : body.slice(eq + 1);
    const where = { line: i + 1 };
    if (key === "output-format") {
      if (value === "json" || value === "json+") outputFormat = "json";
      else if (value === "normal" || value === "terse") outputFormat = "normal";
      else
        diags.push({
          severity: "error",
          job: "",
          ...where,
          option: key,
          message: `unknown output format "${value}"`,
        });
      return;
    }
    if (key === "name") {
      flush();
      current = { name: value, opts: { ...global } };
      return;
    }
    const canon = canonicalOption(key);
    const jobName = (current as { name: string } | null)?.name ?? "global";
    if (canon === undefined) {
      diags.push({
        severity: "error",
        job: jobName,
        ...where,
        option: key,
        message: `unknown option "--${key}"`,
      });
      return;
    }
    if (canon === "") {
      diags.push({
        severity: "warning",
        job: jobName,
        ...where,
        option: key,
        message: `option "--${key}" is ignored by the model`,
      });
      return;
    }
    if (current) (current as { opts: Draft }).opts[canon] = value;
    else global = { ...global, [canon]: value };
  });
  flush();
  return { ok: !diags.some((d) => d.severity === "error"), jobs, diagnostics: diags, outputFormat, files };
}

/** Writes jobs as a fio job file (one section per job, options in canonical order). */
export function formatJobFile(jobs: readonly JobOptions[]): string {
  const out: string[] = [];
  for (const j of jobs) {
    if (out.length > 0) out.push("");
    out.push(`[${j.name}]`);
    const rec = j as unknown as Record<string, unknown>;
    for (const k of JOB_OPTION_NAMES) {
      const v = rec[k];
      if (v === undefined) continue;
      const s = typeof v === "boolean" ? (v ? "1" : "0") : Array.isArray(v) ? v.join(":") : String(v);
      out.push(`${k}=${s}`);
    }
  }
  return `${out.join("\n")}\n`;
}
