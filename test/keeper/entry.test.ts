/**
 * The keeper's entries: the plain Node process (keeper/main.ts) over an RPC URL, with no Hardhat module
 * loaded, driving real work on anvil; its user errors (one line, no stack); the config's errors naming
 * each bad field; the readable log format without colour off a terminal.
 */
import { expect } from "chai";
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseConfig } from "../../keeper/config";
import { readableLine } from "../../keeper/log";
import { startNode, type RunningNode } from "./nodes";
import { KEYS, counterOf, countSteps, deployToy, duplicates, addressOf } from "./toy";

const ROOT = path.resolve(__dirname, "../..");

function runNode(script: string, env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "-e", script], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("exit", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("keeper entries", function () {
  this.timeout(90_000);
  let node: RunningNode;
  let tmp: string;
  before(async function () {
    node = await startNode("anvil");
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-entry-"));
  });
  after(async function () {
    await node?.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("keeper/main.ts runs over an RPC URL as a plain Node process: work done, JSON-lines logs, exit 0, no Hardhat module loaded", async function () {
    const toy = await deployToy(node.url);
    const config = path.join(tmp, "keeper.json");
    fs.writeFileSync(config, JSON.stringify({ confirmations: 1, pollSeconds: 1 }));
    const script = `
      const { main } = require("./keeper/main");
      const { toyProduct } = require("./test/keeper/toy");
      main(["--rpc", ${JSON.stringify(node.url)}, "--network", "anvil", "--config", ${JSON.stringify(config)}, "--once", "--json-logs"],
           (client) => [toyProduct(client, ${JSON.stringify(toy)}, { plain: 2 })])
        .then((code) => {
          const hardhat = Object.keys(require.cache).filter((k) => /node_modules[\\\\/](hardhat|@nomicfoundation)[\\\\/]/.test(k));
          process.stderr.write(JSON.stringify({ code, hardhat }) + "\\n");
          process.exit(code);
        });`;
    const out = await runNode(script, { KEEPER_KEY: KEYS.keeper });
    expect(out.code, out.stderr).to.equal(0);
    const result = JSON.parse(out.stderr.trim().split("\n").pop()!) as { code: number; hardhat: string[] };
    expect(result.hardhat).to.deep.equal([]);
    const lines = out.stdout.trim().split("\n").map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(lines.some((l) => l.msg === "tick summary")).to.equal(true);
    expect(out.stdout).to.not.match(/\x1b\[/);
    expect(await counterOf(node.url, toy, "plain")).to.equal(2);
    expect(duplicates(await countSteps(node.url, toy, ["plain"]), addressOf(KEYS.keeper))).to.deep.equal([]);
  });

  it("user errors of the plain entry print one line and no stack trace (exit 2)", async function () {
    const cases: [string[], Record<string, string>, RegExp][] = [
      [["--network", "x"], { KEEPER_KEY: KEYS.keeper }, /--rpc URL is required/],
      [["--rpc", node.url, "--network", "anvil", "--config", path.join(tmp, "missing.json")], { KEEPER_KEY: KEYS.keeper }, /does not exist/],
    ];
    // Each case runs the file itself as the entry, as `npx ts-node keeper/main.ts ...` does (in parallel: ts-node starts slowly).
    const outs = await Promise.all(
      cases.map(
        ([argv, env]) =>
          new Promise<{ code: number; stderr: string }>((resolve) => {
            const child = spawn(process.execPath, ["-r", "ts-node/register/transpile-only", "keeper/main.ts", ...argv], { cwd: ROOT, env: { ...process.env, TS_NODE_TRANSPILE_ONLY: "true", ...env }, stdio: ["ignore", "ignore", "pipe"] });
            let stderr = "";
            child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
            child.on("exit", (code) => resolve({ code: code ?? -1, stderr }));
          }),
      ),
    );
    outs.forEach((out, i) => {
      expect(out.code, out.stderr).to.equal(2);
      expect(out.stderr).to.match(cases[i]![2]);
      expect(out.stderr.trim().split("\n")).to.have.length.below(4);
      expect(out.stderr).to.not.match(/^\s+at /m);
    });
  });

  it("a bad config names every bad field in words", function () {
    expect(() => parseConfig({ pollSeconds: 0, feeBumpPercent: 5, retry: { timeoutMs: "1s" }, extra: true })).to.throw(
      /pollSeconds: .*\n.*feeBumpPercent: .*>=12\.5[\s\S]*retry\.timeoutMs: .*expected number[\s\S]*Unrecognized key: "extra"/,
    );
    const ok = parseConfig({ _comment: "keys starting with _ are comments" });
    expect(ok.confirmations).to.equal(1);
    expect(ok.feeBumpPercent).to.be.greaterThanOrEqual(12.5);
  });

  it("readable logs: one line per event, fields as key=value, no colour unless asked", function () {
    const line = JSON.stringify({ level: 40, time: Date.UTC(2026, 0, 1, 12, 0, 5), msg: "replaced", key: "MAG7/weights/2026-01", nonce: 3 });
    expect(readableLine(line, false)).to.equal("12:00:05 WARN  replaced key=MAG7/weights/2026-01 nonce=3\n");
    expect(readableLine(line, true)).to.match(/\x1b\[33mWARN/);
  });
});

describe("keeper sender: fee bumps", function () {
  const { Sender } = require("../../keeper/sender") as typeof import("../../keeper/sender");
  const { silentLogger } = require("../../keeper/log") as typeof import("../../keeper/log");
  const make = (feeBumpPercent: number, maxFeeGwei: number) =>
    new Sender({} as never, {} as never, "0x70997970C51812dc3A010C7d01b50e0d17dc79C8", {} as never, { confirmations: 1, txTimeoutSeconds: 1, feeBumpPercent, maxFeeGwei, gasMarginPercent: 0, dryRun: false }, silentLogger());
  const G = 1_000_000_000n;

  it("EIP-1559: both fees rise by feeBumpPercent (rounded up); legacy: the gas price", function () {
    expect(make(12.5, 1000).bump({ type: 2, maxFeePerGas: 100n * G, maxPriorityFeePerGas: 2n * G })).to.deep.equal({ type: 2, maxFeePerGas: 112_500_000_000n, maxPriorityFeePerGas: 2_250_000_000n });
    expect(make(20, 1000).bump({ type: 0, gasPrice: 7n })).to.deep.equal({ type: 0, gasPrice: 9n });
  });

  it("never above maxFeeGwei; no replacement when the cap leaves less than the nodes' +10%", function () {
    expect(make(50, 120).bump({ type: 2, maxFeePerGas: 100n * G, maxPriorityFeePerGas: 2n * G })).to.deep.equal({ type: 2, maxFeePerGas: 120n * G, maxPriorityFeePerGas: 3n * G });
    expect(make(50, 105).bump({ type: 2, maxFeePerGas: 100n * G, maxPriorityFeePerGas: 2n * G })).to.equal(undefined);
    expect(make(50, 105).bump({ type: 0, gasPrice: 100n * G })).to.equal(undefined);
  });
});
