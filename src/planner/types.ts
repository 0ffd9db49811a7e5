/**
 * Types of the pure trade planner. Units are named on every amount:
 * - {tok}   token base units (a balance as `balanceOf` returns it)
 * - {USD}   US dollars scaled by 1e18 (1e18 = $1)
 * - {WAD}   a fraction scaled by 1e18 (1e18 = 100%)
 * Addresses are compared case-insensitively; outputs keep the spelling the caller gave.
 */

/** One token of the current basket. A token the targets buy in must be listed here with balance 0n. */
export interface Holding {
  readonly address: string;
  readonly symbol: string;
  /** ERC-20 decimals (6 for USDC, 8 for cbBTC, 18 for most). */
  readonly decimals: number;
  /** {tok} what the vault holds now. */
  readonly balance: bigint;
}

/** A direct Uniswap V3 pool. The order of `pools` is the preference order when a pair has several. */
export interface Pool {
  readonly tokenA: string;
  readonly tokenB: string;
  /** Uniswap fee tier in hundredths of a basis point (500 = 0.05%, 3000 = 0.3%). */
  readonly fee: number;
}

export interface PlanInput {
  readonly basket: readonly Holding[];
  /** {USD} per whole token (Chainlink answer normalised to 18 decimals), keyed by token address. */
  readonly prices: Readonly<Record<string, bigint>>;
  /** {WAD} target weight per token address; must sum to exactly 1e18. Absent = 0 (sold to zero). */
  readonly targets: Readonly<Record<string, bigint>>;
  readonly pools: readonly Pool[];
  /** Routing hubs in preference order, e.g. [USDC, WETH]. */
  readonly hubs: readonly string[];
  /** {USD} largest value of one trade; larger legs are split into chunks. Must be > 0. */
  readonly maxTradeUsd: bigint;
  /**
   * {USD} dust threshold. A token whose |value - target| is below it is not traded (it stays a
   * little off target), and no trade or chunk is planned below it (see `planTrades` for how the
   * remainder is folded). 0n plans every difference down to one base unit. Must be <= maxTradeUsd / 2.
   */
  readonly dustUsd: bigint;
  /** Maximum slippage in basis points used for `minAmountOut` (default 100 = 1%). 0 <= bps < 10000. */
  readonly maxSlippageBps?: number;
  /**
   * Each token's side in the Rebalancer window (IRebalancer.Direction, fixed on chain at open), keyed by
   * token address. When given, only "sell" tokens are sold and only "buy" tokens bought: a token whose
   * difference from target points the other way (or that is "none" or absent) is not traded and is reported
   * in `skippedSide`. Omitted: no constraint (every over-weight sells, every under-weight buys).
   */
  readonly sides?: Readonly<Record<string, Side>>;
}

/** A token's side in an open rebalance window: "sell" (over-weight at open), "buy" (under-weight), "none". */
export type Side = "sell" | "buy" | "none";

export interface Trade {
  readonly tokenIn: string;
  readonly tokenOut: string;
  readonly symbolIn: string;
  readonly symbolOut: string;
  /** {tok of tokenIn} rounded DOWN; the trades of one token never sum above its balance. */
  readonly amountIn: bigint;
  /**
   * {tok of tokenOut} amountIn valued at the oracle prices of both tokens, BEFORE pool fees and
   * price impact, rounded DOWN. Pool fees are paid out of the slippage allowance.
   */
  readonly expectedAmountOut: bigint;
  /** {tok of tokenOut} floor(expectedAmountOut * (10000 - maxSlippageBps) / 10000): rounded DOWN. */
  readonly minAmountOut: bigint;
  /** [tokenIn, tokenOut] for a direct pool, [tokenIn, hub, tokenOut] when routed. */
  readonly path: readonly string[];
  /** Fee tier of each hop (path.length - 1 entries), hundredths of a bip. */
  readonly fees: readonly number[];
  /** {USD} amountIn valued at the tokenIn price, rounded DOWN; never above maxTradeUsd. */
  readonly usdValue: bigint;
}

/** A token left untouched because its difference from target is below the dust threshold. */
export interface DustSkip {
  readonly token: string;
  readonly symbol: string;
  /** {USD} value - target (positive: over-weight left unsold; negative: under-weight left unbought). */
  readonly deltaUsd: bigint;
}

export interface PlanSummary {
  /** {USD} sum over holdings of balance * price, each rounded DOWN. */
  readonly navUsd: bigint;
  /**
   * {USD} what the plan sells: the sum of the over-weights (value - target) of every token traded.
   * This is the minimum any plan reaching the targets must sell (half the L1 distance times NAV).
   */
  readonly turnoverUsd: bigint;
  /** {USD} sum of `usdValue` over the trades (equal to turnoverUsd up to base-unit rounding). */
  readonly tradedUsd: bigint;
  readonly tradeCount: number;
  /** {WAD} per token address (lower case): value / NAV before trading, rounded DOWN. */
  readonly currentWeights: Readonly<Record<string, bigint>>;
  /** {WAD} per token address (lower case) after applying the trades at the oracle prices, no slippage, rounded DOWN. */
  readonly expectedWeights: Readonly<Record<string, bigint>>;
  readonly skippedDust: readonly DustSkip[];
  /**
   * Tokens off target by at least dust that the window's sides forbid trading that way (see
   * `PlanInput.sides`): e.g. a token bought past its target cannot be sold back in the same window.
   */
  readonly skippedSide: readonly DustSkip[];
}

export interface Plan {
  readonly trades: readonly Trade[];
  readonly summary: PlanSummary;
}
