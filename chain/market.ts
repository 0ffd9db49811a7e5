/**
 * A mainnet-like local market (SAMPLE prices, synthetic tokens): ERC-20 tokens with realistic decimals,
 * Chainlink MockV3Aggregator feeds (8 decimals), and real Uniswap V3 (factory, SwapRouter,
 * NonfungiblePositionManager, QuoterV2 from the npm packages' compiled artifacts) with full-range pools
 * against USDC and WETH seeded at the feed prices.
 *
 * Works on any local chain through any ethers v6 signer (in-process Hardhat network or a `hardhat node`
 * over JSON-RPC). Every transaction carries an explicit gas limit (no estimateGas round trips) and the
 * receipts of one phase are awaited together, so a deployment is a few seconds.
 */
import * as fs from "fs";
import * as path from "path";
import { Contract, ContractFactory, Interface, getCreateAddress, type Provider, type Signer, type TransactionResponse } from "ethers";
import FactoryArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Factory.sol/UniswapV3Factory.json";
import PoolArtifact from "@uniswap/v3-core/artifacts/contracts/UniswapV3Pool.sol/UniswapV3Pool.json";
import RouterArtifact from "@uniswap/v3-periphery/artifacts/contracts/SwapRouter.sol/SwapRouter.json";
import PositionManagerArtifact from "@uniswap/v3-periphery/artifacts/contracts/NonfungiblePositionManager.sol/NonfungiblePositionManager.json";
import QuoterV2Artifact from "@uniswap/v3-periphery/artifacts/contracts/lens/QuoterV2.sol/QuoterV2.json";
import { AggregatorV3Interface__factory, MockAggregator__factory, MockERC20__factory, UniswapV3Adapter__factory, type UniswapV3Adapter } from "../typechain-types";
import type { MarketPart } from "./deployment";
import type { TestnetFeed } from "./testnet-feeds";

// ---------------------------------------------------------------------------------------------
// The addresses file (same keys as deployments/base-mainnet.json)
// ---------------------------------------------------------------------------------------------

export interface MarketToken {
  address: string;
  /** ERC-20 decimals (8 for the BTC wrapper, 6 for USDC, 18 for the rest here). */
  decimals: number;
  /** Chainlink {USD} per whole token aggregator. */
  feed: string;
  feedDecimals: number;
  /** Seconds after the feed's `updatedAt` beyond which its answer counts as stale. */
  heartbeat: number;
}

/** A Uniswap V3 pool found for a pair (tokenA/tokenB are token addresses, in token0/token1 order). */
export interface MarketPool {
  tokenA: string;
  tokenB: string;
  /** Fee tier in hundredths of a bip (500 = 0.05%, 3000 = 0.3%). */
  fee: number;
  address: string;
}

/** Which router ABI `uniswap.router` speaks (absent in a file means "SwapRouter"). */
export type RouterKindName = "SwapRouter" | "SwapRouter02";

/** The addresses file: the format of deployments/README.md (base-mainnet.json is the real-chain example). */
export interface MarketAddresses {
  /** A name for messages ("localhost", "base"). */
  network?: string;
  chainId: number;
  /** Keyed by token symbol (e.g. "cbBTC", "WETH", "USDC", "LINK"); see `tokenForAsset` for BTC/ETH. */
  tokens: Record<string, MarketToken>;
  uniswap: { factory: string; router: string; routerKind?: RouterKindName; quoter: string; positionManager: string };
  /** Routing hubs in preference order, as symbols of `tokens` (["USDC", "WETH"]). */
  hubs: string[];
}

// ---------------------------------------------------------------------------------------------
// Configuration (pure data)
// ---------------------------------------------------------------------------------------------

/** Symbols the index universes use for the assets whose on-chain form is a wrapper. */
export const ASSET_ALIASES: Readonly<Record<string, string>> = { BTC: "cbBTC", ETH: "WETH" };

/** Decimals different from 18. */
export const TOKEN_DECIMALS: Readonly<Record<string, number>> = { cbBTC: 8, WBTC: 8, USDC: 6, USDT: 6 };

/**
 * SAMPLE prices in USD per whole token (synthetic round figures, not market data). Feeds are created
 * at these values with 8 decimals; USDC is 1.00.
 */
