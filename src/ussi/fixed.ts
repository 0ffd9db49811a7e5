/**
 * Fixed-point helpers for the USSI off-chain engine. Every on-chain quantity is a bigint:
 * coin quantities in 1e18 units, prices in 1e18 USD per coin, USD values in 1e18 USD,
 * fractions (weights, tolerances, rates) in WAD (1e18 = 100%). Each division names its rounding.
 */
import { InputError } from "../lib/errors";

export const WAD = 10n ** 18n;
/** Basis points in one (100%). */
export const BPS = 10_000n;
/** Seconds in the 365-day year used for every annualisation and fee accrual. */
export const YEAR_SECONDS = 365 * 86_400;

export function abs(x: bigint): bigint {
  return x < 0n ? -x : x;
}

/** a / b rounded toward negative infinity (b > 0). */
export function divFloor(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError("divFloor: divisor must be positive");
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** a / b rounded toward positive infinity (b > 0). */
export function divCeil(a: bigint, b: bigint): bigint {
  if (b <= 0n) throw new RangeError("divCeil: divisor must be positive");
  const q = a / b;
  return a % b !== 0n && a > 0n ? q + 1n : q;
}

/** a * b / WAD rounded toward negative infinity. */
export function wadMulFloor(a: bigint, b: bigint): bigint {
  return divFloor(a * b, WAD);
}

/** a * b / WAD rounded toward positive infinity. */
export function wadMulCeil(a: bigint, b: bigint): bigint {
  return divCeil(a * b, WAD);
}

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/;

/**
 * A plain decimal string ("0.00022753", "-0.0000824", "1") as a WAD bigint. Digits beyond the 18th
 * decimal place are rounded half away from zero. Exponents are refused. `where` names the source.
 */
export function parseWad(text: string, where: string): bigint {
  const m = DECIMAL.exec(text.trim());
  if (!m) throw new InputError(`${where}: "${text}" is not a plain decimal number`);
  const negative = m[1] === "-";
  const frac = m[3] ?? "";
  let value = BigInt(m[2]!) * WAD + BigInt((frac.slice(0, 18) || "0").padEnd(18, "0"));
  if (frac.length > 18 && frac.charCodeAt(18) >= 53 /* '5' */) value += 1n;
  return negative ? -value : value;
}

/** A WAD (or 1e18 USD) bigint as a float, for statistics and display only. */
export function wadToNumber(x: bigint): number {
  const sign = x < 0n ? -1 : 1;
  const a = abs(x);
  return sign * (Number(a / WAD) + Number(a % WAD) / 1e18);
}

/** A float as WAD through its shortest decimal form (0.1 -> 1e17 exactly), rounded to 1e-18. */
export function numberToWad(x: number, where: string): bigint {
  if (!Number.isFinite(x)) throw new InputError(`${where}: ${x} is not a finite number`);
  const shortest = String(x); // the shortest decimal that round-trips, e.g. "0.1"
  return parseWad(/e/i.test(shortest) ? x.toFixed(20) : shortest, where);
}
