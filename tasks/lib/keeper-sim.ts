/**
 * A simulated run of the real keeper for the benchmark (`bench:keeper`) and the keeper's integration
 * test: every product deployed on the in-process network with the SAMPLE market (as `ssi:deploy
 * --sample-market`, `sanx:deploy` and `ussi:deploy` do), the chain served over HTTP (tasks/lib/rpc-bridge.ts)
 * so the keeper talks to it through its own RPC client as to any node, holders minted after the first
 * weights, then one tick a simulated day (time travel; the mock feeds' updatedAt follow the clock by
 * storage, no transaction: the same answers, only their age is simulated).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { AbiCoder, HDNodeWallet, JsonRpcProvider, Mnemonic, NonceManager, keccak256, toBeHex, zeroPadValue, type Signer } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { AccountSigner, Client } from "../../chain/client";
import type { DeploymentRecord } from "../../chain/deployment";
import { govCall, govern, TimelockController__factory } from "../../chain/governance";
import { executeMint, faucet, planMint } from "../../chain/ssi";
import { loadUniverseFile } from "../../src/data/universe";
import { IndexVault__factory, Rebalancer__factory } from "../../typechain-types";
import { parseConfig, type KeeperConfig } from "../../keeper/config";
import type { Logger } from "../../keeper/log";
import { buildProductKeepers } from "../../keeper/products";
import { determinationDate, nextMonthStart } from "../../keeper/products/common";
import { parseProductsConfig } from "../../keeper/products/config";
import { Keeper, type TickReport } from "../../keeper/run";
import { deploySanx } from "./sanx-deploy";
import { deploySsi } from "./ssi-deploy";
import { deployUssi } from "./ussi-deploy";
import { serveRpc, type RpcBridge } from "./rpc-bridge";

export const DAY = 86_400n;
const WAD = 10n ** 18n;
const ROOT = path.resolve(__dirname, "../..");
const SAMPLE = path.join(ROOT, "sample");
const MNEMONIC = "test test test test test test test test test test test junk";

/** The hardhat/anvil default accounts as wallets on `provider` (local chains only). */
export function defaultWallets(provider: JsonRpcProvider, n = 10): AccountSigner[] {
  const m = Mnemonic.fromPhrase(MNEMONIC);
  return Array.from({ length: n }, (_, i) => HDNodeWallet.fromMnemonic(m, `m/44'/60'/0'/0/${i}`).connect(provider));
}

export interface SimStack {
  record: DeploymentRecord;
  feeds: string[];
  bridge: RpcBridge;
  /** The chain the keeper runs on (time travel, feeds). */
  node: SimNode;
  /** The keeper's client: over HTTP to the bridge, the default accounts as its signers. */
  client: Client;
  keeperAccount: AccountSigner;
  close(): Promise<void>;
}

/** What the simulation needs of a node: raw JSON-RPC, and its storage-writing method (hardhat_ or anvil_setStorageAt). */
export interface SimNode {
  send(method: string, params: unknown[]): Promise<unknown>;
  setStorage: "hardhat_setStorageAt" | "anvil_setStorageAt";
}

/** Sets every mock feed's latest round's updatedAt to `ts` (MockV3Aggregator: getTimestamp is slot 5). */
export async function freshFeeds(node: SimNode, feeds: readonly string[], ts: bigint): Promise<void> {
  const coder = AbiCoder.defaultAbiCoder();
  await Promise.all(
    feeds.map(async (feed) => {
      const round = BigInt((await node.send("eth_getStorageAt", [feed, "0x3", "latest"])) as string);
      const slot = keccak256(coder.encode(["uint256", "uint256"], [round, 5]));
      await node.send(node.setStorage, [feed, slot, zeroPadValue(toBeHex(ts), 32)]);
    }),
  );
}

export async function chainNow(node: SimNode): Promise<bigint> {
  return BigInt(((await node.send("eth_getBlockByNumber", ["latest", false])) as { timestamp: string }).timestamp);
}

/** One block at `ts`, feeds fresh. */
export async function travelTo(node: SimNode, feeds: readonly string[], ts: bigint): Promise<void> {
  if (ts > (await chainNow(node))) {
    await node.send("evm_setNextBlockTimestamp", [Number(ts)]);
    await node.send("evm_mine", []);
  }
  await freshFeeds(node, feeds, await chainNow(node));
}