export const SAMPLE_PRICES_USD: Readonly<Record<string, number>> = {
  cbBTC: 95_000, WETH: 3_300, USDC: 1, BNB: 650, SOL: 180, XRP: 2.2, ADA: 0.7, TRX: 0.25, TON: 5.5,
  AVAX: 35, LINK: 20,
  DOGE: 0.3, SHIB: 0.00002, PEPE: 0.00001, FLOKI: 0.00015, WIF: 2, BONK: 0.00003, TRUMP: 15,
  BRETT: 0.1, POPCAT: 0.5, MOG: 0.0000015, NEIRO: 0.001, PENGU: 0.02,
  UNI: 10, AAVE: 250, MKR: 1_500, COMP: 60, SNX: 2, SUSHI: 1, BAL: 2, REN: 0.05, CRV: 0.6, YFI: 7_000,
  LDO: 1.5, "1INCH": 0.35, LRC: 0.15, ZRX: 0.4, UMA: 2.5, KNC: 0.5, GRT: 0.15, PENDLE: 4,
};

/**
 * Default constituents: the layer-1 set plus LINK, the 12 meme tokens and the 18 defi tokens of
 * `src/data/tokens.json` (BTC as cbBTC, ETH as WETH). USDC and WETH are always deployed (the hubs).
 */
export const DEFAULT_SYMBOLS: readonly string[] = [
  "cbBTC", "WETH", "BNB", "SOL", "XRP", "ADA", "TRX", "TON", "AVAX", "LINK",
  "DOGE", "SHIB", "PEPE", "FLOKI", "WIF", "BONK", "TRUMP", "BRETT", "POPCAT", "MOG", "NEIRO", "PENGU",
  "UNI", "AAVE", "MKR", "COMP", "SNX", "SUSHI", "BAL", "REN", "CRV", "YFI", "LDO", "1INCH", "LRC", "ZRX",
  "UMA", "KNC", "GRT", "PENDLE",
];

export const FEED_DECIMALS = 8;
export const DEFAULT_HEARTBEAT = 86_400;
/** Fee tiers: every token against each hub at 0.3%; the hub pair USDC/WETH at 0.05%. */
export const FEE_TOKEN_HUB = 3000;
export const FEE_HUB_HUB = 500;
const TICK_SPACING: Readonly<Record<number, number>> = { 500: 10, 3000: 60, 10000: 200 };
const MAX_TICK = 887272;

export interface MarketOptions {
  /**
   * Tokens to deploy besides the hubs (USDC, WETH): token symbols, or asset symbols with an alias
   * (BTC -> cbBTC, ETH -> WETH). Default DEFAULT_SYMBOLS.
   */
  symbols?: readonly string[];
  /** USD per whole token (number) or a raw 8-decimal feed answer (bigint); overrides SAMPLE_PRICES_USD. */
  prices?: Readonly<Record<string, number | bigint>>;
  /** {USD, whole dollars} value of EACH side of every pool. Default 50M: a $100k trade moves a pool ~0.4%. */
  depthUsd?: number;
  heartbeat?: number;
  /** Write the addresses JSON here (directories are created). Omit for an in-memory result only. */
  outFile?: string;
  /**
   * Pools per NonfungiblePositionManager.multicall transaction (create + initialise + mint, ~5.2M gas
   * each). Default 3, under the 2^24 per-transaction gas cap of recent hardforks.
   */
  poolsPerTx?: number;
  /** `network` written to the file (a name for messages). Default "localhost". */
  network?: string;
  /** Progress lines (e.g. `console.error`). */
  log?: (line: string) => void;
}

/** The default path the CLI and the demo write. */
export const DEFAULT_MARKET_FILE = "deployments/localhost.json";

// ---------------------------------------------------------------------------------------------
// Pure helpers (bigint math)
// ---------------------------------------------------------------------------------------------

/** Integer square root, rounded DOWN. */
export function isqrt(n: bigint): bigint {
  if (n < 0n) throw new RangeError(`isqrt of a negative number: ${n}`);
  if (n < 2n) return n;
  // Newton's method from 2^ceil(bits/2) >= sqrt(n): the iterates decrease to floor(sqrt(n)).
  let x = 1n << BigInt(Math.ceil(n.toString(2).length / 2));
  for (;;) {
    const y = (x + n / x) >> 1n;
    if (y >= x) break;
    x = y;
  }
  return x;
}

/**
 * sqrtPriceX96 of a pool whose token0 is worth `answer0` and token1 `answer1` (feed answers, same
 * decimals), rounded DOWN: sqrt(price of one token0 base unit in token1 base units) * 2^96, where that
 * price is (answer0 / 10^dec0) / (answer1 / 10^dec1).
 */
