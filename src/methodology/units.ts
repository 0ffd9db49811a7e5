import { MethodologyError } from "../lib/errors";
import { WAD } from "./products";

/**
 * Target units of one constituent per index token (section 3): q = w * NAV / price, rounded down.
 *
 * Units:
 * - `weightWad`        {WAD} 1e18 = 100%
 * - `navPerTokenWad`   {1e18 USD per 1e18 index tokens}: the USD value of one whole index token, times 1e18
 * - `priceWad`         {1e18 USD per whole constituent token}
 * - `decimals`         the constituent's ERC-20 decimals
 * - result             {constituent base units per 1e18 index tokens} (the vault's `unit`)
 *
 * q = floor(w * NAV * 10^decimals / (1e18 * price)): one division at the end, rounded down.
 * (w * NAV / 1e18 is the USD value per index token; / price gives whole tokens; * 10^decimals base units.)
 * @throws MethodologyError when price or NAV is not positive, weight is negative, or decimals is not an integer in 0..77
 */
export function targetUnits(weightWad: bigint, navPerTokenWad: bigint, priceWad: bigint, decimals: number): bigint {
  if (priceWad <= 0n) throw new MethodologyError(`price ${priceWad} must be > 0`);
  if (navPerTokenWad <= 0n) throw new MethodologyError(`NAV per token ${navPerTokenWad} must be > 0`);
  if (weightWad < 0n) throw new MethodologyError(`weight ${weightWad} must be >= 0`);
  if (!Number.isInteger(decimals) || decimals < 0 || decimals > 77) {
    throw new MethodologyError(`decimals ${decimals} must be an integer in 0..77`);
  }
  return (weightWad * navPerTokenWad * 10n ** BigInt(decimals)) / (WAD * priceWad); // rounded down
}

/** One constituent's inputs for `basketUnits`. */
export interface UnitInput {
  readonly symbol: string;
  /** {WAD} */
  readonly weight: bigint;
  /** {1e18 USD per whole token} */
  readonly priceWad: bigint;
  readonly decimals: number;
}

/**
 * Target units for a whole basket (see `targetUnits` for units).
 * @returns units in the input order, {base units per 1e18 index tokens}
 * @throws MethodologyError naming the symbol when a positive weight rounds to zero units
 *   (section 7: a unit that rounds to zero is refused; raise the NAV per token or check the price)
 */
export function basketUnits(constituents: readonly UnitInput[], navPerTokenWad: bigint): bigint[] {
  return constituents.map((c) => {
    const q = targetUnits(c.weight, navPerTokenWad, c.priceWad, c.decimals);
    if (q === 0n && c.weight > 0n) {
      throw new MethodologyError(
        `${c.symbol}: weight ${c.weight} at price ${c.priceWad} (1e18 USD) and NAV ${navPerTokenWad} rounds to 0 units`,
        "use a larger initial NAV per index token",
      );
    }
    return q;
  });
}

/**
 * A decimal USD amount (e.g. "64250.5" or 64250.5) as a 1e18-scaled bigint, exactly for strings.
 * Numbers are converted through their shortest decimal representation (`String(x)`), so 0.1 -> 1e17.
 * @throws MethodologyError when the value is not a non-negative decimal or has more than 18 decimals
 */
export function usdToWad(usd: string | number): bigint {
  let text = typeof usd === "number" ? String(usd) : usd.trim();
  if (/e/i.test(text)) text = expandExponent(text);
  const m = /^(\d+)(?:\.(\d+))?$/.exec(text);
  if (m === null) throw new MethodologyError(`"${usd}" is not a non-negative decimal USD amount`);
  const frac = m[2] ?? "";
  if (frac.length > 18) throw new MethodologyError(`"${usd}" has more than 18 decimal places`);
  return BigInt(m[1]!) * WAD + BigInt(frac.padEnd(18, "0"));
}

/** "1.5e-7" -> "0.00000015", "2e21" -> "2000000000000000000000" (no rounding). */
function expandExponent(text: string): string {
  const m = /^(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (m === null) return text;
  const digits = m[1]! + (m[2] ?? "");
  const point = m[1]!.length + Number(m[3]);
  if (point <= 0) return `0.${"0".repeat(-point)}${digits}`;
  if (point >= digits.length) return digits + "0".repeat(point - digits.length);
  return `${digits.slice(0, point)}.${digits.slice(point)}`;
}
