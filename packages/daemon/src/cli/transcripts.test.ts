/**
 * Every `multipathd ...` command of the conformance transcripts whose output depends only on the
 * daemon's state, replayed against hand-built structs mirroring that state, through the real
 * client, dispatcher, handlers and printers. Outputs and exit codes must match byte for byte.
 */
import { describe, expect, it } from "vitest";
import { sdMap, sdPath, twoPathWorld } from "../print/__fixtures__/scsi-debug.js";
import { testDaemon } from "../print/__fixtures__/test-daemon.js";
import { transcriptOutput, transcriptRc } from "../print/__fixtures__/transcripts.js";
import { DmPathState, PathState } from "../structs/path-state.js";
import {
  FailbackMode,
  MapAction,
  type Multipath,
  NoPathRetry,
  type Path,
  PgState,
} from "../structs/structs.js";

type Daemon = ReturnType<typeof testDaemon>;

async function check(d: Daemon, file: string, command: string, occurrence = 1): Promise<void> {
  const expected = transcriptOutput(file, command, occurrence);
  const rc = transcriptRc(file, command, occurrence);
  const got = await d.multipathd(command.replace(/^multipathd /, ""));
  expect(got.output).toBe(expected);
  expect(got.rc).toBe(rc);
}

const SHOW_FORMATS = "conformance/multipathd/show-formats.out";
const BASIC = "conformance/multipathd/basic-two-paths.out";
const CLI_ERRORS = "conformance/multipathd/cli-errors.out";
const CLI_COMMANDS = "conformance/multipathd/cli-commands.out";
const FOUR = "conformance/multipathd/four-paths.out";
const TWO_LUNS = "conformance/multipathd/two-luns.out";
const GOLDEN = "lab/kernel/golden/multipathd.out";

describe("show-formats.out", () => {
  const commands = [
    "multipathd show wildcards",
    'multipathd show paths format "%w %i %d %D %t %T %s %o %p %P"',
    'multipathd show paths format "%d|%m|%M|%N|%R|%S|%z"',
    'multipathd show paths format "%c %s %a %r %x %G %0 %1"',
    'multipathd show paths raw format "%d %D %t %T %p"',
    'multipathd show paths format "plain text only"',
    'multipathd show paths format "%d %%"',
    'multipathd show maps format "%n %w %d %N %Q %r %s %F %t %S %x %e %G %g"',
    'multipathd show maps format "%n %0 %1 %2 %3 %4 %5"',
    'multipathd show maps raw format "%n %w %N %t"',
    'multipathd show maps format "%n:%v:%P"',
    "multipathd show maps json",
    "multipathd show map mpatha json",
    "multipathd show map mpatha topology",
  ];
  for (const c of commands)
    it(`reproduces: ${c}`, async () => {
      await check(testDaemon(twoPathWorld()), SHOW_FORMATS, c);
    });
});

describe("basic-two-paths.out", () => {
  const commands = [
    "multipathd show daemon",
    "multipathd show status",
    "multipathd show maps",
    "multipathd show maps status",
    "multipathd show maps stats",
    "multipathd show paths",
    "multipathd show topology",
    "multipathd show maps topology",
    "multipathd list maps",
  ];
  for (const c of commands)
    it(`reproduces: ${c}`, async () => {
      await check(testDaemon(twoPathWorld()), BASIC, c);
    });
});

describe("cli-errors.out", () => {
  const commands = [
    "multipathd show foo",
    "multipathd fail path sdzz",
    "multipathd reinstate path sdzz",
    "multipathd switchgroup map mpatha group 9",
    "multipathd switchgroup map mpatha group 0",
    "multipathd switchgroup map nosuch group 1",
    "multipathd suspend map nosuch",
    "multipathd resume map nosuch",
    "multipathd del path sdzz",
    "multipathd add path sdzz",
    "multipathd show map nosuch json",
    "multipathd show paths format",
    "multipathd disablequeueing map nosuch",
    "multipathd foo",
    "multipathd show",
    "multipathd fail path",
    "multipathd del map nosuch",
    "multipathd show map mpatha foo",
    "multipathd show maps",
  ];
  for (const c of commands)
    it(`reproduces: ${c}`, async () => {
      await check(testDaemon(twoPathWorld()), CLI_ERRORS, c);
    });

  it("the golden lab run gives the same help for an unknown command and fail for an unknown path", async () => {
    const d = testDaemon(twoPathWorld());
    await check(d, GOLDEN, "multipathd show foo");
    await check(d, GOLDEN, "multipathd fail path sdzz");
  });
});

