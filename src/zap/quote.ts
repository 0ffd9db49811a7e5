/**
 * The one-token zap quote (issue 11), pure: from the vault's basket amounts for a number of shares, the pool
 * quotes (QuoterV2 results passed in as plain data) and the oracle prices, the exact input a mint needs (or the
 * output a redeem pays), the per-constituent routes, the bound sent on chain, and the Chainlink NAV of the same
 * shares beside it, so the user sees the zap's premium (mint) or discount (redeem) against NAV before sending.
 *
 * Units: token amounts are base units {tok}; USD values and prices are 1e18 fixed point ({USD} per whole
 * token); bps are basis points. Rounding: what the user pays is rounded UP, what the user gets DOWN.
 */
import { InputError, SsiError } from "../lib/errors";
import { encodeV3Path, type Pool } from "../planner";

export const WAD = 10n ** 18n;
const BPS = 10_000n;
export const DEFAULT_ZAP_SLIPPAGE_BPS = 50;
/** How much worse than the oracle NAV a quote may be before the tasks refuse it (thin or moved pools). */
export const DEFAULT_MAX_NAV_DEVIATION_BPS = 200;

export type ZapSide = "mint" | "redeem";

/** A route between a constituent and the payment token, in trade direction order for the side. */
export interface ZapRoute {
  /** Token addresses, constituent first and payment token last (the Uniswap encoding of both sides). */
  readonly tokens: readonly string[];
  /** Fee tiers, one per hop (500 = 0.05%). */
  readonly fees: readonly number[];
}

const key = (a: string) => a.toLowerCase();
const pairKey = (a: string, b: string) => (key(a) < key(b) ? `${key(a)}/${key(b)}` : `${key(b)}/${key(a)}`);

/**
 * Candidate routes from `constituent` to `payToken` over the known pools: the direct pool of every fee tier,
 * then every hub with a pool to both, then every ordered hub pair (constituent - hub - hub - payToken).
 * An empty list for the payment token itself (it is not swapped); otherwise every route the caller should
 * quote. Pools are undirected (tokenA/tokenB in any order).
 */
export function candidateRoutes(constituent: string, payToken: string, pools: readonly Pool[], hubs: readonly string[]): ZapRoute[] {
  if (key(constituent) === key(payToken)) return [];
  const byPair = new Map<string, number[]>();
  for (const p of pools) {
    const k = pairKey(p.tokenA, p.tokenB);
    byPair.set(k, [...(byPair.get(k) ?? []), p.fee]);
  }
  const fees = (a: string, b: string) => byPair.get(pairKey(a, b)) ?? [];
  const out: ZapRoute[] = [];
  for (const f of fees(constituent, payToken)) out.push({ tokens: [constituent, payToken], fees: [f] });
  const mids = hubs.filter((h) => key(h) !== key(constituent) && key(h) !== key(payToken));
  for (const h of mids) {
    for (const f1 of fees(constituent, h)) for (const f2 of fees(h, payToken)) out.push({ tokens: [constituent, h, payToken], fees: [f1, f2] });
  }
  for (const h1 of mids) {
    for (const h2 of mids) {
      if (key(h1) === key(h2)) continue;
      for (const f1 of fees(constituent, h1)) {
        for (const f2 of fees(h1, h2)) for (const f3 of fees(h2, payToken)) out.push({ tokens: [constituent, h1, h2, payToken], fees: [f1, f2, f3] });
      }
    }
  }
  return out;
}

/** The route's bytes for the zap: constituent first, payment token last (exactOutput for mint, exactInput for redeem). */
export function encodeZapRoute(route: ZapRoute | undefined): string {
  return route === undefined ? "0x" : encodeV3Path(route.tokens, route.fees);
}

/** The QuoterV2 path to quote a route: exactOutput takes the same reversed path, exactInput the same path. */
export const quoterPath = encodeZapRoute;

/** One basket constituent with its quoted routes. */
export interface ZapLegInput {
  readonly token: string;
  readonly symbol: string;
  readonly decimals: number;
  /** {tok} previewMint (rounded up) or previewRedeem (rounded down) for the shares. */
  readonly amount: bigint;
  /** {USD per whole token, 1e18} the oracle (Chainlink) price. */
  readonly priceUsd: bigint;
  /**
   * QuoterV2 results per candidate route: mint, `quoteExactOutput(path, amount)` {tok of pay token in};
   * redeem, `quoteExactInput(path, amount)` {tok of pay token out}. A failed quote is left out. Ignored
   * (may be empty) for the payment token itself.
   */
  readonly quotes: ReadonlyArray<{ readonly route: ZapRoute; readonly amount: bigint }>;
}

export interface ZapQuoteInput {
  readonly side: ZapSide;
  /** Index shares, 1e18 per whole token. */
  readonly shares: bigint;
  readonly payToken: { readonly address: string; readonly symbol: string; readonly decimals: number; readonly priceUsd: bigint };
  readonly legs: readonly ZapLegInput[];
  /** {USD, 1e18} the vault's Chainlink NAV of the same shares (navPerShare * shares / 1e18). */
  readonly navUsd: bigint;
  /** Slippage allowed on top of the quote for the on-chain bound. Default 50. */
  readonly maxSlippageBps?: number;
}

