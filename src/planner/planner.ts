/**
 * The pure trade planner: from the current basket, oracle prices and target weights, the list of
 * swaps that reaches the targets with the least turnover. bigint only; no hardhat/ethers import.
 *
 * Method (units in brackets, see ./types.ts):
 * 1. value_i = floor(balance_i * price_i / 10^dec_i)               [USD]   (rounded DOWN)
 *    NAV = sum value_i; target_i = floor(NAV * w_i / 1e18)          [USD]   (rounded DOWN)
 *    delta_i = value_i - target_i.
 * 2. Over-weight tokens (delta_i >= dust, > 0) are sellers of exactly delta_i; under-weight tokens
 *    (-delta_i >= dust) are buyers. Tokens within dust of target are not traded (reported in
 *    `skippedDust`). With `sides` (the Rebalancer window's per-token side, fixed at open), a token is
 *    sold only if its side is "sell" and bought only if "buy"; the others are reported in
 *    `skippedSide` (the contract would refuse them: WrongDirection); when the sellers left then exceed the
 *    buyers left, the sellers are scaled down pro rata (rounded DOWN) to what the buyers need, so nothing
 *    is bought past its target. Nothing else is sold, so turnover = sum of over-weights: the minimum, since any
 *    plan must at least sell each token's excess. Buyers' needs are then scaled pro rata so that they
 *    sum to exactly what is sold (the difference is only target rounding and dust left untouched).
 * 3. Sellers are matched to buyers greedily (largest first, ties by address): first every pair with
 *    a direct pool, then the rest through the first hub (in `hubs` order) that has a pool with both.
 *    A pair left unmatched with no route is a MethodologyError. A matched leg below dust is folded
 *    into the same seller's largest leg (the seller still sells exactly its excess; two buyers end
 *    up off by less than dust each).
 * 4. Each seller's total amount in token units is floor(sell_usd * 10^dec / price) (rounded DOWN),
 *    or its whole balance when its target weight is 0 (sold to exactly zero). That amount is spread
 *    over its legs by cumulative flooring, so the legs sum to it exactly and never above the balance.
 * 5. Each leg is split into chunks of at most floor(maxTradeUsd * 10^dec / price) units (so a chunk's
 *    value, rounded down, never exceeds the cap), cap-sized chunks first and the remainder last; a
 *    remainder worth less than dust is merged with the chunk before it and the two split in halves.
 * 6. expectedAmountOut = floor(amountIn * priceIn * 10^decOut / (priceOut * 10^decIn)) (DOWN, at
 *    oracle prices, before pool fees); minAmountOut = floor(expected * (10000 - bps) / 10000) (DOWN).
 */
import { InputError, MethodologyError } from "../lib/errors";
import type { DustSkip, Holding, Plan, PlanInput, Pool, Side, Trade } from "./types";

export const WAD = 10n ** 18n;
const BPS = 10_000n;
export const DEFAULT_MAX_SLIPPAGE_BPS = 100;
const MAX_DECIMALS = 36;
const MAX_UNISWAP_FEE = 1_000_000;

/** Address key: addresses are compared case-insensitively. */
export const addressKey = (address: string): string => address.toLowerCase();

const pow10 = (decimals: number): bigint => 10n ** BigInt(decimals);

/** {USD} value of `amount` {tok} at `price` {USD per whole token}: floor(amount * price / 10^dec), rounded DOWN. */
export function valueUsdDown(amount: bigint, price: bigint, decimals: number): bigint {
  return (amount * price) / pow10(decimals);
}

/** {tok} amount worth `usd` {USD} at `price`: floor(usd * 10^dec / price), rounded DOWN. */
export function amountForUsdDown(usd: bigint, price: bigint, decimals: number): bigint {
  return (usd * pow10(decimals)) / price;
}

/**
 * {tok of out} what `amountIn` {tok of in} is worth in the out token at the two oracle prices,
 * rounded DOWN: floor(amountIn * priceIn * 10^decOut / (priceOut * 10^decIn)). One division, so
 * only one rounding.
 */