describe("cli-commands.out", () => {
  it("fail path: ok, then the path shows failed/faulty", async () => {
    const w = twoPathWorld();
    const d = testDaemon(w);
    await check(d, CLI_COMMANDS, "multipathd fail path sda");
    w.paths[0]!.dmstate = DmPathState.FAILED;
    w.paths[0]!.state = PathState.DOWN;
    await check(d, CLI_COMMANDS, 'multipathd show paths format "%d %t %T"');
    await check(d, CLI_COMMANDS, "multipathd reinstate path sda");
    w.paths[0]!.dmstate = DmPathState.ACTIVE;
    w.paths[0]!.state = PathState.UP;
    await check(d, CLI_COMMANDS, 'multipathd show paths format "%d %t"');
  });

  it("switchgroup, suspend and resume reply ok", async () => {
    const d = testDaemon(twoPathWorld());
    await check(d, CLI_COMMANDS, "multipathd switchgroup map mpatha group 2");
    await check(d, CLI_COMMANDS, "multipathd switchgroup map mpatha group 1");
    await check(d, CLI_COMMANDS, "multipathd suspend map mpatha");
    await check(d, CLI_COMMANDS, "multipathd resume map mpatha");
  });

  it("queueing: off after disablequeueing, '5 chk' with no_path_retry 5", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    const d = testDaemon(w);
    await check(d, CLI_COMMANDS, "multipathd disablequeueing map mpatha");
    m.noPathRetry = NoPathRetry.FAIL;
    await check(d, CLI_COMMANDS, 'multipathd show maps format "%n %Q"', 1);
    await check(d, CLI_COMMANDS, "multipathd restorequeueing map mpatha");
    m.noPathRetry = 5;
    await check(d, CLI_COMMANDS, 'multipathd show maps format "%n %Q"', 2);
    await check(d, CLI_COMMANDS, "multipathd disablequeueing maps");
    m.noPathRetry = NoPathRetry.FAIL;
    await check(d, CLI_COMMANDS, 'multipathd show maps format "%n %Q"', 3);
    await check(d, CLI_COMMANDS, "multipathd restorequeueing maps");
    m.noPathRetry = 5;
    await check(d, CLI_COMMANDS, 'multipathd show maps format "%n %Q"', 4);
  });

  it("del path / add path", async () => {
    const w = twoPathWorld();
    const d = testDaemon(w);
    await check(d, CLI_COMMANDS, "multipathd del path sdb");
    const sdb = w.paths.pop()!;
    await check(d, CLI_COMMANDS, 'multipathd show paths format "%d %m %t"', 1);
    w.paths.push(sdb);
    await check(d, CLI_COMMANDS, "multipathd add path sdb");
    await check(d, CLI_COMMANDS, 'multipathd show paths format "%d %m %t"', 2);
  });

  it("after reconfigure: maps, stats with map_loads 0", async () => {
    const w = twoPathWorld();
    w.maps[0]!.statMapLoads = 0;
    w.maps[0]!.action = MapAction.NOTHING;
    const d = testDaemon(w);
    await check(d, CLI_COMMANDS, "multipathd reconfigure");
    await check(d, CLI_COMMANDS, "multipathd show maps");
    await check(d, CLI_COMMANDS, "multipathd show maps stats");
  });
});

/** The four-path world: hosts 0..3, prios 50/10/1/50, 8 MiB; groups ordered by prio. */
function fourPathWorld(): { paths: Path[]; maps: Multipath[] } {
  const mk = (dev: string, devT: string, host: number, prio: number) =>
    sdPath({ dev, devT, host, prio, sectors: 16384, tick: 4, checkint: 4 });
  const sda = mk("sda", "8:0", 0, 50);
  const sdb = mk("sdb", "8:16", 1, 10);
  const sdc = mk("sdc", "8:32", 2, 1);
  const sdd = mk("sdd", "8:48", 3, 50);
  const mpatha = sdMap({
    alias: "mpatha",
    minor: 0,
    sectors: 16384,
    groups: [
      { paths: [sda], status: PgState.ACTIVE },
      { paths: [sdd], status: PgState.ENABLED },
      { paths: [sdb], status: PgState.ENABLED },
      { paths: [sdc], status: PgState.ENABLED },
    ],
  });
  return { paths: [sda, sdb, sdc, sdd], maps: [mpatha] };
}

