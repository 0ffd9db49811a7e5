/**
 * USSI backtest over funding-rate history.
 *
 * The book: initial NAV in cash, then a spot leg at the (renormalised) weights, each hedged by a
 * short perp of the same coin quantity, and a cash buffer (default 5% of NAV). All book
 * arithmetic uses the bigint hedge engine (`hedge.ts`, `nav.ts`); statistics (yield, volatility,
 * drawdown) are floats computed from the bigint NAV series.
 *
 * Timeline. Events are the union of the settlement times of the weighted symbols in [start, end).
 * The book is built at `start` just BEFORE a settlement at that instant, so it earns it (this
 * matches the data README's calendar-year sums). At each event, in order:
 *   1. the management fee accrues on NAV for the time since the previous event (rounded up);
 *   2. every held symbol that settles at this time receives -size * mark * rate (fundingPayment);
 *   3. on the first event of a new UTC month: reconstitution (weights renormalised among the
 *      symbols whose series has started and not ended; spot traded to target weights of
 *      NAV - buffer; perp PnL realised into cash; every hedge back to zero), otherwise a SWEEP:
 *      accrued funding goes to cash and the cash above (below) the buffer target buys (sells)
 *      spot at the current weights, WITHOUT touching the perps;
 *   4. drift check: when |net delta| of any asset is above tolerance * NAV, every asset's hedge
 *      is traded back to zero (a drift rebalance).
 * Every perp trade pays perpCostBps of its notional (rounded up). Spot trades are free (not
 * modelled). Fee and costs are paid from cash; the next sweep restores the buffer from spot.
 *
 * Where drift comes from. Prices default to a constant 1 USD per coin unit (`price` may be given).
 * With coin-quantity hedges a price move alone never creates net delta, so the model's drift is
 * the sweep: funding cash (net of fees and costs) reinvested into, or taken out of, the spot leg
 * while the perps stay put. A symbol whose series starts later is excluded (not held, not hedged)
 * until the first reconstitution at or after its first settlement; the other weights are
 * renormalised among the available symbols meanwhile.
 */
import { InputError } from "../lib/errors";
import { BPS, WAD, YEAR_SECONDS, divCeil, divFloor, numberToWad, wadMulCeil, wadMulFloor, wadToNumber } from "./fixed";
import { type FundingSeries, formatIsoSecond } from "./funding";
import {
  type Book,
  DEFAULT_DRIFT_TOLERANCE_WAD,
  type PerpPosition,
  applyPerpTrade,
  detectDrift,
  fundingPayment,
  hedgeOrders,
} from "./hedge";
import { DEFAULT_BUFFER_WAD, type NavReport, navBreakdown, navReport } from "./nav";
import { renormalise } from "./weights";

export interface BacktestOptions {
  readonly funding: Readonly<Record<string, FundingSeries>>;
  /** Target spot weights, WAD, summing to 1e18; every symbol needs a series in `funding`. */
  readonly weights: Readonly<Record<string, bigint>>;
  /** Start, unix seconds, inclusive (default: the first settlement of any weighted symbol). */
  readonly from?: number;
  /** End, unix seconds, exclusive (default: one interval after the last settlement). */
  readonly to?: number;
  /** Management fee, basis points of NAV per 365-day year, accrued per event (default 0). */
  readonly feeBpsPerYear?: number;
  /** Cost of every perp trade, basis points of its notional (default 0). */
  readonly perpCostBps?: number;
  /** Drift tolerance, WAD of NAV (default 2e16 = 2%). */
  readonly driftToleranceWad?: bigint;
  /** Liquid buffer kept in cash, WAD of NAV (default 5e16 = 5%). */
  readonly bufferWad?: bigint;
  /** Initial NAV {1e18 USD} (default 1,000,000 USD); the supply is fixed at 1 token per initial USD. */
  readonly initialNav?: bigint;
  /** Mark price {1e18 USD/coin} of a symbol at a time (default: constant 1e18). */
  readonly price?: (symbol: string, time: number) => bigint;
}

