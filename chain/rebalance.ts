/**
 * The chain-facing keeper rebalance behind `ssi:rebalance` and the demo (issue 3), for any vault with
 * a Rebalancer: the SSI products (the record's `products.<PRODUCT>`) and SANX (the record's `sanx`,
 * issue 4: its targets come from the SanxBasket gate, its trades go through the same Rebalancer and
 * adapter with the same oracle floors).
 *
 * 1. `readRebalanceState`: the vault's latest accepted targets, its window on the Rebalancer, the
 *    basket's balances, the PriceRegistry's prices, the limits, the pools (factory.getPool, deepest
 *    first) and the hubs of the deployment record.
 * 2. `planRebalance`: the pure planner (src/planner) over that state, restricted to the window's sides
 *    (Rebalancer.direction when this round's window is open, else openDirections: what the open will
 *    fix; a token on target at open, or bought past it, is not traded back), each trade's on-chain oracle
 *    floor (Rebalancer.oracleMinOut), the pool's quote and swap gas (QuoterV2), the cool-off schedule
 *    (src/rebalance) and, when the window is already open, estimateGas of each batch. Sends nothing.
 * 3. `executeRebalance`: opens the window (unless open for this round; plans again if a feed moved
 *    between the plan and the open so the sides fixed on chain differ), sends the batches the cool-off
 *    allows (executeTrades), and when nothing waits closes the window and VERIFIES the basket against
 *    the targets (weights within tolerance, completed round, basket = targets), failing loudly on a miss.
 *    It never moves time: trades waiting on a pair's cool-off are reported and the run stops cleanly,
 *    with the window left open; running the task again after the cool-off continues from the balances.
 */
import { getAddress, type Signer } from "ethers";
import Table from "cli-table3";
import { ROLE } from "../ignition/modules/roles";
import { IERC20__factory, IndexVault__factory, PriceRegistry__factory, Rebalancer__factory, type IndexVault, type Rebalancer } from "../typechain-types";
import { SSI_PRODUCTS } from "../ignition/modules/constants";
import { listPools, poolContract, uniswapContracts, type MarketAddresses } from "./market";
import { addressKey, encodeV3Path, planTrades, type Holding, type Plan, type Pool, type Side, type Trade } from "../src/planner";
import { checkWeights, keeperDustUsd, pairOf, scheduleTrades, slippageBoundUsd, type Position, type Schedule, type WeightCheck } from "../src/rebalance";
import { fail } from "./errors";
import { tokenIndex, type DeploymentRecord } from "./deployment";
import { describeRevert, simulateThenSend, vaultOf, type Log } from "./ssi";
import type { Client } from "./client";

/** Trades per executeTrades transaction (each swap is ~100-200k gas; 8 stays far below a block). */
export const MAX_BATCH = 8;

/** The vaults the keeper rebalances: the SSI products and SANX. */
export const REBALANCE_INDEXES = [...SSI_PRODUCTS, "SANX"] as const;
export type RebalanceIndex = (typeof REBALANCE_INDEXES)[number];

/** What the keeper needs of a vault from the record: its address, its Rebalancer, its display symbol. */
export interface IndexEntry {
  vault: string;
  rebalancer: string;
  symbol: string;
}

/**
 * The vault and Rebalancer of `index` in the record: `products.<PRODUCT>` for an SSI product, the
 * `sanx` part (sanx:deploy) for SANX. Fails naming the deploy task to run when either is missing.
 */
export function indexEntry(record: DeploymentRecord, index: RebalanceIndex): IndexEntry {
  if (index === "SANX") {
    const sanx = (record as DeploymentRecord & { sanx?: { vault?: string; rebalancer?: string } }).sanx;
    if (sanx?.vault === undefined) fail(`deployments/${record.network}.json has no SANX deployment: run sanx:deploy first`);
    if (sanx.rebalancer === undefined) fail(`deployments/${record.network}.json has no SANX Rebalancer (deployed before SANX traded): run sanx:deploy again`);
    return { vault: sanx.vault, rebalancer: sanx.rebalancer, symbol: "SANX" };
  }
  const p = record.products[index];
  if (p === undefined) fail(`deployments/${record.network}.json has no ${index} vault: run ssi:deploy first`);
  if (p.rebalancer === undefined) {
    fail(`deployments/${record.network}.json has no Rebalancer for ${index} (deployed before issue 3): run ssi:deploy again to deploy the Rebalancers`);
  }
  return { vault: p.vault, rebalancer: p.rebalancer, symbol: p.symbol };
}

/** The task that sets `index`'s targets (for messages). */
const targetsTask = (index: RebalanceIndex): string => (index === "SANX" ? "sanx:execute" : `ssi:push-weights --index ${index}`);

export interface Limits {
  maxSlippageBps: number;
  toleranceBps: number;
  cooldown: bigint; // {s}
  maxWindow: bigint; // {s}
  maxTradeUsd: bigint; // {1e18 USD}
}

