import { existsSync, readdirSync } from "node:fs";
import { basename, join } from "node:path";
import { cellNumber, parseCsv, parseDay, readCsvFile, type CsvRow } from "../lib/csv";
import { InputError } from "../lib/errors";
import type { Asset, Universe } from "../methodology/types";
import { tokensBySymbol, type TokenInfo } from "./token-list";

/** The columns of a per-asset daily market-cap CSV (`../shared/data/marketcap/<symbol>.csv`). */
export const MARKETCAP_COLUMNS = ["date", "price_usd", "market_cap_usd", "circulating_supply"] as const;

/** One day of one asset. */
export interface MarketCapRow {
  /** `YYYY-MM-DD` (UTC) */
  readonly date: string;
  /** days since 1970-01-01 */
  readonly day: number;
  /** USD per whole token (close) */
  readonly priceUsd: number;
  /** circulating market cap, USD */
  readonly marketCapUsd: number;
  /** circulating supply, whole tokens */
  readonly circulatingSupply: number;
}

function positive(row: CsvRow, column: string, source: string): number {
  const v = cellNumber(row, column, source);
  if (v <= 0) throw new InputError(`${source}:${row.line}: column "${column}" is "${row.values[column]}", must be > 0`);
  return v;
}

function toRows(rows: CsvRow[], source: string): MarketCapRow[] {
  let prev: MarketCapRow | undefined;
  return rows.map((row) => {
    const date = row.values.date ?? "";
    const day = parseDay(date, `${source}:${row.line}: column "date"`);
    if (prev !== undefined && day <= prev.day) {
      throw new InputError(`${source}:${row.line}: column "date" is ${date}, not after the previous row's ${prev.date} (dates must be strictly ascending)`);
    }
    prev = {
      date,
      day,
      priceUsd: positive(row, "price_usd", source),
      marketCapUsd: positive(row, "market_cap_usd", source),
      circulatingSupply: positive(row, "circulating_supply", source),
    };
    return prev;
  });
}

/**
 * Parses a market-cap CSV (`date,price_usd,market_cap_usd,circulating_supply`).
 * Every value must be present and > 0 and dates strictly ascending.
 * @param source the file name for errors, which read `source:line: column "x" ...`
 * @throws InputError naming file, line and column
 */
export function parseMarketCapCsv(text: string, source: string): MarketCapRow[] {
  return toRows(parseCsv(text, MARKETCAP_COLUMNS, source), source);
}

/** Reads one market-cap CSV file (see `parseMarketCapCsv`). */
export function readMarketCapCsv(path: string): MarketCapRow[] {
  return toRows(readCsvFile(path, MARKETCAP_COLUMNS), path);
}

/** Rows as CSV text in the same format (header + one line per day). */
export function formatMarketCapCsv(rows: readonly MarketCapRow[]): string {
  const lines = rows.map((r) => `${r.date},${r.priceUsd},${r.marketCapUsd},${r.circulatingSupply}`);
  return [MARKETCAP_COLUMNS.join(","), ...lines].join("\n") + "\n";
}

/**
 * Reads every `<symbol>.csv` in a directory. The symbol is the file name upper-cased (`1inch.csv` -> `1INCH`).
 * @returns rows per symbol
 * @throws InputError when the directory is missing or a file is malformed
 */
export function readMarketCapDir(dir: string): Map<string, MarketCapRow[]> {
  if (!existsSync(dir)) throw new InputError(`market-cap directory not found: ${dir}`);
  const out = new Map<string, MarketCapRow[]>();
  for (const file of readdirSync(dir).filter((f) => f.toLowerCase().endsWith(".csv")).sort()) {
    out.set(basename(file, ".csv").toUpperCase(), readMarketCapCsv(join(dir, file)));
  }
  return out;
}

/**
 * A universe snapshot for `date` from per-asset series and the token list's categories and flags.
 * Assets with no row on that exact day are left out (they have no market cap: not eligible anyway).
 * @param series rows per upper-case symbol (e.g. from `readMarketCapDir`)
 * @param date `YYYY-MM-DD`, normally a determination date (a month's last day)
 * @param tokens the token list (default: the project's)
 * @returns the universe, assets sorted by symbol, each with `marketCapUsd` and `priceUsd` of that day
 * @throws InputError when a symbol with data is not in the token list (its flags would be unknown)
 */
export function universeFromSeries(
  series: ReadonlyMap<string, readonly MarketCapRow[]>,
  date: string,
  tokens: readonly TokenInfo[] | undefined = undefined,
): Universe {
  const day = parseDay(date, "date");
  const bySymbol = tokensBySymbol(tokens);
  const assets: Asset[] = [];
  for (const symbol of [...series.keys()].sort()) {
    const row = series.get(symbol)!.find((r) => r.day === day);
    if (row === undefined) continue;
    const token = bySymbol.get(symbol.toUpperCase());
    if (token === undefined) {
      throw new InputError(`${symbol}: not in the token list, so its categories and stablecoin/wrapped flags are unknown`, "add it to src/data/tokens.json");
    }
    assets.push({
      symbol: token.symbol,
      marketCapUsd: row.marketCapUsd,
      categories: token.categories,
      stablecoin: token.stablecoin,
      wrapped: token.wrapped,
      priceUsd: row.priceUsd,
    });
  }
  return { date, assets };
}

/** `universeFromSeries(readMarketCapDir(dir), date, tokens)`. */
export function universeFromCsvDir(dir: string, date: string, tokens?: readonly TokenInfo[]): Universe {
  return universeFromSeries(readMarketCapDir(dir), date, tokens);
}