export interface NavPoint {
  readonly time: number; // unix seconds
  readonly nav: bigint; // {1e18 USD}
}

export interface BacktestResult {
  readonly start: number; // unix seconds
  readonly end: number; // unix seconds
  readonly years: number; // (end - start) / 365 days
  readonly symbols: string[]; // weighted symbols, sorted
  readonly initialNav: bigint;
  readonly finalNav: bigint;
  /** NAV after each event, preceded by the initial NAV at `start` and ended by the NAV at `end`. */
  readonly series: NavPoint[];
  /** ln(final / initial) / years: continuously compounded; equals the sum of rates when fully hedged. */
  readonly annualisedYield: number;
  /** (final / initial)^(1/years) - 1. */
  readonly cagr: number;
  /** Sample standard deviation of daily log NAV returns * sqrt(365) (daily = last NAV of each UTC day). */
  readonly annualisedVolatility: number;
  /** Largest fall from a running peak, as a fraction of the peak (0.05 = 5%). */
  readonly maxDrawdown: number;
  readonly driftRebalances: number;
  readonly reconstitutions: number;
  readonly perpTrades: number;
  readonly perpTradedNotional: bigint; // {1e18 USD}
  readonly totalFees: bigint; // {1e18 USD}
  readonly totalPerpCosts: bigint; // {1e18 USD}
  readonly totalFunding: bigint; // {1e18 USD}, net received by the shorts
  readonly fundingBySymbol: Record<string, bigint>;
  /** The unsigned NAV report of the final book (round = number of events). */
  readonly finalReport: NavReport;
}

const ONE = WAD;
const MONTH = (t: number): number => {
  const d = new Date(t * 1000);
  return d.getUTCFullYear() * 12 + d.getUTCMonth();
};

