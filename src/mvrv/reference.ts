/**
 * An obvious, slow reference of METHODOLOGY.md section 4, used only by tests and the benchmark.
 * For every day t it looks only at x[0..t] and recomputes everything from scratch: every candidate
 * c in [W, t-H] (two-pass mean and sample sd over x[c-W..c-1], a scan of x[c-H..c+H]), then the
 * medians by sorting. Cost O(T^2 (W + H)); it shares no code with the engine.
 */
import type { SignalParams, Zone } from "./engine";
import { DEFAULT_PARAMS } from "./engine";

export interface ReferenceDay {
  readonly zone: Zone;
  readonly upper: number | null;
  readonly lower: number | null;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  return n % 2 === 1 ? s[(n - 1) / 2]! : (s[n / 2 - 1]! + s[n / 2]!) / 2;
}

/** Spike (+1), dip (-1) or neither (0) at candidate c, from x[c-W .. c+H] only. */
export function referenceExtremum(x: ArrayLike<number>, c: number, p: SignalParams): -1 | 0 | 1 {
  const W = p.window;
  const H = p.halfNeighborhood;
  let sum = 0;
  for (let i = c - W; i < c; i++) sum += x[i]!;
  const mu = sum / W;
  let ss = 0;
  for (let i = c - W; i < c; i++) ss += (x[i]! - mu) ** 2;
  const sigma = Math.sqrt(ss / (W - 1));
  const xc = x[c]!;
  let firstMax = true;
  let firstMin = true;
  for (let i = c - H; i < c; i++) {
    if (!(xc > x[i]!)) firstMax = false;
    if (!(xc < x[i]!)) firstMin = false;
  }
  for (let i = c + 1; i <= c + H; i++) {
    if (!(xc >= x[i]!)) firstMax = false;
    if (!(xc <= x[i]!)) firstMin = false;
  }
  if (xc > mu + p.kUp * sigma && firstMax) return 1;
  if (xc < mu - p.kDown * sigma && firstMin) return -1;
  return 0;
}

/** The zone and thresholds on day t, computed from x[0..t] alone. */
export function referenceDay(x: ArrayLike<number>, t: number, p: SignalParams = DEFAULT_PARAMS): ReferenceDay {
  const spikes: number[] = [];
  const dips: number[] = [];
  for (let c = p.window; c + p.halfNeighborhood <= t; c++) {
    const e = referenceExtremum(x, c, p);
    if (e === 1) spikes.push(x[c]!);
    else if (e === -1) dips.push(x[c]!);
  }
  const upper = spikes.length >= p.minExtrema ? median(spikes) : null;
  const lower = dips.length >= p.minExtrema ? median(dips) : null;
  const danger = upper !== null && x[t]! > upper;
  const opp = lower !== null && x[t]! < lower;
  const zone: Zone = danger && !opp ? "DANGER" : opp && !danger ? "OPPORTUNITY" : "NEUTRAL";
  return { zone, upper, lower };
}

/** Every day's zone and thresholds, plus the event days (zone changed into DANGER/OPPORTUNITY). */
export function referenceSignals(x: ArrayLike<number>, p: SignalParams = DEFAULT_PARAMS): { days: ReferenceDay[]; events: number[] } {
  const days: ReferenceDay[] = [];
  const events: number[] = [];
  for (let t = 0; t < x.length; t++) {
    const d = referenceDay(x, t, p);
    if (d.zone !== "NEUTRAL" && (t === 0 || days[t - 1]!.zone !== d.zone)) events.push(t);
    days.push(d);
  }
  return { days, events };
}