export function sqrtPriceX96(answer0: bigint, decimals0: number, answer1: bigint, decimals1: number): bigint {
  if (answer0 <= 0n || answer1 <= 0n) throw new RangeError("prices must be positive");
  const num = answer0 * 10n ** BigInt(decimals1) << 192n;
  const den = answer1 * 10n ** BigInt(decimals0);
  return isqrt(num / den); // floor division, then floor sqrt: rounded DOWN
}

/** {tok} base units of a token worth `usd` whole dollars at a feed answer with `feedDecimals`, rounded DOWN. */
export function amountForUsd(usd: bigint, answer: bigint, decimals: number, feedDecimals = FEED_DECIMALS): bigint {
  return (usd * 10n ** BigInt(decimals) * 10n ** BigInt(feedDecimals)) / answer;
}

/** A USD price (number) as a feed answer with `feedDecimals` decimals (rounded to nearest by toFixed). */
export function toAnswer(price: number | bigint, feedDecimals = FEED_DECIMALS): bigint {
  if (typeof price === "bigint") {
    if (price <= 0n) throw new RangeError(`feed answer must be positive, got ${price}`);
    return price;
  }
  if (!Number.isFinite(price) || price <= 0) throw new RangeError(`price must be a positive number, got ${price}`);
  const [whole, frac = ""] = price.toFixed(feedDecimals).split(".");
  const answer = BigInt(whole + frac.padEnd(feedDecimals, "0"));
  if (answer <= 0n) throw new RangeError(`price ${price} is below one unit of a ${feedDecimals}-decimal feed`);
  return answer;
}

/** Uniswap V3 encoded path: token (20 bytes) | fee (3 bytes) | token ... */
export function encodePath(tokens: readonly string[], fees: readonly number[]): string {
  if (tokens.length < 2 || fees.length !== tokens.length - 1) {
    throw new RangeError(`a path needs n >= 2 tokens and n - 1 fees (got ${tokens.length} and ${fees.length})`);
  }
  let hex = "0x";
  tokens.forEach((t, i) => {
    hex += t.toLowerCase().replace(/^0x/, "").padStart(40, "0");
    if (i < fees.length) hex += fees[i].toString(16).padStart(6, "0");
  });
  return hex;
}

/** The token symbol a universe asset trades as (BTC -> cbBTC, ETH -> WETH); other symbols unchanged. */
export function marketSymbol(symbol: string): string {
  return ASSET_ALIASES[symbol.toUpperCase()] ?? symbol;
}

/**
 * The market entry for a universe asset or token symbol: exact key first, then the alias, then a
 * case-insensitive match (so "BTC", "cbBTC" and "CBBTC" all find a cbBTC entry; "BTC" also finds "WBTC").
 */
export function tokenForAsset(market: Pick<MarketAddresses, "tokens">, symbol: string): MarketToken | undefined {
  const keys = Object.keys(market.tokens);
  const find = (s: string) => market.tokens[s] ?? market.tokens[keys.find((k) => k.toUpperCase() === s.toUpperCase()) ?? ""];
  const direct = find(symbol) ?? find(marketSymbol(symbol));
  if (direct !== undefined || symbol.toUpperCase() !== "BTC") return direct;
  return find("WBTC");
}

function minTick(fee: number): number {
  const spacing = TICK_SPACING[fee];
  return -Math.floor(MAX_TICK / spacing) * spacing;
}

// ---------------------------------------------------------------------------------------------
// Deployment
// ---------------------------------------------------------------------------------------------

interface Art {
  abi: unknown[];
  bytecode: string;
}

const GAS = { token: 1_500_000n, feed: 1_000_000n, call: 200_000n, factory: 6_000_000n, router: 4_000_000n, npm: 6_000_000n, quoter: 3_000_000n, pool: 5_400_000n };