/** Runs the backtest. Throws InputError for inconsistent options. */
export function runBacktest(options: BacktestOptions): BacktestResult {
  const { funding, weights } = options;
  const symbols = Object.keys(weights).sort();
  if (symbols.length === 0) throw new InputError("no weights given");
  for (const s of symbols) if (funding[s] === undefined) throw new InputError(`no funding series for ${s}`);
  const feeBps = options.feeBpsPerYear ?? 0;
  const costBps = options.perpCostBps ?? 0;
  if (!(feeBps >= 0) || !(costBps >= 0)) throw new InputError("fee and cost must be non-negative numbers");
  const feeBpsWad = numberToWad(feeBps, "fee-bps-per-year"); // {WAD bps}
  const costBpsWad = numberToWad(costBps, "perp-cost-bps"); // {WAD bps}
  const tolerance = options.driftToleranceWad ?? DEFAULT_DRIFT_TOLERANCE_WAD;
  const bufferWad = options.bufferWad ?? DEFAULT_BUFFER_WAD;
  if (tolerance < 0n) throw new InputError("drift tolerance must not be negative");
  if (bufferWad < 0n || bufferWad >= WAD) throw new InputError("buffer must be within [0, 1)");
  const initialNav = options.initialNav ?? 1_000_000n * WAD;
  if (initialNav <= 0n) throw new InputError("initial NAV must be positive");
  const priceAt = options.price ?? (() => ONE);

  // ---- timeline
  const firstOf = (s: string): number => funding[s]!.settlements[0]?.time ?? Infinity;
  const lastOf = (s: string): number => funding[s]!.settlements.at(-1)?.time ?? -Infinity;
  const earliest = Math.min(...symbols.map(firstOf));
  const start = Math.max(options.from ?? earliest, earliest);
  const limit = options.to ?? Infinity;
  const times = new Set<number>();
  const ratesAt = new Map<number, Array<{ symbol: string; rateWad: bigint }>>();
  for (const symbol of symbols) {
    for (const s of funding[symbol]!.settlements) {
      if (s.time < start || s.time >= limit) continue;
      times.add(s.time);
      const list = ratesAt.get(s.time) ?? [];
      list.push({ symbol, rateWad: s.rateWad });
      ratesAt.set(s.time, list);
    }
  }
  const events = [...times].sort((a, b) => a - b);
  if (events.length === 0) {
    throw new InputError(
      `no settlement of ${symbols.join(", ")} between ${formatIsoSecond(start)} and ${
        Number.isFinite(limit) ? formatIsoSecond(limit) : "the end"
      }`
    );
  }
  const lastEvent = events.at(-1)!;
  // one interval after the last settlement: the step before it in its own series (8h if alone)
  const lastStep = Math.max(
    ...symbols.map((s) => {
      const st = funding[s]!.settlements;
      const i = st.findIndex((x) => x.time === lastEvent);
      return i > 0 ? lastEvent - st[i - 1]!.time : i === 0 ? 8 * 3600 : 0;
    })
  );
  const end = Math.min(limit, lastEvent + lastStep);

  // ---- book state (mutable copies of the engine's readonly shapes)
  const spot: Record<string, bigint> = {};
  const perp: Record<string, PerpPosition> = {};
  let cash = initialNav;
  let fundingAccrued = 0n;
  let current: Record<string, bigint> = {};
  const book = (): Book => ({ spot, perp, cash, fundingAccrued });
  const prices = (t: number): Record<string, bigint> => {
    const out: Record<string, bigint> = {};
    for (const s of symbols) out[s] = priceAt(s, t);
    return out;
  };

  let totalFees = 0n;
  let totalPerpCosts = 0n;
  let totalFunding = 0n;
  let perpTradedNotional = 0n;
  let perpTrades = 0;
  let driftRebalances = 0;
  let reconstitutions = 0;
  const fundingBySymbol: Record<string, bigint> = Object.fromEntries(symbols.map((s) => [s, 0n]));

  const tradeSpot = (symbol: string, usd: bigint, price: bigint): void => {
    let qty = (usd * WAD) / price; // {1e18 coin}, toward zero
    const held = spot[symbol] ?? 0n;
    if (held + qty < 0n) qty = -held;
    if (qty === 0n) return;
    spot[symbol] = held + qty;
    cash -= qty > 0n ? divCeil(qty * price, WAD) : -divFloor(-qty * price, WAD); // pay up, receive down
  };

  const rehedge = (px: Record<string, bigint>): void => {
    for (const order of hedgeOrders(book())) {
      const price = px[order.symbol]!;
      const position = perp[order.symbol] ?? { size: 0n, entryPrice: 0n };
      const { position: next, realisedPnl } = applyPerpTrade(position, order.perpChange, price);
      perp[order.symbol] = next;
      const notional = divCeil(order.size * price, WAD); // {1e18 USD}
      const cost = divCeil(notional * costBpsWad, BPS * WAD); // up
      cash += realisedPnl - cost;
      totalPerpCosts += cost;
      perpTradedNotional += notional;
      perpTrades += 1;
    }
  };

  const sweep = (px: Record<string, bigint>): void => {
    cash += fundingAccrued;
    fundingAccrued = 0n;
    const nav = navBreakdown(book(), px).nav;
    const excess = cash - wadMulCeil(nav > 0n ? nav : 0n, bufferWad);
    if (excess === 0n) return;
    for (const [symbol, w] of Object.entries(current)) tradeSpot(symbol, (excess * w) / WAD, px[symbol]!);
  };

  const reconstitute = (t: number, px: Record<string, bigint>): void => {
    const available = symbols.filter((s) => firstOf(s) <= t && lastOf(s) >= t);
    current = renormalise(weights, available);
    cash += fundingAccrued;
    fundingAccrued = 0n;
    // realise perp PnL into cash: the position is re-marked at the current price
    for (const [symbol, position] of Object.entries(perp)) {
      const { realisedPnl } = applyPerpTrade(position, -position.size, px[symbol]!);
      cash += realisedPnl;
      perp[symbol] = position.size === 0n ? position : { size: position.size, entryPrice: px[symbol]! };
    }
    const nav = navBreakdown(book(), px).nav;
    if (nav <= 0n) throw new InputError(`NAV fell to ${nav} at ${formatIsoSecond(t)}`);
    const investable = nav - wadMulCeil(nav, bufferWad);
    for (const symbol of Object.keys(spot).sort()) {
      if (current[symbol] !== undefined || spot[symbol] === 0n) continue;
      cash += divFloor(spot[symbol]! * px[symbol]!, WAD); // sold out of the index, proceeds down
      spot[symbol] = 0n;
    }
    for (const [symbol, w] of Object.entries(current)) {
      const target = wadMulFloor(investable, w); // {1e18 USD}, down
      const value = divFloor((spot[symbol] ?? 0n) * px[symbol]!, WAD);
      tradeSpot(symbol, target - value, px[symbol]!);
    }
    rehedge(px);
    reconstitutions += 1;
  };

  // ---- run
  const series: NavPoint[] = [{ time: start, nav: initialNav }];
  let lastT = start;
  let lastMonth = MONTH(start);
  let px = prices(start);
  reconstitute(start, px);

  const accrueFee = (dt: number): void => {
    if (dt <= 0 || feeBpsWad === 0n) return;
    const nav = navBreakdown(book(), px).nav;
    if (nav <= 0n) return;
    const fee = divCeil(nav * feeBpsWad * BigInt(dt), BPS * WAD * BigInt(YEAR_SECONDS)); // up
    cash -= fee;
    totalFees += fee;
  };

  for (const t of events) {
    px = prices(t);
    accrueFee(t - lastT);
    for (const { symbol, rateWad } of ratesAt.get(t) ?? []) {
      const position = perp[symbol];
      if (position === undefined || position.size === 0n) continue;
      const pay = fundingPayment(position.size, px[symbol]!, rateWad);
      fundingAccrued += pay;
      totalFunding += pay;
      fundingBySymbol[symbol] = fundingBySymbol[symbol]! + pay;
    }
    if (MONTH(t) !== lastMonth) {
      reconstitute(t, px);
      lastMonth = MONTH(t);
    } else {
      sweep(px);
      const nav = navBreakdown(book(), px).nav;
      if (nav <= 0n) throw new InputError(`NAV fell to ${nav} at ${formatIsoSecond(t)}`);
      if (detectDrift(book(), px, nav, tolerance).rebalance) {
        rehedge(px);
        driftRebalances += 1;
      }
    }
    series.push({ time: t, nav: navBreakdown(book(), px).nav });
    lastT = t;
  }
  accrueFee(end - lastT);
  const finalNav = navBreakdown(book(), px).nav;
  series.push({ time: end, nav: finalNav });

  const years = (end - start) / YEAR_SECONDS;
  const growth = wadToNumber(finalNav) / wadToNumber(initialNav);
  const annualisedYield = years > 0 ? Math.log(growth) / years : 0;
  return {
    start,
    end,
    years,
    symbols,
    initialNav,
    finalNav,
    series,
    annualisedYield,
    cagr: years > 0 ? Math.pow(growth, 1 / years) - 1 : 0,
    annualisedVolatility: annualisedVolatility(series),
    maxDrawdown: maxDrawdown(series),
    driftRebalances,
    reconstitutions,
    perpTrades,
    perpTradedNotional,
    totalFees,
    totalPerpCosts,
    totalFunding,
    fundingBySymbol,
    finalReport: navReport({ book: book(), prices: px, supply: initialNav, round: BigInt(events.length), timestamp: BigInt(end) }),
  };
}