describe("four-paths.out", () => {
  it("reproduces the show commands of the healthy map", async () => {
    const d = testDaemon(fourPathWorld());
    await check(d, FOUR, "multipathd show paths");
    await check(d, FOUR, 'multipathd show paths format "%d %D %i %t %T %p %P"');
    await check(d, FOUR, "multipathd show topology");
    await check(d, FOUR, "multipathd show status");
    await check(d, FOUR, 'multipathd show maps format "%n %N %Q %t %x"');
  });

  it("shows two failed paths, then all active again", async () => {
    const w = fourPathWorld();
    const d = testDaemon(w);
    await check(d, FOUR, "multipathd fail path sdb");
    await check(d, FOUR, "multipathd fail path sdd");
    for (const i of [1, 3]) {
      w.paths[i]!.dmstate = DmPathState.FAILED;
      w.paths[i]!.state = PathState.DOWN;
    }
    await check(d, FOUR, 'multipathd show paths format "%d %t %T"');
    await check(d, FOUR, "multipathd reinstate path sdd");
    await check(d, FOUR, "multipathd reinstate path sdb");
    for (const i of [1, 3]) {
      w.paths[i]!.dmstate = DmPathState.ACTIVE;
      w.paths[i]!.state = PathState.UP;
    }
    await check(d, FOUR, 'multipathd show paths format "%d %t"');
  });
});

function twoLunWorld(): { paths: Path[]; maps: Multipath[] } {
  const mk = (dev: string, devT: string, host: number, lun: number) =>
    sdPath({
      dev,
      devT,
      host,
      lun,
      prio: host === 0 ? 50 : 10,
      sectors: 16384,
      wwid: `33333333000000${lun === 0 ? "7d0" : "7d1"}`,
    });
  const sda = mk("sda", "8:0", 0, 0);
  const sdb = mk("sdb", "8:16", 0, 1);
  const sdc = mk("sdc", "8:32", 1, 0);
  const sdd = mk("sdd", "8:48", 1, 1);
  const mpatha = sdMap({
    alias: "mpatha",
    minor: 0,
    sectors: 16384,
    groups: [
      { paths: [sda], status: PgState.ACTIVE },
      { paths: [sdc], status: PgState.ENABLED },
    ],
  });
  const mpathb = sdMap({
    alias: "mpathb",
    wwid: "333333330000007d1",
    minor: 1,
    sectors: 16384,
    groups: [
      { paths: [sdb], status: PgState.ACTIVE },
      { paths: [sdd], status: PgState.ENABLED },
    ],
  });
  return { paths: [sda, sdb, sdc, sdd], maps: [mpatha, mpathb] };
}

describe("two-luns.out", () => {
  it("reproduces maps, paths, topology and formats over two maps", async () => {
    const w = twoLunWorld();
    const d = testDaemon(w);
    await check(d, TWO_LUNS, "multipathd show maps");
    await check(d, TWO_LUNS, 'multipathd show paths format "%d %D %i %w %m %t"');
    await check(d, TWO_LUNS, "multipathd show topology");
    await check(d, TWO_LUNS, 'multipathd show maps format "%n %w %d %N %S"');
    await check(d, TWO_LUNS, "multipathd disablequeueing map mpathb");
    await check(d, TWO_LUNS, "multipathd suspend map mpatha");
    await check(d, TWO_LUNS, "multipathd resume map mpatha");
    w.maps[1]!.noPathRetry = NoPathRetry.FAIL;
    await check(d, TWO_LUNS, "multipathd show maps status", 1);
    await check(d, TWO_LUNS, "multipathd restorequeueing map mpathb");
    // no_path_retry is unset in the config: restorequeueing leaves the map as it was ("off").
    await check(d, TWO_LUNS, "multipathd show maps status", 2);
  });

  it("a suspended map shows dm-st suspend", async () => {
    const w = twoLunWorld();
    w.maps[0]!.dmi!.suspended = true;
    const d = testDaemon(w);
    const r = await d.multipathd('show maps format "%n %t"');
    expect(r.output).toBe("name   dm-st  \nmpatha suspend\nmpathb active \n");
  });
});

