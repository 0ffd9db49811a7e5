/**
 * Funding-rate history: the CSV layout of ../shared/data/funding (`time,funding_rate`, one row per
 * settlement, ISO-8601 UTC seconds, rate per interval as a plain decimal fraction, positive = longs
 * pay shorts). Intervals may be irregular (SOLUSDT moved to 4h and 2h in November 2022): a period's
 * funding is always the SUM of its settlements' rates, never mean * settlements-per-year.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../lib/errors";
import { type CsvRow, parseCsv, readCsvFile } from "../lib/csv";
import { YEAR_SECONDS, parseWad } from "./fixed";

export interface FundingSettlement {
  /** Settlement time, unix seconds (UTC). */
  readonly time: number;
  /** Rate per interval as published, WAD (0.0001 -> 1e14), exact. */
  readonly rateWad: bigint;
  /** The same rate as a float (statistics only). */
  readonly rate: number;
}

export interface FundingSeries {
  readonly symbol: string;
  /** Where it came from (file path), for messages. */
  readonly source: string;
  /** Strictly increasing in time. */
  readonly settlements: readonly FundingSettlement[];
}

const ISO_SECOND = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

/** Unix seconds for `YYYY-MM-DDTHH:MM:SSZ`, or an InputError naming `where`. */
export function parseIsoSecond(text: string, where: string): number {
  const ms = ISO_SECOND.test(text) ? Date.parse(text) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().replace(".000Z", "Z") !== text) {
    throw new InputError(`${where}: "${text}" is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ`);
  }
  return ms / 1000;
}

/** `YYYY-MM-DDTHH:MM:SSZ` for unix seconds. */
export function formatIsoSecond(time: number): string {
  return new Date(time * 1000).toISOString().replace(".000Z", "Z");
}

function toSettlements(rows: CsvRow[], source: string): FundingSettlement[] {
  const out: FundingSettlement[] = [];
  let previous: { time: number; line: number } | undefined;
  for (const row of rows) {
    const where = `${source}:${row.line}`;
    const time = parseIsoSecond(row.values["time"] ?? "", `${where}: column "time"`);
    const rateWad = parseWad(row.values["funding_rate"] ?? "", `${where}: column "funding_rate"`);
    if (previous !== undefined && time <= previous.time) {
      const what = time === previous.time ? "duplicates" : "is earlier than";
      throw new InputError(
        `${where}: time ${formatIsoSecond(time)} ${what} line ${previous.line}; rows must be strictly increasing in time`
      );
    }
    previous = { time, line: row.line };
    out.push({ time, rateWad, rate: Number(row.values["funding_rate"]) });
  }
  return out;
}

/** Parses funding CSV text. `source` names the file in errors (file:line). */
export function parseFundingCsv(text: string, symbol: string, source: string): FundingSeries {
  return { symbol, source, settlements: toSettlements(parseCsv(text, ["time", "funding_rate"], source), source) };
}

export function readFundingCsv(path: string, symbol: string): FundingSeries {
  return { symbol, source: path, settlements: toSettlements(readCsvFile(path, ["time", "funding_rate"]), path) };
}

/** The file name of a symbol in a funding directory: `binance_<SYM>USDT.csv`. */
export function fundingFileName(symbol: string): string {
  return `binance_${symbol.toUpperCase()}USDT.csv`;
}

const FILE = /^binance_([A-Z0-9]+)USDT\.csv$/;

/** Symbols that have a `binance_<SYM>USDT.csv` file in `dir`, sorted. */
export function fundingSymbolsIn(dir: string): string[] {
  if (!existsSync(dir)) throw new InputError(`funding directory not found: ${dir}`);
  return readdirSync(dir)
    .map((f) => FILE.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

/** Loads `binance_<SYM>USDT.csv` for each symbol; a missing file is an error naming it. */
export function loadFundingDir(dir: string, symbols: readonly string[]): Record<string, FundingSeries> {
  if (!existsSync(dir)) throw new InputError(`funding directory not found: ${dir}`);
  const out: Record<string, FundingSeries> = {};
  for (const symbol of symbols) {
    const path = join(dir, fundingFileName(symbol));
    if (!existsSync(path)) throw new InputError(`no funding file for ${symbol}: ${path} does not exist`);
    const series = readFundingCsv(path, symbol);
    if (series.settlements.length === 0) throw new InputError(`${path}: no settlements`);
    out[symbol] = series;
  }
  return out;
}

/** Settlements with from <= time < to (unix seconds). */
export function settlementsBetween(series: FundingSeries, from: number, to: number): FundingSettlement[] {
  return series.settlements.filter((s) => s.time >= from && s.time < to);
}

/** Sum of the rates of settlements in [from, to), WAD, exact. Correct for irregular intervals. */
export function sumRatesWad(series: FundingSeries, from: number, to: number): bigint {
  return settlementsBetween(series, from, to).reduce((acc, s) => acc + s.rateWad, 0n);
}

/**
 * Simple annualised funding over [from, to): sum of rates scaled to 365 days of the window length
 * (the data README's sanity-table definition). A fraction (0.306 = 30.6%/yr).
 */
export function annualisedFundingRate(series: FundingSeries, from: number, to: number): number {
  if (to <= from) throw new InputError("annualisedFundingRate: empty window");
  const sum = settlementsBetween(series, from, to).reduce((acc, s) => acc + s.rate, 0);
  return (sum * YEAR_SECONDS) / (to - from);
}