export interface ZapLegQuote {
  readonly token: string;
  readonly symbol: string;
  readonly amount: bigint;
  /** The best route, or undefined for the payment token itself (not swapped). */
  readonly route?: ZapRoute;
  /** {tok of pay token} paid for (mint) or received for (redeem) this constituent. */
  readonly payAmount: bigint;
}

export interface ZapQuote {
  readonly side: ZapSide;
  readonly shares: bigint;
  readonly payToken: ZapQuoteInput["payToken"];
  readonly legs: readonly ZapLegQuote[];
  /** Per constituent in basket order, the route bytes the zap takes (0x for the payment token itself). */
  readonly routes: readonly string[];
  /** {tok of pay token} the quoted total: input for mint, output for redeem. */
  readonly amount: bigint;
  /** {tok of pay token} the on-chain bound: maxAmountIn (rounded UP) or minAmountOut (rounded DOWN). */
  readonly bound: bigint;
  readonly maxSlippageBps: number;
  /** {USD, 1e18} the quoted amount at the pay token's oracle price (mint rounded UP, redeem DOWN). */
  readonly quoteUsd: bigint;
  readonly navUsd: bigint;
  /**
   * The cost to the user against NAV, in bps of NAV (positive = worse than NAV): mint
   * (quoteUsd - navUsd) / navUsd, redeem (navUsd - quoteUsd) / navUsd, rounded UP (toward the user's cost).
   */
  readonly costBps: number;
}

const ceilDiv = (a: bigint, b: bigint) => (a === 0n ? 0n : (a - 1n) / b + 1n);

/** Builds the quote; throws InputError naming the constituent that has no quoted route. */
export function quoteZap(input: ZapQuoteInput): ZapQuote {
  const bps = input.maxSlippageBps ?? DEFAULT_ZAP_SLIPPAGE_BPS;
  if (!Number.isInteger(bps) || bps < 0 || bps >= 10_000) throw new InputError(`max slippage ${bps} bps: must be an integer in [0, 10000)`);
  if (input.shares <= 0n) throw new InputError("shares must be positive");
  if (input.navUsd <= 0n) throw new InputError("the NAV of the shares must be positive");
  const mint = input.side === "mint";
  const pay = input.payToken;
  const legs: ZapLegQuote[] = input.legs.map((l) => {
    if (key(l.token) === key(pay.address) || l.amount === 0n) return { token: l.token, symbol: l.symbol, amount: l.amount, payAmount: key(l.token) === key(pay.address) ? l.amount : 0n, route: undefined };
    if (l.quotes.length === 0) throw new InputError(`no quoted route between ${l.symbol} (${l.token}) and ${pay.symbol}: no pool direct or through a hub`);
    const best = l.quotes.reduce((a, b) => (mint ? (b.amount < a.amount ? b : a) : b.amount > a.amount ? b : a));
    return { token: l.token, symbol: l.symbol, amount: l.amount, route: best.route, payAmount: best.amount };
  });
  const amount = legs.reduce((s, l) => s + l.payAmount, 0n);
  const bound = mint ? ceilDiv(amount * (BPS + BigInt(bps)), BPS) : (amount * (BPS - BigInt(bps))) / BPS;
  const unit = 10n ** BigInt(pay.decimals);
  const quoteUsd = mint ? ceilDiv(amount * pay.priceUsd, unit) : (amount * pay.priceUsd) / unit;
  const diff = mint ? quoteUsd - input.navUsd : input.navUsd - quoteUsd;
  const costBps = Number(diff >= 0n ? ceilDiv(diff * BPS, input.navUsd) : -((-diff * BPS) / input.navUsd));
  return {
    side: input.side, shares: input.shares, payToken: pay, legs,
    routes: legs.map((l) => encodeZapRoute(l.route)),
    amount, bound, maxSlippageBps: bps, quoteUsd, navUsd: input.navUsd, costBps,
  };
}

/** Refuses a quote worse than NAV by more than `maxDeviationBps` (a thin or manipulated pool). */
export function checkAgainstNav(q: ZapQuote, maxDeviationBps = DEFAULT_MAX_NAV_DEVIATION_BPS): void {
  if (q.costBps > maxDeviationBps) {
    throw new SsiError(
      `the zap ${q.side} quote is ${(q.costBps / 100).toFixed(2)}% worse than the oracle NAV (limit ${(maxDeviationBps / 100).toFixed(2)}%): a thin or moved pool`,
      "retry later, lower --shares, or raise --max-nav-deviation-bps if the pools are known to be fine",
    );
  }
}

/** {USD, 1e18} the Chainlink NAV of `shares`: navPerShare * shares / 1e18, rounded DOWN. */
export function navOfShares(navPerShare: bigint, shares: bigint): bigint {
  return (navPerShare * shares) / WAD;
}
