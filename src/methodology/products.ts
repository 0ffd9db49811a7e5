import type { Asset } from "./types";
import { MethodologyError } from "../lib/errors";

/** 1e18: weights are WAD fractions (1e18 = 100%). */
export const WAD = 10n ** 18n;

/**
 * Which assets an index may hold (METHODOLOGY.md section 1). Expressed as data so every
 * product's rule is visible and configurable.
 */
export interface Eligibility {
  /** When set, only assets carrying this category tag are eligible (e.g. "meme", "defi"). */
  readonly category?: string;
  /** Exclude assets flagged `stablecoin`: true for every product (section 1; `validateDefinition` insists). */
  readonly excludeStablecoins: boolean;
  /** Exclude assets flagged `wrapped` (wrapped, bridged and staked derivatives): true for every product. */
  readonly excludeWrapped: boolean;
}

/** Every parameter of a market-cap index with a buffer (sections 1-3). */
export interface IndexDefinition {
  /** Product name, e.g. "MAG7" (used in error messages and output). */
  readonly name: string;
  /** N, the number of constituents. */
  readonly constituents: number;
  /** B, the rank buffer: incumbents stay while ranked <= N + B, entrants need rank <= N - B. */
  readonly buffer: number;
  /** f, the per-constituent weight floor. {WAD} */
  readonly floorWad: bigint;
  /** c, an optional per-constituent weight cap (off when undefined). {WAD} */
  readonly capWad?: bigint;
  readonly eligibility: Eligibility;
}

/** MAG7.ssi: top 7 of everything except stablecoins and wrapped/bridged/staked, 10% floor each, B = 2. */
export const MAG7: IndexDefinition = Object.freeze({
  name: "MAG7",
  constituents: 7,
  buffer: 2,
  floorWad: 10n ** 17n,
  eligibility: Object.freeze({ excludeStablecoins: true, excludeWrapped: true }),
});

/**
 * MEME.ssi: top 10 of category `meme`, pure market-cap weights, B = 2; stablecoins and wrapped,
 * bridged or staked derivatives are excluded whatever their category (section 1: real category lists
 * contain DAI, USDe, stETH and WBTC).
 */
export const MEME: IndexDefinition = Object.freeze({
  name: "MEME",
  constituents: 10,
  buffer: 2,
  floorWad: 0n,
  eligibility: Object.freeze({ category: "meme", excludeStablecoins: true, excludeWrapped: true }),
});

/** DEFI.ssi: top 10 of category `defi`, pure market-cap weights, B = 2; the same exclusions as MEME. */
export const DEFI: IndexDefinition = Object.freeze({
  name: "DEFI",
  constituents: 10,
  buffer: 2,
  floorWad: 0n,
  eligibility: Object.freeze({ category: "defi", excludeStablecoins: true, excludeWrapped: true }),
});

/** USSI spot leg: the MAG7 selection and weights under its own name (section 6). */
export const USSI: IndexDefinition = Object.freeze({ ...MAG7, name: "USSI" });

/** The products by name. */
export const PRODUCTS: Readonly<Record<"MAG7" | "MEME" | "DEFI" | "USSI", IndexDefinition>> = Object.freeze({
  MAG7,
  MEME,
  DEFI,
  USSI,
});

export type ProductName = keyof typeof PRODUCTS;

/**
 * A product's definition with some parameters replaced, validated.
 * @param base the product to start from (e.g. `MAG7`)
 * @param overrides parameters to change, e.g. `{ buffer: 3, capWad: 25n * 10n ** 16n }`
 * @returns a new frozen definition
 * @throws MethodologyError when the result is inconsistent (see `validateDefinition`)
 */
export function defineIndex(base: IndexDefinition, overrides: Partial<IndexDefinition> = {}): IndexDefinition {
  const def: IndexDefinition = Object.freeze({ ...base, ...overrides });
  validateDefinition(def);
  return def;
}

/**
 * Checks a definition: N a positive integer, B a non-negative integer, 0 <= N*f <= 1e18, and, when a
 * cap is set, f <= c <= 1e18 and N*c >= 1e18 (otherwise weights cannot sum to 100%).
 * @throws MethodologyError naming the index and the offending parameter
 */
export function validateDefinition(def: IndexDefinition): void {
  const n = def.constituents;
  if (!Number.isSafeInteger(n) || n < 1) throw new MethodologyError(`${def.name}: constituents N = ${n} must be a positive integer`);
  if (!Number.isSafeInteger(def.buffer) || def.buffer < 0) {
    throw new MethodologyError(`${def.name}: buffer B = ${def.buffer} must be a non-negative integer`);
  }
  if (def.floorWad < 0n || BigInt(n) * def.floorWad > WAD) {
    throw new MethodologyError(`${def.name}: floor f = ${def.floorWad} must satisfy 0 <= N*f <= 1e18 (N = ${n})`);
  }
  if (def.capWad !== undefined) checkCap(def.name, n, def.floorWad, def.capWad);
  if (!def.eligibility.excludeStablecoins || !def.eligibility.excludeWrapped) {
    throw new MethodologyError(
      `${def.name}: every product excludes stablecoins and wrapped, bridged or staked derivatives (methodology section 1); ` +
        `excludeStablecoins and excludeWrapped must both be true`,
    );
  }
}

/** @throws MethodologyError when cap c is infeasible for N constituents with floor f. */
export function checkCap(name: string, n: number, floorWad: bigint, capWad: bigint): void {
  if (capWad > WAD || capWad < floorWad) {
    throw new MethodologyError(`${name}: cap c = ${capWad} must satisfy floor (${floorWad}) <= c <= 1e18`);
  }
  if (BigInt(n) * capWad < WAD) {
    throw new MethodologyError(
      `${name}: cap c = ${capWad} is infeasible for N = ${n}: N*c = ${BigInt(n) * capWad} < 1e18, weights could not sum to 100%`,
      `use a cap of at least ceil(1e18 / N) = ${(WAD + BigInt(n) - 1n) / BigInt(n)}`,
    );
  }
}

/** True when `asset` passes the index's eligibility filter (market cap is checked by ranking). */
export function isEligible(asset: Asset, eligibility: Eligibility): boolean {
  if (eligibility.excludeStablecoins && asset.stablecoin) return false;
  if (eligibility.excludeWrapped && asset.wrapped) return false;
  if (eligibility.category !== undefined && !asset.categories.includes(eligibility.category)) return false;
  return true;
}
