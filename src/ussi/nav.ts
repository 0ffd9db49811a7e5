/**
 * USSI NAV and its breakdown (METHODOLOGY 6): NAV = spot value + perp unrealised PnL + accrued
 * funding + cash. The report matches the fields of the on-chain EIP-712 NAV report; signing is
 * not done here. All amounts {1e18 USD} unless stated.
 */
import { InputError } from "../lib/errors";
import { BPS, WAD, divCeil, divFloor, wadMulCeil } from "./fixed";
import { type Book, type Prices, bookSymbols, detectDrift, perpUnrealisedPnl } from "./hedge";

/** Default liquid buffer: 5% of NAV (METHODOLOGY 6). */
export const DEFAULT_BUFFER_WAD = 5n * 10n ** 16n;

export interface NavBreakdown {
  readonly spotValue: bigint; // sum of qty * price, each rounded down
  readonly perpPnl: bigint; // sum of unrealised PnL, each rounded down
  readonly fundingAccrued: bigint; // settled funding not yet swept into cash
  readonly cash: bigint;
  /** spotValue + perpPnl + fundingAccrued + cash, exactly. */
  readonly nav: bigint;
}

/** Marks the book to `prices`. Every asset with a position needs a price. */
export function navBreakdown(book: Book, prices: Prices): NavBreakdown {
  let spotValue = 0n;
  let perpPnl = 0n;
  for (const symbol of bookSymbols(book)) {
    const qty = book.spot[symbol] ?? 0n;
    const position = book.perp[symbol];
    if (qty === 0n && (position === undefined || position.size === 0n)) continue;
    const price = prices[symbol];
    if (price === undefined || price <= 0n) throw new InputError(`no positive price for ${symbol}`);
    spotValue += divFloor(qty * price, WAD); // down
    if (position !== undefined) perpPnl += perpUnrealisedPnl(position, price);
  }
  const { fundingAccrued, cash } = book;
  return { spotValue, perpPnl, fundingAccrued, cash, nav: spotValue + perpPnl + fundingAccrued + cash };
}

/** The fields of the on-chain NAV report (issue 5), all bigint; USD amounts {1e18 USD}. */
export interface NavReport {
  readonly round: bigint;
  readonly nav: bigint;
  /** nav * 1e18 / supply, rounded down {1e18 USD per 1e18 token}. */
  readonly navPerToken: bigint;
  readonly spotValue: bigint;
  readonly perpPnl: bigint;
  readonly fundingAccrued: bigint;
  /**
   * max over assets of |net delta USD| / NAV, in basis points, rounded UP. Net delta of an asset =
   * (spot qty + perp qty) * price; cash and funding carry no delta. The vault compares this with
   * its risk limit.
   */
  readonly netDeltaBps: bigint;
  readonly timestamp: bigint; // unix seconds
}

export interface NavReportInput {
  readonly book: Book;
  readonly prices: Prices;
  /** USSI total supply {1e18 token}, > 0. */
  readonly supply: bigint;
  readonly round: bigint;
  readonly timestamp: bigint;
}

/** The unsigned NAV report. Refuses a non-positive NAV or supply (nothing meaningful to report). */
export function navReport(input: NavReportInput): NavReport {
  const { book, prices, supply, round, timestamp } = input;
  if (supply <= 0n) throw new InputError(`supply must be positive, got ${supply}`);
  if (round < 0n || timestamp < 0n) throw new InputError("round and timestamp must not be negative");
  const b = navBreakdown(book, prices);
  if (b.nav <= 0n) throw new InputError(`NAV is ${b.nav}, not positive: the book is insolvent or empty`);
  return {
    round,
    nav: b.nav,
    navPerToken: divFloor(b.nav * WAD, supply), // down
    spotValue: b.spotValue,
    perpPnl: b.perpPnl,
    fundingAccrued: b.fundingAccrued,
    netDeltaBps: detectDrift(book, prices, b.nav, 0n).maxDeltaBps,
    timestamp,
  };
}

export interface LiquidBuffer {
  /** bufferWad * NAV, rounded UP (the buffer the vault should hold) {1e18 USD}. */
  readonly target: bigint;
  /** Cash available now for instant redemptions (cash, floored at 0) {1e18 USD}. */
  readonly available: bigint;
  /** target - available when positive, else 0: cash to raise from the book. */
  readonly shortfall: bigint;
  /** available - target when positive, else 0: cash that may go into the book. */
  readonly excess: bigint;
}

/** The liquid buffer (METHODOLOGY 6, account level) against its target share of NAV. */
export function liquidBuffer(nav: bigint, cash: bigint, bufferWad = DEFAULT_BUFFER_WAD): LiquidBuffer {
  if (bufferWad < 0n || bufferWad > WAD) throw new InputError(`buffer must be within [0, 1e18], got ${bufferWad}`);
  const target = nav > 0n ? wadMulCeil(nav, bufferWad) : 0n;
  const available = cash > 0n ? cash : 0n;
  return {
    target,
    available,
    shortfall: target > available ? target - available : 0n,
    excess: available > target ? available - target : 0n,
  };
}

/**
 * How a redemption of `amountUsd` {1e18 USD} is served: instantly when the available buffer
 * covers it in full, otherwise it is queued in full (issue 5: no partial instant fills).
 */
export function redemptionRoute(amountUsd: bigint, buffer: LiquidBuffer): "instant" | "queued" {
  if (amountUsd <= 0n) throw new InputError(`redemption amount must be positive, got ${amountUsd}`);
  return amountUsd <= buffer.available ? "instant" : "queued";
}

/** |delta| / NAV in basis points rounded up, for a single USD delta (helper for reports). */
export function bpsOfNav(deltaUsd: bigint, nav: bigint): bigint {
  if (nav <= 0n) throw new InputError(`NAV must be positive, got ${nav}`);
  return divCeil((deltaUsd < 0n ? -deltaUsd : deltaUsd) * BPS, nav);
}
