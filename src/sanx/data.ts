/**
 * Reading SANX data from a folder with the layout of ../shared/data: `DIR/mvrv/<symbol>.csv`
 * (columns date, mvrv) and `DIR/marketcap/<symbol>.csv` (columns date, price_usd, market_cap_usd).
 * The universe is every symbol present there that src/data/tokens.json tags `defi`, excluding
 * stablecoins (DAI is tagged defi but is a stablecoin, not a SANX candidate).
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import tokenList from "../data/tokens.json";
import { InputError } from "../lib/errors";
import { cellNumber, parseDay, readCsvFile } from "../lib/csv";
import { readMvrvCsv } from "../mvrv/csv";
import type { AssetData, MarketRow } from "./backtest";

interface TokenEntry {
  readonly symbol: string;
  readonly categories: readonly string[];
  readonly stablecoin?: boolean;
  readonly wrapped?: boolean;
}

/** Upper-case symbols the token list tags `defi` (stablecoins and wrapped/bridged/staked derivatives excluded, methodology section 1). */
export function defiSymbols(): Set<string> {
  const tokens = (tokenList as { tokens: TokenEntry[] }).tokens;
  return new Set(tokens.filter((t) => t.categories.includes("defi") && t.stablecoin !== true && t.wrapped !== true).map((t) => t.symbol.toUpperCase()));
}

/** Market rows by day; dates must be increasing without duplicates, values positive. */
export function readMarketCsv(file: string): Map<number, MarketRow> {
  const rows = readCsvFile(file, ["date", "price_usd", "market_cap_usd"]);
  const out = new Map<number, MarketRow>();
  let prev = -Infinity;
  for (const r of rows) {
    const date = r.values["date"] ?? "";
    const day = parseDay(date, `${file}:${r.line}`);
    if (day <= prev) throw new InputError(`${file}:${r.line}: date ${date} is not after the previous row's date`);
    prev = day;
    const price = cellNumber(r, "price_usd", file);
    const marketCap = cellNumber(r, "market_cap_usd", file);
    if (price <= 0 || marketCap <= 0) throw new InputError(`${file}:${r.line}: price or market cap on ${date} is not positive`);
    out.set(day, { price, marketCap });
  }
  return out;
}

const symbolsIn = (dir: string): Map<string, string> =>
  new Map(
    existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.toLowerCase().endsWith(".csv"))
          .map((f) => [f.slice(0, -4).toUpperCase(), path.join(dir, f)] as const)
      : [],
  );

export interface SanxData {
  readonly assets: AssetData[];
  /** DeFi symbols with only one of the two files (left out of the universe), with why. */
  readonly skipped: { symbol: string; reason: string }[];
}

export function loadSanxData(dir: string): SanxData {
  const mvrvDir = path.join(dir, "mvrv");
  const capDir = path.join(dir, "marketcap");
  if (!existsSync(mvrvDir) || !existsSync(capDir)) throw new InputError(`${dir}: expected folders mvrv/ and marketcap/ inside it`);
  const defi = defiSymbols();
  const mvrv = symbolsIn(mvrvDir);
  const caps = symbolsIn(capDir);
  const assets: AssetData[] = [];
  const skipped: { symbol: string; reason: string }[] = [];
  for (const symbol of [...new Set([...mvrv.keys(), ...caps.keys()])].filter((s) => defi.has(s)).sort()) {
    const m = mvrv.get(symbol);
    const c = caps.get(symbol);
    if (m === undefined || c === undefined) {
      skipped.push({ symbol, reason: m === undefined ? "no mvrv file" : "no marketcap file" });
      continue;
    }
    assets.push({ symbol, mvrv: readMvrvCsv(m), market: readMarketCsv(c) });
  }
  return { assets, skipped };
}
