/**
 * SANX target weights after membership changes (METHODOLOGY.md section 5), exact in integers.
 *
 * - ADD: the basket is re-weighted to market-cap weights over the held set plus the new asset
 *   (section 3's integer weights with no floor and no cap: w_i = floor(1e18 * m_i / M), the
 *   residual to rank 1).
 * - REMOVE: only the removed weight moves, into the remaining assets in proportion to their market
 *   caps: w_j' = w_j + floor(w_removed * m_j / M_remaining), the residual to rank 1 of the remaining,
 *   so the weights sum to exactly 1e18; the others are not re-weighted among themselves.
 * - No member: the reserve asset at 1e18.
 *
 * Assets are plain string ids (symbols or addresses); market caps are whole USD (bigint); weights
 * are WAD (1e18 = 100%). Rank order: market cap descending, ties by id ascending. Pure: no I/O.
 */
import { MethodologyError } from "../lib/errors";
import { WAD } from "../methodology/products";
import { compareSymbols, roundUsd } from "../methodology/ranking";
import { computeWeights } from "../methodology/weights";
import type { AssetData } from "./backtest";

/** One target: an asset and its weight {WAD}. */
export interface Weighted {
  readonly asset: string;
  readonly weight: bigint;
}

/** Market cap {whole USD} by asset id. */
export type MarketCaps = ReadonlyMap<string, bigint>;

function capOf(caps: MarketCaps, asset: string): bigint {
  const m = caps.get(asset);
  if (m === undefined) throw new MethodologyError(`SANX: no market cap for ${asset}`, "give a market cap for every member");
  if (m <= 0n) throw new MethodologyError(`SANX: market cap of ${asset} is ${m}, must be > 0`);
  return m;
}

function distinct(assets: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const a of assets) {
    if (seen.has(a)) throw new MethodologyError(`SANX: ${a} appears twice in ${what}`);
    seen.add(a);
  }
}

/**
 * Rank order: market cap descending, ties by id ascending.
 * @throws MethodologyError when an asset has no positive market cap or appears twice
 */
export function rankByMarketCap(assets: readonly string[], caps: MarketCaps): string[] {
  distinct(assets, "the assets to rank");
  const withCap = assets.map((asset) => ({ asset, cap: capOf(caps, asset) }));
  withCap.sort((a, b) => (a.cap > b.cap ? -1 : a.cap < b.cap ? 1 : compareSymbols(a.asset, b.asset)));
  return withCap.map((x) => x.asset);
}

/**
 * ADD: market-cap weights over `assets` (section 3, floor 0, no cap), in rank order.
 * @throws MethodologyError on no asset, a missing or non-positive cap, or a duplicate
 */
export function marketCapTargets(assets: readonly string[], caps: MarketCaps): Weighted[] {
  if (assets.length === 0) throw new MethodologyError("SANX: no asset to weight by market cap");
  const ranked = rankByMarketCap(assets, caps);
  const weights = computeWeights(ranked.map((a) => capOf(caps, a)), { name: "SANX", floorWad: 0n });
  return ranked.map((asset, i) => ({ asset, weight: weights[i]! }));
}

/**
 * REMOVE: the weight of every asset in `removed` moves into the remaining assets of `current`, in
 * proportion to their market caps (rounded down), the residual (< number remaining, in wei) to the
 * remaining rank 1. Removing several at once equals removing them one after the other (the shares
 * compose: w_r1 * m_j / S1 + (w_r2 + w_r1 * m_r2 / S1) * m_j / S2 = (w_r1 + w_r2) * m_j / S2).
 * @param current the weights now {WAD}, summing to exactly 1e18, distinct assets
 * @param removed assets of `current` to remove; at least one asset must remain
 * @returns the remaining assets in rank order with their new weights, summing to exactly 1e18
 * @throws MethodologyError when `current` does not sum to 1e18, a removed asset is not held,
 *   nothing remains, or a remaining asset has no positive market cap
 */
export function redistributeRemoved(current: readonly Weighted[], removed: ReadonlySet<string>, caps: MarketCaps): Weighted[] {
  distinct(current.map((c) => c.asset), "the current weights");
  const sum = current.reduce((s, c) => s + c.weight, 0n);
  if (sum !== WAD) throw new MethodologyError(`SANX: current weights sum to ${sum}, not 1e18`);
  for (const c of current) if (c.weight < 0n) throw new MethodologyError(`SANX: weight of ${c.asset} is negative`);
  for (const r of removed) {
    if (!current.some((c) => c.asset === r)) throw new MethodologyError(`SANX: cannot remove ${r}: it is not held`);
  }
  const remaining = current.filter((c) => !removed.has(c.asset));
  if (remaining.length === 0) throw new MethodologyError("SANX: removing every asset leaves the reserve asset, not a redistribution");
  const moved = current.filter((c) => removed.has(c.asset)).reduce((s, c) => s + c.weight, 0n); // {WAD}
  const ranked = rankByMarketCap(remaining.map((c) => c.asset), caps);
  const total = ranked.reduce((s, a) => s + capOf(caps, a), 0n); // {USD}
  const before = new Map(remaining.map((c) => [c.asset, c.weight]));
  const out = ranked.map((asset) => ({ asset, weight: before.get(asset)! + (moved * capOf(caps, asset)) / total })); // rounded down
  const residual = WAD - out.reduce((s, w) => s + w.weight, 0n);
  out[0] = { asset: out[0]!.asset, weight: out[0]!.weight + residual };
  return out;
}