export interface RebalanceState {
  product: RebalanceIndex;
  vault: IndexVault;
  rebalancer: Rebalancer;
  /** The latest accepted targets. */
  round: bigint;
  targets: Map<string, bigint>; // address (checksummed) -> {WAD}
  window: { completedRound: bigint; openRound: bigint; openedAt: bigint };
  paused: boolean;
  /** Held tokens and target tokens, with balances {tok}, prices {1e18 USD} and display symbols. */
  positions: Position[];
  held: string[];
  limits: Limits;
  pools: Pool[];
  hubs: string[];
  adapter: string;
  now: bigint; // {unix s} latest block
  /**
   * Each position's side (IRebalancer.Direction) that the trades must respect: the open window's, fixed at
   * its open, when this round's window is open; else what `openRebalance` would fix now (openDirections).
   */
  sides: Record<string, Side>;
}

/** IRebalancer.Direction (None, Sell, Buy) as the planner's side. */
const SIDE_OF: readonly Side[] = ["none", "sell", "buy"];

export interface PlannedTrade extends Trade {
  /** {tok of tokenOut} Rebalancer.oracleMinOut: the floor the contract enforces. */
  oracleMinOut: bigint;
  /** {tok of tokenOut} QuoterV2 quote for this trade alone at the current pool state; undefined if the quote failed. */
  quotedOut?: bigint;
  /** QuoterV2's gas estimate of the swap alone. */
  quoteGas?: bigint;
  /** The trade is sent in batch `batch` (1-based), or waits on the pair's cool-off until `waitUntil`. */
  batch?: number;
  waitUntil?: bigint;
  routeData: string;
}

export interface RebalancePlan {
  state: RebalanceState;
  plan: Plan;
  trades: PlannedTrade[];
  schedule: Schedule;
  /** {1e18 USD} the planner's chunk cap (the on-chain cap unless --max-trade-usd lowers it). */
  maxTradeUsd: bigint;
  dustUsd: bigint;
  /** estimateGas of each batch when the window is already open (else undefined: see quoteGas). */
  batchGas?: bigint[];
  /** Problems that stop execution (e.g. a pool quote below the oracle floor). */
  blockers: string[];
  /** Nothing to do: this round is already complete. */
  done: boolean;
}

// ---------------------------------------------------------------------------------------------
// State
// ---------------------------------------------------------------------------------------------

export function rebalancerOf(record: DeploymentRecord, product: RebalanceIndex, runner: Signer | import("ethers").Provider): Rebalancer {
  return Rebalancer__factory.connect(indexEntry(record, product).rebalancer, runner);
}

/** The vault of `index` (an SSI product or SANX). */
export function indexVaultOf(record: DeploymentRecord, index: RebalanceIndex, runner: Signer | import("ethers").Provider): IndexVault {
  return index === "SANX" ? IndexVault__factory.connect(indexEntry(record, index).vault, runner) : vaultOf(record, index, runner);
}

/** The record's market part as the market helpers take it. */
export function marketOf(record: DeploymentRecord): MarketAddresses {
  const u = record.uniswap;
  if (u?.factory === undefined || u.router === undefined || u.quoter === undefined) {
    fail(`deployments/${record.network}.json has no Uniswap addresses (uniswap.factory, router, quoter): the keeper cannot find pools`);
  }
  const hubs = Array.isArray(record.hubs) ? (record.hubs as string[]) : [];
  return { chainId: record.chainId, tokens: record.tokens, uniswap: u as MarketAddresses["uniswap"], hubs, network: record.network };
}

