/** The dmsetup subcommands: name, usage text, argument counts, and whether they repeat per device. */
export interface DmsetupCommandDef {
  readonly name: string;
  readonly help: string;
  readonly minArgs: number;
  /** -1: no limit. */
  readonly maxArgs: number;
  /** 0: one call; 1: one call per device argument; 2: that, and `--select` applies. */
  readonly repeatable: 0 | 1 | 2;
  readonly hasSubcommands: boolean;
}

const def = (
  name: string,
  help: string,
  minArgs: number,
  maxArgs: number,
  repeatable: 0 | 1 | 2,
  hasSubcommands = false,
): DmsetupCommandDef => ({ name, help, minArgs, maxArgs, repeatable, hasSubcommands });

/** In dmsetup's order (the order of its usage text). */
export const DMSETUP_COMMANDS: readonly DmsetupCommandDef[] = [
  def("help", "[-c|-C|--columns]", 0, 0, 0),
  def(
    "create",
    "<dev_name>\n" +
      "\t    [-j|--major <major> -m|--minor <minor>]\n" +
      "\t    [-U|--uid <uid>] [-G|--gid <gid>] [-M|--mode <octal_mode>]\n" +
      "\t    [-u|--uuid <uuid>] [--addnodeonresume|--addnodeoncreate]\n" +
      "\t    [--readahead {[+]<sectors>|auto|none}]\n" +
      "\t    [-n|--notable|--table {<table>|<table_file>}]\n" +
      "\tcreate --concise [<concise_device_spec_list>]",
    0,
    2,
    0,
  ),
  def("remove", "[--deferred] [-f|--force] [--retry] <device>...", 0, -1, 2),
  def("remove_all", "[-f|--force]", 0, 0, 0),
  def("suspend", "[--noflush] [--nolockfs] <device>...", 0, -1, 2),
  def(
    "resume",
    "[--noflush] [--nolockfs] <device>...\n" +
      "\t       [--addnodeonresume|--addnodeoncreate]\n" +
      "\t       [--readahead {[+]<sectors>|auto|none}]",
    0,
    -1,
    2,
  ),
  def("load", "<device> [<table>|<table_file>]", 0, 2, 0),
  def("clear", "<device>", 0, -1, 2),
  def("reload", "<device> [<table>|<table_file>]", 0, 2, 0),
  def("wipe_table", "[-f|--force] [--noflush] [--nolockfs] <device>...", 0, -1, 2),
  def("rename", "<device> [--setuuid] <new_name_or_uuid>", 1, 2, 0),
  def("measure", "[<device>...]", 0, -1, 2),
  def("message", "<device> <sector> <message>", 2, -1, 0),
  def("ls", "[--target <target_type>] [--exec <command>] [-o <options>] [--tree]", 0, 0, 0),
  def("info", "[<device>...]", 0, -1, 1),
  def("deps", "[-o <options>] [<device>...]", 0, -1, 2),
  def("stats", "<command> [<options>] [<device>...]", 1, -1, 1, true),
  def("status", "[<device>...] [--noflush] [--target <target_type>]", 0, -1, 2),
  def("table", "[<device>...] [--concise] [--target <target_type>] [--showkeys]", 0, -1, 2),
  def("wait", "<device> [<event_nr>] [--noflush]", 0, 2, 0),
  def("mknodes", "[<device>...]", 0, -1, 1),
  def("mangle", "[<device>...]", 0, -1, 1),
  def("udevcreatecookie", "", 0, 0, 0),
  def("udevreleasecookie", "[<cookie>]", 0, 1, 0),
  def("udevflags", "<cookie>", 1, 1, 0),
  def("udevcomplete", "<cookie>", 1, 1, 0),
  def("udevcomplete_all", "[<age_in_minutes>]", 0, 1, 0),
  def("udevcookies", "", 0, 0, 0),
  def("target-version", "[<target>...]", 1, -1, 1),
  def("targets", "", 0, 0, 0),
  def("version", "", 0, 0, 0),
  def("setgeometry", "<device> <cyl> <head> <sect> <start>", 5, 5, 0),
  def("splitname", "<device> [<subsystem>]", 1, 2, 0),
];