/** What `nextTargets` did. */
export type TargetsKind = "RESERVE" | "MARKET_CAP" | "REDISTRIBUTE" | "UNCHANGED";

export interface NextTargets {
  readonly kind: TargetsKind;
  /** Members not in the current weights (ADDs since the last targets). */
  readonly added: string[];
  /** Current (non-reserve) assets no longer members (REMOVEs since the last targets). */
  readonly removed: string[];
  /** The new targets (rank order, or [reserve]), summing to exactly 1e18. */
  readonly targets: Weighted[];
}

/**
 * The targets for the membership `members`, given the weights `current` the basket has now (the
 * held basket's value weights, or the last targets; [] or [reserve] when it holds no member):
 * - no member: [reserve] at 1e18 (RESERVE);
 * - any member not in `current` (an ADD): market-cap weights over `members` (MARKET_CAP), which
 *   is also what an ADD followed by REMOVEs gives, since a REMOVE from market-cap weights shares
 *   the removed weight by market cap;
 * - otherwise, if some current assets left (REMOVEs only): their weight shared by market cap
 *   among the members (REDISTRIBUTE);
 * - otherwise `current` unchanged (UNCHANGED).
 */
export function nextTargets(input: {
  readonly current: readonly Weighted[];
  readonly members: readonly string[];
  readonly caps: MarketCaps;
  readonly reserve: string;
}): NextTargets {
  const { current, members, caps, reserve } = input;
  distinct(members, "the members");
  if (members.includes(reserve)) throw new MethodologyError(`SANX: the reserve asset ${reserve} cannot be a member`);
  const memberSet = new Set(members);
  const held = current.map((c) => c.asset).filter((a) => a !== reserve);
  const heldSet = new Set(held);
  const added = members.filter((a) => !heldSet.has(a));
  const removed = held.filter((a) => !memberSet.has(a));
  if (members.length === 0) return { kind: "RESERVE", added, removed, targets: [{ asset: reserve, weight: WAD }] };
  if (added.length > 0) return { kind: "MARKET_CAP", added, removed, targets: marketCapTargets(members, caps) };
  if (removed.length > 0 || current.some((c) => c.asset === reserve)) {
    const gone = new Set(current.map((c) => c.asset).filter((a) => !memberSet.has(a)));
    return { kind: "REDISTRIBUTE", added, removed, targets: redistributeRemoved(current, gone, caps) };
  }
  return { kind: "UNCHANGED", added, removed, targets: [...current] };
}

/** One held position, as the vault and the price registry report it. */
export interface Holding {
  readonly asset: string;
  /** {token base units} per 1e18 shares (or the vault's balance: any common scale). */
  readonly units: bigint;
  /** {1e18 USD} per whole token. */
  readonly priceWad: bigint;
  readonly decimals: number;
}

/**
 * Value weights of a held basket at the given prices: value_i = floor(units_i * price_i /
 * 10^decimals) {1e18 USD}, w_i = floor(1e18 * value_i / sum value), the residual to the largest
 * value (ties by id ascending). Same order as `holdings`.
 * @throws MethodologyError when the basket is worth nothing
 */
export function valueWeights(holdings: readonly Holding[]): Weighted[] {
  distinct(holdings.map((h) => h.asset), "the holdings");
  const values = holdings.map((h) => (h.units * h.priceWad) / 10n ** BigInt(h.decimals)); // rounded down
  const total = values.reduce((s, v) => s + v, 0n);
  if (total <= 0n) throw new MethodologyError("SANX: the held basket is worth nothing at these prices");
  const weights = values.map((v) => (v * WAD) / total); // rounded down
  let top = 0;
  for (let i = 1; i < holdings.length; i++) {
    if (values[i]! > values[top]! || (values[i] === values[top] && compareSymbols(holdings[i]!.asset, holdings[top]!.asset) < 0)) top = i;
  }
  weights[top] = weights[top]! + (WAD - weights.reduce((s, w) => s + w, 0n));
  return holdings.map((h, i) => ({ asset: h.asset, weight: weights[i]! }));
}

/**
 * Market caps {whole USD, halves away from zero} by upper-case symbol, each on the latest day on or
 * before `onOrBefore` (default: its last row) that the asset has a row for.
 */
export function latestMarketCaps(assets: readonly AssetData[], onOrBefore = Infinity): Map<string, bigint> {
  const out = new Map<string, bigint>();
  for (const a of assets) {
    let best = -Infinity;
    for (const day of a.market.keys()) if (day <= onOrBefore && day > best) best = day;
    if (best === -Infinity) continue;
    out.set(a.symbol.toUpperCase(), roundUsd(a.market.get(best)!.marketCap));
  }
  return out;
}
