/**
 * A toy product for the keeper's runtime tests (until and beside the real products): a piece of work is
 * a key of `KeeperToy` whose counter must reach a goal, one `step(key, expected)` transaction at a time.
 * Idempotent from chain state, as the real products are: `nextStep()` reads the counter, and a step sent
 * twice reverts on chain instead of counting twice. `countSteps` scans every block for the toy's
 * transactions, so a test counts submissions per piece of work from the chain itself.
 */
import fs from "node:fs";
import path from "node:path";
import { ContractFactory, Interface, JsonRpcProvider, Wallet, id, type Signer } from "ethers";
import { clientFromUrl, type Client } from "../../chain/client";
import { parseConfig, type KeeperConfig } from "../../keeper/config";
import type { Product, ProductKeeper, TxStep, Work } from "../../keeper/work";
import { rpc } from "./nodes";

const ARTIFACT = path.resolve(__dirname, "../../artifacts/contracts/test/KeeperToy.sol/KeeperToy.json");

/** Accounts of the default test mnemonic (hardhat node and anvil both fund them). */
export const KEYS = {
  deployer: "0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80",
  keeper: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d",
  keeper2: "0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a",
  other: "0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6",
} as const;

export const toyInterface = (): Interface => new Interface(JSON.parse(fs.readFileSync(ARTIFACT, "utf8")).abi);

export async function deployToy(url: string): Promise<string> {
  const art = JSON.parse(fs.readFileSync(ARTIFACT, "utf8")) as { abi: never; bytecode: string };
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50 });
  try {
    const wallet = new Wallet(KEYS.deployer, provider);
    const c = await new ContractFactory(art.abi, art.bytecode, wallet).deploy();
    await c.waitForDeployment();
    return await c.getAddress();
  } finally {
    provider.destroy();
  }
}

export const keyId = (key: string) => id(key);

/** Reads a toy counter with a raw eth_call (no keeper code involved). */
export async function counterOf(url: string, toy: string, key: string): Promise<number> {
  const iface = toyInterface();
  const out = await rpc<string>(url, "eth_call", [{ to: toy, data: iface.encodeFunctionData("counter", [keyId(key)]) }, "latest"]);
  return Number(BigInt(out));
}

/** Sends a toy call from `key` directly (another party, a test's setup). */
export async function callToy(url: string, toy: string, fn: "step" | "setBlocked", args: unknown[], key: string = KEYS.other): Promise<void> {
  const provider = new JsonRpcProvider(url, undefined, { staticNetwork: true, pollingInterval: 50 });
  try {
    const w = new Wallet(key, provider);
    const tx = await w.sendTransaction({ to: toy, data: toyInterface().encodeFunctionData(fn, args) });
    await tx.wait();
  } finally {
    provider.destroy();
  }
}

export interface ToyOptions {
  product?: Product;
  /** Called before nextStep returns a step (the n-th step of this product, from 1): a test's hook to stop a node mid-run. */
  beforeStep?: (n: number, key: string) => Promise<void>;
}

/** A ProductKeeper whose work is `goals` (key -> counter to reach), reading the toy through `client`. */
export function toyProduct(client: Client, toy: string, goals: Record<string, number>, opts: ToyOptions = {}): ProductKeeper & { reads: number } {
  const iface = toyInterface();
  const product = opts.product ?? "MAG7";
  let steps = 0;
  const pk = {
    product,
    reads: 0,
    async due(now: bigint): Promise<Work[]> {
      return Object.entries(goals).map(([key, goal]) => ({
        product,
        kind: "weights" as const,
        key,
        dueAt: now,
        async nextStep(): Promise<TxStep | undefined> {
          pk.reads++;
          const raw = (await client.provider.send("eth_call", [{ to: toy, data: iface.encodeFunctionData("counter", [keyId(key)]) }, "latest"])) as string;
          const c = Number(BigInt(raw));
          if (c >= goal) return undefined;
          steps++;
          if (opts.beforeStep) await opts.beforeStep(steps, key);
          return { label: `toy ${key}: step ${c} -> ${c + 1}`, to: toy, data: iface.encodeFunctionData("step", [keyId(key), c]) };
        },
      }));
    },
    async nextDue(): Promise<bigint | undefined> {
      return undefined;
    },
  };
  return pk;
}

export interface ToyTx {
  key: string;
  expected: number;
  from: string;
  ok: boolean;
  hash: string;
  nonce: number;
}

/** Every transaction to the toy on the chain, decoded (scans all blocks: the test chains are short). */
export async function countSteps(url: string, toy: string, keys: readonly string[]): Promise<ToyTx[]> {
  const iface = toyInterface();
  const byId = new Map(keys.map((k) => [keyId(k), k]));
  const head = Number(BigInt(await rpc<string>(url, "eth_blockNumber")));
  const out: ToyTx[] = [];
  for (let b = 0; b <= head; b++) {
    const block = await rpc<{ transactions: { hash: string; to: string | null; from: string; input: string; nonce: string }[] }>(url, "eth_getBlockByNumber", [`0x${b.toString(16)}`, true]);
    for (const tx of block.transactions) {
      if (tx.to?.toLowerCase() !== toy.toLowerCase()) continue;
      const parsed = iface.parseTransaction({ data: tx.input });
      if (parsed?.name !== "step") continue;
      const key = byId.get(String(parsed.args[0])) ?? String(parsed.args[0]);
      const receipt = await rpc<{ status: string }>(url, "eth_getTransactionReceipt", [tx.hash]);
      out.push({ key, expected: Number(parsed.args[1]), from: tx.from.toLowerCase(), ok: BigInt(receipt.status) === 1n, hash: tx.hash, nonce: Number(BigInt(tx.nonce)) });
    }
  }
  return out;
}

/** (key, expected) pairs with more than one transaction from `from` (any outcome): duplicate submissions. */
export function duplicates(txs: ToyTx[], from?: string): string[] {
  const seen = new Map<string, number>();
  for (const t of txs) if (from === undefined || t.from === from.toLowerCase()) seen.set(`${t.key}#${t.expected}`, (seen.get(`${t.key}#${t.expected}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}

/** A fast keeper config for tests. */
export function testConfig(over: Record<string, unknown> = {}): KeeperConfig {
  return parseConfig({ confirmations: 1, pollSeconds: 1, txTimeoutSeconds: 30, retry: { attempts: 8, baseMs: 50, maxMs: 800, timeoutMs: 1_500 }, ...over });
}

export function keeperClient(url: string, key: string = KEYS.keeper): Client {
  return clientFromUrl(url, "localhost", [key], { pollingInterval: 100 });
}

export function addressOf(key: string): string {
  return new Wallet(key).address.toLowerCase();
}

export type { Signer };
