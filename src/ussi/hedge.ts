/**
 * The USSI hedge engine (METHODOLOGY section 6): a spot leg of coins, each hedged by a short
 * perpetual of the same coin quantity, so net delta is zero. Pure bigint arithmetic.
 *
 * Units: quantities {1e18 coin}; prices {1e18 USD / coin}; USD values {1e18 USD}; fractions {WAD}.
 *
 * Why coin quantities: a short perp of exactly the spot coin quantity has zero delta at every
 * price, so a price move alone never creates delta. Delta appears when the spot quantity changes
 * without the perp following (funding or fee cash swept into or out of spot, a reweight, flows).
 */
import { InputError } from "../lib/errors";
import { BPS, WAD, abs, divCeil, divFloor } from "./fixed";

/** A perpetual position. `size` < 0 is short. `entryPrice` is the average entry {1e18 USD/coin}. */
export interface PerpPosition {
  readonly size: bigint; // {1e18 coin}, negative = short
  readonly entryPrice: bigint; // {1e18 USD / coin}
}

/** Everything the USSI book holds. */
export interface Book {
  readonly spot: Readonly<Record<string, bigint>>; // {1e18 coin} per symbol
  readonly perp: Readonly<Record<string, PerpPosition>>;
  /** USDC held by the vault and the strategy, including the liquid buffer {1e18 USD}. */
  readonly cash: bigint;
  /** Funding settled on the perp account and not yet swept into `cash` {1e18 USD}. */
  readonly fundingAccrued: bigint;
}

export type Prices = Readonly<Record<string, bigint>>; // {1e18 USD / coin}

/** Default drift tolerance: 2% of NAV (METHODOLOGY 6). */
export const DEFAULT_DRIFT_TOLERANCE_WAD = 2n * 10n ** 16n;

function priceOf(prices: Prices, symbol: string): bigint {
  const p = prices[symbol];
  if (p === undefined) throw new InputError(`no price for ${symbol}`);
  if (p <= 0n) throw new InputError(`price of ${symbol} is ${p}, must be positive`);
  return p;
}

/** Every symbol with a spot or perp position, sorted. */
export function bookSymbols(book: Book): string[] {
  return [...new Set([...Object.keys(book.spot), ...Object.keys(book.perp)])].sort();
}

/**
 * The perp size per asset that makes net delta zero: a short of exactly the spot quantity.
 * Returns {1e18 coin}, negative = short.
 */
export function hedgeSizes(spot: Readonly<Record<string, bigint>>): Record<string, bigint> {
  const out: Record<string, bigint> = {};
  for (const [symbol, qty] of Object.entries(spot)) {
    if (qty < 0n) throw new InputError(`spot holding of ${symbol} is negative (${qty})`);
    out[symbol] = -qty;
  }
  return out;
}

export interface AssetDelta {
  readonly symbol: string;
  readonly spotQty: bigint; // {1e18 coin}
  readonly perpQty: bigint; // {1e18 coin}, negative = short
  /** spot + perp {1e18 coin}: > 0 net long, < 0 net short. */
  readonly deltaQty: bigint;
  /** deltaQty * price, rounded toward zero {1e18 USD}. */
  readonly deltaUsd: bigint;
  /** |deltaQty * price| / NAV in basis points, rounded UP (a risk figure never understates). */
  readonly deltaBps: bigint;
}

/** Net delta per asset, in coins, USD and basis points of `nav` (nav {1e18 USD} > 0). */
export function netDeltas(book: Book, prices: Prices, nav: bigint): AssetDelta[] {
  if (nav <= 0n) throw new InputError(`NAV must be positive to measure delta, got ${nav}`);
  return bookSymbols(book).map((symbol) => {
    const spotQty = book.spot[symbol] ?? 0n;
    const perpQty = book.perp[symbol]?.size ?? 0n;
    const deltaQty = spotQty + perpQty;
    const price = deltaQty === 0n ? prices[symbol] ?? 0n : priceOf(prices, symbol);
    const exposure = deltaQty * price; // {1e36 USD}
    return {
      symbol,
      spotQty,
      perpQty,
      deltaQty,
      deltaUsd: exposure / WAD, // toward zero
      deltaBps: divCeil(abs(exposure) * BPS, nav * WAD), // up
    };
  });
}

export interface DriftCheck {
  /** True when |net delta| of ANY asset is strictly above tolerance * NAV. */
  readonly rebalance: boolean;
  /** Symbols whose |net delta| is strictly above the tolerance. */
  readonly breaches: string[];
  /** The largest |net delta| / NAV, basis points rounded up. */
  readonly maxDeltaBps: bigint;
}

/**
 * Drift detection (METHODOLOGY 6): a hedge rebalance is due when |net delta| of any asset exceeds
 * `toleranceWad` of NAV. Compared exactly (|deltaQty| * price > tolerance * nav, both {1e36 USD}):
 * a delta exactly at the tolerance does not trigger.
 */
export function detectDrift(book: Book, prices: Prices, nav: bigint, toleranceWad = DEFAULT_DRIFT_TOLERANCE_WAD): DriftCheck {
  if (toleranceWad < 0n) throw new InputError(`drift tolerance must not be negative, got ${toleranceWad}`);
  const deltas = netDeltas(book, prices, nav);
  const breaches = deltas
    .filter((d) => d.deltaQty !== 0n && abs(d.deltaQty) * priceOf(prices, d.symbol) > toleranceWad * nav)
    .map((d) => d.symbol);
  const maxDeltaBps = deltas.reduce((m, d) => (d.deltaBps > m ? d.deltaBps : m), 0n);
  return { rebalance: breaches.length > 0, breaches, maxDeltaBps };
}