export async function readRebalanceState(client: Client, record: DeploymentRecord, product: RebalanceIndex): Promise<RebalanceState> {
  const provider = client.provider;
  const vault = indexVaultOf(record, product, provider);
  const rebalancer = rebalancerOf(record, product, provider);
  if ((await provider.getCode(await rebalancer.getAddress())) === "0x") {
    fail(`the ${product} Rebalancer ${await rebalancer.getAddress()} has no code on this chain: run ${product === "SANX" ? "sanx:deploy" : "ssi:deploy"} first`);
  }
  const registry = PriceRegistry__factory.connect(await vault.priceRegistry(), provider);
  const market = marketOf(record);
  const index = tokenIndex(record);
  const symbolOf = (a: string) => index.get(a.toLowerCase())?.asset ?? a;

  const [round, targetTokens, targetWeights] = await vault.targets();
  const [held] = await vault.basket();
  const [completedRound, openRound, openedAt] = await rebalancer.window();
  const lim = await rebalancer.limits();
  const limits: Limits = {
    maxSlippageBps: Number(lim.maxSlippageBps),
    toleranceBps: Number(lim.toleranceBps),
    cooldown: lim.cooldown,
    maxWindow: lim.maxWindow,
    maxTradeUsd: lim.maxTradeUsd,
  };
  const targets = new Map(targetTokens.map((t, i) => [getAddress(t), targetWeights[i]!]));
  const all = [...new Set([...held, ...targetTokens].map((a) => getAddress(a)))];
  const vaultAddress = await vault.getAddress();
  const positions: Position[] = [];
  for (const a of all) {
    let price: bigint;
    let decimals: bigint;
    try {
      [price, decimals] = await registry.priceAndDecimals(a);
    } catch (e) {
      fail(`no usable price for ${symbolOf(a)} (${a}): ${describeRevert(registry, e)}; nothing was sent`);
    }
    const balance = await IERC20__factory.connect(a, provider).balanceOf(vaultAddress);
    positions.push({ address: a, symbol: symbolOf(a), decimals: Number(decimals), balance, price });
  }

  // Pools: every involved token against every hub, the hubs with each other, and direct pairs.
  const keyOf = (a: string) => index.get(a.toLowerCase())?.key;
  const hubKeys = market.hubs;
  const keys = [...new Set(all.map((a) => keyOf(a)).filter((k): k is string => k !== undefined))];
  const pairs: [string, string][] = [];
  const seen = new Set<string>();
  const add = (a: string, b: string) => {
    if (a === b) return;
    const k = a < b ? `${a}|${b}` : `${b}|${a}`;
    if (!seen.has(k)) (seen.add(k), pairs.push([a, b]));
  };
  for (const [i, h] of hubKeys.entries()) for (const h2 of hubKeys.slice(i + 1)) add(h, h2);
  for (const k of keys) for (const h of hubKeys) add(k, h);
  for (const [i, k] of keys.entries()) for (const k2 of keys.slice(i + 1)) add(k, k2);
  const found = await listPools(provider, market, undefined, pairs);
  // Deepest first within a pair: the planner takes the first pool listed for a pair.
  const depth = new Map<string, bigint>();
  for (const p of found) depth.set(p.address, (await poolContract(p.address, provider).liquidity()) as bigint);
  found.sort((x, y) => {
    const px = pairOf(x.tokenA, x.tokenB);
    const py = pairOf(y.tokenA, y.tokenB);
    if (px !== py) return px < py ? -1 : 1;
    const [dx, dy] = [depth.get(x.address)!, depth.get(y.address)!];
    return dx === dy ? 0 : dx > dy ? -1 : 1;
  });
  const pools = found.filter((p) => depth.get(p.address)! > 0n).map((p) => ({ tokenA: p.tokenA, tokenB: p.tokenB, fee: p.fee }));
  const hubs = hubKeys.map((h) => getAddress(market.tokens[h]!.address));
  // The sides: fixed on chain for an open window of this round; else those the open would fix now.
  const sides: Record<string, Side> = {};
  if (openRound === round && round !== 0n) {
    for (const a of all) sides[a] = SIDE_OF[Number(await rebalancer.direction(a))]!;
  } else if (round > completedRound) {
    let tokens: string[];
    let codes: bigint[];
    try {
      [tokens, codes] = await rebalancer.openDirections();
    } catch (e) {
      fail(`Rebalancer.openDirections reverted: ${describeRevert(rebalancer, e)}; nothing was sent`);
    }
    tokens.forEach((t, i) => (sides[getAddress(t)] = SIDE_OF[Number(codes[i]!)]!));
  }
  const adapter = record.protocol.tradeAdapter;
  if (adapter === undefined) fail(`deployments/${record.network}.json names no trade adapter: run ssi:deploy again`);

  return {
    product,
    vault,
    rebalancer,
    round,
    targets,
    window: { completedRound, openRound, openedAt },
    paused: await vault.paused(),
    positions,
    held: held.map((h) => getAddress(h)),
    limits,
    pools,
    hubs,
    adapter: getAddress(adapter),
    now: BigInt((await provider.getBlock("latest"))!.timestamp),
    sides,
  };
}

// ---------------------------------------------------------------------------------------------
// Plan
// ---------------------------------------------------------------------------------------------

export interface PlanOptions {
  /** {1e18 USD} chunk cap; at most the Rebalancer's maxTradeUsd. Default: that limit. */
  maxTradeUsd?: bigint;
}

