/**
 * Chain code of the one-token zap (issue 11): reads the basket amounts, the pools, the QuoterV2 quotes and
 * the Chainlink prices, builds the pure quote (src/zap) and sends IndexZap.mint / IndexZap.redeem.
 * Used by index:mint --pay, index:redeem --receive, bench:gas and the demo.
 */
import { Contract, type Provider, type Signer } from "ethers";
import FactoryArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import QuoterV2Artifact from "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json";
import { IERC20Metadata__factory, IndexVault__factory, IndexZap__factory, PriceRegistry__factory, type IndexZap } from "../typechain-types";
import { candidateRoutes, checkAgainstNav, navOfShares, quoteZap, quoterPath, type ZapQuote, type ZapSide } from "../src/zap";
import type { Pool } from "../src/planner";
import * as fs from "node:fs";
import * as path from "node:path";
import { fail } from "./errors";
import type { DeploymentRecord } from "./deployment";

export const NATIVE = "0x0000000000000000000000000000000000000000";
const FEE_TIERS = [100, 500, 3000, 10000] as const;

export interface ZapMarket {
  /** Uniswap V3 factory and QuoterV2. */
  factory: string;
  quoter: string;
  /** Hub token addresses (USDC, WETH) for two- and three-hop routes. */
  hubs: readonly string[];
}

export interface ZapQuoteRequest {
  side: ZapSide;
  vault: string;
  shares: bigint;
  /** The payment (mint) or output (redeem) ERC-20; for native ETH pass WETH9 here and `native: true`. */
  payToken: string;
  native?: boolean;
  maxSlippageBps?: number;
  /** Symbols for display, by lower-case address. */
  symbols?: Record<string, string>;
}

/** Every pool among (constituents + hubs + pay token) pairs that touch a hub or the pay token, all fee tiers. */
export async function findPools(provider: Provider, factoryAddress: string, tokens: readonly string[], hubs: readonly string[], payToken: string): Promise<Pool[]> {
  const factory = new Contract(factoryAddress, FactoryArtifact.abi, provider);
  const ends = [...new Set([...hubs, payToken].map((a) => a.toLowerCase()))];
  const all = [...new Set([...tokens, ...hubs, payToken].map((a) => a.toLowerCase()))];
  const pairs = new Set<string>();
  for (const a of all) for (const b of ends) if (a !== b) pairs.add(a < b ? `${a}/${b}` : `${b}/${a}`);
  const found = await Promise.all(
    [...pairs].flatMap((p) => {
      const [a, b] = p.split("/") as [string, string];
      return FEE_TIERS.map(async (fee) => ({ tokenA: a, tokenB: b, fee, pool: (await factory.getPool(a, b, fee)) as string }));
    }),
  );
  return found.filter((p) => p.pool !== NATIVE).map(({ tokenA, tokenB, fee }) => ({ tokenA, tokenB, fee }));
}

/**
 * The zap quote from chain state: previewMint/previewRedeem for the shares, every candidate route quoted with
 * QuoterV2 (quoteExactOutput for mint, quoteExactInput for redeem), the registry's Chainlink prices and the
 * vault's navPerShare. Sends nothing.
 */
export async function quoteZapOnChain(provider: Provider, market: ZapMarket, req: ZapQuoteRequest): Promise<ZapQuote> {
  const vault = IndexVault__factory.connect(req.vault, provider);
  const registry = PriceRegistry__factory.connect(await vault.priceRegistry(), provider);
  const quoter = new Contract(market.quoter, QuoterV2Artifact.abi, provider);
  const [tokens, amounts] = req.side === "mint" ? await vault.previewMint(req.shares) : await vault.previewRedeem(req.shares);
  const pools = await findPools(provider, market.factory, tokens, market.hubs, req.payToken);
  const sym = async (a: string) => req.symbols?.[a.toLowerCase()] ?? (await IERC20Metadata__factory.connect(a, provider).symbol());
  const legs = await Promise.all(
    tokens.map(async (token, i) => {
      const amount = amounts[i]!;
      const routes = amount === 0n ? [] : candidateRoutes(token, req.payToken, pools, market.hubs);
      const quotes = (
        await Promise.all(
          routes.map(async (route) => {
            try {
              const fn = req.side === "mint" ? quoter.quoteExactOutput : quoter.quoteExactInput;
              const [q] = (await fn.staticCall(quoterPath(route), amount)) as [bigint];
              return { route, amount: q };
            } catch {
              return undefined; // a pool without the liquidity for this amount: not a candidate
            }
          }),
        )
      ).filter((q) => q !== undefined);
      return {
        token, symbol: await sym(token), decimals: Number(await IERC20Metadata__factory.connect(token, provider).decimals()),
        amount, priceUsd: await registry.price(token), quotes,
      };
    }),
  );
  const payMeta = IERC20Metadata__factory.connect(req.payToken, provider);
  const payToken = {
    address: req.payToken, symbol: req.native ? "ETH" : await sym(req.payToken),
    decimals: Number(await payMeta.decimals()), priceUsd: await registry.price(req.payToken),
  };
  const navUsd = navOfShares(await vault.navPerShare(), req.shares);
  return quoteZap({ side: req.side, shares: req.shares, payToken, legs, navUsd, maxSlippageBps: req.maxSlippageBps });
}

export interface ZapSendOptions {
  receiver?: string;
  /** Seconds from the latest block. Default 600. */
  deadlineSeconds?: number;
  native?: boolean;
  /** Refuse when the quote is worse than NAV by more than this (bps). Default DEFAULT_MAX_NAV_DEVIATION_BPS. */
  maxNavDeviationBps?: number;
}

