// The command line's surface, without GitHub: --help for the bin and each subcommand, bad usage
// (exit 2, one line and a pointer to --help), errors as one line plus the fix with the plugin's codes
// (exit 1), and the output rules (colour on a TTY only, NO_COLOR, FORCE_COLOR; aligned tables).
import { strict as assert } from "node:assert";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { after, before, describe, it } from "node:test";
import { runBin } from "../helpers/cli-bin.js";
import { createCliIO, decideColor } from "../../lib/cli/io.js";
import { table, visibleWidth } from "../../lib/cli/output.js";

const ESC = "\u001B[";

describe("the bin: help and bad usage", () => {
  let dir: string;
  let env: Record<string, string>;

  before(async () => {
    // not a clone: no origin remote to fall back on
    dir = await mkdtemp(join(tmpdir(), "cli-usage-"));
    env = { PATH: process.env.PATH ?? "", HOME: dir, GIT_CONFIG_NOSYSTEM: "1", GIT_CONFIG_GLOBAL: "/dev/null" };
  });
  after(() => rm(dir, { recursive: true, force: true }));

  const run = (args: string[], extra: Record<string, string> = {}) => runBin({ cwd: dir, env: { ...env, ...extra }, args });

  it("--help lists every command and the exit codes (exit 0, stdout)", async () => {
    const result = await run(["--help"]);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /^Usage: semantic-release-github-app <command> \[options\]$/m);
    for (const name of ["doctor", "exec", "token", "revoke"]) assert.match(result.stdout, new RegExp(`^  ${name} +\\S`, "m"));
    assert.match(result.stdout, /Exit codes: 0 success, 1 failure .*, 2 bad usage\./);
  });

  for (const name of ["doctor", "exec", "token", "revoke"]) {
    it(`${name} --help and help ${name} print its usage`, async () => {
      for (const args of [[name, "--help"], [name, "-h"], ["help", name]]) {
        const result = await run(args);
        assert.equal(result.code, 0, `${args.join(" ")}: ${result.stderr}`);
        assert.match(result.stdout, new RegExp(`^Usage: semantic-release-github-app ${name}\\b`));
      }
    });
  }

  it("--version prints the package's version", async () => {
    const result = await run(["--version"]);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^\d+\.\d+\.\d+(-[\w.]+)?\n$/);
  });

  const badUsage: [string[], RegExp][] = [
    [[], /^Usage: semantic-release-github-app <command>/m],
    [["deploy"], /^error: unknown command "deploy" \(commands: doctor, exec, token, revoke/m],
    [["doctor", "--bogus"], /^error: Unknown option '--bogus'/m],
    [["doctor", "extra"], /^error: Unexpected argument 'extra'/m],
    [["doctor", "--repository", "nope"], /^error: --repository takes owner\/name, e\.g\. octo\/proj \(got "nope"\)$/m],
    [["doctor", "--repository", "o/r", "--repository-url", "https://github.com/o/r.git"], /^error: give --repository or --repository-url, not both$/m],
    [["doctor"], /^error: no repository given and .* has no origin remote: pass --repository owner\/name$/m],
    [["exec"], /^error: exec needs a command: exec -- <command> \[args…\]$/m],
    [["token", "--repository", "octo/a", "--repository", "acme/b"], /^error: one token reaches the repositories of one installation/m],
    [["token", "--permission", "contents"], /^error: --permission takes name=level, e\.g\. contents=write \(got "contents"\)$/m],
    [["revoke"], /^error: GH_TOKEN is not set/m],
  ];
  for (const [args, message] of badUsage) {
    it(`bad usage exits 2: ${args.join(" ") || "(no command)"}`, async () => {
      const result = await run(args);
      assert.equal(result.code, 2, result.stderr);
      assert.equal(result.stdout, "");
      assert.match(result.stderr, message);
      if (args.length > 0) assert.match(result.stderr, /^See 'semantic-release-github-app( \w+)? --help'\.$/m);
    });
  }

  it("a configuration error: the plugin's code, one line and the fix (exit 1), before any request", async () => {
    const result = await run(["doctor", "--repository", "octo/proj"], { GITHUB_API_URL: "http://127.0.0.1:9/api/v3" });
    assert.equal(result.code, 1, result.stderr);
    assert.match(result.stderr, /^✘ ENOTOKEN .+$/m);
    assert.match(result.stderr, /^ {2}fix: .+$/m);
  });

  it("doctor --json when it cannot judge: accepted false and the errors on stdout, exit 1", async () => {
    const result = await run(["doctor", "--json", "--repository", "octo/proj"], { GITHUB_API_URL: "http://127.0.0.1:9/api/v3" });
    assert.equal(result.code, 1, result.stderr);
    const verdict = JSON.parse(result.stdout) as { accepted: boolean; errors: { code: string; message: string }[] };
    assert.equal(verdict.accepted, false);
    assert.deepEqual(verdict.errors.map((e) => e.code), ["ENOTOKEN"]);
  });

  it("colour only when asked: FORCE_COLOR paints the error, NO_COLOR (and no TTY) does not", async () => {
    const forced = await run(["deploy"], { FORCE_COLOR: "1" });
    assert.ok(forced.stderr.includes(`${ESC}31merror:`), JSON.stringify(forced.stderr));
    const plain = await run(["deploy"], { NO_COLOR: "1" });
    assert.ok(!plain.stderr.includes(ESC));
    const piped = await run(["deploy"]);
    assert.ok(!piped.stderr.includes(ESC), "stdout is not a TTY here");
  });
});