export function convertAtPricesDown(
  amountIn: bigint,
  priceIn: bigint,
  decimalsIn: number,
  priceOut: bigint,
  decimalsOut: number,
): bigint {
  return (amountIn * priceIn * pow10(decimalsOut)) / (priceOut * pow10(decimalsIn));
}

/** {tok} floor(expected * (10000 - bps) / 10000): the minimum output, rounded DOWN. */
export function minAmountOutDown(expectedAmountOut: bigint, maxSlippageBps: number): bigint {
  return (expectedAmountOut * (BPS - BigInt(maxSlippageBps))) / BPS;
}

interface Token {
  readonly address: string;
  readonly key: string;
  readonly symbol: string;
  readonly decimals: number;
  readonly balance: bigint;
  target: bigint; // {WAD}
  price: bigint; // {USD per whole token}; 0n only for tokens that neither are held nor targeted
}

interface Route {
  readonly path: readonly string[];
  readonly fees: readonly number[];
}

interface Leg {
  readonly seller: Token;
  readonly buyer: Token;
  usd: bigint; // {USD}
  readonly route: Route;
}

const label = (t: { symbol: string; address: string }): string => `${t.symbol} (${t.address})`;

function readBasket(basket: readonly Holding[]): Map<string, Token> {
  const tokens = new Map<string, Token>();
  for (const [i, h] of basket.entries()) {
    if (typeof h.address !== "string" || h.address.length === 0) {
      throw new InputError(`basket[${i}] has no address`);
    }
    if (!Number.isInteger(h.decimals) || h.decimals < 0 || h.decimals > MAX_DECIMALS) {
      throw new InputError(`basket[${i}] ${label(h)} has decimals ${h.decimals}; expected an integer 0..${MAX_DECIMALS}`);
    }
    if (typeof h.balance !== "bigint" || h.balance < 0n) {
      throw new InputError(`basket[${i}] ${label(h)} has balance ${String(h.balance)}; expected a bigint >= 0`);
    }
    const key = addressKey(h.address);
    if (tokens.has(key)) throw new InputError(`basket lists ${label(h)} twice`);
    tokens.set(key, { ...h, key, target: 0n, price: 0n });
  }
  return tokens;
}

function readTargets(tokens: Map<string, Token>, targets: Readonly<Record<string, bigint>>): void {
  const seen = new Set<string>();
  let sum = 0n; // {WAD}
  for (const [address, weight] of Object.entries(targets)) {
    const key = addressKey(address);
    const token = tokens.get(key);
    if (token === undefined) {
      throw new InputError(
        `target token ${address} is not in the basket`,
        "list every target token in the basket (balance 0n for a new constituent) so its symbol and decimals are known",
      );
    }
    if (seen.has(key)) throw new InputError(`target weights list ${label(token)} twice`);
    seen.add(key);
    if (typeof weight !== "bigint" || weight < 0n) {
      throw new InputError(`target weight of ${label(token)} is ${String(weight)}; expected a bigint >= 0 (WAD)`);
    }
    token.target = weight;
    sum += weight;
  }
  if (sum !== WAD) {
    throw new InputError(`target weights sum to ${sum}, not 1e18 (${WAD})`, "weights are WAD and must sum to exactly 1e18");
  }
}

function readPrices(tokens: Map<string, Token>, prices: Readonly<Record<string, bigint>>): void {
  const byKey = new Map<string, bigint>();
  for (const [address, price] of Object.entries(prices)) byKey.set(addressKey(address), price);
  for (const token of tokens.values()) {
    const needed = token.balance > 0n || token.target > 0n;
    const price = byKey.get(token.key);
    if (price === undefined) {
      if (needed) throw new InputError(`missing price for ${label(token)}`);
      continue;
    }
    if (typeof price !== "bigint" || price <= 0n) {
      throw new InputError(`non-positive price ${String(price)} for ${label(token)}`, "prices are 1e18 USD per whole token and must be > 0");
    }
    token.price = price;
  }
}

