import { readFileSync, existsSync } from "node:fs";
import { parse } from "csv-parse/sync";
import { InputError } from "./errors";

/** One parsed CSV record with the 1-based line it came from, for error messages. */
export interface CsvRow {
  readonly line: number;
  readonly values: Readonly<Record<string, string>>;
}

/**
 * Parses CSV text with a header row. Every column in `required` must be in the header; extra
 * columns are kept but ignored by callers. `source` names the file in errors.
 */
export function parseCsv(text: string, required: readonly string[], source: string): CsvRow[] {
  let records: string[][];
  try {
    records = parse(text, { skip_empty_lines: true, trim: true, relax_column_count: false });
  } catch (e) {
    throw new InputError(`${source}: not valid CSV: ${(e as Error).message}`);
  }
  if (records.length === 0) throw new InputError(`${source}: empty file, expected a header row`);
  const header = records[0]!.map((h) => h.toLowerCase());
  const missing = required.filter((c) => !header.includes(c));
  if (missing.length > 0) {
    throw new InputError(`${source}: missing column(s) ${missing.join(", ")} (header is "${records[0]!.join(",")}")`);
  }
  return records.slice(1).map((cells, i) => {
    const values: Record<string, string> = {};
    header.forEach((h, j) => (values[h] = cells[j] ?? ""));
    return { line: i + 2, values };
  });
}

export function readCsvFile(path: string, required: readonly string[]): CsvRow[] {
  if (!existsSync(path)) throw new InputError(`file not found: ${path}`);
  return parseCsv(readFileSync(path, "utf8"), required, path);
}

/** A finite number from a CSV cell, or an InputError naming the file, line and column. */
export function cellNumber(row: CsvRow, column: string, source: string): number {
  const raw = row.values[column] ?? "";
  const value = raw === "" ? NaN : Number(raw);
  if (!Number.isFinite(value)) {
    throw new InputError(`${source}:${row.line}: column "${column}" is "${raw}", not a finite number`);
  }
  return value;
}

const DAY_MS = 86_400_000;
const ISO_DAY = /^\d{4}-\d{2}-\d{2}$/;

/** Days since 1970-01-01 (UTC) for a `YYYY-MM-DD` string, or an InputError naming `where`. */
export function parseDay(text: string, where: string): number {
  const ms = ISO_DAY.test(text) ? Date.parse(`${text}T00:00:00Z`) : NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== text) {
    throw new InputError(`${where}: "${text}" is not a date of the form YYYY-MM-DD`);
  }
  return ms / DAY_MS;
}

/** `YYYY-MM-DD` for a day number from `parseDay`. */
export function formatDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}
