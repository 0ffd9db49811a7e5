import type { Asset, RankedAsset } from "./types";
import { isEligible, type Eligibility } from "./products";
import { InputError } from "../lib/errors";

/**
 * A USD amount rounded to the nearest whole dollar, halves away from zero (section 2.1).
 * Exact for every double: the fractional part `x - trunc(x)` is computed without rounding error.
 * @param usd a finite number of US dollars
 * @returns whole dollars as a bigint
 * @throws InputError when `usd` is not finite
 */
export function roundUsd(usd: number): bigint {
  if (!Number.isFinite(usd)) throw new InputError(`market cap ${usd} is not a finite number`);
  const whole = Math.trunc(usd);
  const frac = Math.abs(usd - whole); // exact: whole and usd share an exponent range
  const away = frac >= 0.5 ? Math.sign(usd) : 0;
  return BigInt(whole) + BigInt(away);
}

/** Symbol order for ties: ascending by UTF-16 code units (plain `<`, locale-independent). */
export function compareSymbols(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Ranks the eligible assets of a universe (section 2.1): filter by `eligibility`, round each
 * market cap to whole USD (halves away from zero), drop zero or missing caps, sort by cap
 * descending and ties by symbol ascending. Rank 1 is the largest.
 * @param assets the universe's assets (any order)
 * @param eligibility the index's eligibility rule
 * @returns the eligible assets in rank order, `rank` = position + 1
 */
export function rankAssets(assets: readonly Asset[], eligibility: Eligibility): RankedAsset[] {
  const eligible: { asset: Asset; cap: bigint }[] = [];
  for (const asset of assets) {
    if (!isEligible(asset, eligibility) || asset.marketCapUsd === undefined) continue;
    const cap = roundUsd(asset.marketCapUsd);
    if (cap <= 0n) continue; // zero (or, defensively, negative) market cap: not eligible
    eligible.push({ asset, cap });
  }
  eligible.sort((a, b) => (a.cap > b.cap ? -1 : a.cap < b.cap ? 1 : compareSymbols(a.asset.symbol, b.asset.symbol)));
  return eligible.map((e, i) => ({ symbol: e.asset.symbol, rank: i + 1, marketCapUsd: e.cap, asset: e.asset }));
}