/** Direct pools by unordered pair; the first pool listed for a pair wins. */
function readPools(pools: readonly Pool[]): Map<string, Pool> {
  const byPair = new Map<string, Pool>();
  for (const [i, p] of pools.entries()) {
    if (!Number.isInteger(p.fee) || p.fee <= 0 || p.fee >= MAX_UNISWAP_FEE) {
      throw new InputError(`pools[${i}] has fee ${p.fee}; expected a Uniswap fee tier in hundredths of a bip (e.g. 500, 3000)`);
    }
    const a = addressKey(p.tokenA);
    const b = addressKey(p.tokenB);
    if (a === b) throw new InputError(`pools[${i}] pairs ${p.tokenA} with itself`);
    const pair = pairKey(a, b);
    if (!byPair.has(pair)) byPair.set(pair, p);
  }
  return byPair;
}

const pairKey = (a: string, b: string): string => (a < b ? `${a}/${b}` : `${b}/${a}`);

/** Largest first; ties by address so the plan is deterministic. */
function bySizeDesc(size: Map<Token, bigint>): (x: Token, y: Token) => number {
  return (x, y) => {
    const dx = size.get(x)!;
    const dy = size.get(y)!;
    if (dx !== dy) return dx > dy ? -1 : 1;
    return x.key < y.key ? -1 : x.key > y.key ? 1 : 0;
  };
}

/**
 * Plans the trades that take `input.basket` to `input.targets` at `input.prices` (see the module
 * comment for the method and every rounding direction).
 * @throws InputError weights not summing to 1e18, a missing or non-positive price, a malformed holding
 *   or pool, a cap below one base unit, dust above half the cap.
 * @throws MethodologyError a seller and buyer that must trade have no direct pool and no hub route.
 */
