/**
 * SANX backtest (METHODOLOGY.md section 5) over daily data: the engine's signals per asset, the
 * membership state machine, and the NAV of the basket against a buy-and-hold market-cap-weighted
 * basket of the same universe. Pure: data comes in as values (see ./data.ts for reading a folder).
 *
 * Conventions (all stated in the report):
 *  - Prices: Coin Metrics `price_usd` for date d is the close at 00:00 UTC of d + 1. An action
 *    executing at the start of day d therefore trades at the row of d - 1 (price and market cap);
 *    the NAV of day d is valued at the row of d.
 *  - Tradable: an asset is tradable at the start of day d iff it has a market-cap row for d - 1.
 *    An action waits (stays pending, still cancellable) until every asset it trades is tradable:
 *    ADD trades the held set plus the new asset, REMOVE the removed asset and the remaining ones.
 *  - Valuation: a held asset with no row on day d is valued at its last known price (carried forward).
 *  - ADD: net trades to market-cap weights over held + new. REMOVE: sell the removed position and buy
 *    the remaining assets in proportion to their market caps (the others are not re-weighted);
 *    removing the last asset moves its value into the reserve (a USD stablecoin, NAV constant).
 *  - Buy-and-hold: at the start of `from`, market-cap weights over the universe assets tradable then;
 *    never rebalanced.
 *  - Metrics: total return = NAV(to) / NAV(start) - 1 (NAV(start) = 1 at the start of `from`);
 *    volatility = sample sd of DAILY SIMPLE returns x sqrt(365) (crypto trades every day);
 *    max drawdown = max over t of 1 - NAV(t) / max_{s <= t} NAV(s) (daily closes, start included);
 *    turnover = sum over trades of one-way traded value / NAV at the trade, one-way traded value being
 *    half the sum of |value change| over all positions including the reserve (a move from all-reserve
 *    into the basket, or the initial buy-and-hold purchase, is 1.0 = 100%).
 */
import { InputError, MethodologyError } from "../lib/errors";
import { formatDay, parseDay } from "../lib/csv";
import { computeSignals, DEFAULT_PARAMS, type MvrvPoint, type SignalParams } from "../mvrv/engine";
import { replayMembership, type ActionKind, type CancelledAction, type GovernanceInput, type PendingAction, type SanxSignal } from "./membership";

export interface MarketRow {
  readonly price: number; // USD per unit
  readonly marketCap: number; // USD
}

export interface AssetData {
  readonly symbol: string;
  readonly mvrv: readonly MvrvPoint[];
  /** Market rows by day number. */
  readonly market: ReadonlyMap<number, MarketRow>;
}

export interface BacktestOptions {
  readonly from?: number;
  readonly to?: number;
  readonly delay?: number;
  readonly params?: SignalParams;
  readonly governance?: readonly GovernanceInput[];
  /** Precomputed signals (tests, or signals from elsewhere); default: the engine over each asset's MVRV. */
  readonly signals?: readonly SanxSignal[];
}

export interface ActionReport {
  readonly date: string; // execution day
  readonly asset: string;
  readonly action: ActionKind;
  readonly signalDate: string;
}

export interface Metrics {
  readonly totalReturn: number;
  readonly annualisedVolatility: number;
  readonly maxDrawdown: number;
  readonly turnover: number;
}

export interface BacktestResult {
  readonly from: string;
  readonly to: string;
  readonly delay: number;
  readonly universe: string[];
  readonly signals: { date: string; asset: string; zone: string }[];
  readonly actions: ActionReport[];
  readonly cancelled: { date: string; asset: string; action: ActionKind; signalDate: string; reason: string }[];
  readonly pendingAtEnd: { asset: string; action: ActionKind; signalDate: string; dueDate: string }[];
  /** The held set from `from` on, one entry per day it changed (the first entry is `from`). */
  readonly membership: { date: string; members: string[] }[];
  /** Closing NAV per day, both baskets starting at 1 at the start of `from`. */
  readonly nav: { date: string; sanx: number; buyHold: number }[];
  readonly buyHoldWeights: { asset: string; weight: number }[];
  readonly metrics: { sanx: Metrics; buyHold: Metrics };
}