/** Deploys the market and returns its addresses (also written to `options.outFile` when given). */
export async function deployMarket(signer: Signer, options: MarketOptions = {}): Promise<MarketAddresses> {
  const provider = signer.provider;
  if (provider === null) throw new Error("deployMarket: the signer has no provider");
  const log = options.log ?? (() => undefined);
  const me = await signer.getAddress();
  const chainId = Number((await provider.getNetwork()).chainId);
  const heartbeat = options.heartbeat ?? DEFAULT_HEARTBEAT;
  const depthUsd = BigInt(Math.round(options.depthUsd ?? 50_000_000));
  const poolsPerTx = options.poolsPerTx ?? 3;

  const symbols = unique(["USDC", "WETH", ...(options.symbols ?? DEFAULT_SYMBOLS).map(marketSymbol)]);
  const answers: Record<string, bigint> = {};
  for (const s of symbols) {
    const p = options.prices?.[s] ?? SAMPLE_PRICES_USD[s];
    if (p === undefined) throw new Error(`deployMarket: no price for ${s}; pass options.prices.${s}`);
    answers[s] = toAnswer(p);
  }

  // Nonces are tracked here so transactions go out back to back and receipts are awaited per phase.
  let nonce = await provider.getTransactionCount(me, "pending");
  // Fee fields fixed once (3x today's max fee, ample for a few hundred blocks of automine) so the
  // signer does not ask the node for fee data on every transaction.
  const feeData = await provider.getFeeData();
  const fees = feeData.maxFeePerGas !== null
    ? { maxFeePerGas: feeData.maxFeePerGas * 3n, maxPriorityFeePerGas: feeData.maxPriorityFeePerGas ?? 0n }
    : { gasPrice: (feeData.gasPrice ?? 0n) * 3n };
  const pending: TransactionResponse[] = [];
  const flush = async () => {
    const receipts = await Promise.all(pending.splice(0).map((tx) => tx.wait()));
    for (const r of receipts) if (r === null || r.status !== 1) throw new Error(`deployMarket: transaction failed: ${r?.hash}`);
  };
  const deploy = async (art: Art, args: unknown[], gasLimit: bigint): Promise<string> => {
    const factory = new ContractFactory(art.abi as never, art.bytecode, signer);
    const tx = await factory.getDeployTransaction(...args);
    const n = nonce++;
    pending.push(await signer.sendTransaction({ ...tx, nonce: n, gasLimit, ...fees }));
    return getCreateAddress({ from: me, nonce: n });
  };
  const send = async (to: string, data: string, gasLimit: bigint) => {
    pending.push(await signer.sendTransaction({ to, data, nonce: nonce++, gasLimit, ...fees }));
  };

  // Phase 1: tokens, feeds, Uniswap.
  const t0 = Date.now();
  const erc20 = { abi: MockERC20__factory.abi as unknown as unknown[], bytecode: MockERC20__factory.bytecode };
  const agg = { abi: MockAggregator__factory.abi as unknown as unknown[], bytecode: MockAggregator__factory.bytecode };
  const tokens: Record<string, MarketToken> = {};
  for (const s of symbols) {
    const decimals = TOKEN_DECIMALS[s] ?? 18;
    const address = await deploy(erc20, [`${s} (SAMPLE)`, s, decimals], GAS.token);
    const feed = await deploy(agg, [FEED_DECIMALS, answers[s]], GAS.feed);
    tokens[s] = { address, decimals, feed, feedDecimals: FEED_DECIMALS, heartbeat };
  }
  const weth = tokens.WETH.address;
  const factory = await deploy(FactoryArtifact as Art, [], GAS.factory);
  const router = await deploy(RouterArtifact as Art, [factory, weth], GAS.router);
  // No token descriptor: tokenURI is not used by the market.
  const positionManager = await deploy(PositionManagerArtifact as Art, [factory, weth, ZERO], GAS.npm);
  const quoter = await deploy(QuoterV2Artifact as Art, [factory, weth], GAS.quoter);
  await flush();
  log(`market: ${symbols.length} tokens + feeds and Uniswap V3 deployed (${Date.now() - t0} ms)`);

  // Phase 2: the pool list and the liquidity each token needs; mint it and approve the position manager.
  const pairs: Array<[string, string, number]> = [["USDC", "WETH", FEE_HUB_HUB]];
  for (const s of symbols) {
    if (s === "USDC" || s === "WETH") continue;
    pairs.push([s, "USDC", FEE_TOKEN_HUB], [s, "WETH", FEE_TOKEN_HUB]);
  }
  const need: Record<string, bigint> = {};
  const mints: Array<{ token0: string; token1: string; fee: number; sqrtP: bigint; amount0: bigint; amount1: bigint }> = [];
  for (const [a, b, fee] of pairs) {
    const [s0, s1] = BigInt(tokens[a].address) < BigInt(tokens[b].address) ? [a, b] : [b, a];
    const amount0 = amountForUsd(depthUsd, answers[s0], tokens[s0].decimals);
    const amount1 = amountForUsd(depthUsd, answers[s1], tokens[s1].decimals);
    need[s0] = (need[s0] ?? 0n) + amount0;
    need[s1] = (need[s1] ?? 0n) + amount1;
    mints.push({
      token0: tokens[s0].address, token1: tokens[s1].address, fee,
      sqrtP: sqrtPriceX96(answers[s0], tokens[s0].decimals, answers[s1], tokens[s1].decimals),
      amount0, amount1,
    });
  }
  const erc20If = new Interface(MockERC20__factory.abi);
  for (const s of symbols) {
    await send(tokens[s].address, erc20If.encodeFunctionData("mint", [me, need[s]]), GAS.call);
    await send(tokens[s].address, erc20If.encodeFunctionData("approve", [positionManager, MAX_UINT256]), GAS.call);
  }
  await flush();

  // Phase 3: create, initialise and seed every pool with full-range liquidity, a few pools per multicall.
  const t1 = Date.now();
  const npmIf = new Interface(PositionManagerArtifact.abi);
  const deadline = 2n ** 48n;
  for (let i = 0; i < mints.length; i += poolsPerTx) {
    const calls: string[] = [];
    for (const m of mints.slice(i, i + poolsPerTx)) {
      calls.push(npmIf.encodeFunctionData("createAndInitializePoolIfNecessary", [m.token0, m.token1, m.fee, m.sqrtP]));
      calls.push(
        npmIf.encodeFunctionData("mint", [{
          token0: m.token0, token1: m.token1, fee: m.fee,
          tickLower: minTick(m.fee), tickUpper: -minTick(m.fee),
          amount0Desired: m.amount0, amount1Desired: m.amount1, amount0Min: 0n, amount1Min: 0n,
          recipient: me, deadline,
        }]),
      );
    }
    await send(positionManager, npmIf.encodeFunctionData("multicall", [calls]), GAS.pool * BigInt(calls.length / 2));
  }
  await flush();
  log(`market: ${mints.length} pools created and seeded (${Date.now() - t1} ms)`);

  const market: MarketAddresses = {
    network: options.network ?? "localhost",
    chainId,
    tokens,
    uniswap: { factory, router, routerKind: "SwapRouter", quoter, positionManager },
    hubs: ["USDC", "WETH"],
  };
  if (options.outFile !== undefined) writeMarket(options.outFile, market);
  return market;
}