export function planTrades(input: PlanInput): Plan {
  const bps = input.maxSlippageBps ?? DEFAULT_MAX_SLIPPAGE_BPS;
  if (!Number.isInteger(bps) || bps < 0 || bps >= 10_000) {
    throw new InputError(`maxSlippageBps is ${bps}; expected an integer 0..9999`);
  }
  if (input.maxTradeUsd <= 0n) throw new InputError(`maxTradeUsd is ${input.maxTradeUsd}; expected > 0 (1e18 USD)`);
  if (input.dustUsd < 0n) throw new InputError(`dustUsd is ${input.dustUsd}; expected >= 0 (1e18 USD)`);
  if (input.dustUsd * 2n > input.maxTradeUsd) {
    throw new InputError(`dustUsd ${input.dustUsd} is above half of maxTradeUsd ${input.maxTradeUsd}`, "a chunk is never below dust only when dust <= cap / 2");
  }

  const tokens = readBasket(input.basket);
  readTargets(tokens, input.targets);
  readPrices(tokens, input.prices);
  const pools = readPools(input.pools);
  const all = [...tokens.values()];

  // == 1. Values, NAV, targets, deltas (all {USD}, rounded DOWN) ==
  const value = new Map<Token, bigint>();
  let nav = 0n;
  for (const t of all) {
    const v = t.price > 0n ? valueUsdDown(t.balance, t.price, t.decimals) : 0n;
    value.set(t, v);
    nav += v;
  }
  const currentWeights = weightsOf(all.map((t) => [t.key, value.get(t)!] as const), nav);

  const sells = new Map<Token, bigint>(); // {USD} exact excess to sell
  const needs = new Map<Token, bigint>(); // {USD} shortfall to buy
  const skippedDust: DustSkip[] = [];
  const skippedSide: DustSkip[] = [];
  const sides = readSides(input.sides);
  const mayTrade = (t: Token, side: Side) => sides === undefined || sides.get(t.key) === side;
  for (const t of all) {
    const target = (nav * t.target) / WAD; // {USD} rounded DOWN
    const delta = value.get(t)! - target;
    const skip = { token: t.address, symbol: t.symbol, deltaUsd: delta };
    if (delta > 0n && delta >= input.dustUsd) {
      if (mayTrade(t, "sell")) sells.set(t, delta);
      else skippedSide.push(skip);
    } else if (delta < 0n && -delta >= input.dustUsd) {
      if (mayTrade(t, "buy")) needs.set(t, -delta);
      else skippedSide.push(skip);
    } else if (delta !== 0n) skippedDust.push(skip);
  }
  let totalSell = sum(sells.values());
  const totalNeed = sum(needs.values());
  if (totalSell === 0n || totalNeed === 0n) {
    // Sells with nowhere to go (every shortfall was dust) or the reverse: nothing worth trading.
    for (const [t, d] of sells) skippedDust.push({ token: t.address, symbol: t.symbol, deltaUsd: d });
    for (const [t, d] of needs) skippedDust.push({ token: t.address, symbol: t.symbol, deltaUsd: -d });
    sells.clear();
    needs.clear();
    totalSell = 0n;
  }
  // With sides, what may be sold can exceed what may be bought by more than rounding (a token the window
  // forbids buying is not a buyer): sell only what the buyers need, sellers scaled pro rata, rounded DOWN.
  const partial = new Set<Token>(); // sellers selling less than their excess: never their whole balance
  // Each target is rounded down, so sells exceed needs by up to one wei per token even with every
  // buyer allowed; scaling then would stop a leaving token from being sold to zero. Only a larger
  // excess (a buyer the window forbids) is scaled away.
  const roundingSlack = BigInt(all.length); // {USD wei}
  if (sides !== undefined && totalSell > totalNeed + roundingSlack) {
    const ordered = [...sells.keys()].sort(bySizeDesc(sells));
    let scaled = 0n;
    for (const t of ordered) {
      const share = (sells.get(t)! * totalNeed) / totalSell; // {USD} rounded DOWN
      sells.set(t, share);
      scaled += share;
      partial.add(t);
    }
    sells.set(ordered[0]!, sells.get(ordered[0]!)! + (totalNeed - scaled)); // residual < #sellers wei
    for (const t of ordered) if (sells.get(t) === 0n) sells.delete(t);
    totalSell = totalNeed;
  }

  // == 2. Scale the buyers' needs pro rata so they sum to exactly what is sold ==
  const sellers = [...sells.keys()].sort(bySizeDesc(sells));
  const buyers = [...needs.keys()].sort(bySizeDesc(needs));
  const buys = new Map<Token, bigint>();
  let allotted = 0n;
  for (const b of buyers) {
    const share = (needs.get(b)! * totalSell) / totalNeed; // {USD} rounded DOWN
    buys.set(b, share);
    allotted += share;
  }
  if (buyers.length > 0) buys.set(buyers[0]!, buys.get(buyers[0]!)! + (totalSell - allotted)); // residual < #buyers wei

  // == 3. Match sellers to buyers: direct pools first, then through a hub ==
  const legs = matchLegs(sellers, buyers, sells, buys, pools, input.hubs);
  foldDustLegs(legs, input.dustUsd);

  // == 4-6. Token amounts per leg, chunks at the cap, expected and minimum outputs ==
  const trades: Trade[] = [];
  for (const seller of sellers) {
    const own = legs.filter((l) => l.seller === seller);
    const sellUsd = sells.get(seller)!;
    // {tok} total to sell, rounded DOWN; a token leaving the basket sells its whole balance.
    const sellAmount = seller.target === 0n && !partial.has(seller) ? seller.balance : min(amountForUsdDown(sellUsd, seller.price, seller.decimals), seller.balance);
    const maxUnits = amountForUsdDown(input.maxTradeUsd, seller.price, seller.decimals); // {tok} worth <= cap
    if (maxUnits === 0n) {
      throw new InputError(`maxTradeUsd ${input.maxTradeUsd} is below the value of one base unit of ${label(seller)}`);
    }
    let cumUsd = 0n;
    let cumAmount = 0n;
    for (const leg of own) {
      cumUsd += leg.usd;
      const upTo = (cumUsd * sellAmount) / sellUsd; // {tok} cumulative, rounded DOWN
      const legAmount = upTo - cumAmount;
      cumAmount = upTo;
      for (const amountIn of chunk(legAmount, maxUnits, (u) => valueUsdDown(u, seller.price, seller.decimals) < input.dustUsd)) {
        if (amountIn === 0n) continue;
        const expectedAmountOut = convertAtPricesDown(amountIn, seller.price, seller.decimals, leg.buyer.price, leg.buyer.decimals);
        trades.push({
          tokenIn: seller.address,
          tokenOut: leg.buyer.address,
          symbolIn: seller.symbol,
          symbolOut: leg.buyer.symbol,
          amountIn,
          expectedAmountOut,
          minAmountOut: minAmountOutDown(expectedAmountOut, bps),
          path: leg.route.path,
          fees: leg.route.fees,
          usdValue: valueUsdDown(amountIn, seller.price, seller.decimals),
        });
      }
    }
  }

  const after = applyTrades(input.basket, trades);
  const afterValues = after.map((h) => {
    const t = tokens.get(addressKey(h.address))!;
    return [t.key, t.price > 0n ? valueUsdDown(h.balance, t.price, t.decimals) : 0n] as const;
  });
  const navAfter = sum(afterValues.map(([, v]) => v));

  return {
    trades,
    summary: {
      navUsd: nav,
      turnoverUsd: totalSell,
      tradedUsd: sum(trades.map((t) => t.usdValue)),
      tradeCount: trades.length,
      currentWeights,
      expectedWeights: weightsOf(afterValues, navAfter),
      skippedDust,
      skippedSide,
    },
  };
}

