/**
 * The keeper product tests' world, on the in-process network: the sample market and every product
 * deployed as the demo deploys them (ssi:deploy --sample-market, sanx:deploy, ussi:deploy), a client
 * over the Hardhat provider, a config reading `sample/`, a minimal sequential driver (for each due Work:
 * nextStep -> send -> wait) counting transactions per work key, and time travel that keeps the sample
 * market's mock feeds fresh (their updatedAt set by storage, no transaction: the feeds carry the same
 * answers, only their age is simulated).
 */
import path from "node:path";
import { readFileSync } from "node:fs";
import hre from "hardhat";
import { AbiCoder, keccak256, toBeHex, zeroPadValue, type Signer } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { loadUniverseFile } from "../../src/data/universe";
import { deploySsi } from "../../tasks/lib/ssi-deploy";
import { executeMint, faucet, planMint } from "../../chain/ssi";
import { deploySanx } from "../../tasks/lib/sanx-deploy";
import { deployUssi } from "../../tasks/lib/ussi-deploy";
import type { DeploymentRecord } from "../../chain/deployment";
import { IndexVault__factory } from "../../typechain-types";
import type { Client } from "../../chain/client";
import { clientFromHre } from "../../tasks/lib/client";
import { parseProductsConfig, type ProductsConfig, type ProductsConfigInput } from "../../keeper/products/config";
import { buildProductKeepers } from "../../keeper/products";
import type { Logger } from "../../keeper/log-types";
import type { ProductKeeper, Work } from "../../keeper/work";

export const ROOT = path.resolve(__dirname, "../..");
export const SAMPLE = path.join(ROOT, "sample");
export const DAY = 86_400n;
const WAD = 10n ** 18n;

export function hardhatClient(): Client {
  return clientFromHre(hre);
}

/** Records every log line (the tests assert on findings). */
export function recordingLogger(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (a: object | string, b?: string) => lines.push({ level, msg: typeof a === "string" ? a : (b ?? JSON.stringify(a)) });
  return { lines, info: at("info"), warn: at("warn"), error: at("error") };
}

/** The example config (keeper/examples/local-sample.json) with `overrides` per product. */
export function sampleConfig(overrides: Partial<ProductsConfigInput> = {}): ProductsConfig {
  const file = path.join(ROOT, "keeper", "examples", "local-sample.json");
  const json = JSON.parse(readFileSync(file, "utf8")) as { products: ProductsConfigInput };
  const merged: Record<string, unknown> = { ...json.products };
  for (const [k, v] of Object.entries(overrides)) merged[k] = { ...(merged[k] as object), ...(v as object) };
  return parseProductsConfig(merged, path.dirname(file));
}

export interface Stack {
  record: DeploymentRecord;
  keeper: Signer;
  alice: Signer;
  deployer: Signer;
  /** Every mock feed of the market. */
  feeds: string[];
}

/** Deploys everything, as the demo does. */
export async function keeperStackFixture(): Promise<Stack> {
  const signers = await hre.ethers.getSigners();
  const [deployer, , keeper] = signers;
  const alice = signers[7]!;
  await deploySsi(hre, { sampleMarket: true, priceUniverse: loadUniverseFile(path.join(SAMPLE, "universe.json")) });
  await deploySanx(hre, {});
  await deployUssi(hre, {});
  const record = JSON.parse(readFileSync(path.join(ROOT, "deployments", `${hre.network.name}.json`), "utf8")) as DeploymentRecord & { sanx: { rebalancer: string; admin: string } };
  const feeds = Object.values(record.tokens).map((t) => (t as { feed: string }).feed);
  await freshFeeds(feeds, BigInt(await time.latest()));
  return { record, keeper: keeper!, alice, deployer: deployer!, feeds };
}