export interface ZapResult {
  hash: string;
  gasUsed: bigint;
  /** {tok of the pay token} actually paid (mint) or received (redeem), from the balance change. */
  actual: bigint;
}

async function deadline(provider: Provider, seconds = 600): Promise<bigint> {
  const block = await provider.getBlock("latest");
  return BigInt(block!.timestamp) + BigInt(seconds);
}

async function balanceOf(provider: Provider, token: string, who: string, native: boolean): Promise<bigint> {
  return native ? provider.getBalance(who) : IERC20Metadata__factory.connect(token, provider).balanceOf(who);
}

/** Approves the zap for the bound when needed, then sends mint with maxAmountIn = the quote's bound. */
export async function sendZapMint(zap: IndexZap, who: Signer, vault: string, q: ZapQuote, opts: ZapSendOptions = {}): Promise<ZapResult> {
  checkAgainstNav(q, opts.maxNavDeviationBps);
  const provider = who.provider!;
  const me = await who.getAddress();
  const native = opts.native ?? false;
  const z = zap.connect(who);
  if (!native) {
    const token = IERC20Metadata__factory.connect(q.payToken.address, who);
    if ((await token.allowance(me, await zap.getAddress())) < q.bound) await (await token.approve(await zap.getAddress(), q.bound)).wait();
  }
  const params = {
    vault, shares: q.shares, receiver: opts.receiver ?? me, tokenIn: native ? NATIVE : q.payToken.address,
    maxAmountIn: q.bound, deadline: await deadline(provider, opts.deadlineSeconds), routes: [...q.routes],
  };
  const value = native ? q.bound : 0n;
  const before = await balanceOf(provider, q.payToken.address, me, native);
  await z.mint.staticCall(params, { value });
  const tx = await z.mint(params, { value });
  const receipt = (await tx.wait())!;
  const after = await balanceOf(provider, q.payToken.address, me, native);
  const gasCost = native ? receipt.gasUsed * receipt.gasPrice : 0n;
  return { hash: tx.hash, gasUsed: receipt.gasUsed, actual: before - after - gasCost };
}

/** Approves the zap for the shares when needed, then sends redeem with minAmountOut = the quote's bound. */
export async function sendZapRedeem(zap: IndexZap, who: Signer, vault: string, q: ZapQuote, opts: ZapSendOptions = {}): Promise<ZapResult> {
  checkAgainstNav(q, opts.maxNavDeviationBps);
  const provider = who.provider!;
  const me = await who.getAddress();
  const receiver = opts.receiver ?? me;
  const native = opts.native ?? false;
  const z = zap.connect(who);
  const shareToken = IERC20Metadata__factory.connect(vault, who);
  if ((await shareToken.allowance(me, await zap.getAddress())) < q.shares) await (await shareToken.approve(await zap.getAddress(), q.shares)).wait();
  const params = {
    vault, shares: q.shares, receiver, tokenOut: native ? NATIVE : q.payToken.address,
    minAmountOut: q.bound, deadline: await deadline(provider, opts.deadlineSeconds), routes: [...q.routes],
  };
  const before = await balanceOf(provider, q.payToken.address, receiver, native);
  await z.redeem.staticCall(params);
  const tx = await z.redeem(params);
  const receipt = (await tx.wait())!;
  const after = await balanceOf(provider, q.payToken.address, receiver, native);
  const gasCost = native && receiver === me ? receipt.gasUsed * receipt.gasPrice : 0n;
  return { hash: tx.hash, gasUsed: receipt.gasUsed, actual: after - before + gasCost };
}

export function zapAt(address: string, runner: Signer | Provider): IndexZap {
  return IndexZap__factory.connect(address, runner);
}

// ---------------------------------------------------------------------------------------------
// index:mint --pay / index:redeem --receive
// ---------------------------------------------------------------------------------------------


export interface ZapTaskArgs {
  side: ZapSide;
  /** The product's vault and its symbol. */
  vault: string;
  symbol: string;
  shares: bigint;
  /** "USDC", "ETH", a token symbol of the record, or an address. */
  token: string;
  maxSlippageBps: number;
  maxNavDeviationBps?: number;
  /** The IndexZap address; default: Ignition's deployed_addresses.json for this chain ("IndexZap#IndexZap"). */
  zap?: string;
  receiver?: string;
}

/** The zap address: given, else the one Ignition recorded for this chain. */
export function resolveZap(chainId: number, given?: string, root = process.cwd()): string {
  if (given !== undefined) return given;
  const file = path.join(root, "ignition", "deployments", `chain-${chainId}`, "deployed_addresses.json");
  const found = fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>)["IndexZap#IndexZap"] : undefined;
  if (found === undefined) {
    fail(`no IndexZap deployed on chain ${chainId}: pass --zap ADDRESS, or deploy it with \`npx hardhat ignition deploy ignition/modules/Zap.ts --network <name>\` (parameters router, routerKind, weth)`);
  }
  return found;
}

export function zapMarketOf(record: DeploymentRecord): ZapMarket {
  const u = record.uniswap ?? {};
  if (u.factory === undefined || u.quoter === undefined) fail(`deployments/${record.network}.json has no uniswap.factory/quoter: the zap needs Uniswap V3 to quote`);
  const hubs = (Array.isArray(record.hubs) ? (record.hubs as string[]) : []).map((h) => record.tokens[h]?.address).filter((a): a is string => a !== undefined);
  return { factory: u.factory, quoter: u.quoter, hubs };
}
