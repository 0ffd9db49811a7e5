/**
 * The deployment record `deployments/<network>.json`: the market part (same keys as the market
 * addresses file, see deployments/README.md) plus what `ssi:deploy` adds (`protocol`, `products`,
 * `assets`). Tasks read it through `loadDeployment`, which fails with "run ssi:deploy first".
 * No Hardhat import: plain data and the file system.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { getAddress } from "ethers";
import { InputError } from "../src/lib/errors";

/** One market token (deployments/README.md "Format"). */
export interface RecordToken {
  address: string;
  decimals: number;
  feed: string;
  feedDecimals: number;
  heartbeat: number;
  /** Present on a testnet sample market: "chainlink" (a real testnet feed) or "mock". */
  feedKind?: "chainlink" | "mock";
}

/** The market part: the addresses file format shared with the keeper tasks. */
export interface MarketPart {
  chainId: number;
  tokens: Record<string, RecordToken>;
  uniswap?: Record<string, string>;
  hubs?: unknown;
  pools?: unknown[];
}

export interface ProtocolPart {
  priceRegistry: string;
  weightOracle: string;
  deployer: string;
  /** The admin of every SSI contract: the TimelockController's address. */
  admin: string;
  guardian: string;
  keeper: string;
  feeRecipient: string;
  signers: string[];
  quorum: number;
  maxValidity: number;
  /** The UniswapV3Adapter every Rebalancer whitelists (absent in records written before issue 3). */
  tradeAdapter?: string;
  /** Block of the last protocol transaction of `ssi:deploy`. */
  block: number;
  /** Block the deployment started at (role holders are read from the events since then). */
  fromBlock?: number;
  /** The admin TimelockController of every contract (`admin` is its address). */
  timelock?: TimelockRecord;
  /** Contract name -> its address and, per role, every account holding it after the deployment. */
  roleHolders?: Record<string, Record<string, string[] | string>>;
  /** Present when the deployment was allowed to leave power with a plain key (--allow-eoa-admin). */
  warnings?: string[];
}

/** An admin timelock as deployed: its delay {s} and who proposes, executes and cancels. */
export interface TimelockRecord {
  address: string;
  minDelay: number;
  proposers: string[];
  executors: string[];
  cancellers: string[];
}

export interface ProductPart {
  vault: string;
  name: string;
  symbol: string;
  /** The vault's Rebalancer (holds its REBALANCER_ROLE; absent in records written before issue 3). */
  rebalancer?: string;
}

export interface DeploymentRecord extends MarketPart {
  network: string;
  /** True when `ssi:deploy --sample-market` deployed the tokens (open-mint faucet tokens). */
  sampleMarket: boolean;
  /** Universe symbol -> key of `tokens` (e.g. BTC -> cbBTC, DOGE -> DOGE). */
  assets: Record<string, string>;
  protocol: ProtocolPart;
  products: Record<string, ProductPart>;
}

/** Universe symbols whose on-chain form is a wrapper token (the market's aliases). */
export const ASSET_ALIASES: Readonly<Record<string, readonly string[]>> = {
  BTC: ["cbBTC", "WBTC"],
  ETH: ["WETH"],
};

export function deploymentFile(network: string, root = process.cwd()): string {
  return path.join(root, "deployments", `${network}.json`);
}

/** Reads the market part only (a file written by the market deployer or a real chain's file). */
export function readMarketFile(file: string): MarketPart | undefined {
  if (!existsSync(file)) return undefined;
  const raw = parseJsonFile(file);
  if (typeof raw.chainId !== "number" || typeof raw.tokens !== "object" || raw.tokens === null) {
    throw new InputError(`${file}: not a market addresses file (needs chainId and tokens; see deployments/README.md)`);
  }
  return raw as unknown as MarketPart;
}

/**
 * The record of `network`, checked against the connected chain id.
 * @throws InputError "run ssi:deploy first" when the file or its protocol part is missing
 */
export function loadDeployment(network: string, chainId: number, root = process.cwd()): DeploymentRecord {
  const file = deploymentFile(network, root);
  const hint = `run \`npx hardhat ssi:deploy --network ${network}${network === "hardhat" || network === "localhost" ? " --sample-market" : ""}\` first`;
  if (!existsSync(file)) throw new InputError(`no deployment record for network "${network}" (${path.relative(root, file)}): ${hint}`);
  const raw = parseJsonFile(file);
  if (raw.protocol === undefined || raw.products === undefined) {
    throw new InputError(`${path.relative(root, file)} holds a market but no SSI protocol: ${hint}`);
  }
  if (raw.chainId !== chainId) {
    throw new InputError(`${path.relative(root, file)} is for chain ${String(raw.chainId)}, connected to chain ${chainId}: ${hint}`);
  }
  return raw as unknown as DeploymentRecord;
}

export function saveDeployment(record: DeploymentRecord, root = process.cwd()): string {
  const file = deploymentFile(record.network, root);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  return file;
}

/**
 * Universe symbol -> token key for every market token: the token's own symbol (case-insensitive)
 * and the aliases (BTC -> cbBTC or WBTC, ETH -> WETH) when that token exists.
 */
export function assetMap(tokens: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of Object.keys(tokens)) out[key.toUpperCase()] = key;
  for (const [asset, candidates] of Object.entries(ASSET_ALIASES)) {
    const hit = candidates.find((c) => Object.keys(tokens).some((k) => k.toUpperCase() === c.toUpperCase()));
    if (hit !== undefined && out[asset] === undefined) out[asset] = out[hit.toUpperCase()]!;
  }
  return out;
}

/**
 * Token addresses for universe symbols, in order.
 * @throws InputError naming every symbol the record has no token for
 */
export function tokensForSymbols(record: Pick<DeploymentRecord, "assets" | "tokens" | "network">, symbols: readonly string[]): string[] {
  const missing = symbols.filter((s) => {
    const key = record.assets[s.toUpperCase()];
    return key === undefined || record.tokens[key] === undefined;
  });
  if (missing.length > 0) {
    throw new InputError(
      `no token in deployments/${record.network}.json for ${missing.join(", ")}: deploy a market holding them (ssi:deploy --sample-market) or add them to the record's tokens and assets`,
    );
  }
  return symbols.map((s) => getAddress(record.tokens[record.assets[s.toUpperCase()]!]!.address));
}

/** Token address -> { symbol (universe symbol where one maps to it, else the token key), token }. */
export function tokenIndex(record: Pick<DeploymentRecord, "assets" | "tokens">): Map<string, { key: string; asset: string; token: RecordToken }> {
  const byKey = new Map<string, string>();
  for (const [asset, key] of Object.entries(record.assets)) if (!byKey.has(key) || asset !== key.toUpperCase()) byKey.set(key, asset);
  const out = new Map<string, { key: string; asset: string; token: RecordToken }>();
  for (const [key, token] of Object.entries(record.tokens)) {
    out.set(token.address.toLowerCase(), { key, asset: byKey.get(key) ?? key, token });
  }
  return out;
}

function parseJsonFile(file: string): Record<string, unknown> {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (e) {
    throw new InputError(`${file} is not valid JSON: ${(e as Error).message}`);
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw new InputError(`${file}: expected a JSON object`);
  return raw as Record<string, unknown>;
}
