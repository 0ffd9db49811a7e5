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
 * A positive finite ratio as WAD {1e18 = 1}: the shortest decimal that reads back as the same double
 * (what `String(x)` prints, so a CSV value 1.083406549 becomes exactly 1083406549e9), rounded half
 * up at 18 decimal places when it has more. Monotonic: a strict order between two ratios survives
 * unless both round to the same 1e-18 (only possible below 0.01, far under any MVRV).
 * @throws InputError on a non-finite, non-positive or too large value
 */
export function ratioToWad(x: number, what: string): bigint {
  if (!Number.isFinite(x) || x <= 0 || x >= 1e21) throw new InputError(`${what} is ${x}: expected a positive finite ratio below 1e21`);
  const m = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(String(x));
  if (m === null) throw new InputError(`${what} is ${x}: cannot read it as a decimal`);
  const digits = BigInt(m[1]! + (m[2] ?? "")); // x = digits * 10^(exp - fractionDigits)
  const scale = WAD_DIGITS + Number(m[3] ?? "0") - (m[2] ?? "").length; // power of ten to reach WAD
  if (scale >= 0) return digits * 10n ** BigInt(scale);
  const div = 10n ** BigInt(-scale);
  return (digits + div / 2n) / div; // rounded half up
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
 * The on-chain signal of an event, keyed by its UTC day: at most one event per asset per day, and the
 * oracle accepts one signal per (asset, day), so signing the same event again (e.g. with a later
 * expiry) gives a signal that is refused once the first was accepted, never applied twice; signals of
 * other days are unaffected. The threshold is the crossed one: L for OPPORTUNITY, U for DANGER.
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
  return { asset, zone: ZONE_CODE[event.zone], day: BigInt(day), mvrv, threshold, expiresAt };
}