export async function planRebalance(client: Client, record: DeploymentRecord, product: RebalanceIndex, opts: PlanOptions = {}): Promise<RebalancePlan> {
  const state = await readRebalanceState(client, record, product);
  const { limits } = state;
  if (state.round === 0n) fail(`the ${product} vault has no target weights yet: run ${targetsTask(product)} first`);
  const maxTradeUsd = opts.maxTradeUsd ?? limits.maxTradeUsd;
  if (maxTradeUsd > limits.maxTradeUsd) {
    fail(`--max-trade-usd ${fmtUsd(maxTradeUsd)} is above the ${product} Rebalancer's per-trade cap of ${fmtUsd(limits.maxTradeUsd)}: every such trade would revert TradeAboveCap`);
  }
  const basket: Holding[] = state.positions.map((p) => ({ address: p.address, symbol: p.symbol, decimals: p.decimals, balance: p.balance }));
  const prices = Object.fromEntries(state.positions.map((p) => [p.address, p.price]));
  const targets = Object.fromEntries(state.targets);
  const navUsd = checkWeights(state.positions, state.targets, limits.toleranceBps).navUsd;
  const dustUsd = keeperDustUsd(navUsd, limits.toleranceBps, maxTradeUsd, state.positions.length);
  // Only sell->buy trades of the window's sides (the contract refuses the rest: WrongDirection).
  const sides = Object.keys(state.sides).length > 0 ? state.sides : undefined;
  const plan = planTrades({ basket, prices, targets, pools: state.pools, hubs: state.hubs, maxTradeUsd, dustUsd, maxSlippageBps: limits.maxSlippageBps, sides });
  const done = state.round <= state.window.completedRound;
  const blockers: string[] = [];
  // The close checks value weights, and an empty vault weighs 0 everywhere: nothing to rebalance until shares exist.
  if (!done && navUsd === 0n) blockers.push(`the ${product} vault holds nothing (no shares minted): nothing to trade; rebalance after the first mint`);

  // Per trade: the on-chain floor, the pool's quote and the swap's gas.
  const { quoter } = uniswapContracts(marketOf(record), client.provider);
  const trades: PlannedTrade[] = [];
  for (const t of done ? [] : plan.trades) {
    const routeData = encodeV3Path(t.path, t.fees);
    let oracleMinOut: bigint;
    try {
      oracleMinOut = await state.rebalancer.oracleMinOut(t.tokenIn, t.tokenOut, t.amountIn);
    } catch (e) {
      fail(`Rebalancer.oracleMinOut(${t.symbolIn} -> ${t.symbolOut}) reverted: ${describeRevert(state.rebalancer, e)}; nothing was sent`);
    }
    const pt: PlannedTrade = { ...t, oracleMinOut, routeData };
    try {
      const [amountOut, , , gasEstimate] = (await quoter.quoteExactInput.staticCall(routeData, t.amountIn)) as [bigint, unknown, unknown, bigint];
      pt.quotedOut = amountOut;
      pt.quoteGas = gasEstimate;
      const floor = oracleMinOut > t.minAmountOut ? oracleMinOut : t.minAmountOut;
      if (amountOut < floor) {
        blockers.push(`${t.symbolIn} -> ${t.symbolOut}: the pool quotes ${amountOut}, below the oracle floor ${floor} (pool price off the feeds by more than the ${limits.maxSlippageBps} bps slippage bound)`);
      }
    } catch (e) {
      blockers.push(`${t.symbolIn} -> ${t.symbolOut}: QuoterV2 could not quote the route (${(e as Error).message.split("\n")[0]})`);
    }
    trades.push(pt);
  }

  // Cool-off schedule from the pairs' last trade times.
  const lastTradeAt = new Map<string, bigint>();
  for (const t of trades) {
    const pair = pairOf(t.tokenIn, t.tokenOut);
    if (!lastTradeAt.has(pair)) lastTradeAt.set(pair, await state.rebalancer.lastTradeAt(t.tokenIn, t.tokenOut));
  }
  const schedule = scheduleTrades(trades, { now: state.now, cooldown: limits.cooldown, lastTradeAt, maxBatch: MAX_BATCH });
  schedule.batches.forEach((b, i) => b.forEach((t) => ((t as PlannedTrade).batch = i + 1)));
  for (const w of schedule.waiting) (w.trade as PlannedTrade).waitUntil = w.until;

  // estimateGas of each batch, possible only while this round's window is open (else the call reverts).
  let batchGas: bigint[] | undefined;
  if (!done && state.window.openRound === state.round && !state.paused && blockers.length === 0) {
    const keeper = await keeperSigner(client, record, state.rebalancer).catch(() => undefined);
    if (keeper !== undefined) {
      batchGas = [];
      for (const b of schedule.batches) {
        try {
          batchGas.push(await state.rebalancer.connect(keeper).executeTrades.estimateGas(toStructs(b as PlannedTrade[], state.adapter)));
        } catch (e) {
          blockers.push(`batch would revert: ${describeRevert(state.rebalancer, e)}`);
          batchGas = undefined;
          break;
        }
      }
    }
  }
  return { state, plan, trades, schedule, maxTradeUsd, dustUsd, batchGas, blockers, done };
}

function toStructs(trades: readonly PlannedTrade[], adapter: string) {
  return trades.map((t) => ({ adapter, tokenIn: t.tokenIn, tokenOut: t.tokenOut, amountIn: t.amountIn, minAmountOut: t.minAmountOut, routeData: t.routeData }));
}

// ---------------------------------------------------------------------------------------------
// Execute and verify
// ---------------------------------------------------------------------------------------------

/** A local account holding KEEPER_ROLE on the Rebalancer (the record's keeper first). */
export async function keeperSigner(client: Client, record: DeploymentRecord, rebalancer: Rebalancer): Promise<Signer> {
  const signers = await client.signers();
  const preferred = signers.filter((s) => s.address === getAddress(record.protocol.keeper));
  for (const s of [...preferred, ...signers]) if (await rebalancer.hasRole(ROLE.KEEPER, s.address)) return s;
  fail(`no account configured for network "${record.network}" holds KEEPER_ROLE on ${await rebalancer.getAddress()} (the record's keeper is ${record.protocol.keeper}): run with the keeper's key as DEPLOYER_KEY`);
}

export interface ExecutedTrade {
  symbolIn: string;
  symbolOut: string;
  amountIn: bigint;
  amountOut: bigint;
  minAmountOut: bigint;
  /** {1e18 USD} amountIn at the oracle price. */
  usdValue: bigint;
}