/** The last NAV of each UTC day, in time order (the first point is kept as the opening value). */
export function dailySeries(series: readonly NavPoint[]): NavPoint[] {
  const out: NavPoint[] = [];
  for (const p of series) {
    const day = Math.floor(p.time / 86_400);
    const last = out.at(-1);
    if (out.length > 1 && last !== undefined && Math.floor(last.time / 86_400) === day) out[out.length - 1] = p;
    else out.push(p);
  }
  return out;
}

/** Sample standard deviation of daily log returns * sqrt(365); 0 with fewer than 2 returns. */
export function annualisedVolatility(series: readonly NavPoint[]): number {
  const daily = dailySeries(series).map((p) => wadToNumber(p.nav));
  const r: number[] = [];
  for (let i = 1; i < daily.length; i++) r.push(Math.log(daily[i]! / daily[i - 1]!));
  if (r.length < 2) return 0;
  const mean = r.reduce((a, b) => a + b, 0) / r.length;
  const variance = r.reduce((a, b) => a + (b - mean) ** 2, 0) / (r.length - 1);
  return Math.sqrt(variance) * Math.sqrt(365);
}

/** Largest peak-to-trough fall as a fraction of the peak, over every point. */
export function maxDrawdown(series: readonly NavPoint[]): number {
  let peak = -Infinity;
  let worst = 0;
  for (const p of series) {
    const v = wadToNumber(p.nav);
    if (v > peak) peak = v;
    else if (peak > 0) worst = Math.max(worst, (peak - v) / peak);
  }
  return worst;
}

