/**
 * Spot-leg weights for the USSI backtest. USSI's spot leg is MAG7 (METHODOLOGY 1-3: 7 assets,
 * 10% floor each plus 30% pro rata circulating market cap). This module does not select or weigh
 * assets itself: it takes a weight vector as input. The default is a SAMPLE vector, documented
 * below, not a live MAG7 determination.
 */
import { InputError } from "../lib/errors";
import { WAD, divFloor, numberToWad } from "./fixed";

/** The seven symbols of the shared funding data set, in the order of the sample caps below. */
export const USSI_SAMPLE_SYMBOLS = ["BTC", "ETH", "BNB", "SOL", "XRP", "DOGE", "ADA"] as const;

/**
 * SAMPLE circulating market caps, whole USD, round illustrative figures (not data, not a date):
 * they only fix a plausible MAG7 shape. Weights are derived by METHODOLOGY section 3 with N = 7,
 * f = 1e17: w_i = f + floor(R * m_i / M) with R = 1e18 - 7f = 3e17, residual (2 wei) to rank 1.
 */
export const SAMPLE_MARKET_CAPS: Readonly<Record<string, bigint>> = {
  BTC: 1_300_000_000_000n,
  ETH: 300_000_000_000n,
  BNB: 90_000_000_000n,
  SOL: 70_000_000_000n,
  XRP: 30_000_000_000n,
  DOGE: 20_000_000_000n,
  ADA: 15_000_000_000n,
};

/** SAMPLE MAG7 weights (WAD, sum exactly 1e18) from SAMPLE_MARKET_CAPS; checked in the tests. */
export const SAMPLE_WEIGHTS: Readonly<Record<string, bigint>> = {
  BTC: 313_698_630_136_986_304n,
  ETH: 149_315_068_493_150_684n,
  BNB: 114_794_520_547_945_205n,
  SOL: 111_506_849_315_068_493n,
  XRP: 104_931_506_849_315_068n,
  DOGE: 103_287_671_232_876_712n,
  ADA: 102_465_753_424_657_534n,
};

const SYMBOL = /^[A-Z0-9]{1,20}$/;

/**
 * A weights JSON: an object symbol -> weight. A weight is a decimal string of WAD
 * ("313698630136986304") or a JSON number as a fraction (0.5). Every weight must be > 0 and they
 * must sum to exactly 1e18 (strings) or to 1 within 1e-9 (numbers; then rescaled so the sum is
 * exactly 1e18 with the residual on the largest weight). `where` names the source in errors.
 */
export function parseWeights(value: unknown, where: string): Record<string, bigint> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InputError(`${where}: expected an object of symbol -> weight, e.g. {"BTC": 0.6, "ETH": 0.4}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new InputError(`${where}: no weights`);
  const out: Record<string, bigint> = {};
  let allNumbers = true;
  for (const [rawSymbol, w] of entries) {
    const symbol = rawSymbol.toUpperCase();
    if (!SYMBOL.test(symbol)) throw new InputError(`${where}: "${rawSymbol}" is not a symbol (letters and digits)`);
    if (out[symbol] !== undefined) throw new InputError(`${where}: ${symbol} appears twice`);
    let wad: bigint;
    if (typeof w === "number") wad = numberToWad(w, `${where}: ${symbol}`);
    else if (typeof w === "string" && /^\d+$/.test(w)) {
      wad = BigInt(w);
      allNumbers = false;
    } else throw new InputError(`${where}: weight of ${symbol} must be a number (fraction) or a string of WAD digits`);
    if (wad <= 0n) throw new InputError(`${where}: weight of ${symbol} must be positive`);
    out[symbol] = wad;
  }
  const sum = Object.values(out).reduce((a, b) => a + b, 0n);
  if (allNumbers) {
    if (sum - WAD > 10n ** 9n || WAD - sum > 10n ** 9n) {
      throw new InputError(`${where}: weights sum to ${Number(sum) / 1e18}, expected 1`);
    }
    return renormalise(out, Object.keys(out));
  }
  if (sum !== WAD) throw new InputError(`${where}: WAD weights sum to ${sum}, expected exactly ${WAD}`);
  return out;
}

/**
 * The weights restricted to `available` symbols, rescaled to sum to exactly 1e18:
 * w_i' = floor(w_i * 1e18 / S) over the available sum S, the residual added to the largest
 * weight (first in symbol order on a tie). Symbols not available are left out entirely
 * (not held, not hedged). An error when none is available.
 */
export function renormalise(weights: Readonly<Record<string, bigint>>, available: readonly string[]): Record<string, bigint> {
  const keep = Object.keys(weights)
    .filter((s) => available.includes(s))
    .sort();
  const sum = keep.reduce((a, s) => a + weights[s]!, 0n);
  if (keep.length === 0 || sum === 0n) throw new InputError(`none of ${Object.keys(weights).join(", ")} is available`);
  const out: Record<string, bigint> = {};
  let top = keep[0]!;
  for (const s of keep) {
    out[s] = divFloor(weights[s]! * WAD, sum); // down; residual below
    if (weights[s]! > weights[top]!) top = s;
  }
  out[top] = out[top]! + WAD - keep.reduce((a, s) => a + out[s]!, 0n);
  return out;
}
