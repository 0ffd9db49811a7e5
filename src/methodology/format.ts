import type { IndexComposition } from "./types";
import { WAD } from "./products";

/** The JSON shape of `ssi:weights --json` (weights as integer strings, 1e18 = 100%). */
export interface CompositionJson {
  index: string;
  date: string;
  constituents: { symbol: string; rank: number; marketCapUsd: number; weight: string }[];
}

/**
 * A composition as plain JSON: `weight` as a decimal integer string (WAD, exact), `marketCapUsd`
 * as the whole-USD number the ranking used (exact below 2^53 USD, i.e. any real market cap).
 */
export function compositionToJson(c: IndexComposition): CompositionJson {
  return {
    index: c.index,
    date: c.date,
    constituents: c.constituents.map((x) => ({
      symbol: x.symbol,
      rank: x.rank,
      marketCapUsd: Number(x.marketCapUsd),
      weight: x.weight.toString(),
    })),
  };
}

/**
 * A WAD fraction as a percentage string, rounded down to `decimals` places: 1e17 -> "10.0000%".
 * (Display only; the weight itself is the integer.)
 */
export function formatWadPercent(wad: bigint, decimals = 4): string {
  const scale = 10n ** BigInt(decimals);
  const units = (wad * 100n * scale) / WAD; // rounded down (toward zero)
  const sign = units < 0n ? "-" : "";
  const abs = units < 0n ? -units : units;
  const frac = decimals > 0 ? `.${(abs % scale).toString().padStart(decimals, "0")}` : "";
  return `${sign}${abs / scale}${frac}%`;
}