export interface RebalanceResult {
  status: "complete" | "partial" | "nothing-to-do" | "nothing-to-trade";
  opened: boolean;
  executed: ExecutedTrade[];
  /** gasUsed of each executeTrades transaction. */
  batchGasUsed: bigint[];
  openGasUsed?: bigint;
  closeGasUsed?: bigint;
  waiting: { symbolIn: string; symbolOut: string; amountIn: bigint; until: bigint }[];
  navBefore: bigint;
  navAfter: bigint;
  /** {1e18 USD} floor(traded USD * maxSlippageBps / 1e4): the NAV the trades may lose at most. */
  slippageBoundUsd: bigint;
  /** The verification at the end (weights after the close, or now when partial). */
  check: { navUsd: bigint; rows: WeightCheck[]; ok: boolean };
}

export async function executeRebalance(client: Client, record: DeploymentRecord, plan: RebalancePlan, log: Log = () => undefined): Promise<RebalanceResult> {
  let p = plan;
  const { state } = p;
  const product = state.product;
  if (p.done) {
    const check = checkWeights(state.positions, state.targets, state.limits.toleranceBps);
    return { status: "nothing-to-do", opened: false, executed: [], batchGasUsed: [], waiting: [], navBefore: check.navUsd, navAfter: check.navUsd, slippageBoundUsd: 0n, check };
  }
  if (nothingToTrade(p)) {
    // Every weight is already within tolerance and the basket holds exactly the targets: opening and
    // closing a window would cost two transactions and move nothing.
    const check = checkWeights(state.positions, state.targets, state.limits.toleranceBps);
    return { status: "nothing-to-trade", opened: false, executed: [], batchGasUsed: [], waiting: [], navBefore: check.navUsd, navAfter: check.navUsd, slippageBoundUsd: 0n, check };
  }
  // == Checks before sending anything ==
  if (state.paused) fail(`the ${product} vault is paused by the guardian: no rebalance while paused; nothing was sent`);
  if (p.blockers.length > 0) fail(`refusing to trade ${product}; nothing was sent:\n  - ${p.blockers.join("\n  - ")}`);
  const keeper = await keeperSigner(client, record, state.rebalancer);
  const rebalancer = state.rebalancer.connect(keeper);
  const navBefore = checkWeights(state.positions, state.targets, state.limits.toleranceBps).navUsd;

  // == Open ==
  let opened = false;
  let openGasUsed: bigint | undefined;
  if (state.window.openRound !== state.round) {
    const tx = await simulateThenSend(rebalancer, `${product} Rebalancer.openRebalance`, () => rebalancer.openRebalance.staticCall(), () => rebalancer.openRebalance());
    openGasUsed = (await tx.wait())!.gasUsed;
    opened = true;
    log(`opened the ${product} rebalance window for round ${state.round} (tx ${tx.hash})`);
    // The sides were fixed at the open's prices; if a feed moved since the plan, plan again against them.
    const fixed = (await readRebalanceState(client, record, product)).sides;
    const moved = Object.keys(fixed).filter((a) => fixed[a] !== state.sides[a]);
    if (moved.length > 0) {
      log(`the sides fixed at open differ from the plan's for ${moved.map((a) => symbolIn(state, a)).join(", ")}: planning again against them`);
      p = await planRebalance(client, record, product, { maxTradeUsd: p.maxTradeUsd });
      if (p.blockers.length > 0) fail(`refusing to trade ${product} after the re-plan; the window is open, no trade was sent:\n  - ${p.blockers.join("\n  - ")}`);
    }
  }

  // == Trades, batch by batch ==
  const executed: ExecutedTrade[] = [];
  const batchGasUsed: bigint[] = [];
  for (const [i, batch] of p.schedule.batches.entries()) {
    const structs = toStructs(batch as PlannedTrade[], state.adapter);
    const tx = await simulateThenSend(rebalancer, `${product} Rebalancer.executeTrades (batch ${i + 1})`, () => rebalancer.executeTrades.staticCall(structs), () => rebalancer.executeTrades(structs));
    const receipt = (await tx.wait())!;
    batchGasUsed.push(receipt.gasUsed);
    const events = receipt.logs.map((l) => {
      try {
        return rebalancer.interface.parseLog(l);
      } catch {
        return null;
      }
    }).filter((e) => e?.name === "TradeExecuted");
    batch.forEach((t, j) => {
      const ev = events[j]!;
      executed.push({ symbolIn: t.symbolIn, symbolOut: t.symbolOut, amountIn: t.amountIn, amountOut: ev.args.amountOut as bigint, minAmountOut: ev.args.minAmountOut as bigint, usdValue: t.usdValue });
    });
    log(`batch ${i + 1}/${p.schedule.batches.length}: ${batch.length} trade(s), gas ${receipt.gasUsed} (tx ${tx.hash})`);
  }
  const bound = slippageBoundUsd(executed, state.limits.maxSlippageBps);
  const waiting = p.schedule.waiting.map((w) => ({ symbolIn: w.trade.symbolIn, symbolOut: w.trade.symbolOut, amountIn: w.trade.amountIn, until: w.until }));

  // == Partial: trades wait on the cool-off; stop cleanly with the window open ==
  if (waiting.length > 0) {
    const now = await readRebalanceState(client, record, product);
    const check = checkWeights(now.positions, now.targets, now.limits.toleranceBps);
    return { status: "partial", opened, executed, batchGasUsed, openGasUsed, waiting, navBefore, navAfter: check.navUsd, slippageBoundUsd: bound, check };
  }

  // == Close: only when the contract's own tolerance check passes ==
  const [ok, token, weight, target] = await rebalancer.toleranceCheck();
  if (!ok) {
    const sym = state.positions.find((x) => addressKey(x.address) === addressKey(token))?.symbol ?? token;
    fail(`REBALANCE MISSED the targets of ${product} round ${state.round}: ${sym} weighs ${fmtPct(weight)} against a target of ${fmtPct(target)} (tolerance ${state.limits.toleranceBps} bps); the window stays open, the close was not sent`);
  }
  const closeTx = await simulateThenSend(rebalancer, `${product} Rebalancer.closeRebalance`, () => rebalancer.closeRebalance.staticCall(), () => rebalancer.closeRebalance());
  const closeGasUsed = (await closeTx.wait())!.gasUsed;
  log(`closed the ${product} rebalance window (tx ${closeTx.hash})`);

  // == Verify independently of the contract's check ==
  const after = await readRebalanceState(client, record, product);
  const check = checkWeights(after.positions, after.targets, after.limits.toleranceBps);
  const problems: string[] = [];
  for (const r of check.rows) {
    if (!r.ok) problems.push(`${r.symbol}: weight ${fmtPct(r.weight)}, target ${fmtPct(r.target)}, off by ${fmtPct(r.diff)} > ${after.limits.toleranceBps} bps`);
  }
  if (after.window.completedRound !== state.round) problems.push(`the Rebalancer's completed round is ${after.window.completedRound}, not ${state.round}`);
  const basketSet = new Set(after.held.map(addressKey));
  for (const t of after.targets.keys()) if (!basketSet.has(addressKey(t))) problems.push(`target ${symbolIn(after, t)} is not in the vault's basket after the close`);
  for (const h of after.held) if (!after.targets.has(h)) problems.push(`${symbolIn(after, h)} is still in the basket but not in the targets`);
  const loss = navBefore > check.navUsd ? navBefore - check.navUsd : 0n;
  if (loss > bound) problems.push(`NAV fell by ${fmtUsd(loss)}, more than the slippage bound ${fmtUsd(bound)} on ${fmtUsd(executed.reduce((a, t) => a + t.usdValue, 0n))} traded`);
  if (problems.length > 0) fail(`REBALANCE VERIFICATION FAILED for ${product} round ${state.round}:\n  - ${problems.join("\n  - ")}`);
  return { status: "complete", opened, executed, batchGasUsed, openGasUsed, closeGasUsed, waiting, navBefore, navAfter: check.navUsd, slippageBoundUsd: bound, check };
}

