import { Command } from "commander";
import { describe, expect, it, vi } from "vitest";
import { benchArgs, locateBenchSuite, registerBenchCommand } from "./bench.js";

describe("mp bench arguments", () => {
  it("a full run writes the suite's results/latest.json, as pnpm bench does", () => {
    expect(benchArgs({ pin: true }, "/repo/bench", "/home/u")).toEqual([
      "--json",
      "/repo/bench/results/latest.json",
    ]);
  });

  it("a smoke run writes nothing unless asked; families and --no-pin pass through", () => {
    expect(
      benchArgs({ smoke: true, family: "selectors,tables", pin: false }, "/repo/bench", "/home/u"),
    ).toEqual(["--smoke", "--family", "selectors,tables", "--no-pin"]);
  });

  it("paths the user gives are relative to where mp was started", () => {
    expect(benchArgs({ json: "out.json", pin: true }, "/repo/bench", "/home/u")).toEqual([
      "--json",
      "/home/u/out.json",
    ]);
    expect(benchArgs({ markdown: "r.json", smoke: true }, "/repo/bench", "/home/u")).toEqual([
      "--markdown",
      "/home/u/r.json",
    ]);
  });
});

describe("mp bench without the suite", () => {
  it("says where the suite is and exits 2 when it is not installed", async () => {
    const program = new Command().exitOverride();
    let rc = -1;
    registerBenchCommand(
      program,
      (n) => (rc = n),
      () => null,
    );
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    await program.parseAsync(["node", "mp", "bench", "--smoke"]);
    expect(rc).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain("run `pnpm bench` in a clone");
    err.mockRestore();
  });

  it("says to build when the runner is missing", async () => {
    const program = new Command().exitOverride();
    let rc = -1;
    registerBenchCommand(
      program,
      (n) => (rc = n),
      () => ({ dir: "/nonexistent", runner: "/nonexistent/dist/run.js" }),
    );
    const err = vi.spyOn(process.stderr, "write").mockImplementation(() => true);
    await program.parseAsync(["node", "mp", "bench"]);
    expect(rc).toBe(2);
    expect(String(err.mock.calls[0]?.[0])).toContain("run `pnpm build` first");
    err.mockRestore();
  });

  it("finds the workspace's suite", () => {
    const s = locateBenchSuite();
    expect(s?.runner).toMatch(/bench[/\\]dist[/\\]run\.js$/);
  });
});