export function hreNode(hre: HardhatRuntimeEnvironment): SimNode {
  return { send: (method, params) => hre.network.provider.request({ method, params }), setStorage: "hardhat_setStorageAt" };
}

/** A client over `url` whose signers are the default accounts (local chains), and the account that is the record's keeper. */
export function simClient(url: string, network: string, record: DeploymentRecord): { client: Client; keeperAccount: AccountSigner; provider: JsonRpcProvider } {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50 });
  const wallets = defaultWallets(provider);
  const keeperAddress = String(record.protocol.keeper).toLowerCase();
  const keeperAccount = wallets.find((w) => w.address.toLowerCase() === keeperAddress) ?? wallets[2]!;
  return { client: { network, provider, local: true, signers: async () => wallets }, keeperAccount, provider };
}

/** Deploys the sample market and all five products; the Rebalancers accrue fees every 30 days. */
export async function deploySimStack(hre: HardhatRuntimeEnvironment): Promise<SimStack> {
  const [deployer] = await hre.ethers.getSigners();
  await deploySsi(hre, { sampleMarket: true, reset: true, priceUniverse: loadUniverseFile(path.join(SAMPLE, "universe.json")) } as never);
  await deploySanx(hre, {});
  await deployUssi(hre, {});
  const record = JSON.parse(fs.readFileSync(path.join(ROOT, "deployments", `${hre.network.name}.json`), "utf8")) as DeploymentRecord & { sanx: { rebalancer: string; admin: string } };
  const feeds = Object.values(record.tokens).map((t) => t.feed);
  const node = hreNode(hre);
  await freshFeeds(node, feeds, await chainNow(node));
  for (const [admin, rebalancers] of [
    [record.protocol.admin, (["MAG7", "MEME", "DEFI"] as const).map((p) => record.products[p]!.rebalancer!)],
    [record.sanx.admin, [record.sanx.rebalancer]],
  ] as const) {
    const timelock = TimelockController__factory.connect(admin, deployer!);
    const calls = [];
    for (const r of rebalancers) {
      const lim = await Rebalancer__factory.connect(r, deployer!).limits();
      calls.push(await govCall(Rebalancer__factory.connect(r, deployer!), "setLimits", [{ maxSlippageBps: lim.maxSlippageBps, toleranceBps: lim.toleranceBps, cooldown: lim.cooldown, maxWindow: lim.maxWindow, feeAccrualInterval: 30n * DAY, maxTradeUsd: lim.maxTradeUsd }]));
    }
    await (await govern(timelock, calls)).wait();
  }
  await freshFeeds(node, feeds, await chainNow(node));
  const bridge = await serveRpc(hre.network.provider);
  const { client, keeperAccount, provider } = simClient(bridge.url, hre.network.name, record);
  return {
    record,
    feeds,
    bridge,
    node,
    client,
    keeperAccount,
    close: async () => {
      provider.destroy();
      await bridge.close();
    },
  };
}

/** The example config's products, the two SAMPLE month-ends dated at this run's first two determination dates. */
export function simProductsConfig(start: bigint): ReturnType<typeof parseProductsConfig> {
  const file = path.join(ROOT, "keeper", "examples", "local-sample.json");
  const json = JSON.parse(fs.readFileSync(file, "utf8")) as { products: Record<string, Record<string, unknown>> };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keeper-sim-"));
  const dates = [determinationDate(start), determinationDate(nextMonthStart(start))];
  const files = (["universe.json", "universe-next.json"] as const).map((f, i) => {
    const u = JSON.parse(fs.readFileSync(path.join(SAMPLE, f), "utf8")) as { date: string };
    const out = path.join(dir, f);
    fs.writeFileSync(out, JSON.stringify({ ...u, date: dates[i] }));
    return out;
  });
  const data = { kind: "universe-files", files, latestOnOrBefore: true };
  const startDay = Number(start / DAY);
  const shift = startDay - Date.parse("2023-03-01T00:00:00Z") / 86_400_000;
  const products = { ...json.products, MAG7: { ...json.products.MAG7, data }, MEME: { ...json.products.MEME, data }, DEFI: { ...json.products.DEFI, data }, SANX: { ...json.products.SANX, shiftDays: shift } };
  return parseProductsConfig(products, path.dirname(file));
}

