/**
 * Fork suite harness (`npm run test:fork`, i.e. `hardhat test test/fork`).
 *
 * Two targets, one suite:
 * - "local": a `hardhat node` started here (once per run, on a free port), with the mainnet-like market
 *   deployed to it over JSON-RPC (addresses written to a temp file). The in-process Hardhat network is
 *   then reset to a fork of that node, so every test talks to a forked chain, not the node itself.
 * - "remote": when FORK_URL is set, a fork of that chain with `deployments/base-mainnet.json`. When
 *   FORK_URL is unset or the file is missing, these cases say so and skip.
 *
 * Use: `withForkedMarket("local", (ctx) => { it(...) })` inside a describe, or `forkTargets()` to run
 * the same cases on every target. Each `withForkedMarket` block re-forks in its `before` hook, so
 * blocks start from the node's state, not from what an earlier block left behind.
 * The node is stopped by the root `after` hook and, failing that, when the process exits.
 *
 * A keeper-task fork test, for example:
 *
 *   describe("ssi:rebalance on a fork", function () {
 *     withForkedMarket("local", (ctx) => {
 *       it("rebalances", async function () {
 *         // ctx.market: addresses on the forked chain; ctx.marketFile: the same as a JSON file for tasks
 *         await hre.run("ssi:rebalance", { index: "MAG7", market: ctx.marketFile });
 *       });
 *     }, { symbols: ["BTC", "ETH", "SOL"] }); // optional: a smaller market deploys in ~1 s instead of ~10 s
 *   });
 */
import { spawn, type ChildProcess } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import hre from "hardhat";
import { JsonRpcProvider } from "ethers";
import { useEnv } from "../../src/env";
import { deployMarket, readMarket, type MarketAddresses, type MarketOptions } from "../../chain/market";
import { freePort } from "../keeper/nodes";

export type ForkTarget = "local" | "remote";

export interface ForkContext {
  target: ForkTarget;
  /** The chain the in-process network forks (the local node's URL, or FORK_URL). */
  forkUrl: string;
  /** Addresses of the market on the forked chain. */
  market: MarketAddresses;
  /** The addresses JSON the market was read from or written to (for tasks that take a file). */
  marketFile: string;
}

const ROOT = path.resolve(__dirname, "../..");
/** The real chain's addresses file, used with FORK_URL. */
export const REMOTE_MARKET_FILE = path.join(ROOT, "deployments", "base-mainnet.json");
const NODE_START_TIMEOUT_MS = 60_000;

// ---------------------------------------------------------------------------------------------
// The local node (one per process)
// ---------------------------------------------------------------------------------------------

interface LocalNode {
  url: string;
  child: ChildProcess;
  market: MarketAddresses;
  marketFile: string;
}

let localNode: Promise<LocalNode> | undefined;
let child: ChildProcess | undefined;
let tmpDir: string | undefined;

async function rpc(url: string, method: string, params: unknown[] = []): Promise<unknown> {
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
  });
  const body = (await res.json()) as { result?: unknown; error?: { message: string } };
  if (body.error !== undefined) throw new Error(`${url} ${method}: ${body.error.message}`);
  return body.result;
}

async function rpcAnswers(url: string): Promise<boolean> {
  try {
    await rpc(url, "eth_chainId");
    return true;
  } catch {
    return false;
  }
}