/** Default window: from the first day every asset is tradable to the last day every asset has a row. */
export function defaultWindow(assets: readonly AssetData[]): { from: number; to: number } {
  let from = -Infinity;
  let to = Infinity;
  for (const a of assets) {
    if (a.market.size === 0) throw new InputError(`${a.symbol}: no market-cap rows`);
    const days = [...a.market.keys()];
    from = Math.max(from, Math.min(...days) + 1);
    to = Math.min(to, Math.max(...days));
  }
  return { from, to };
}

/** Metrics of a closing-NAV series that starts with the NAV before the first day (see file header). */
export function navMetrics(navWithStart: readonly number[], turnover: number): Metrics {
  const n = navWithStart.length;
  const rets: number[] = [];
  for (let i = 1; i < n; i++) rets.push(navWithStart[i]! / navWithStart[i - 1]! - 1);
  let vol = 0;
  if (rets.length >= 2) {
    const mean = rets.reduce((s, r) => s + r, 0) / rets.length;
    const ss = rets.reduce((s, r) => s + (r - mean) ** 2, 0);
    vol = Math.sqrt(ss / (rets.length - 1)) * Math.sqrt(365);
  }
  let peak = -Infinity;
  let mdd = 0;
  for (const v of navWithStart) {
    peak = Math.max(peak, v);
    mdd = Math.max(mdd, 1 - v / peak);
  }
  return { totalReturn: navWithStart[n - 1]! / navWithStart[0]! - 1, annualisedVolatility: vol, maxDrawdown: mdd, turnover };
}

/** A portfolio of units per asset plus a USD reserve; values in USD, NAV 1 at the start. */
class Portfolio {
  readonly units = new Map<string, number>();
  reserve = 1;
  turnover = 0;

  value(price: (asset: string) => number): number {
    let v = this.reserve;
    for (const [a, u] of this.units) v += u * price(a);
    return v;
  }

  /** Moves to target values (USD) at prices `price`; the reserve takes the rest. Adds to turnover. */
  trade(targets: ReadonlyMap<string, number>, price: (asset: string) => number): void {
    const nav = this.value(price);
    let moved = 0;
    const assets = new Set([...this.units.keys(), ...targets.keys()]);
    let invested = 0;
    for (const a of assets) {
      const before = (this.units.get(a) ?? 0) * price(a);
      const after = targets.get(a) ?? 0;
      moved += Math.abs(after - before);
      invested += after;
      if (after > 0) this.units.set(a, after / price(a));
      else this.units.delete(a);
    }
    const reserveAfter = nav - invested;
    moved += Math.abs(reserveAfter - this.reserve);
    this.reserve = Math.abs(reserveAfter) < 1e-12 * nav ? 0 : reserveAfter;
    if (nav > 0) this.turnover += moved / 2 / nav;
  }
}