function matchLegs(
  sellers: readonly Token[],
  buyers: readonly Token[],
  sells: Map<Token, bigint>,
  buys: Map<Token, bigint>,
  pools: Map<string, Pool>,
  hubs: readonly string[],
): Leg[] {
  const remaining = new Map<Token, bigint>([...sells, ...buys]);
  const legs: Leg[] = [];
  const direct = (s: Token, b: Token): Route | undefined => {
    const p = pools.get(pairKey(s.key, b.key));
    return p && { path: [s.address, b.address], fees: [p.fee] };
  };
  const viaHub = (s: Token, b: Token): Route | undefined => {
    for (const hub of hubs) {
      const h = addressKey(hub);
      if (h === s.key || h === b.key) continue;
      const first = pools.get(pairKey(s.key, h));
      const second = pools.get(pairKey(h, b.key));
      if (first && second) return { path: [s.address, hub, b.address], fees: [first.fee, second.fee] };
    }
    return undefined;
  };
  for (const findRoute of [direct, viaHub]) {
    for (const s of sellers) {
      for (const b of buyers) {
        const rs = remaining.get(s)!;
        const rb = remaining.get(b)!;
        if (rs === 0n || rb === 0n) continue;
        const route = findRoute(s, b);
        if (route === undefined) continue;
        const usd = min(rs, rb);
        legs.push({ seller: s, buyer: b, usd, route });
        remaining.set(s, rs - usd);
        remaining.set(b, rb - usd);
      }
    }
  }
  const stuckSeller = sellers.find((s) => remaining.get(s)! > 0n);
  if (stuckSeller !== undefined) {
    const stuckBuyer = buyers.find((b) => remaining.get(b)! > 0n)!;
    throw new MethodologyError(
      `no route from ${label(stuckSeller)} to ${label(stuckBuyer)}: no direct pool and no hub (${hubs.join(", ") || "none"}) with a pool to both`,
      "add a pool for the pair or against one of the hubs",
    );
  }
  // Legs in seller order so that each seller's legs are contiguous.
  return sellers.flatMap((s) => legs.filter((l) => l.seller === s));
}

/** Folds every leg below dust into the same seller's largest leg (seller totals are unchanged). */
function foldDustLegs(legs: Leg[], dustUsd: bigint): void {
  if (dustUsd === 0n) return;
  const sellers = [...new Set(legs.map((l) => l.seller))];
  for (const s of sellers) {
    const own = legs.filter((l) => l.seller === s);
    const largest = own.reduce((a, b) => (b.usd > a.usd ? b : a));
    for (const leg of own) {
      if (leg === largest || leg.usd >= dustUsd) continue;
      largest.usd += leg.usd;
      legs.splice(legs.indexOf(leg), 1);
    }
  }
}

