/**
 * Optional daily price paths for the backtest, from the layout of ../shared/data/marketcap:
 * `<dir>/<symbol lower-case>.csv` with columns `date,price_usd` (Coin Metrics PriceUSD: the close
 * at 00:00 UTC of the NEXT day). The mark at a time t is the latest close at or before t, i.e. the
 * row dated the day before t's UTC day; it is held constant through that day. Prices are read as
 * floats (the files use exponents for tiny values) and converted to 1e18 USD/coin; only the
 * backtest uses them.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../lib/errors";
import { cellNumber, formatDay, parseDay, readCsvFile } from "../lib/csv";
import { numberToWad } from "./fixed";

export interface DailyPrices {
  readonly symbol: string;
  readonly source: string;
  readonly first: number; // day number of the first row
  readonly last: number; // day number of the last row
  readonly byDay: ReadonlyMap<number, bigint>; // {1e18 USD / coin}
}

export function readDailyPrices(path: string, symbol: string): DailyPrices {
  const rows = readCsvFile(path, ["date", "price_usd"]);
  const byDay = new Map<number, bigint>();
  let previous = -Infinity;
  for (const row of rows) {
    const where = `${path}:${row.line}`;
    const day = parseDay(row.values["date"] ?? "", `${where}: column "date"`);
    if (day <= previous) throw new InputError(`${where}: date ${formatDay(day)} is not after the previous row's`);
    previous = day;
    const price = cellNumber(row, "price_usd", path);
    if (price <= 0) throw new InputError(`${where}: price_usd ${price} must be positive`);
    byDay.set(day, numberToWad(price, where));
  }
  if (byDay.size === 0) throw new InputError(`${path}: no prices`);
  const days = [...byDay.keys()];
  return { symbol, source: path, first: days[0]!, last: days.at(-1)!, byDay };
}

/** Loads `<dir>/<symbol lower>.csv` per symbol; a missing file is an error naming it. */
export function loadDailyPrices(dir: string, symbols: readonly string[]): Record<string, DailyPrices> {
  const out: Record<string, DailyPrices> = {};
  for (const symbol of symbols) {
    const path = join(dir, `${symbol.toLowerCase()}.csv`);
    if (!existsSync(path)) throw new InputError(`no price file for ${symbol}: ${path} does not exist`);
    out[symbol] = readDailyPrices(path, symbol);
  }
  return out;
}

/**
 * A `price(symbol, time)` function for `runBacktest`: the close at 00:00 UTC of t's day (the row
 * dated the day before). Throws naming the symbol and the covered range outside the data.
 */
export function dailyPriceFn(prices: Readonly<Record<string, DailyPrices>>): (symbol: string, time: number) => bigint {
  return (symbol, time) => {
    const series = prices[symbol];
    if (series === undefined) throw new InputError(`no price series for ${symbol}`);
    const day = Math.floor(time / 86_400) - 1;
    const price = series.byDay.get(day);
    if (price === undefined) {
      throw new InputError(
        `${series.source}: no price for ${symbol} dated ${formatDay(day)} (the data covers ${formatDay(series.first)}..${formatDay(
          series.last
        )}); narrow --from/--to`
      );
    }
    return price;
  };
}