describe("output rules", () => {
  it("colour: a TTY unless NO_COLOR; FORCE_COLOR wins either way", () => {
    assert.equal(decideColor({}, true), true);
    assert.equal(decideColor({}, false), false);
    assert.equal(decideColor({ NO_COLOR: "1" }, true), false);
    assert.equal(decideColor({ NO_COLOR: "" }, true), true, "an empty NO_COLOR does not count");
    assert.equal(decideColor({ FORCE_COLOR: "1" }, false), true);
    assert.equal(decideColor({ FORCE_COLOR: "1", NO_COLOR: "1" }, false), true);
    assert.equal(decideColor({ FORCE_COLOR: "0" }, true), false);
  });

  it("progress lines on a TTY only, on stderr", () => {
    const make = (isTTY: boolean) => {
      const stdout = Object.assign(new PassThrough(), { isTTY });
      const stderr = new PassThrough();
      let written = "";
      stderr.on("data", (chunk) => (written += chunk));
      const io = createCliIO({ stdout, stderr, stdin: new PassThrough(), env: { NO_COLOR: "1" }, cwd: () => "/" });
      io.progress("Reading the rulesets")("3 found");
      return { io, written: () => written };
    };
    const tty = make(true);
    assert.match(tty.written(), /^… Reading the rulesets\n✔ Reading the rulesets: 3 found \(\d+\.\d s\)\n$/);
    const piped = make(false);
    assert.equal(piped.written(), "");
  });

  it("confirm is false when not interactive", async () => {
    const io = createCliIO({ stdout: new PassThrough(), stderr: new PassThrough(), stdin: new PassThrough(), env: {}, cwd: () => "/" });
    assert.equal(await io.confirm("Apply?"), false);
  });

  it("tables align columns by what a terminal shows (colour codes take no room)", () => {
    const red = (text: string) => `${ESC}31m${text}${ESC}39m`;
    const text = table([["v1.2.3", red("BLOCKED")], ["v10.20.30", "ok"]], ["TAG", "VERDICT"]);
    const lines = text.split("\n");
    assert.deepEqual(lines.map((line) => visibleWidth(line.split(/\s{2,}/)[0]!)), [3, 6, 9]);
    assert.equal(lines[0], "TAG        VERDICT");
    assert.equal(lines[2], "v10.20.30  ok");
    assert.equal(lines[1]!.indexOf(ESC), "v1.2.3     ".length);
  });
});