export interface HedgeOrder {
  readonly symbol: string;
  /** "sell" adds to the short, "buy" reduces it. */
  readonly side: "buy" | "sell";
  /** Order size {1e18 coin}, > 0. */
  readonly size: bigint;
  /** The signed change of the perp position {1e18 coin} (= -deltaQty). */
  readonly perpChange: bigint;
}

/** The perp orders that bring every asset's net delta back to exactly zero (none when hedged). */
export function hedgeOrders(book: Book): HedgeOrder[] {
  const orders: HedgeOrder[] = [];
  for (const symbol of bookSymbols(book)) {
    const delta = (book.spot[symbol] ?? 0n) + (book.perp[symbol]?.size ?? 0n);
    if (delta === 0n) continue;
    orders.push({ symbol, side: delta > 0n ? "sell" : "buy", size: abs(delta), perpChange: -delta });
  }
  return orders;
}

/**
 * Funding paid TO the position at one settlement {1e18 USD}: -size * markPrice * rate. A short
 * (size < 0) receives it when the rate is positive and pays when negative (longs pay shorts on
 * positive rates). `rateWad` is the rate per interval as published, in WAD (0.0001 = 1e14).
 * Rounded toward negative infinity: against the book, so NAV is never overstated.
 */
export function fundingPayment(size: bigint, markPrice: bigint, rateWad: bigint): bigint {
  return divFloor(-size * markPrice * rateWad, WAD * WAD);
}

/** Unrealised PnL of a perp at `markPrice` {1e18 USD}: size * (mark - entry), rounded down. */
export function perpUnrealisedPnl(position: PerpPosition, markPrice: bigint): bigint {
  return divFloor(position.size * (markPrice - position.entryPrice), WAD);
}

export interface PerpTradeResult {
  readonly position: PerpPosition;
  /** PnL realised by the reduced part {1e18 USD}, rounded down. */
  readonly realisedPnl: bigint;
}

/**
 * Applies a perp trade of `change` coins {1e18 coin} at `price` {1e18 USD/coin}. Increasing a
 * position averages the entry price (rounded down); reducing it realises PnL on the closed part;
 * crossing zero closes the old position and opens the remainder at `price`.
 */
export function applyPerpTrade(position: PerpPosition, change: bigint, price: bigint): PerpTradeResult {
  if (price <= 0n) throw new InputError(`trade price must be positive, got ${price}`);
  const { size, entryPrice } = position;
  if (change === 0n) return { position, realisedPnl: 0n };
  if (size === 0n || size > 0n === change > 0n) {
    const newSize = size + change;
    // weighted average entry {1e18 USD/coin}, rounded down
    const entry = divFloor(abs(size) * entryPrice + abs(change) * price, abs(newSize));
    return { position: { size: newSize, entryPrice: entry }, realisedPnl: 0n };
  }
  const closed = abs(change) >= abs(size) ? -size : change; // the part that reduces the position
  const realisedPnl = divFloor(-closed * (price - entryPrice), WAD);
  const newSize = size + change;
  const newEntry = newSize === 0n ? 0n : abs(change) > abs(size) ? price : entryPrice;
  return { position: { size: newSize, entryPrice: newEntry }, realisedPnl };
}

export interface TargetPositions {
  /** Spot coins per asset: floor(floor(w * investable) / price) {1e18 coin}. */
  readonly spot: Record<string, bigint>;
  /** The matching short perps (hedgeSizes of spot) {1e18 coin}. */
  readonly perp: Record<string, bigint>;
  /** nav - ceil(bufferWad * nav) {1e18 USD}: what goes into the spot leg. */
  readonly investable: bigint;
  /** nav minus the spot actually bought (>= the buffer: rounding dust stays in cash) {1e18 USD}. */
  readonly cash: bigint;
}

/**
 * The book a NAV should hold (METHODOLOGY 6): the spot leg at `weights` (WAD, summing to 1e18) of
 * NAV minus the liquid buffer, each asset hedged by a short perp of the same coin quantity.
 * Every division rounds down, so the spot bought never exceeds the investable amount.
 */
export function targetPositions(
  weights: Readonly<Record<string, bigint>>,
  nav: bigint,
  prices: Prices,
  bufferWad: bigint
): TargetPositions {
  if (nav <= 0n) throw new InputError(`NAV must be positive, got ${nav}`);
  if (bufferWad < 0n || bufferWad > WAD) throw new InputError(`buffer must be within [0, 1e18], got ${bufferWad}`);
  const sum = Object.values(weights).reduce((a, w) => a + w, 0n);
  if (sum !== WAD) throw new InputError(`weights sum to ${sum}, expected exactly ${WAD}`);
  const investable = nav - divCeil(nav * bufferWad, WAD); // buffer rounded up
  const spot: Record<string, bigint> = {};
  let spent = 0n;
  for (const [symbol, w] of Object.entries(weights)) {
    if (w < 0n) throw new InputError(`weight of ${symbol} is negative`);
    const price = priceOf(prices, symbol);
    const qty = divFloor(divFloor(investable * w, WAD) * WAD, price); // {1e18 coin}, down twice
    spot[symbol] = qty;
    spent += divCeil(qty * price, WAD); // {1e18 USD}, cost rounded up
  }
  return { spot, perp: hedgeSizes(spot), investable, cash: nav - spent };
}
