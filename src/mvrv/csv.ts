/** Reading MVRV series (`date,mvrv` columns, others ignored) as in ../shared/data/mvrv/. */
import { InputError } from "../lib/errors";
import { readCsvFile, type CsvRow } from "../lib/csv";
import type { MvrvPoint } from "./engine";

/** Rows to points; a non-numeric mvrv is an InputError naming the date (range checks: `validateSeries`). */
export function rowsToMvrv(rows: readonly CsvRow[], source: string): MvrvPoint[] {
  return rows.map((row) => {
    const date = row.values["date"] ?? "";
    const raw = row.values["mvrv"] ?? "";
    const mvrv = raw === "" ? NaN : Number(raw);
    if (!Number.isFinite(mvrv)) throw new InputError(`${source}:${row.line}: mvrv on ${date} is "${raw}", not a finite number`);
    return { date, mvrv };
  });
}

export function readMvrvCsv(path: string): MvrvPoint[] {
  return rowsToMvrv(readCsvFile(path, ["date", "mvrv"]), path);
}