/** Writes the addresses JSON (pretty, trailing newline), creating directories. */
export function writeMarket(file: string, market: MarketAddresses): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(market, null, 2) + "\n");
}

/** Reads and shape-checks an addresses JSON (local market or a real chain's file). */
export function readMarket(file: string): MarketAddresses {
  const raw = JSON.parse(fs.readFileSync(file, "utf8")) as Partial<MarketAddresses>;
  const missing = (["chainId", "tokens", "uniswap", "hubs"] as const).filter((k) => raw[k] === undefined);
  if (missing.length > 0) throw new Error(`${file}: not a market addresses file (missing ${missing.join(", ")})`);
  const badHubs = (Array.isArray(raw.hubs) ? raw.hubs : [String(raw.hubs)]).filter((h) => raw.tokens![h] === undefined);
  if (!Array.isArray(raw.hubs) || badHubs.length > 0) throw new Error(`${file}: hubs must list symbols of tokens (unknown: ${badHubs.join(", ")})`);
  return raw as MarketAddresses;
}

/** The address of a hub (or any token) by symbol; throws naming the symbol when absent. */
export function tokenAddress(market: Pick<MarketAddresses, "tokens">, symbol: string): string {
  const t = tokenForAsset(market, symbol);
  if (t === undefined) throw new Error(`market has no token ${symbol}`);
  return t.address;
}

/**
 * Pools that exist for `pairs` (default: every token against every hub, and the hubs with each other)
 * over `fees` (default 100, 500, 3000, 10000), via factory.getPool.
 */