/**
 * True when a new round needs no transaction at all: no window is open, no trade is planned or
 * waiting, the basket holds exactly the target tokens, and every weight is within tolerance.
 */
export function nothingToTrade(p: RebalancePlan): boolean {
  const { state } = p;
  if (p.done || state.window.openRound === state.round) return false;
  if (p.trades.length > 0 || p.schedule.waiting.length > 0 || p.blockers.length > 0) return false;
  const held = new Set(state.held.map(addressKey));
  const targets = [...state.targets.keys()].map(addressKey);
  if (held.size !== targets.length || !targets.every((t) => held.has(t))) return false;
  return checkWeights(state.positions, state.targets, state.limits.toleranceBps).ok;
}

function symbolIn(state: RebalanceState, address: string): string {
  return state.positions.find((p) => addressKey(p.address) === addressKey(address))?.symbol ?? address;
}

// ---------------------------------------------------------------------------------------------
// The keeper run behind `ssi:rebalance` (and `sanx:execute --rebalance`)
// ---------------------------------------------------------------------------------------------

export interface KeeperRunOptions {
  /** Print the plan and send nothing. */
  dryRun: boolean;
  /** {1e18 USD} chunk cap (default: the Rebalancer's). */
  maxTradeUsd?: bigint;
  /** JSON mode: the tables are left out (the caller prints `json`). */
  json: boolean;
}

export interface KeeperRun {
  status: "dry-run" | RebalanceResult["status"];
  /** The plan (and the result when executed) as plain JSON (bigints as decimal strings). */
  json: Record<string, unknown>;
}

/**
 * Plans `index`'s rebalance and, unless `dryRun`, executes, closes and verifies it: the whole
 * `ssi:rebalance` run. Human-readable lines go to `info` (tables only when not `json`); the caller
 * prints `json` when it wants JSON.
 */