describe("other scenarios", () => {
  it("no-path-retry-*: queueing shows on / N chk / off", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    const d = testDaemon(w);
    m.noPathRetry = NoPathRetry.QUEUE;
    await check(
      d,
      "conformance/multipathd/no-path-retry-queue.out",
      'multipathd show maps format "%n %Q %N %t"',
    );
    m.noPathRetry = 2;
    await check(
      d,
      "conformance/multipathd/no-path-retry-count.out",
      'multipathd show maps format "%n %Q %N %t"',
    );
    m.noPathRetry = NoPathRetry.FAIL;
    await check(
      d,
      "conformance/multipathd/no-path-retry-fail.out",
      'multipathd show maps format "%n %Q %N %t"',
    );
  });

  it("no-path-retry-count: all paths offline shows failed/faulty/offline and queueing off", async () => {
    const w = twoPathWorld();
    for (const pp of w.paths) {
      pp.state = PathState.DOWN;
      pp.dmstate = DmPathState.FAILED;
      pp.offline = true;
    }
    w.maps[0]!.noPathRetry = 2;
    const d = testDaemon(w);
    const file = "conformance/multipathd/no-path-retry-count.out";
    await check(d, file, 'multipathd show paths format "%d %t %T %o"', 1);
    await check(d, file, 'multipathd show maps format "%n %Q %N"', 1);
  });

  it("no-path-retry-count: queueing shows 'N sec' while the retry countdown runs", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    m.noPathRetry = 2;
    m.retryTick = 7;
    const d = testDaemon(w);
    expect((await d.multipathd('show maps format "%n %Q"')).output).toBe(
      "name   queueing\nmpatha 7 sec   \n",
    );
  });

  it("failback immediate / manual in %F", async () => {
    const w = twoPathWorld();
    w.maps[0]!.pgfailback = -FailbackMode.IMMEDIATE;
    await check(
      testDaemon(w),
      "conformance/multipathd/failback-immediate.out",
      'multipathd show maps format "%n %F %g"',
    );
    w.maps[0]!.pgfailback = -FailbackMode.MANUAL;
    await check(
      testDaemon(w),
      "conformance/multipathd/failback-manual.out",
      'multipathd show maps format "%n %F %g"',
    );
  });

  it("deferred failback shows its countdown bar", async () => {
    const w = twoPathWorld();
    w.maps[0]!.pgfailback = 10;
    w.maps[0]!.failbackTick = 3;
    const r = await testDaemon(w).multipathd('show maps format "%n %F"');
    expect(r.output).toBe("name   failback       \nmpatha XXX....... 3/10\n");
  });

  it("pg-policies: show paths with prio and protocol", async () => {
    await check(
      testDaemon(twoPathWorld()),
      "conformance/multipathd/pg-policies.out",
      'multipathd show paths format "%d %p %P %t"',
    );
  });

  it("names-alias: a map named by its WWID", async () => {
    const w = twoPathWorld();
    w.maps[0]!.alias = "333333330000007d0";
    await check(testDaemon(w), "conformance/multipathd/names-alias.out", "multipathd show maps", 1);
    w.maps[0]!.alias = "lab_disk";
    await check(testDaemon(w), "conformance/multipathd/names-alias.out", "multipathd show maps", 2);
  });

  it("blacklist: no paths or maps left prints ok", async () => {
    const file = "conformance/multipathd/blacklist.out";
    const empty = testDaemon({ paths: [], maps: [] });
    await check(empty, file, 'multipathd show paths format "%d %m"', 3);
    await check(empty, file, "multipathd show maps", 2);
    const w = twoPathWorld();
    const d = testDaemon(w);
    await check(d, file, 'multipathd show paths format "%d %m"', 1);
    w.paths.pop();
    await check(d, file, 'multipathd show paths format "%d %m"', 2);
  });
});