export async function listPools(
  provider: Provider,
  market: MarketAddresses,
  fees: readonly number[] = [100, 500, 3000, 10000],
  pairs?: ReadonlyArray<readonly [string, string]>,
): Promise<MarketPool[]> {
  const factory = new Contract(market.uniswap.factory, FactoryArtifact.abi, provider);
  const want: Array<readonly [string, string]> = [];
  if (pairs !== undefined) want.push(...pairs);
  else {
    market.hubs.forEach((h, i) => market.hubs.slice(i + 1).forEach((h2) => want.push([h, h2])));
    for (const s of Object.keys(market.tokens)) if (!market.hubs.includes(s)) for (const h of market.hubs) want.push([s, h]);
  }
  const found = await Promise.all(
    want.flatMap(([a, b]) => {
      const [x, y] = [tokenAddress(market, a), tokenAddress(market, b)];
      const [t0, t1] = BigInt(x) < BigInt(y) ? [x, y] : [y, x];
      return fees.map(async (fee) => ({ tokenA: t0, tokenB: t1, fee, address: (await factory.getPool(t0, t1, fee)) as string }));
    }),
  );
  return found.filter((p) => p.address !== ZERO);
}

/**
 * Pushes a fresh answer to every feed of a local market (MockV3Aggregator.updateAnswer), e.g. after
 * `time.increase` made them stale. `prices` overrides the answers (USD number or raw bigint) per symbol;
 * symbols not given keep their latest answer.
 */
export async function refreshFeeds(signer: Signer, market: Pick<MarketAddresses, "tokens">, prices: Readonly<Record<string, number | bigint>> = {}): Promise<void> {
  const txs: TransactionResponse[] = [];
  for (const [sym, t] of Object.entries(market.tokens)) {
    const feed = MockAggregator__factory.connect(t.feed, signer);
    const answer = prices[sym] !== undefined ? toAnswer(prices[sym], t.feedDecimals) : await feed.latestAnswer();
    txs.push(await feed.updateAnswer(answer, { gasLimit: GAS.call }));
  }
  await Promise.all(txs.map((tx) => tx.wait()));
}

/** The pool address of a pair, or undefined when the factory has none. */
export async function poolAddress(provider: Provider, market: MarketAddresses, tokenA: string, tokenB: string, fee: number): Promise<string | undefined> {
  const f = new Contract(market.uniswap.factory, FactoryArtifact.abi, provider);
  const p: string = await f.getPool(tokenA, tokenB, fee);
  return p === ZERO ? undefined : p;
}

/**
 * The baseline for gas comparisons: the same swap made directly through the market's router
 * (`exactInput`, v3-periphery SwapRouter ABI), approving the router for the path's first token when
 * needed (in its own transaction, not counted). `signer` must hold `amountIn` of that token.
 * @returns amountOut {tok of the last token} and gasUsed of the swap transaction.
 */
export async function swapDirect(signer: Signer, market: Pick<MarketAddresses, "uniswap">, routePath: string, amountIn: bigint, recipient?: string): Promise<{ amountOut: bigint; gasUsed: bigint }> {
  const me = await signer.getAddress();
  const tokenIn = MockERC20__factory.connect("0x" + routePath.slice(2, 42), signer);
  if ((await tokenIn.allowance(me, market.uniswap.router)) < amountIn) await (await tokenIn.approve(market.uniswap.router, MAX_UINT256)).wait();
  const router = new Contract(market.uniswap.router, RouterArtifact.abi, signer);
  const params = { path: routePath, recipient: recipient ?? me, deadline: 2n ** 48n, amountIn, amountOutMinimum: 0n };
  const amountOut: bigint = await router.exactInput.staticCall(params);
  const receipt = await (await router.exactInput(params)).wait();
  return { amountOut, gasUsed: receipt!.gasUsed };
}

/** An ethers Contract for a Uniswap V3 pool (ABI from the npm artifact). */
export function poolContract(address: string, runner: Provider | Signer): Contract {
  return new Contract(address, PoolArtifact.abi, runner);
}

/** ethers Contracts for the market's Uniswap periphery (ABIs from the npm artifacts). */
export function uniswapContracts(market: MarketAddresses, runner: Provider | Signer) {
  return {
    factory: new Contract(market.uniswap.factory, FactoryArtifact.abi, runner),
    router: new Contract(market.uniswap.router, RouterArtifact.abi, runner),
    quoter: new Contract(market.uniswap.quoter, QuoterV2Artifact.abi, runner),
    positionManager: new Contract(market.uniswap.positionManager, PositionManagerArtifact.abi, runner),
  };
}

const ZERO = "0x0000000000000000000000000000000000000000";
const MAX_UINT256 = 2n ** 256n - 1n;

function unique(xs: string[]): string[] {
  return [...new Set(xs)];
}

