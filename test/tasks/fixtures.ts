/**
 * Task-test helpers: capture a task's stdout, expect a user-facing failure, and a market for the
 * in-process network.
 */
import { HardhatPluginError } from "hardhat/plugins";
import { expect } from "chai";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

/** Runs a task in-process and returns what it wrote to stdout (stderr is swallowed). */
export async function runTask(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>): Promise<string> {
  const chunks: string[] = [];
  const out = process.stdout.write.bind(process.stdout);
  const err = process.stderr.write.bind(process.stderr);
  (process.stdout as { write: unknown }).write = (chunk: unknown) => {
    chunks.push(String(chunk));
    return true;
  };
  (process.stderr as { write: unknown }).write = () => true;
  try {
    await hre.run(name, args);
  } finally {
    (process.stdout as { write: unknown }).write = out;
    (process.stderr as { write: unknown }).write = err;
  }
  return chunks.join("");
}

/** Runs a task that must fail with a user-facing error (HardhatPluginError) whose message matches. */
export async function expectUserError(hre: HardhatRuntimeEnvironment, name: string, args: Record<string, unknown>, message: RegExp): Promise<void> {
  let error: unknown;
  try {
    await runTask(hre, name, args);
  } catch (e) {
    error = e;
  }
  expect(error, `${name} should have failed`).to.be.instanceOf(HardhatPluginError);
  expect((error as Error).message).to.match(message);
}

// -----------------------------------------------------------------------------------------------
// TEMPORARY stand-in for `deployMarket` (scripts/lib/market.ts, branch `market`, not merged yet):
// sample tokens (MockERC20, decimals as the market uses them) with 8-decimal mock feeds at the
// sample universe's prices, written as the market part of deployments/<network>.json so that
// `ssi:deploy` (without --sample-market) picks it up. To be replaced by deployMarket once merged.
// -----------------------------------------------------------------------------------------------
import { MockAggregator__factory, MockERC20__factory } from "../../typechain-types";
import { loadUniverseFile } from "../../src/data/universe";
import { deploymentFile, type MarketPart } from "../../tasks/lib/deployment";
import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

const DECIMALS: Record<string, number> = { cbBTC: 8, USDC: 6 };

export async function standInMarket(hre: HardhatRuntimeEnvironment, universeFile: string): Promise<MarketPart> {
  const [deployer] = await hre.ethers.getSigners();
  const universe = loadUniverseFile(universeFile);
  const tokens: MarketPart["tokens"] = {};
  for (const a of universe.assets) {
    if (a.stablecoin || a.wrapped || a.priceUsd === undefined) continue;
    const sym = a.symbol === "BTC" ? "cbBTC" : a.symbol === "ETH" ? "WETH" : a.symbol;
    const decimals = DECIMALS[sym] ?? 18;
    const token = await new MockERC20__factory(deployer).deploy(`${sym} (SAMPLE)`, sym, decimals);
    const answer = BigInt(Math.round(a.priceUsd * 1e8));
    const feed = await new MockAggregator__factory(deployer).deploy(8, answer);
    tokens[sym] = { address: await token.getAddress(), decimals, feed: await feed.getAddress(), feedDecimals: 8, heartbeat: 86_400 };
  }
  const market = { chainId: Number((await hre.ethers.provider.getNetwork()).chainId), tokens, sampleMarket: true };
  const file = deploymentFile(hre.network.name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(market, null, 2) + "\n");
  return market;
}