/** dmsetup's usage text (printed on stderr). */
export function dmsetupUsage(prog = "dmsetup"): string {
  let s =
    "Usage:\n\n" +
    `${prog}\n` +
    "        [--version] [-h|--help [-c|-C|--columns]]\n" +
    "        [-v|--verbose [-v|--verbose ...]] [-f|--force]\n" +
    "        [--checks] [--manglename {none|hex|auto}]\n" +
    "        [-r|--readonly] [--noopencount] [--noflush] [--nolockfs] [--inactive]\n" +
    "        [--udevcookie <cookie>] [--noudevrules] [--noudevsync] [--verifyudev]\n" +
    "        [-y|--yes] [--readahead {[+]<sectors>|auto|none}] [--retry]\n" +
    "        [-c|-C|--columns] [-o <fields>] [-O|--sort <sort_fields>]\n" +
    "        [-S|--select <selection>] [--nameprefixes] [--noheadings]\n" +
    "        [--separator <separator>]\n\n";
  for (const c of DMSETUP_COMMANDS) s += `\t${c.name} ${c.help}\n`;
  s +=
    "\n<device> may be device name or (if only one) -u <uuid> or -j <major> -m <minor>\n" +
    "<mangling_mode> is one of 'none', 'auto' and 'hex'.\n" +
    "<fields> are comma-separated.  Use 'help -c' for list.\n" +
    "<concise_device_specification> has single-device entries separated by semi-colons:\n" +
    "    <name>,<uuid>,<minor>,<flags>,<table>\n" +
    "        where <flags> is 'ro' or 'rw' (the default) and any of <uuid>, <minor>\n" +
    "        and <flags> may be empty. Separate extra table lines with commas.\n" +
    "    E.g.: dev1,,,,0 100 linear 253:1 0,100 100 error;dev2,,,ro,0 1 error\n" +
    "Table_file contents may be supplied on stdin.\n" +
    "Options are: devno, devname, blkdevname.\n" +
    "Tree specific options are: ascii, utf, vt100; compact, inverted, notrunc;\n" +
    "                           blkdevname, [no]device, active, open, rw and uuid.\n\n";
  return s;
}

/** The long options of dmsetup's getopt_long table, in its order (ambiguity lists follow it). */
export const DMSETUP_LONG_OPTIONS: ReadonlyArray<{ name: string; hasArg: boolean }> = [
  ["readonly", 0],
  ["alias", 1],
  ["alldevices", 0],
  ["allprograms", 0],
  ["allregions", 0],
  ["area", 0],
  ["areas", 1],
  ["areasize", 1],
  ["bounds", 1],
  ["checks", 0],
  ["clear", 0],
  ["columns", 0],
  ["concise", 0],
  ["count", 1],
  ["deferred", 0],
  ["select", 1],
  ["exec", 1],
  ["filemap", 0],
  ["follow", 1],
  ["force", 0],
  ["foreground", 0],
  ["gid", 1],
  ["group", 0],
  ["groupid", 1],
  ["help", 0],
  ["histogram", 0],
  ["inactive", 0],
  ["interval", 1],
  ["length", 1],
  ["manglename", 1],
  ["major", 1],
  ["minor", 1],
  ["mode", 1],
  ["nameprefixes", 0],
  ["nogroup", 0],
  ["noflush", 0],
  ["noheadings", 0],
  ["nolockfs", 0],
  ["noopencount", 0],
  ["nosuffix", 0],
  ["notable", 0],
  ["notimesuffix", 0],
  ["udevcookie", 1],
  ["nomonitor", 0],
  ["noudevrules", 0],
  ["noudevsync", 0],
  ["options", 1],
  ["precise", 0],
  ["programid", 1],
  ["raw", 0],
  ["readahead", 1],
  ["region", 0],
  ["regions", 1],
  ["regionid", 1],
  ["relative", 0],
  ["retry", 0],
  ["rows", 0],
  ["segments", 0],
  ["separator", 1],
  ["setuuid", 0],
  ["showkeys", 0],
  ["sort", 1],
  ["start", 1],
  ["table", 1],
  ["target", 1],
  ["tree", 0],
  ["uid", 1],
  ["units", 1],
  ["uuid", 1],
  ["unbuffered", 0],
  ["unquoted", 0],
  ["userdata", 1],
  ["verbose", 1],
  ["verifyudev", 0],
  ["version", 0],
  ["yes", 0],
  ["addnodeonresume", 0],
  ["addnodeoncreate", 0],
].map(([name, a]) => ({ name: name as string, hasArg: a === 1 }));

/** dmsetup's short options. */
export const DMSETUP_SHORT_OPTIONS = "cCfG:hj:m:M:no:O:rS:u:U:vy";

/** Short option letter → the long option it stands for. */
export const DMSETUP_SHORT_TO_LONG: Readonly<Record<string, string>> = {
  c: "columns",
  C: "columns",
  f: "force",
  G: "gid",
  h: "help",
  j: "major",
  m: "minor",
  M: "mode",
  n: "notable",
  o: "options",
  O: "sort",
  r: "readonly",
  S: "select",
  u: "uuid",
  U: "uid",
  v: "verbose",
  y: "yes",
};