/** The backtest as plain JSON (bigints as decimal strings of 1e18 units, floats as numbers). */
export function backtestJson(r: BacktestResult): Record<string, unknown> {
  const usd = (x: bigint): number => wadToNumber(x);
  return {
    start: formatIsoSecond(r.start),
    end: formatIsoSecond(r.end),
    years: r.years,
    symbols: r.symbols,
    initialNavUsd: usd(r.initialNav),
    finalNavUsd: usd(r.finalNav),
    annualisedYield: r.annualisedYield,
    cagr: r.cagr,
    annualisedVolatility: r.annualisedVolatility,
    maxDrawdown: r.maxDrawdown,
    driftRebalances: r.driftRebalances,
    reconstitutions: r.reconstitutions,
    perpTrades: r.perpTrades,
    perpTradedNotionalUsd: usd(r.perpTradedNotional),
    totalFeesUsd: usd(r.totalFees),
    totalPerpCostsUsd: usd(r.totalPerpCosts),
    totalFundingUsd: usd(r.totalFunding),
    fundingBySymbolUsd: Object.fromEntries(Object.entries(r.fundingBySymbol).map(([s, v]) => [s, usd(v)])),
    finalReport: Object.fromEntries(Object.entries(r.finalReport).map(([k, v]) => [k, (v as bigint).toString()])),
    navSeries: dailySeries(r.series).map((p) => ({ time: formatIsoSecond(p.time), navUsd: usd(p.nav) })),
  };
}

export interface YearResult {
  readonly year: number;
  readonly result: BacktestResult;
}

/**
 * One independent backtest per UTC calendar year (each from a fresh book with the same options),
 * clipped to options.from/to and to the data; years without a settlement are left out.
 */
export function backtestByYear(options: BacktestOptions): YearResult[] {
  const whole = runBacktest(options); // validates and fixes the covered window
  const first = new Date(whole.start * 1000).getUTCFullYear();
  const last = new Date((whole.end - 1) * 1000).getUTCFullYear();
  const out: YearResult[] = [];
  for (let year = first; year <= last; year++) {
    const from = Math.max(whole.start, Date.UTC(year, 0, 1) / 1000);
    const to = Math.min(whole.end, Date.UTC(year + 1, 0, 1) / 1000);
    out.push({ year, result: runBacktest({ ...options, from, to }) });
  }
  return out;
}

/** The per-year summary as plain JSON (no NAV series). */
export function yearJson(y: YearResult): Record<string, unknown> {
  const { navSeries: _series, fundingBySymbolUsd: _bySymbol, finalReport: _report, ...summary } = backtestJson(y.result);
  return { year: y.year, ...summary };
}