/** Runs the backtest. `assets` is the universe (every asset with MVRV and market data). */
export function runBacktest(assets: readonly AssetData[], options: BacktestOptions = {}): BacktestResult {
  if (assets.length === 0) throw new MethodologyError("the SANX universe is empty: no DeFi asset has both MVRV and market-cap data");
  const params = options.params ?? DEFAULT_PARAMS;
  const delay = options.delay ?? 3;
  const win = defaultWindow(assets);
  const from = options.from ?? win.from;
  const to = options.to ?? win.to;
  if (from > to) {
    throw new MethodologyError(
      `the backtest window ${formatDay(from)}..${formatDay(to)} is empty`,
      "the default window is where every universe asset has market data; pass --from and --to",
    );
  }
  const bySymbol = new Map(assets.map((a) => [a.symbol, a]));
  const universe = assets.map((a) => a.symbol).sort();

  // Signals: the engine over each asset's whole MVRV history (thresholds need it); the replay keeps
  // only those dated within the window.
  const signals: SanxSignal[] = options.signals ? [...options.signals] : [];
  for (const a of options.signals ? [] : assets) {
    const report = computeSignals(a.mvrv, params, `${a.symbol} mvrv`);
    const firstDay = a.mvrv.length > 0 ? parseDay(a.mvrv[0]!.date, `${a.symbol} mvrv`) : 0;
    const index = new Map(a.mvrv.map((p, i) => [p.date, firstDay + i]));
    for (const e of report.events) signals.push({ day: index.get(e.date)!, asset: a.symbol, zone: e.zone as "DANGER" | "OPPORTUNITY" });
  }

  const row = (asset: string, day: number) => bySymbol.get(asset)!.market.get(day);
  // Last known close per asset (carried forward over days without a row), from the day before `from`.
  const lastPrice = new Map<string, number>();
  const updateLastPrices = (day: number) => {
    for (const a of universe) {
      const r = row(a, day);
      if (r !== undefined) lastPrice.set(a, r.price);
    }
  };
  updateLastPrices(from - 1);
  const closePrice = (asset: string, day: number): number => {
    const p = lastPrice.get(asset);
    if (p === undefined) throw new InputError(`${asset}: held on ${formatDay(day)} with no price on or before that day`);
    return p;
  };
  const execRow = (asset: string, day: number) => row(asset, day - 1);
  const assetsTraded = (action: PendingAction, held: ReadonlySet<string>) => new Set([...held, action.asset]);

  const sanx = new Portfolio();
  const membership: { date: string; members: string[] }[] = [];
  const nav: { date: string; sanx: number; buyHold: number }[] = [];
  const sanxNav: number[] = [1];
  const bhNav: number[] = [1];

  // Buy-and-hold at the start of `from`, market-cap weights over the assets tradable then.
  const bh = new Portfolio();
  const bhAssets = universe.filter((a) => execRow(a, from) !== undefined);
  const bhCap = bhAssets.reduce((s, a) => s + execRow(a, from)!.marketCap, 0);
  const buyHoldWeights = bhAssets.map((a) => ({ asset: a, weight: execRow(a, from)!.marketCap / bhCap }));
  if (bhAssets.length > 0) bh.trade(new Map(buyHoldWeights.map((w) => [w.asset, w.weight])), (a) => execRow(a, from)!.price);

  const replay = replayMembership({
    signals,
    governance: options.governance ?? [],
    from,
    to,
    delay,
    canExecute: (action, day, held) => [...assetsTraded(action, held)].every((a) => execRow(a, day) !== undefined),
    onExecute: (action, heldBefore) => {
      const day = action.day;
      const price = (a: string) => execRow(a, day)!.price;
      const cap = (a: string) => execRow(a, day)!.marketCap;
      const targets = new Map<string, number>();
      if (action.kind === "ADD") {
        const members = [...heldBefore, action.asset];
        const total = members.reduce((s, a) => s + cap(a), 0);
        const navNow = sanx.value(price);
        for (const a of members) targets.set(a, (navNow * cap(a)) / total);
      } else {
        const rest = [...heldBefore].filter((a) => a !== action.asset);
        const proceeds = (sanx.units.get(action.asset) ?? 0) * price(action.asset);
        const total = rest.reduce((s, a) => s + cap(a), 0);
        for (const a of rest) targets.set(a, (sanx.units.get(a) ?? 0) * price(a) + (proceeds * cap(a)) / total);
      }
      sanx.trade(targets, price);
    },
    onDayEnd: (day, state) => {
      updateLastPrices(day);
      const members = [...state.held].sort();
      const last = membership[membership.length - 1];
      if (last === undefined || last.members.join() !== members.join()) membership.push({ date: formatDay(day), members });
      const s = sanx.value((a) => closePrice(a, day));
      const b = bh.value((a) => closePrice(a, day));
      sanxNav.push(s);
      bhNav.push(b);
      nav.push({ date: formatDay(day), sanx: s, buyHold: b });
    },
  });

  const cancelled = replay.cancelled.map((c: CancelledAction) => ({
    date: formatDay(c.day),
    asset: c.asset,
    action: c.kind,
    signalDate: formatDay(c.signalDay),
    reason: c.reason,
  }));
  return {
    from: formatDay(from),
    to: formatDay(to),
    delay,
    universe,
    signals: signals
      .filter((s) => s.day >= from && s.day <= to)
      .sort((a, b) => a.day - b.day || (a.asset < b.asset ? -1 : 1))
      .map((s) => ({ date: formatDay(s.day), asset: s.asset, zone: s.zone })),
    actions: replay.executed.map((e) => ({ date: formatDay(e.day), asset: e.asset, action: e.kind, signalDate: formatDay(e.signalDay) })),
    cancelled,
    pendingAtEnd: replay.pendingAtEnd.map((p) => ({ asset: p.asset, action: p.kind, signalDate: formatDay(p.signalDay), dueDate: formatDay(p.dueDay) })),
    membership,
    nav,
    buyHoldWeights,
    metrics: { sanx: navMetrics(sanxNav, sanx.turnover), buyHold: navMetrics(bhNav, bh.turnover) },
  };
}
