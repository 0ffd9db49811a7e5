/**
 * Plain data shared by the methodology (sections 1-3 of METHODOLOGY.md) and the data layer.
 * Pure: no Hardhat or ethers import.
 */

/** One asset of a universe snapshot, as the universe file holds it. */
export interface Asset {
  /** Ticker, e.g. "BTC". Unique within a universe (compared case-insensitively). */
  readonly symbol: string;
  /** Circulating market cap in USD (a float); `undefined` = missing (not eligible). */
  readonly marketCapUsd: number | undefined;
  /** Category tags, e.g. ["meme"], ["defi", "dex"]. */
  readonly categories: readonly string[];
  /** A USD (or other fiat) stablecoin. */
  readonly stablecoin: boolean;
  /** A wrapped, bridged or staked derivative of another asset (WBTC, WETH, stETH, ...). */
  readonly wrapped: boolean;
  /** Optional spot price in USD per whole token (used by demos for mock feeds; not by selection). */
  readonly priceUsd?: number;
}

/** A universe snapshot as of one determination date. */
export interface Universe {
  /** `YYYY-MM-DD`, the UTC day whose close the market caps are taken at. */
  readonly date: string;
  readonly assets: readonly Asset[];
}

/** An eligible asset with its rank (1 = largest market cap). */
export interface RankedAsset {
  readonly symbol: string;
  /** 1-based rank among the eligible assets of one index. */
  readonly rank: number;
  /** Market cap rounded to the nearest whole USD (halves away from zero). {USD} */
  readonly marketCapUsd: bigint;
  readonly asset: Asset;
}

/** A selected constituent with its target weight. */
export interface Constituent {
  readonly symbol: string;
  readonly rank: number;
  /** {USD}, whole dollars */
  readonly marketCapUsd: bigint;
  /** {WAD} 1e18 = 100% */
  readonly weight: bigint;
}

/** What `computeIndex` returns: the constituents in rank order, weights summing to exactly 1e18. */
export interface IndexComposition {
  readonly index: string;
  readonly date: string;
  readonly constituents: readonly Constituent[];
}