/** Sets every mock feed's latest round's updatedAt to `ts` (MockV3Aggregator: getTimestamp is slot 5). */
export async function freshFeeds(feeds: readonly string[], ts: bigint): Promise<void> {
  const provider = hre.ethers.provider;
  const coder = AbiCoder.defaultAbiCoder();
  await Promise.all(
    feeds.map(async (feed) => {
      const round = BigInt(await provider.getStorage(feed, 3));
      const slot = keccak256(coder.encode(["uint256", "uint256"], [round, 5]));
      await provider.send("hardhat_setStorageAt", [feed, slot, zeroPadValue(toBeHex(ts), 32)]);
    }),
  );
}

/** Moves the chain to `ts` (one block at `ts`) and keeps the feeds fresh. */
export async function travelTo(stack: Pick<Stack, "feeds">, ts: bigint): Promise<void> {
  if (ts > BigInt(await time.latest())) await time.increaseTo(ts);
  await freshFeeds(stack.feeds, BigInt(await time.latest()));
}

/** Alice mints `shares` whole tokens of an index vault (in kind, after a faucet). */
export async function mintShares(stack: Stack, vault: string, shares: bigint): Promise<void> {
  const v = IndexVault__factory.connect(vault, stack.alice);
  const legs = await planMint(stack.record, v, stack.alice, shares * WAD);
  await executeMint(v, stack.alice, shares * WAD, await stack.alice.getAddress(), legs);
}

export async function faucetAlice(stack: Stack, usd: bigint): Promise<void> {
  await faucet(hardhatClient(), stack.record, await stack.alice.getAddress(), usd, stack.deployer);
}

/** Transactions sent per work key. */
export type Counts = Map<string, number>;

/**
 * The minimal sequential driver: for each keeper's due work, nextStep -> send -> wait until the work
 * yields nothing (at most `maxSteps` a work). Returns how many transactions it sent; `counts` adds up per key.
 */
export async function runDue(keepers: readonly ProductKeeper[], sender: Signer, counts: Counts = new Map(), maxSteps = 20): Promise<number> {
  const now = BigInt(await time.latest());
  let sent = 0;
  for (const k of keepers) {
    const t0 = Date.now();
    const works = await k.due(now);
    const t1 = Date.now();
    for (const w of works) sent += await drive(w, sender, counts, maxSteps);
    if (process.env.KEEPER_TIMING) console.log(`  ${k.product}: due ${t1 - t0} ms (${works.map((w) => w.key).join(", ")}), work ${Date.now() - t1} ms`);
  }
  return sent;
}

export async function drive(w: Work, sender: Signer, counts: Counts, maxSteps = 20): Promise<number> {
  let sent = 0;
  for (let i = 0; i < maxSteps; i++) {
    const step = await w.nextStep();
    if (step === undefined) return sent;
    const tx = await sender.sendTransaction({ to: step.to, data: step.data, ...(step.value !== undefined ? { value: step.value } : {}), ...(step.gasLimit !== undefined ? { gasLimit: step.gasLimit } : {}) });
    await tx.wait();
    counts.set(w.key, (counts.get(w.key) ?? 0) + 1);
    sent++;
  }
  throw new Error(`work ${w.key} still had steps after ${maxSteps}`);
}

/**
 * `runDue` again, at the same chain time, for the products that sent something in the pass before (a
 * product's step can make more of its own work due: a SANX action, then its weight report), until a
 * pass sends nothing.
 */
export async function settle(keepers: readonly ProductKeeper[], sender: Signer, counts: Counts = new Map()): Promise<number> {
  let total = 0;
  let active = [...keepers];
  for (let pass = 0; pass < 6; pass++) {
    const next: ProductKeeper[] = [];
    for (const k of active) {
      const sent = await runDue([k], sender, counts);
      total += sent;
      if (sent > 0) next.push(k);
    }
    if (next.length === 0) return total;
    active = next;
  }
  throw new Error("the keepers kept finding work after 6 passes at the same chain time");
}

export function keepers(stack: Stack, config: ProductsConfig, log: Logger = recordingLogger()): ProductKeeper[] {
  return buildProductKeepers(hardhatClient(), stack.record, config, log);
}
