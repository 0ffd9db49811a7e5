import { formatDay, parseDay } from "../lib/csv";
import { MethodologyError } from "../lib/errors";

/**
 * The monthly schedule (section 1): the determination date is the last calendar day of a month
 * (UTC; data as of that day's close) and the new weights take effect on the first day of the next
 * month. Dates are `YYYY-MM-DD` strings.
 */

/**
 * The determination date of a month.
 * @param year e.g. 2026
 * @param month 1..12
 * @returns the month's last calendar day, e.g. (2024, 2) -> "2024-02-29"
 */
export function determinationDate(year: number, month: number): string {
  if (!Number.isInteger(year) || !Number.isInteger(month) || month < 1 || month > 12) {
    throw new MethodologyError(`no such month: ${year}-${month}`);
  }
  return new Date(Date.UTC(year, month, 0)).toISOString().slice(0, 10); // day 0 of next month = last day
}

/** The determination date of the month containing `date` ("2026-02-10" -> "2026-02-28"). */
export function determinationDateFor(date: string): string {
  const d = new Date(parseDay(date, "date") * 86_400_000);
  return determinationDate(d.getUTCFullYear(), d.getUTCMonth() + 1);
}

/** True when `date` is the last calendar day of its month. */
export function isDeterminationDate(date: string): boolean {
  return determinationDateFor(date) === date;
}

/**
 * The day new weights determined on `date` take effect: the first day of the next month.
 * @throws MethodologyError when `date` is not a determination date (a month's last day)
 */
export function effectiveDate(determination: string): string {
  if (!isDeterminationDate(determination)) {
    throw new MethodologyError(`${determination} is not a determination date (the last calendar day of a month)`);
  }
  return formatDay(parseDay(determination, "date") + 1);
}

/** Every determination date d with from <= d <= to, in order. */
export function determinationDates(from: string, to: string): string[] {
  const start = parseDay(from, "from");
  const end = parseDay(to, "to");
  const out: string[] = [];
  let d = determinationDateFor(from);
  while (parseDay(d, "date") <= end) {
    if (parseDay(d, "date") >= start) out.push(d);
    d = determinationDateFor(formatDay(parseDay(d, "date") + 1));
  }
  return out;
}