/**
 * {tok} splits `amount` into chunks of at most `maxUnits`: cap-sized chunks, then the remainder. A
 * remainder that `isDust` is merged with the chunk before it and the pair split in halves (the
 * first rounded DOWN, the second takes the rest; both <= maxUnits since their sum <= 2 * maxUnits).
 */
export function chunk(amount: bigint, maxUnits: bigint, isDust: (units: bigint) => boolean): bigint[] {
  if (amount <= maxUnits) return [amount];
  const full = amount / maxUnits; // number of cap-sized chunks, rounded DOWN
  const remainder = amount - full * maxUnits;
  const chunks: bigint[] = Array.from({ length: Number(full) }, () => maxUnits);
  if (remainder === 0n) return chunks;
  if (!isDust(remainder)) return [...chunks, remainder];
  const merged = maxUnits + remainder;
  const first = merged / 2n; // rounded DOWN
  chunks[chunks.length - 1] = first;
  return [...chunks, merged - first];
}

/**
 * The basket after `trades`, each trade taking `amountIn` of tokenIn and giving `expectedAmountOut`
 * of tokenOut (oracle prices, no slippage, no fees). Throws if a trade sells more than is held.
 */
export function applyTrades(basket: readonly Holding[], trades: readonly Trade[]): Holding[] {
  const balances = new Map(basket.map((h) => [addressKey(h.address), h.balance]));
  for (const t of trades) {
    const kin = addressKey(t.tokenIn);
    const kout = addressKey(t.tokenOut);
    const have = balances.get(kin);
    if (have === undefined || balances.get(kout) === undefined) {
      throw new InputError(`trade ${t.symbolIn} -> ${t.symbolOut} names a token not in the basket`);
    }
    if (t.amountIn > have) throw new InputError(`trade sells ${t.amountIn} ${t.symbolIn} but only ${have} is held`);
    balances.set(kin, have - t.amountIn);
    balances.set(kout, balances.get(kout)! + t.expectedAmountOut);
  }
  return basket.map((h) => ({ ...h, balance: balances.get(addressKey(h.address))! }));
}

/** {WAD} value / total per key, rounded DOWN; all zero when total is zero. */
/** `sides` keyed by address key; undefined when not given. */
function readSides(sides: PlanInput["sides"]): Map<string, Side> | undefined {
  if (sides === undefined) return undefined;
  const out = new Map<string, Side>();
  for (const [address, side] of Object.entries(sides)) {
    if (side !== "sell" && side !== "buy" && side !== "none") {
      throw new InputError(`side of ${address} is ${String(side)}; expected "sell", "buy" or "none"`);
    }
    out.set(addressKey(address), side);
  }
  return out;
}

function weightsOf(values: readonly (readonly [string, bigint])[], total: bigint): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [k, v] of values) out[k] = total === 0n ? 0n : (v * WAD) / total;
  return out;
}

/**
 * Uniswap V3 `exactInput` path bytes: tokenIn, fee (uint24), [hub, fee,] tokenOut, packed.
 * @throws InputError when an address is not 20 bytes of hex or fees do not match the hops.
 */
export function encodeV3Path(path: readonly string[], fees: readonly number[]): string {
  if (path.length < 2 || fees.length !== path.length - 1) {
    throw new InputError(`a path of ${path.length} tokens needs ${Math.max(path.length - 1, 1)} fees, got ${fees.length}`);
  }
  let hex = "0x";
  for (const [i, address] of path.entries()) {
    if (!/^0x[0-9a-fA-F]{40}$/.test(address)) throw new InputError(`path[${i}] ${address} is not an address`);
    hex += address.slice(2).toLowerCase();
    if (i < fees.length) {
      const fee = fees[i]!;
      if (!Number.isInteger(fee) || fee < 0 || fee >= 2 ** 24) throw new InputError(`fee ${fee} does not fit uint24`);
      hex += fee.toString(16).padStart(6, "0");
    }
  }
  return hex;
}

const sum = (xs: Iterable<bigint>): bigint => {
  let s = 0n;
  for (const x of xs) s += x;
  return s;
};
const min = (a: bigint, b: bigint): bigint => (a < b ? a : b);
