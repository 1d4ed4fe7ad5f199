import { readdirSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parseScenario } from "./parse.js";
import { formatDiagnostic } from "./yaml-reader.js";

const examples = fileURLToPath(new URL("../../../../examples/", import.meta.url));

/** The diagnostics of a bad file, as `line:col: message` lines. */
function problems(text: string): string[] {
  const r = parseScenario(text, "t.yaml");
  if (r.ok) throw new Error("expected the file to be rejected");
  return r.diagnostics.map((d) => formatDiagnostic(d).replace(/^t\.yaml:/, ""));
}

const BASE = `seed: 1
topology:
  hbas: [hba0]
  arrays:
    - name: array0
      luns: [{ lun: 0, size: 64m }]
  links: ["hba0 -> array0:A0", "hba0 -> array0:B0"]
maps:
  - { name: mpatha, lun: array0:0 }
`;

describe("scenario files", () => {
  it("every example parses", () => {
    const files = readdirSync(examples).filter((f) => f.endsWith(".yaml"));
    expect(files.length).toBeGreaterThanOrEqual(4);
    for (const f of files) {
      const r = parseScenario(readFileSync(examples + f, "utf8"), f);
      if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
    }
  });

  it("decodes topology, maps, workloads, faults and expectations with units", () => {
    const r = parseScenario(
      `${BASE}workloads:
  - { name: w, rw: randrw, rwmixread: 70, bs: 4k, iodepth: 8, runtime: 2s, verify: md5 }
faults:
  - at: 1s
    port_down: array0:A0
  - at: +500ms
    port_up: array0:A0
  - at: 2s
    link_flap: { link: hba0->array0:B0, period: 200ms, duty: 0.25, count: 3 }
  - at: 3s
    error: { lun: array0:0, op: read, sense: 3/11/00, every_nth: 10, count: 2 }
    for: 1s
expect:
  - no_io_errors
  - failover_within: 750ms
  - path_share: { path: hba0->array0:B0, between: [0.2, 0.8] }
`,
      "t.yaml",
    );
    if (!r.ok) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
    const s = r.spec;
    expect(s.topology.fastIoFailTmo).toBe(5);
    expect(s.maps[0]).toMatchObject({ name: "mpatha", grouping: "multibus", selector: "service-time 0" });
    expect(s.faults.map((f) => [f.atNs, f.action.kind])).toEqual([
      [1e9, "port"],
      [1.5e9, "port"],
      [2e9, "link-flap"],
      [3e9, "inject"],
    ]);
    expect(s.faults[2]!.action).toEqual({
      kind: "link-flap",
      link: "hba0->array0:B0",
      periodNs: 2e8,
      duty: 0.25,
      count: 3,
    });
    expect(s.faults[3]!.action).toMatchObject({
      kind: "inject",
      label: "error",
      spec: {
        action: { kind: "sense", sense: { key: 3, asc: 0x11, ascq: 0 } },
        direction: "read",
        everyNth: 10,
        count: 2,
      },
    });
    expect(s.faults[3]!.forNs).toBe(1e9);
    expect(s.expect.map((e) => e.kind)).toEqual(["no_io_errors", "failover_within", "path_share"]);
  });

  it("reports YAML syntax errors at their position", () => {
    expect(problems("seed: 1\ntopology: {}\nseed: 2\n")).toEqual(['3:1: the scenario: duplicate key "seed"']);
    expect(problems("seed: 1\ntopology:\n  hbas: [hba0]\n    arrays: []\n")[0]).toMatch(/^4:\d+: /);
  });

  it("names a missing required key and an empty file", () => {
    expect(problems("topology: {}\n")).toEqual(['1:1: the scenario: missing required key "seed"']);
    expect(problems("")).toEqual(["1:1: the scenario file is empty (it needs at least seed: and topology:)"]);
  });

  it("flags misspelt keys with a hint, at the key", () => {
    expect(problems(`${BASE}workload: []\n`)).toEqual([
      '10:1: the scenario: unknown key "workload" (did you mean "workloads"?)',
    ]);
    expect(problems(BASE.replace("luns:", "lunz:"))).toContain(
      '6:7: an array: unknown key "lunz" (did you mean "luns"?)',
    );
  });

  it("checks values: durations, enums, numbers, sizes", () => {
    expect(problems(`${BASE}faults:\n  - { at: soon, port_down: array0:A0 }\n`)[0]).toMatch(
      /^11:11: at: .*a duration like 500ms/,
    );
    expect(
      problems(
        BASE.replace(
          "{ name: mpatha, lun: array0:0 }",
          "{ name: mpatha, lun: array0:0, grouping: multibuss }",
        ),
      ),
    ).toEqual([
      '9:46: grouping: "multibuss" is not one of single, failover, multibus, group_by_tpg (did you mean "multibus"?)',
    ]);
    expect(problems(BASE.replace("size: 64m", "size: lots"))[0]).toMatch(/^6:30: size: .*a size like 4k/);
  });

  it("resolves references between sections before running", () => {
    expect(problems(BASE.replace("array0:B0", "array0:Z9"))).toEqual([
      '7:32: link: array array0 has no port "Z9" (ports: A0, A1, B0, B1)',
    ]);
    expect(problems(`${BASE}  - { name: m2, lun: array0:7 }\n`)).toEqual([
      "10:5: map m2: array array0 has no LUN 7",
    ]);
    expect(problems(`${BASE}expect:\n  - path_share: { path: hba0->array0:Q1, below: 0.5 }\n`)[0]).toMatch(
      /^11:5: path_share: no link "hba0->array0:Q1"/,
    );
  });

  it("takes fio options with fio's names and reports bad ones at the option", () => {
    expect(problems(`${BASE}workloads:\n  - { name: w, rw: randomread }\n`)).toEqual([
      expect.stringMatching(/^11:16: workload w: .*randomread/),
    ]);
    expect(problems(`${BASE}workloads:\n  - { name: w, iodeph: 4 }\n`)).toEqual([
      '11:16: unknown fio option "iodeph" (did you mean "iodepth"?)',
    ]);
  });

  it("insists on one fault per entry and knows the fault names", () => {
    expect(problems(`${BASE}faults:\n  - { at: 1s, port_down: array0:A0, port_up: array0:A0 }\n`)).toEqual([
      "11:5: one fault per entry (found port_down, port_up); write them as separate entries",
    ]);
    expect(problems(`${BASE}faults:\n  - { at: 1s, port_dwn: array0:A0 }\n`)).toEqual([
      '11:15: unknown fault "port_dwn" (did you mean "port_down"?)',
    ]);
    expect(
      problems(`${BASE}faults:\n  - { at: 1s, message: { map: mpatha, text: fail_path 8:0 }, for: 1s }\n`),
    ).toEqual(["11:62: for: does not apply to message (it has nothing to undo)"]);
  });

  it("checks matrix axes and the cells expectations select", () => {
    expect(problems(`${BASE}matrix:\n  selecter: [round-robin]\n`)[0]).toMatch(
      /^11:3: unknown matrix axis "selecter" \(did you mean "selector"\?\)/,
    );
    expect(problems(`${BASE}matrix:\n  grouping: [multibus, random]\n`)).toEqual([
      '11:3: matrix grouping: "random" is not one of single, failover, multibus, group_by_tpg',
    ]);
    expect(problems(`${BASE}expect:\n  - iops: 5\n    when: { iodepth: 1 }\n`)).toEqual([
      '11:5: when: "iodepth" is not a matrix axis of this scenario',
    ]);
  });

  it("lists every problem of a file, in order", () => {
    const p = problems(`seed: -1
topology:
  hbas: [{ name: hba0, driver: qla9999 }]
  arrays: []
  fast_io_fail_tmo: 700
`);
    expect(p).toEqual([
      "1:7: seed must be an integer in [0, 4294967295] or a non-empty string",
      '3:32: driver: "qla9999" is not one of qla2xxx, lpfc',
      "5:21: fast_io_fail_tmo must be in [0, 600] (got 700)",
    ]);
  });
});
