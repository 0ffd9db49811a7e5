/**
 * From engine events to the signals the SignalOracle verifies: which events to sign, and their
 * on-chain form. Pure: no ethers import (signing happens in the task).
 */
import { InputError } from "../lib/errors";
import { parseDay } from "../lib/csv";
import type { EventReport, SignalReport } from "../mvrv/engine";
import { ZONE_CODE, type SignalStruct, type SignalZone } from "./signalReport";

const WAD_DIGITS = 18;

/**
 * A positive finite ratio as WAD {1e18 = 1}, rounded to the nearest 1e-18 (the decimal expansion
 * of the double, as `toFixed(18)` gives it). Monotonic, so a strict order between two ratios near
 * 1 (which differ by at least 2.2e-16) survives the conversion.
 * @throws InputError on a non-finite, non-positive or too large value
 */
export function ratioToWad(x: number, what: string): bigint {
  if (!Number.isFinite(x) || x <= 0 || x >= 1e21) throw new InputError(`${what} is ${x}: expected a positive finite ratio below 1e21`);
  const [whole, frac = ""] = x.toFixed(WAD_DIGITS).split(".");
  return BigInt(whole!) * 10n ** BigInt(WAD_DIGITS) + BigInt(frac.padEnd(WAD_DIGITS, "0"));
}

/** One engine event chosen for signing, with its asset's symbol. */
export interface ChosenEvent {
  readonly symbol: string;
  readonly event: EventReport & { zone: SignalZone };
}

/**
 * The events to sign for one asset: with `fromDay` every OPPORTUNITY/DANGER event dated on or after
 * it, in date order; without it only the latest event (none if the asset never signalled).
 */
export function chooseEvents(symbol: string, report: Pick<SignalReport, "events">, fromDay?: number): ChosenEvent[] {
  const signals = report.events.filter((e): e is EventReport & { zone: SignalZone } => e.zone === "OPPORTUNITY" || e.zone === "DANGER");
  const picked = fromDay === undefined ? signals.slice(-1) : signals.filter((e) => parseDay(e.date, `${symbol} event`) >= fromDay);
  return picked.map((event) => ({ symbol, event }));
}

/**
 * The on-chain signal of an event. The round is the event's UTC day number: at most one event per
 * asset per day, rounds then increase with the day (as the oracle requires per asset), and signing
 * the same event again gives the same round, so a signal already accepted is refused as stale
 * rather than applied twice. The threshold is the crossed one: L for OPPORTUNITY, U for DANGER.
 * @throws InputError when the crossed threshold is undefined or the numbers contradict the zone
 */
export function toSignalStruct(chosen: ChosenEvent, asset: string, expiresAt: bigint): SignalStruct {
  const { symbol, event } = chosen;
  const day = parseDay(event.date, `${symbol} event`);
  const bound = event.zone === "OPPORTUNITY" ? event.lower : event.upper;
  if (bound === null) throw new InputError(`${symbol} ${event.date}: ${event.zone} event without its threshold`);
  const mvrv = ratioToWad(event.mvrv, `${symbol} mvrv on ${event.date}`);
  const threshold = ratioToWad(bound, `${symbol} threshold on ${event.date}`);
  const agrees = event.zone === "OPPORTUNITY" ? mvrv < threshold : mvrv > threshold;
  if (!agrees) throw new InputError(`${symbol} ${event.date}: ${event.zone} with mvrv ${mvrv} and threshold ${threshold} (WAD) contradict each other`);
  return { asset, zone: ZONE_CODE[event.zone], day: BigInt(day), round: BigInt(day), mvrv, threshold, expiresAt };
}