export async function runKeeper(client: Client, record: DeploymentRecord, product: RebalanceIndex, opts: KeeperRunOptions, info: Log): Promise<KeeperRun> {
  const p = await planRebalance(client, record, product, opts.maxTradeUsd === undefined ? {} : { maxTradeUsd: opts.maxTradeUsd });
  const { state, plan, trades } = p;
  const index = tokenIndex(record);
  const symbolOf = (a: string) => index.get(a.toLowerCase())?.asset ?? a;
  const decimalsOf = (a: string) => index.get(a.toLowerCase())?.token.decimals ?? 18;
  const symbol = indexEntry(record, product).symbol;
  const s = plan.summary;
  const turnoverPct = s.navUsd === 0n ? 0n : (s.turnoverUsd * 10n ** 18n) / s.navUsd;
  const quoteGas = trades.reduce((a, t) => a + (t.quoteGas ?? 0n), 0n);

  // == The plan ==
  if (!opts.json) {
    info(`${symbol} rebalance to round ${state.round} on ${record.network}: window ${state.window.openRound === state.round ? "open" : "closed"}, last completed round ${state.window.completedRound}`);
    info(`NAV ${fmtUsd(s.navUsd)} · turnover ${fmtUsd(s.turnoverUsd)} (${fmtPct(turnoverPct)} of NAV) · ${trades.length} trade(s) · cap ${fmtUsd(p.maxTradeUsd)}/trade · dust ${fmtUsd(p.dustUsd)} · slippage bound ${state.limits.maxSlippageBps} bps · tolerance ${state.limits.toleranceBps} bps · cool-off ${state.limits.cooldown} s`);
    const w = new Table({ head: ["token", "now", "target", "planned"], style: { compact: true, head: [] } });
    for (const pos of state.positions) {
      const k = pos.address.toLowerCase();
      w.push([pos.symbol, fmtPct(s.currentWeights[k] ?? 0n), fmtPct(state.targets.get(pos.address) ?? 0n), fmtPct(s.expectedWeights[k] ?? 0n)]);
    }
    info(w.toString());
    if (trades.length > 0) {
      const t = new Table({ head: ["#", "sell", "buy", "path", "amount in", "USD", "expected out (oracle)", "min out (floor)", "pool quote", "gas", "when"], style: { compact: true, head: [] } });
      trades.forEach((x, i) => {
        const dOut = decimalsOf(x.tokenOut);
        const floor = x.oracleMinOut > x.minAmountOut ? x.oracleMinOut : x.minAmountOut;
        const vsOracle = x.quotedOut === undefined || x.expectedAmountOut === 0n ? "" : ` (${Number(((x.quotedOut - x.expectedAmountOut) * 1_000_000n) / x.expectedAmountOut) / 10_000}%)`;
        t.push([
          i + 1, x.symbolIn, x.symbolOut, fmtPath(x, symbolOf), fmtAmount(x.amountIn, decimalsOf(x.tokenIn)), fmtUsd(x.usdValue),
          fmtAmount(x.expectedAmountOut, dOut), fmtAmount(floor, dOut), x.quotedOut === undefined ? "-" : `${fmtAmount(x.quotedOut, dOut)}${vsOracle}`,
          x.quoteGas?.toString() ?? "-", x.batch !== undefined ? `batch ${x.batch}` : `after ${new Date(Number(x.waitUntil!) * 1000).toISOString()}`,
        ]);
      });
      info(t.toString());
    }
    for (const d of s.skippedDust) info(`  not traded (within dust): ${d.symbol} ${fmtUsd(d.deltaUsd)} from target`);
    for (const d of s.skippedSide) info(`  not traded (the window's side forbids it): ${d.symbol} ${fmtUsd(d.deltaUsd)} from target`);
    if (p.batchGas !== undefined) info(`gas (estimateGas, window open): ${p.batchGas.map((g, i) => `batch ${i + 1} ${g}`).join(", ")}`);
    else if (trades.length > 0) info(`gas: swaps alone ${quoteGas} (QuoterV2 estimate; estimateGas of executeTrades needs the window open, which --dry-run does not do)`);
    for (const b of p.blockers) info(`BLOCKED: ${b}`);
  }
  const planJson = {
    index: product, symbol, network: record.network, round: state.round, navUsd: s.navUsd, turnoverUsd: s.turnoverUsd, turnoverWad: turnoverPct,
    tradedUsd: s.tradedUsd, maxTradeUsd: p.maxTradeUsd, dustUsd: p.dustUsd, limits: state.limits,
    weights: state.positions.map((pos) => ({ symbol: pos.symbol, token: pos.address, current: s.currentWeights[pos.address.toLowerCase()] ?? 0n, target: state.targets.get(pos.address) ?? 0n, planned: s.expectedWeights[pos.address.toLowerCase()] ?? 0n })),
    trades: trades.map((x) => ({
      sell: x.symbolIn, buy: x.symbolOut, tokenIn: x.tokenIn, tokenOut: x.tokenOut, path: x.path.map(symbolOf), fees: x.fees, amountIn: x.amountIn, usdValue: x.usdValue,
      expectedAmountOut: x.expectedAmountOut, minAmountOut: x.minAmountOut, oracleMinOut: x.oracleMinOut, quotedOut: x.quotedOut, quoteGas: x.quoteGas, batch: x.batch, waitUntil: x.waitUntil,
    })),
    skippedDust: s.skippedDust, skippedSide: s.skippedSide, batchGas: p.batchGas, quoteGas, blockers: p.blockers,
  };

  if (p.done) {
    info(`${symbol} round ${state.round} is already rebalanced (completed round ${state.window.completedRound}): nothing to do`);
    return { status: "nothing-to-do", json: toJson({ ...planJson, status: "nothing-to-do" }) as Record<string, unknown> };
  }
  if (nothingToTrade(p)) {
    info(`${symbol} round ${state.round}: nothing to trade, every weight is within ${state.limits.toleranceBps} bps of its target and the basket holds exactly the targets; no transaction ${opts.dryRun ? "would be" : "was"} sent (no window opened)`);
    return { status: "nothing-to-trade", json: toJson({ ...planJson, status: "nothing-to-trade" }) as Record<string, unknown> };
  }
  if (opts.dryRun) {
    info(`dry run: nothing was sent. Execute with: npx hardhat ssi:rebalance --index ${product} --network ${client.network}`);
    return { status: "dry-run", json: toJson({ ...planJson, status: "dry-run" }) as Record<string, unknown> };
  }

  // == Execute, close, verify ==
  const r = await executeRebalance(client, record, p, info);
  if (!opts.json) {
    const t = new Table({ head: ["token", "weight", "target", "off by", "within tolerance"], style: { compact: true, head: [] } });
    for (const row of r.check.rows) t.push([row.symbol, fmtPct(row.weight), fmtPct(row.target), fmtPct(row.diff), row.ok ? "yes" : "NO"]);
    info(t.toString());
    const loss = r.navBefore - r.navAfter;
    info(`executed ${r.executed.length} trade(s) in ${r.batchGasUsed.length} batch(es), gas ${r.batchGasUsed.join(" + ") || "0"}${r.openGasUsed !== undefined ? ` (open ${r.openGasUsed})` : ""}${r.closeGasUsed !== undefined ? ` (close ${r.closeGasUsed})` : ""}`);
    info(`NAV ${fmtUsd(r.navBefore)} -> ${fmtUsd(r.navAfter)} (change ${fmtUsd(-loss)}; slippage bound ${fmtUsd(r.slippageBoundUsd)})`);
  }
  if (r.status === "partial") {
    for (const w of r.waiting) info(`waiting on the cool-off: ${w.symbolIn} -> ${w.symbolOut} ${w.amountIn} until ${new Date(Number(w.until) * 1000).toISOString()}`);
    info(`${r.waiting.length} trade(s) wait on the per-pair cool-off: the window stays open; run ssi:rebalance --index ${product} again after ${new Date(Number(r.waiting.reduce((a, w) => (w.until > a ? w.until : a), 0n)) * 1000).toISOString()} to continue`);
  } else {
    info(`${symbol} round ${state.round} rebalanced and verified: every weight within ${state.limits.toleranceBps} bps of its target`);
  }
  return { status: r.status, json: toJson({ ...planJson, status: r.status, result: r }) as Record<string, unknown> };
}

