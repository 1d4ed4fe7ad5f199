import { describe, expect, it } from "vitest";
import { formatJobFile, parseFioArgs, parseJobFile } from "./job-file.js";

describe("fio job files", () => {
  it("parses sections, [global] defaults, bare booleans and comments", () => {
    const r = parseJobFile(`; a comment
[global]
ioengine=libaio
direct=1
bs = 4k
time_based
runtime=10

[reader]
rw=randread
iodepth=32

# another
[writer]
rw=write
blocksize=64k
`);
    expect(r.ok).toBe(true);
    expect(r.jobs).toEqual([
      {
        name: "reader",
        ioengine: "libaio",
        direct: "1",
        bs: "4k",
        time_based: "1",
        runtime: "10",
        rw: "randread",
        iodepth: "32",
      },
      {
        name: "writer",
        ioengine: "libaio",
        direct: "1",
        bs: "64k",
        time_based: "1",
        runtime: "10",
        rw: "write",
      },
    ]);
  });

  it("a [global] section applies only to jobs after it", () => {
    const r = parseJobFile("[a]\nrw=read\n[global]\niodepth=8\n[b]\n");
    expect(r.jobs).toEqual([
      { name: "a", rw: "read" },
      { name: "b", iodepth: "8" },
    ]);
  });

  it("reports unknown options and options outside a section with their line", () => {
    const r = parseJobFile("rw=read\n[j]\nfrobnicate=1\nthread\n");
    expect(r.ok).toBe(false);
    expect(r.diagnostics).toEqual([
      {
        severity: "error",
        job: "",
        line: 1,
        option: "rw",
        message: 'option "rw" outside of a [] job section',
      },
      { severity: "error", job: "j", line: 3, option: "frobnicate", message: 'unknown option "frobnicate"' },
      {
        severity: "warning",
        job: "j",
        line: 4,
        option: "thread",
        message: 'option "thread" is ignored by the model',
      },
    ]);
  });

  it("a file without jobs is an error", () => {
    expect(parseJobFile("[global]\nbs=4k\n").diagnostics.map((d) => d.message)).toEqual(["no job defined"]);
  });
});

describe("fio command line", () => {
  it("options before the first --name are global; --output-format=json", () => {
    const r = parseFioArgs([
      "--bs=4k",
      "--name=a",
      "--rw=randread",
      "--name=b",
      "--rw=write",
      "--output-format=json",
      "x.fio",
    ]);
    expect(r.ok).toBe(true);
    expect(r.jobs).toEqual([
      { name: "a", bs: "4k", rw: "randread" },
      { name: "b", bs: "4k", rw: "write" },
    ]);
    expect(r.outputFormat).toBe("json");
    expect(r.files).toEqual(["x.fio"]);
  });

  it("rejects unknown flags", () => {
    const r = parseFioArgs(["--name=a", "--wat=1"]);
    expect(r.ok).toBe(false);
    expect(r.diagnostics[0]?.message).toBe('unknown option "--wat"');
  });

  it("formats jobs back into a job file", () => {
    expect(
      formatJobFile([{ name: "a", rw: "randread", bs: "4k", time_based: true, percentile_list: [50, 99] }]),
    ).toBe("[a]\nrw=randread\nbs=4k\ntime_based=1\npercentile_list=50:99\n");
  });
});
