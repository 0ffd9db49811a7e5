/** The pure trade planner (issue 3): see ./planner.ts for the method and rounding directions. */
export * from "./types";
export {
  planTrades,
  applyTrades,
  chunk,
  encodeV3Path,
  valueUsdDown,
  amountForUsdDown,
  convertAtPricesDown,
  minAmountOutDown,
  addressKey,
  WAD,
  DEFAULT_MAX_SLIPPAGE_BPS,
} from "./planner";
