/**
 * The SSI methodology replayed over the assets a data folder holds (`DIR/marketcap/<symbol>.csv`), for the
 * report page: at every month-end close the universe is the assets with a row that day (categories and flags
 * from src/data/tokens.json), `computeIndex` selects and weighs them with the rank buffer (sections 1-3), the
 * basket is rebalanced to those weights at that close without cost, and held until the next month-end.
 * Against it: the same universe's market-cap buy-and-hold, bought at the first month-end and never traded.
 *
 * Only as good as the folder: the universe is the folder's assets, not the whole market, so the page says so.
 * The window starts at the first month-end with at least N eligible assets (the methodology never builds a
 * smaller index) and ends on the last day every held asset still has a price (a file that stops ends the
 * backtest, rather than a silent drop).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import tokenList from "../data/tokens.json";
import { formatDay } from "../lib/csv";
import { computeIndex } from "../methodology";
import type { IndexDefinition, Universe } from "../methodology";
import type { MarketRow } from "../sanx/backtest";
import { readMarketCsv } from "../sanx/data";

interface TokenEntry {
  readonly symbol: string;
  readonly categories: readonly string[];
  readonly stablecoin?: boolean;
  readonly wrapped?: boolean;
}

export interface SsiBacktest {
  index: string;
  from: string;
  to: string;
  /** The folder's symbols that were eligible at some month-end. */
  universe: string[];
  /** Weights chosen at each month-end close (fractions). */
  rounds: { date: string; weights: { symbol: string; weight: number }[] }[];
  /** Closing NAV per day, both starting at 1 at the first month-end close. */
  nav: { date: string; index: number; buyHold: number }[];
  /** Why the window ends where it does. */
  endReason: string;
}

export type SsiBacktestOutcome = { ok: true; value: SsiBacktest } | { ok: false; reason: string };

/** Day numbers that are the last day of a UTC month. */
const isMonthEnd = (day: number): boolean => new Date((day + 1) * 86_400_000).getUTCDate() === 1;

export function loadMarketFolder(dir: string): Map<string, Map<number, MarketRow>> {
  const out = new Map<string, Map<number, MarketRow>>();
  if (!existsSync(dir)) return out;
  for (const f of readdirSync(dir).filter((x) => x.endsWith(".csv")).sort()) out.set(f.slice(0, -4).toUpperCase(), readMarketCsv(path.join(dir, f)));
  return out;
}

export function runSsiBacktest(def: IndexDefinition, market: ReadonlyMap<string, ReadonlyMap<number, MarketRow>>): SsiBacktestOutcome {
  const tags = new Map((tokenList as { tokens: TokenEntry[] }).tokens.map((t) => [t.symbol.toUpperCase(), t]));
  const universeAt = (day: number): Universe => ({
    date: formatDay(day),
    assets: [...market.entries()].flatMap(([symbol, rows]) => {
      const row = rows.get(day);
      const t = tags.get(symbol);
      return row === undefined || t === undefined ? [] : [{ symbol, marketCapUsd: row.marketCap, categories: t.categories, stablecoin: t.stablecoin === true, wrapped: t.wrapped === true }];
    }),
  });
  const eligible = (u: Universe) => u.assets.filter((a) => (def.eligibility.category === undefined || a.categories.includes(def.eligibility.category)) && !(def.eligibility.excludeStablecoins && a.stablecoin) && !(def.eligibility.excludeWrapped && a.wrapped));
  const days = [...new Set([...market.values()].flatMap((m) => [...m.keys()]))].sort((a, b) => a - b);
  const start = days.find((d) => isMonthEnd(d) && eligible(universeAt(d)).length >= def.constituents);
  if (start === undefined) {
    const n = Math.max(0, ...days.filter(isMonthEnd).map((d) => eligible(universeAt(d)).length));
    return { ok: false, reason: `no month-end in the folder has the ${def.constituents} eligible assets ${def.name} needs (at most ${n} at once)` };
  }
  const price = (s: string, d: number) => market.get(s)?.get(d)?.price;
  // Buy-and-hold: the eligible universe at the start, market-cap weighted, held.
  const u0 = eligible(universeAt(start));
  const cap0 = u0.reduce((s, a) => s + a.marketCapUsd!, 0);
  const bh = new Map(u0.map((a) => [a.symbol, a.marketCapUsd! / cap0 / price(a.symbol, start)!]));
  let held = new Map<string, number>(); // units per NAV 1 at start
  let incumbents: string[] = [];
  const rounds: SsiBacktest["rounds"] = [];
  const nav: SsiBacktest["nav"] = [];
  const universe = new Set<string>();
  let endReason = "the folder's last day";
  let navIndex = 1;
  for (const d of days.filter((x) => x >= start)) {
    const value = (q: ReadonlyMap<string, number>) => {
      let v = 0;
      for (const [s, units] of q) {
        const p = price(s, d);
        if (p === undefined) return { missing: s };
        v += units * p;
      }
      return { v };
    };
    const a = value(held);
    const b = value(bh);
    if ("missing" in a || "missing" in b) {
      endReason = `${"missing" in a ? a.missing : (b as { missing: string }).missing} has no price after ${formatDay(d - 1)} in the folder`;
      break;
    }
    if (d > start) navIndex = a.v;
    nav.push({ date: formatDay(d), index: navIndex, buyHold: d === start ? 1 : b.v });
    if (isMonthEnd(d)) {
      const u = universeAt(d);
      let c;
      try {
        c = computeIndex(def, u, incumbents);
      } catch (e) {
        endReason = `at ${formatDay(d)} the methodology cannot select from the folder: ${(e as Error).message}`;
        break;
      }
      incumbents = c.constituents.map((x) => x.symbol);
      c.constituents.forEach((x) => universe.add(x.symbol));
      const weights = c.constituents.map((x) => ({ symbol: x.symbol, weight: Number(x.weight) / 1e18 }));
      rounds.push({ date: formatDay(d), weights });
      held = new Map(weights.map((w) => [w.symbol, (w.weight * navIndex) / price(w.symbol, d)!]));
    }
  }
  if (nav.length < 2) return { ok: false, reason: `the folder covers ${def.name} for less than two days (${endReason})` };
  return { ok: true, value: { index: def.name, from: nav[0]!.date, to: nav[nav.length - 1]!.date, universe: [...universe].sort(), rounds, nav, endReason } };
}