// ---------------------------------------------------------------------------------------------
// The Uniswap V3 trade adapter
// ---------------------------------------------------------------------------------------------

/** UniswapV3Adapter.RouterKind: 0 = v3-periphery SwapRouter (local market), 1 = SwapRouter02 (Base, L2s). */
export enum RouterKind {
  SwapRouter = 0,
  SwapRouter02 = 1,
}

/** SwapRouter02 answers `factoryV2()`; the original SwapRouter has no such function. */
export async function detectRouterKind(provider: Provider, router: string): Promise<RouterKind> {
  const data = new Interface(["function factoryV2() view returns (address)"]).encodeFunctionData("factoryV2");
  try {
    const out = await provider.call({ to: router, data });
    return out.length >= 66 ? RouterKind.SwapRouter02 : RouterKind.SwapRouter;
  } catch {
    return RouterKind.SwapRouter;
  }
}

/**
 * Deploys a UniswapV3Adapter over the market's router, for `kind`, else the file's `routerKind`
 * (absent = SwapRouter, as deployments/README.md says).
 */
export async function deployUniswapV3Adapter(signer: Signer, market: Pick<MarketAddresses, "uniswap" | "hubs" | "tokens">, kind?: RouterKind): Promise<UniswapV3Adapter> {
  const k = kind ?? (market.uniswap.routerKind === "SwapRouter02" ? RouterKind.SwapRouter02 : RouterKind.SwapRouter);
  const [hub0, hub1] = adapterHubs(market);
  const adapter = await new UniswapV3Adapter__factory(signer).deploy(market.uniswap.router, k, hub0, hub1);
  await adapter.waitForDeployment();
  return adapter;
}

/**
 * The two hub tokens the UniswapV3Adapter lets a route pass through (the market's `hubs`, USDC and
 * WETH), as addresses; the zero address for a missing one (it allows nothing).
 */
export function adapterHubs(market: Pick<MarketAddresses, "hubs" | "tokens">): [string, string] {
  const ZERO = "0x0000000000000000000000000000000000000000";
  const hubs = market.hubs.map((h) => market.tokens[h]?.address).filter((a): a is string => a !== undefined);
  if (hubs.length > 2) throw new Error(`the UniswapV3Adapter takes at most two hub tokens, the market names ${market.hubs.join(", ")}`);
  return [hubs[0] ?? ZERO, hubs[1] ?? ZERO];
}

// ---------------------------------------------------------------------------------------------
// The sample market behind `ssi:deploy --sample-market` and the demo: `deployMarket` plus, on a
// testnet, the real Chainlink testnet feeds of `TESTNET_FEEDS` in place of the mock feed where one exists.
// ---------------------------------------------------------------------------------------------

export interface SampleMarketOptions {
  network: string;
  /** USD per whole token by market symbol (e.g. cbBTC, WETH, DOGE); one token is deployed per entry. */
  prices: Record<string, number>;
  /** Real feeds to use instead of mocks, by market symbol (testnets). */
  testnetFeeds: Readonly<Record<string, TestnetFeed>>;
  log?: (line: string) => void;
}

export async function deploySampleMarket(signer: Signer, opts: SampleMarketOptions): Promise<MarketPart> {
  const log = opts.log ?? (() => undefined);
  const market: MarketPart = await deployMarket(signer, { symbols: Object.keys(opts.prices), prices: opts.prices, network: opts.network, log });
  for (const [sym, real] of Object.entries(opts.testnetFeeds)) {
    const token = market.tokens[sym];
    if (token === undefined) continue;
    try {
      const feed = AggregatorV3Interface__factory.connect(real.address, signer);
      const decimals = Number(await feed.decimals());
      const [, answer] = await feed.latestRoundData();
      if (answer <= 0n) throw new Error(`non-positive answer ${answer}`);
      market.tokens[sym] = { ...token, feed: real.address, feedDecimals: decimals, heartbeat: real.heartbeat, feedKind: "chainlink" };
      log(`${sym}: using the Chainlink ${opts.network} feed ${real.pair} at ${real.address}${real.confirmed ? "" : " (address unconfirmed, read OK)"}`);
    } catch (e) {
      log(`${sym}: Chainlink ${real.pair} at ${real.address} could not be read (${(e as Error).message}); keeping the mock feed`);
    }
  }
  for (const t of Object.values(market.tokens)) t.feedKind ??= "mock";
  return market;
}