/** Starts `hardhat node` (its own PID, so it can be stopped by PID) and waits until it answers. */
async function startNode(): Promise<{ url: string; child: ChildProcess }> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const bin = path.join(ROOT, "node_modules", ".bin", "hardhat");
  const proc = spawn(bin, ["node", "--hostname", "127.0.0.1", "--port", String(port)], {
    cwd: ROOT,
    env: { ...process.env, CI: "true" },
    stdio: ["ignore", "ignore", "pipe"],
  });
  child = proc;
  let stderr = "";
  proc.stderr?.on("data", (d: Buffer) => (stderr += d.toString()));
  let exited: string | undefined;
  proc.on("exit", (code, signal) => (exited = `exited with ${code ?? signal}`));

  const deadline = Date.now() + NODE_START_TIMEOUT_MS;
  while (!(await rpcAnswers(url))) {
    if (exited !== undefined) throw new Error(`hardhat node ${exited} before answering on ${url}:\n${stderr}`);
    if (Date.now() > deadline) {
      stopNode();
      throw new Error(`hardhat node did not answer on ${url} within ${NODE_START_TIMEOUT_MS / 1000} s:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  return { url, child: proc };
}

/** Stops the node this process started (by its PID), if any. Safe to call twice. */
export function stopNode(): void {
  if (child !== undefined && child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
  child = undefined;
  if (tmpDir !== undefined) fs.rmSync(tmpDir, { recursive: true, force: true });
  tmpDir = undefined;
  localNode = undefined;
}

process.once("exit", stopNode);

/**
 * The local node with the market deployed on it (started on first use, shared by every block).
 * `options` apply only to the first call (the deployment is shared).
 */
export function ensureLocalNode(options: Omit<MarketOptions, "outFile"> = {}): Promise<LocalNode> {
  localNode ??= (async () => {
    const t0 = Date.now();
    const { url, child: proc } = await startNode();
    const t1 = Date.now();
    const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50 });
    const signer = await provider.getSigner(0);
    tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), "ssi-fork-"));
    const marketFile = path.join(tmpDir, "localhost.json");
    const market = await deployMarket(signer, { ...options, outFile: marketFile });
    provider.destroy();
    console.log(`      [fork] node on ${url} up in ${t1 - t0} ms; market (${Object.keys(market.tokens).length} tokens) deployed in ${Date.now() - t1} ms -> ${marketFile}`);
    return { url, child: proc, market, marketFile };
  })();
  return localNode;
}

// Root hook: registered when this module loads, runs after every file of the run.
after(function () {
  stopNode();
});

// ---------------------------------------------------------------------------------------------
// Forking the in-process network
// ---------------------------------------------------------------------------------------------

/**
 * Resets the in-process Hardhat network to a fork of `url` at its latest block (given explicitly:
 * without it Hardhat forks a safety margin of blocks behind the tip), then mines one block:
 * Hardhat 2.29 knows no hardfork history for the node's chain id, so calls at the fork block itself
 * fail ("No known hardfork for execution on historical block").
 */
export async function forkFrom(url: string): Promise<void> {
  if (hre.network.name !== "hardhat") {
    throw new Error(`the fork suite runs on the in-process "hardhat" network, not "${hre.network.name}"`);
  }
  const blockNumber = Number(BigInt((await rpc(url, "eth_blockNumber")) as string));
  await hre.network.provider.request({ method: "hardhat_reset", params: [{ forking: { jsonRpcUrl: url, blockNumber } }] });
  await hre.network.provider.request({ method: "hardhat_mine", params: ["0x1"] });
}

/** Why a target cannot run here, or undefined when it can. */
export function unavailable(target: ForkTarget): string | undefined {
  if (target === "local") return undefined;
  if (useEnv("FORK_URL") === undefined) return "FORK_URL is not set: skipping the cases against a real chain's fork";
  if (!fs.existsSync(REMOTE_MARKET_FILE)) return `${path.relative(ROOT, REMOTE_MARKET_FILE)} does not exist: skipping the FORK_URL cases`;
  return undefined;
}

/**
 * Registers a `before` hook that forks the target (starting the local node on first use) and fills
 * the returned context, then calls `body(ctx)` to declare the tests. Use inside a `describe`; the
 * context fields are set by the time any `it` runs. When the target is unavailable, every test of
 * the block is skipped with the reason printed.
 */
export function withForkedMarket(target: ForkTarget, body: (ctx: ForkContext) => void, options: Omit<MarketOptions, "outFile"> = {}): void {
  const ctx = { target } as ForkContext;
  before(async function () {
    const reason = unavailable(target);
    if (reason !== undefined) {
      console.log(`      [fork] ${reason}`);
      this.skip();
    }
    this.timeout(120_000);
    if (target === "local") {
      const node = await ensureLocalNode(options);
      Object.assign(ctx, { forkUrl: node.url, market: node.market, marketFile: node.marketFile });
    } else {
      Object.assign(ctx, { forkUrl: useEnv("FORK_URL")!, market: readMarket(REMOTE_MARKET_FILE), marketFile: REMOTE_MARKET_FILE });
    }
    await forkFrom(ctx.forkUrl);
  });
  body(ctx);
}

/** Every target, for `for (const t of forkTargets()) describe(t, () => withForkedMarket(t, ...))`. */
export function forkTargets(): ForkTarget[] {
  return ["local", "remote"];
}
