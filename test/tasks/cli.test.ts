/**
 * The command line as a user meets it, run as a subprocess: a fresh clone's first chain task,
 * user errors on a terminal without a display (what Hardhat 2 treats as CI), colour codes in piped
 * output.
 */
import { expect } from "chai";
import { execFile, execFileSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

const ROOT = path.resolve(__dirname, "../..");
const HARDHAT = path.join(ROOT, "node_modules/.bin/hardhat");

/** The environment of a user's shell with no display and no CI variable (Hardhat then prints stacks of known errors). */
function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = { ...process.env, ...extra };
  for (const k of ["CI", "DISPLAY", "WAYLAND_DISPLAY", "GITHUB_ACTIONS", "FORCE_COLOR"]) if (!(k in extra)) delete env[k];
  return env;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `hardhat ...args` in `cwd` with stdout and stderr piped (not a terminal). */
export function hardhat(args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(HARDHAT, args, { cwd: opts.cwd ?? ROOT, env: opts.env ?? userEnv(), maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

const STACK_LINE = /^\s+at .+[(:]/m;
const ANSI = /\u001b\[/;

describe("command line (subprocess)", function () {
  this.timeout(600_000);

  describe("a fresh clone (nothing compiled yet)", function () {
    let dir: string;

    before(function () {
      // A copy of the working tree (tracked and untracked files, not artifacts/cache/typechain-types),
      // so the worktree's own build is never removed under other tests.
      dir = mkdtempSync(path.join(tmpdir(), "ssi-fresh-"));
      const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard", "-z"], { cwd: ROOT, encoding: "utf8" })
        .split("\0")
        .filter((f) => f !== "" && existsSync(path.join(ROOT, f)));
      for (const f of files) {
        mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
        cpSync(path.join(ROOT, f), path.join(dir, f));
      }
      symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"));
      for (const built of ["artifacts", "cache", "typechain-types"]) expect(existsSync(path.join(dir, built))).to.equal(false);
    });

    after(function () {
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("compiles before its first chain task, with compile's output on stderr", async function () {
      const r = await hardhat(["ssi:deploy", "--sample-market"], { cwd: dir });
      expect(r.stderr, r.stderr).not.to.match(/Cannot find module|unexpected error/i);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/SSI protocol on hardhat \(chain 31337\)/);
      expect(r.stdout).not.to.match(/Compiled|typings/);
      expect(r.stderr).to.match(/Compiled \d+ Solidity files/);
      expect(existsSync(path.join(dir, "typechain-types/index.ts"))).to.equal(true);
    });
  });

  describe("reading and output", function () {
    it("writes no colour codes when stdout is not a terminal (and keeps them with FORCE_COLOR=1)", async function () {
      const args = ["ssi:weights", "--index", "MAG7", "--universe", "sample/universe.json"];
      const piped = await hardhat(args);
      expect(piped.code, piped.stderr).to.equal(0);
      expect(piped.stdout).to.match(/BTC/);
      expect(piped.stdout).not.to.match(ANSI);
      const forced = await hardhat(args, { env: userEnv({ FORCE_COLOR: "1" }) });
      expect(forced.stdout).to.match(ANSI);
    });

    it("on the in-process network, a status says it starts empty on every command instead of suggesting a deploy there", async function () {
      const r = await hardhat(["index:status", "--index", "MAG7"]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/the in-process network "hardhat" starts empty on every command.*--network localhost/);
      expect(r.stderr).not.to.match(/ssi:deploy --network hardhat/);
      expect(r.stderr, r.stderr).not.to.match(STACK_LINE);
    });

    it("a reading task on a testnet needs its RPC URL, not DEPLOYER_KEY", async function () {
      const env = userEnv({ SEPOLIA_RPC_URL: "http://127.0.0.1:9" });
      delete env.DEPLOYER_KEY;
      const r = await hardhat(["index:status", "--index", "MAG7", "--network", "sepolia"], { env });
      expect(r.code).to.equal(1);
      expect(r.stderr).not.to.match(/DEPLOYER_KEY/);
      expect(r.stderr).to.match(/cannot reach the node/); // it got as far as asking the node
      expect(r.stderr, r.stderr).not.to.match(STACK_LINE);
    });
  });

  describe("user errors", function () {
    const cases: [string, string[], RegExp][] = [
      ["a bad argument", ["ssi:weights", "--index", "NOPE", "--universe", "sample/universe.json"], /--index "NOPE" is not one of MAG7, MEME, DEFI/],
      ["a missing file", ["mvrv:signals", "--csv", "nope.csv"], /file not found: nope\.csv/],
      ["a missing required argument (Hardhat's own check)", ["ssi:weights", "--universe", "sample/universe.json"], /index/],
      ["a bad keeper config (every bad field named)", ["keeper:run", "--once", "--keeper-config", "test/keeper/bad-keeper-config.json"], /pollSeconds: [\s\S]*feeBumpPercent: /],
    ];
    for (const [name, args, message] of cases) {
      it(`print ${name} without a stack trace on a terminal without a display`, async function () {
        const r = await hardhat(args);
        expect(r.code).to.equal(1);
        expect(r.stderr).to.match(message);
        expect(r.stderr, r.stderr).not.to.match(STACK_LINE);
      });
    }

    it("print no stack trace with CI set either, and the stack with --show-stack-traces", async function () {
      const args = ["ssi:weights", "--index", "NOPE", "--universe", "sample/universe.json"];
      const ci = await hardhat(args, { env: userEnv({ CI: "true" }) });
      expect(ci.code).to.equal(1);
      expect(ci.stderr).to.match(/is not one of/);
      expect(ci.stderr, ci.stderr).not.to.match(STACK_LINE);
      const dev = await hardhat([...args, "--show-stack-traces"]);
      expect(dev.stderr).to.match(STACK_LINE);
    });
  });
});