describe("golden multipathd.out (kernel lab)", () => {
  it("show paths with 9/10 bars, 10-second interval", async () => {
    await check(testDaemon(twoPathWorld({ tick: 9, checkint: 10 })), GOLDEN, "multipathd show paths", 1);
  });

  it("show paths with a wide next_check column (17/20) and trailing padding", async () => {
    const w = twoPathWorld();
    const [sda, sdb] = w.paths as [Path, Path];
    sda.state = PathState.DOWN;
    sda.dmstate = DmPathState.FAILED;
    sda.tick = 4;
    sda.checkint = 10;
    sdb.tick = 17;
    sdb.checkint = 20;
    await check(testDaemon(w), GOLDEN, "multipathd show paths", 4);
  });

  it("show paths with an i/o pending path", async () => {
    const w = twoPathWorld({ tick: 1, checkint: 5 });
    w.paths[1]!.state = PathState.PENDING;
    await check(testDaemon(w), GOLDEN, "multipathd show paths", 18);
    w.paths[1]!.mpp!.pg[1]!.priority = 0;
    w.maps[0]!.action = MapAction.NOTHING;
    await check(testDaemon(w), GOLDEN, "multipathd show topology", 2);
  });

  it("show paths/maps with long format strings", async () => {
    const d = testDaemon(twoPathWorld({ tick: 9, checkint: 10 }));
    await check(
      d,
      GOLDEN,
      "multipathd show paths format '%d %D %w %i %o %T %t %s %c %p %S %z %m %N %a %r %x %G'",
    );
    await check(
      d,
      GOLDEN,
      "multipathd show maps format '%n %w %d %N %Q %r %s %F %t %S %x %e %G %g %0 %1 %2 %3'",
    );
    await check(d, GOLDEN, "multipathd show maps json", 1);
    await check(d, GOLDEN, "multipathd show wildcards");
    await check(d, GOLDEN, "multipathd show daemon".replace("daemon", "maps status"), 1);
  });

  it("show maps json with both paths offline and three path faults", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    for (const pp of w.paths) {
      pp.state = PathState.DOWN;
      pp.dmstate = DmPathState.FAILED;
      pp.offline = true;
    }
    m.statPathFailures = 3;
    m.pg[0]!.status = PgState.ENABLED;
    m.pg[0]!.priority = 0;
    m.pg[1]!.status = PgState.ACTIVE;
    m.pg[1]!.priority = 0;
    await check(testDaemon(w), GOLDEN, "multipathd show maps json", 2);
  });

  it("show map mpatha json with one failed path", async () => {
    const w = twoPathWorld();
    const m = w.maps[0]!;
    const sda = w.paths[0]!;
    sda.state = PathState.DOWN;
    sda.dmstate = DmPathState.FAILED;
    m.statPathFailures = 3;
    m.pg[0]!.status = PgState.ENABLED;
    m.pg[0]!.priority = 0;
    m.pg[1]!.status = PgState.ACTIVE;
    await check(testDaemon(w), GOLDEN, "multipathd show map mpatha json");
  });
});

describe("no-path-retry scenarios, every path/map state shown", () => {
  type State = { down: boolean; noPathRetry: number };
  const cases: [string, string, number, State][] = [];
  const Q = "conformance/multipathd/no-path-retry-queue.out";
  const F = "conformance/multipathd/no-path-retry-fail.out";
  const N = "conformance/multipathd/no-path-retry-count.out";
  const paths = 'multipathd show paths format "%d %t %T %o"';
  const maps = 'multipathd show maps format "%n %Q %N"';
  for (const [file, npr] of [
    [Q, NoPathRetry.QUEUE],
    [F, NoPathRetry.FAIL],
    [N, 2],
  ] as const) {
    cases.push([file, paths, 1, { down: true, noPathRetry: npr }]);
    cases.push([file, paths, 2, { down: false, noPathRetry: npr }]);
  }
  cases.push([Q, maps, 1, { down: true, noPathRetry: NoPathRetry.QUEUE }]);
  cases.push([Q, maps, 2, { down: true, noPathRetry: NoPathRetry.QUEUE }]);
  cases.push([Q, maps, 3, { down: false, noPathRetry: NoPathRetry.QUEUE }]);
  cases.push([F, maps, 1, { down: true, noPathRetry: NoPathRetry.FAIL }]);
  cases.push([F, maps, 2, { down: false, noPathRetry: NoPathRetry.FAIL }]);
  cases.push([N, maps, 1, { down: true, noPathRetry: 2 }]);
  cases.push([N, maps, 2, { down: false, noPathRetry: 2 }]);

  for (const [file, command, occurrence, st] of cases)
    it(`${file.split("/").pop()}: ${command} #${occurrence}`, async () => {
      const w = twoPathWorld();
      w.maps[0]!.noPathRetry = st.noPathRetry;
      for (const pp of w.paths) {
        pp.state = st.down ? PathState.DOWN : PathState.UP;
        pp.dmstate = st.down ? DmPathState.FAILED : DmPathState.ACTIVE;
        pp.offline = st.down;
      }
      await check(testDaemon(w), file, command, occurrence);
    });
});