// ---------------------------------------------------------------------------------------------
// Display helpers
// ---------------------------------------------------------------------------------------------

/** {WAD} as a percentage with 2 decimals, rounded DOWN. */
export function fmtPct(wad: bigint): string {
  const bp = (wad * 10_000n) / 10n ** 18n; // hundredths of a percent, rounded down
  return `${bp / 100n}.${(bp % 100n).toString().padStart(2, "0")}%`;
}

/** {1e18 USD} as dollars and cents, rounded DOWN. */
export function fmtUsd(wad: bigint): string {
  const neg = wad < 0n;
  const cents = (neg ? -wad : wad) / 10n ** 16n;
  return `${neg ? "-" : ""}$${(cents / 100n).toLocaleString("en-US")}.${(cents % 100n).toString().padStart(2, "0")}`;
}

/** A token amount with at most `sig` significant fractional digits (display only). */
export function fmtAmount(amount: bigint, decimals: number, sig = 6): string {
  const scale = 10n ** BigInt(decimals);
  const whole = amount / scale;
  let frac = (amount % scale).toString().padStart(decimals, "0");
  if (whole > 0n) frac = frac.slice(0, Math.max(0, sig - Math.min(sig, whole.toString().length)) + 2);
  else {
    const lead = frac.length - frac.replace(/^0+/, "").length;
    frac = frac.slice(0, lead + sig);
  }
  frac = frac.replace(/0+$/, "");
  return `${whole.toLocaleString("en-US")}${frac ? "." + frac : ""}`;
}

/** The path as symbols with fee tiers, e.g. "FARTCOIN -0.3%-> USDC -0.3%-> BRETT". */
export function fmtPath(t: Pick<Trade, "path" | "fees">, symbolOf: (a: string) => string): string {
  return t.path.map((a, i) => (i < t.fees.length ? `${symbolOf(a)} -${t.fees[i]! / 10_000}%->` : symbolOf(a))).join(" ");
}

/** Plain-JSON form (bigints as decimal strings). */
export function toJson(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v)));
}