/** Holders: shares of every index vault, paid in kind after a faucet (needs the first weights). */
export async function mintHolders(client: Client, record: DeploymentRecord): Promise<void> {
  const accounts = await client.signers();
  // NonceManager: the faucet sends one mint per token without waiting in between.
  const [deployer, alice] = [new NonceManager(accounts[0]!), new NonceManager(accounts[7]!)];
  const aliceAddress = accounts[7]!.address;
  await faucet(client, record, aliceAddress, 2_000_000n, deployer);
  const sanxVault = (record as unknown as { sanx: { vault: string } }).sanx.vault;
  for (const [vault, shares] of [...(["MAG7", "MEME", "DEFI"] as const).map((p) => [record.products[p]!.vault, 100n] as const), [sanxVault, 50n] as const]) {
    const v = IndexVault__factory.connect(vault, alice);
    const legs = await planMint(record, v, alice as Signer, shares * WAD);
    await executeMint(v, alice as Signer, shares * WAD, aliceAddress, legs);
  }
}

export interface SimResult {
  days: number;
  seconds: number;
  ticks: TickReport[];
  /** Gas per product over days 1..days (the inception day excluded). */
  gasByProduct: Record<string, bigint>;
  /** Pieces of work completed in two different ticks (done twice). */
  doneTwice: string[];
  /** The keeper's transactions that reverted on chain. */
  revertedTxs: number;
  keeper: Keeper;
}

export function simKeeperConfig(over: Record<string, unknown> = {}): KeeperConfig {
  return parseConfig({ confirmations: 1, pollSeconds: 1, txTimeoutSeconds: 60, retry: { attempts: 6, baseMs: 50, maxMs: 1000, timeoutMs: 30_000 }, ...over });
}

/** The keeper over the bridge for `days` simulated days, one tick a day. */
export async function simulate(stack: Pick<SimStack, "node" | "client" | "record" | "feeds" | "keeperAccount">, days: number, log: Logger, onDay?: (d: number) => void): Promise<SimResult> {
  const start = await chainNow(stack.node);
  // Only this run's blocks: on a shared chain (the test suite's in-process network) the same account may
  // have sent transactions, reverted ones included, in earlier tests.
  const firstBlock = Number(BigInt((await stack.node.send("eth_blockNumber", [])) as string)) + 1;
  const products = buildProductKeepers(stack.client, stack.record, simProductsConfig(start), log);
  const keeper = await Keeper.create(stack.client, products, { config: simKeeperConfig(), log, sender: stack.keeperAccount, pollMs: 20, parallelProducts: false });
  const ticks: TickReport[] = [await keeper.tick()];
  await mintHolders(stack.client, stack.record);
  const t0 = Date.now();
  for (let d = 1; d <= days; d++) {
    await travelTo(stack.node, stack.feeds, start + BigInt(d) * DAY);
    ticks.push(await keeper.tick());
    onDay?.(d);
  }
  const seconds = (Date.now() - t0) / 1000;
  const gasByProduct: Record<string, bigint> = {};
  const doneIn = new Map<string, number>();
  const doneTwice: string[] = [];
  ticks.forEach((t, i) => {
    for (const r of t.results) {
      if (i > 0) gasByProduct[r.product] = (gasByProduct[r.product] ?? 0n) + r.gasUsed;
      if (r.outcome === "done") {
        if (doneIn.has(r.key)) doneTwice.push(r.key);
        doneIn.set(r.key, i);
      }
    }
  });
  const revertedTxs = await countRevertedFrom(stack.node, stack.keeperAccount.address, firstBlock);
  return { days, seconds, ticks, gasByProduct, doneTwice, revertedTxs, keeper };
}

/** The keeper's transactions with status 0 (a refused second submission would be one). */
export async function countRevertedFrom(node: SimNode, from: string, firstBlock = 0): Promise<number> {
  const head = Number(BigInt((await node.send("eth_blockNumber", [])) as string));
  let n = 0;
  for (let b = firstBlock; b <= head; b++) {
    const block = (await node.send("eth_getBlockByNumber", [`0x${b.toString(16)}`, true])) as { transactions: { from: string; hash: string }[] };
    for (const tx of block.transactions) {
      if (tx.from.toLowerCase() !== from.toLowerCase()) continue;
      const r = (await node.send("eth_getTransactionReceipt", [tx.hash])) as { status: string };
      if (BigInt(r.status) !== 1n) n++;
    }
  }
  return n;
}
