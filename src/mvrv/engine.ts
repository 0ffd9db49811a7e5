/**
 * The MVRV signal engine: METHODOLOGY.md section 4, causal and linear in the length of the series.
 *
 * Per day t (nothing on day t reads x after t):
 *  1. candidate c = t - H, considered when c >= W: mu, sigma = mean and sample sd (divide by W - 1)
 *     of x[c-W .. c-1]; spike if x[c] > mu + kUp*sigma and c is the first maximum of x[c-H .. c+H]
 *     (strictly above every earlier day, >= every later day); dip symmetric with kDown. Confirmed on t.
 *  2. U_t / L_t = median of the x values of the confirmed spikes / dips (even count: mean of the two
 *     middle values), undefined until `minExtrema` of that kind are confirmed.
 *  3. zone = DANGER if x > U, OPPORTUNITY if x < L, NEUTRAL otherwise and when both hold.
 *  4. an event fires on each day the zone changes into DANGER or OPPORTUNITY.
 *
 * Cost per day is O(1) amortised plus O(log E) per confirmed extremum (E extrema so far):
 *  - rolling mean from a compensated (Neumaier) window sum and M2 by Welford's sliding-window
 *    identity (no sum-of-squares cancellation), rebuilt afresh every RESYNC_DAYS days so rounding
 *    cannot accumulate over very long series;
 *  - first maximum / first minimum of the (2H+1)-day neighbourhood by monotonic deques in ring
 *    buffers (ties kept, so the front is the FIRST index attaining the extremum);
 *  - running medians with two heaps.
 * The core (`runEngine`) works on a Float64Array and writes typed arrays, with no per-day allocation.
 */
import { InputError } from "../lib/errors";
import { formatDay, parseDay } from "../lib/csv";

export type Zone = "NEUTRAL" | "DANGER" | "OPPORTUNITY";
/** Days between two fresh computations of the rolling mean / M2 (see `runEngine`). */
export const RESYNC_DAYS = 4096;

/** Zone codes in the typed output of `runEngine`. */
export const ZONE_NEUTRAL = 0;
export const ZONE_DANGER = 1;
export const ZONE_OPPORTUNITY = 2;
export const ZONE_NAMES: readonly Zone[] = ["NEUTRAL", "DANGER", "OPPORTUNITY"];

export interface SignalParams {
  /** W: days in the mean / sd window before the candidate (integer >= 2). */
  readonly window: number;
  /** H: half-neighbourhood in days (integer, 0 <= H <= W); the neighbourhood is 2H + 1 days. */
  readonly halfNeighborhood: number;
  /** k_up: spike threshold in sample standard deviations above the mean (finite, >= 0). */
  readonly kUp: number;
  /** k_down: dip threshold in sample standard deviations below the mean (finite, >= 0). */
  readonly kDown: number;
  /** m: confirmed extrema of a kind needed before its threshold is defined (integer >= 1). */
  readonly minExtrema: number;
}

export const DEFAULT_PARAMS: SignalParams = { window: 60, halfNeighborhood: 15, kUp: 1.8, kDown: 1.5, minExtrema: 1 };

/** Throws an InputError naming the first invalid parameter. */
export function validateParams(p: SignalParams): void {
  const int = (name: string, v: number, min: number) => {
    if (!Number.isInteger(v) || v < min) throw new InputError(`${name} must be an integer >= ${min}, got ${v}`);
  };
  int("window", p.window, 2);
  int("halfNeighborhood", p.halfNeighborhood, 0);
  if (p.halfNeighborhood > p.window) {
    throw new InputError(`halfNeighborhood (${p.halfNeighborhood}) must not exceed window (${p.window})`);
  }
  for (const [name, v] of [["kUp", p.kUp], ["kDown", p.kDown]] as const) {
    if (!Number.isFinite(v) || v < 0) throw new InputError(`${name} must be a finite number >= 0, got ${v}`);
  }
  int("minExtrema", p.minExtrema, 1);
}

/** Typed per-day output; NaN in `upper`/`lower` means undefined. */
export interface EngineOutput {
  readonly zones: Uint8Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
  /** Day indices of spikes / dips, in confirmation order (= index order); confirmed on index + H. */
  readonly spikes: number[];
  readonly dips: number[];
  /** Day indices on which an event fired (zone changed into DANGER or OPPORTUNITY). */
  readonly events: number[];
}

/** Preallocated output buffers (length >= series length), e.g. to benchmark without allocation. */
export interface EngineBuffers {
  readonly zones: Uint8Array;
  readonly upper: Float64Array;
  readonly lower: Float64Array;
}

/** A running median of a growing multiset: max-heap of the lower half, min-heap of the upper half. */
class RunningMedian {
  private lo: Float64Array = new Float64Array(16); // max-heap, size nLo >= nHi, nLo <= nHi + 1
  private hi: Float64Array = new Float64Array(16); // min-heap
  private nLo = 0;
  private nHi = 0;

  get count(): number {
    return this.nLo + this.nHi;
  }

  add(v: number): void {
    if (this.nLo === 0 || v <= this.lo[0]!) this.lo = push(this.lo, this.nLo++, v, true);
    else this.hi = push(this.hi, this.nHi++, v, false);
    if (this.nLo > this.nHi + 1) {
      const top = this.lo[0]!;
      pop(this.lo, this.nLo--, true);
      this.hi = push(this.hi, this.nHi++, top, false);
    } else if (this.nHi > this.nLo) {
      const top = this.hi[0]!;
      pop(this.hi, this.nHi--, false);
      this.lo = push(this.lo, this.nLo++, top, true);
    }
  }

  /** Median: the middle value, or the mean of the two middle values for an even count. */
  median(): number {
    return this.nLo > this.nHi ? this.lo[0]! : (this.lo[0]! + this.hi[0]!) / 2;
  }
}

/** Sift-up insert into a binary heap (max-heap if `max`); returns the (maybe grown) array. */
function push(h: Float64Array, n: number, v: number, max: boolean): Float64Array {
  if (n === h.length) {
    const g = new Float64Array(h.length * 2);
    g.set(h);
    h = g;
  }
  let i = n;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (max ? h[p]! >= v : h[p]! <= v) break;
    h[i] = h[p]!;
    i = p;
  }
  h[i] = v;
  return h;
}

/** Removes the root of a heap of size n (the caller decrements n). */
function pop(h: Float64Array, n: number, max: boolean): void {
  const v = h[n - 1]!;
  const m = n - 1;
  let i = 0;
  for (;;) {
    let c = 2 * i + 1;
    if (c >= m) break;
    if (c + 1 < m && (max ? h[c + 1]! > h[c]! : h[c + 1]! < h[c]!)) c++;
    if (max ? h[c]! <= v : h[c]! >= v) break;
    h[i] = h[c]!;
    i = c;
  }
  h[i] = v;
}

export interface EngineOptions {
  /** Preallocated output arrays (benchmark: no allocation per run). */
  readonly buffers?: EngineBuffers;
  /** false: leave `spikes`/`dips`/`events` empty (benchmark mode; the same decisions are made). */
  readonly trackExtrema?: boolean;
  /** Called for each candidate c with the window's mean and sample sd (tests of numerical drift). */
  readonly onCandidate?: (c: number, mean: number, sigma: number) => void;
}

/**
 * The engine core over a validated series (positive finite values; see `validateSeries`).
 * Writes zones/upper/lower for every day (NaN = undefined threshold).
 */
export function runEngine(x: Float64Array, params: SignalParams = DEFAULT_PARAMS, options: EngineOptions = {}): EngineOutput {
  const buffers = options.buffers;
  const trackExtrema = options.trackExtrema ?? true;
  const onCandidate = options.onCandidate;
  validateParams(params);
  const T = x.length;
  const W = params.window;
  const H = params.halfNeighborhood;
  const kUp = params.kUp;
  const kDown = params.kDown;
  const m = params.minExtrema;
  if (buffers && (buffers.zones.length < T || buffers.upper.length < T || buffers.lower.length < T)) {
    throw new InputError(`output buffers hold fewer than ${T} days`);
  }
  const zones = buffers?.zones ?? new Uint8Array(T);
  const upper = buffers?.upper ?? new Float64Array(T);
  const lower = buffers?.lower ?? new Float64Array(T);
  const spikes: number[] = [];
  const dips: number[] = [];
  const events: number[] = [];

  // Monotonic deques over the neighbourhood [t-2H, t], ring buffers of capacity >= 2H + 2.
  let cap = 1;
  while (cap < 2 * H + 2) cap <<= 1;
  const mask = cap - 1;
  const maxQ = new Int32Array(cap); // indices, values non-increasing front to back (ties kept)
  const minQ = new Int32Array(cap); // indices, values non-decreasing front to back (ties kept)
  const maxV = new Float64Array(cap); // x at the indices in maxQ (saves an indirection)
  const minV = new Float64Array(cap);
  let maxHead = 0, maxTail = 0, minHead = 0, minTail = 0; // tail is one past the back (unmasked counters)

  // Window x[c-W .. c-1]: compensated sum (sum + comp), mean and M2 (sum of squared deviations).
  let sum = 0;
  let comp = 0;
  let mean = 0;
  let m2 = 0;
  const wm1 = W - 1;

  const up = new RunningMedian();
  const dn = new RunningMedian();
  let U = NaN; // NaN = undefined
  let L = NaN;
  let prevZone = ZONE_NEUTRAL;
  let untilResync = 0; // candidates until the next fresh rebuild of the window statistics

  for (let t = 0; t < T; t++) {
    const xt = x[t]!;
    // Neighbourhood deques: push t, evict indices before t - 2H.
    while (maxTail > maxHead && maxV[(maxTail - 1) & mask]! < xt) maxTail--;
    maxV[maxTail & mask] = xt;
    maxQ[maxTail++ & mask] = t;
    while (minTail > minHead && minV[(minTail - 1) & mask]! > xt) minTail--;
    minV[minTail & mask] = xt;
    minQ[minTail++ & mask] = t;
    // Indices enter one per day, so at most one (t - 2H - 1) leaves per day.
    const lo = t - 2 * H;
    if (maxQ[maxHead & mask]! < lo) maxHead++;
    if (minQ[minHead & mask]! < lo) minHead++;

    const c = t - H;
    if (c >= W) {
      // Slide the stats window to x[c-W .. c-1].
      if (--untilResync <= 0) {
        untilResync = RESYNC_DAYS;
        // First candidate, and every RESYNC_DAYS candidates after it: rebuild the window afresh
        // (O(W) every RESYNC_DAYS days, i.e. O(W / RESYNC_DAYS) per day), so the rounding of the
        // sliding updates cannot accumulate over a long series.
        sum = 0;
        comp = 0;
        for (let i = c - W; i < c; i++) {
          const v = x[i]!;
          const s2 = sum + v;
          comp += Math.abs(sum) >= Math.abs(v) ? sum - s2 + v : v - s2 + sum;
          sum = s2;
        }
        mean = (sum + comp) / W;
        m2 = 0;
        for (let i = c - W; i < c; i++) m2 += (x[i]! - mean) * (x[i]! - mean);
      } else {
        // Slide by one day: add x[c-1], drop x[c-1-W]. The window sum is compensated (Neumaier),
        // so the mean is sum / W to about an ulp (exact for small-integer data) and its
        // rounding does not random-walk; M2 by the sliding Welford identity
        // M2' = M2 + (in - out) * (in - mean' + out - mean).
        const vin = x[c - 1]!;
        const vout = x[c - 1 - W]!;
        let s2 = sum + vin;
        comp += Math.abs(sum) >= Math.abs(vin) ? sum - s2 + vin : vin - s2 + sum;
        sum = s2;
        s2 = sum - vout;
        comp += Math.abs(sum) >= Math.abs(vout) ? sum - s2 - vout : -vout - s2 + sum;
        sum = s2;
        const newMean = (sum + comp) / W;
        m2 += (vin - vout) * (vin - newMean + vout - mean);
        mean = newMean;
        if (m2 < 0) m2 = 0; // rounding only: M2 is a sum of squares
      }
      // Only the first maximum (minimum) of its neighbourhood can be a spike (dip), and that is rare:
      // test the cheap deque condition first and take sigma (a square root) only then. The two
      // conditions are ANDed, so their order does not change which days are extrema.
      const isMax = maxQ[maxHead & mask] === c;
      const isMin = minQ[minHead & mask] === c;
      if (isMax || isMin || onCandidate !== undefined) {
        const xc = x[c]!;
        const sigma = Math.sqrt(m2 / wm1);
        if (onCandidate !== undefined) onCandidate(c, mean, sigma);
        if (isMax && xc > mean + kUp * sigma) {
          up.add(xc);
          if (trackExtrema) spikes.push(c);
          if (up.count >= m) U = up.median();
        } else if (isMin && xc < mean - kDown * sigma) {
          dn.add(xc);
          if (trackExtrema) dips.push(c);
          if (dn.count >= m) L = dn.median();
        }
      }
    }

    const danger = xt > U; // false while U is NaN
    const opp = xt < L;
    const zone = danger === opp ? ZONE_NEUTRAL : danger ? ZONE_DANGER : ZONE_OPPORTUNITY;
    zones[t] = zone;
    upper[t] = U;
    lower[t] = L;
    if (zone !== prevZone && zone !== ZONE_NEUTRAL && trackExtrema) events.push(t);
    prevZone = zone;
  }
  return { zones, upper, lower, spikes, dips, events };
}

// ---------------------------------------------------------------------------------------------
// Dated series, validation and the report shape of `mvrv:signals --json`.

export interface MvrvPoint {
  readonly date: string; // YYYY-MM-DD (UTC day)
  readonly mvrv: number; // ratio, > 0
}

export interface DayReport {
  readonly date: string;
  readonly mvrv: number;
  readonly zone: Zone;
  readonly upper: number | null;
  readonly lower: number | null;
}
export interface EventReport {
  readonly date: string;
  readonly zone: Zone;
  readonly mvrv: number;
  readonly upper: number | null;
  readonly lower: number | null;
}
export interface ExtremumReport {
  readonly date: string;
  readonly mvrv: number;
  readonly confirmedOn: string;
}
export interface SignalReport {
  readonly days: DayReport[];
  readonly events: EventReport[];
  readonly spikes: ExtremumReport[];
  readonly dips: ExtremumReport[];
}

/**
 * Checks a dated series: consecutive UTC days (no gap, no duplicate, no unordered date), values
 * positive and finite. Errors name the date. Returns the day number of the first point.
 */
export function validateSeries(series: readonly MvrvPoint[], source = "series"): number {
  let prev = NaN;
  let first = NaN;
  for (let i = 0; i < series.length; i++) {
    const { date, mvrv } = series[i]!;
    const day = parseDay(date, `${source}: row ${i + 1}`);
    if (i === 0) first = day;
    else if (day === prev) throw new InputError(`${source}: duplicate date ${date}`);
    else if (day < prev) throw new InputError(`${source}: date ${date} comes after ${formatDay(prev)} (dates must be increasing)`);
    else if (day > prev + 1) {
      throw new InputError(`${source}: gap before ${date}: ${formatDay(prev + 1)}..${formatDay(day - 1)} missing (${day - prev - 1} day(s))`);
    }
    if (typeof mvrv !== "number" || !Number.isFinite(mvrv)) throw new InputError(`${source}: mvrv on ${date} is ${String(mvrv)}, not a finite number`);
    if (mvrv <= 0) throw new InputError(`${source}: mvrv on ${date} is ${mvrv}, not positive`);
    prev = day;
  }
  return first;
}

const nullable = (v: number): number | null => (Number.isNaN(v) ? null : v);

/** Validates a dated series and runs the engine; the report of `mvrv:signals --json`. */
export function computeSignals(series: readonly MvrvPoint[], params: SignalParams = DEFAULT_PARAMS, source = "series"): SignalReport {
  validateParams(params);
  validateSeries(series, source);
  const x = Float64Array.from(series, (p) => p.mvrv);
  const out = runEngine(x, params);
  const H = params.halfNeighborhood;
  const days: DayReport[] = series.map((p, t) => ({
    date: p.date,
    mvrv: p.mvrv,
    zone: ZONE_NAMES[out.zones[t]!]!,
    upper: nullable(out.upper[t]!),
    lower: nullable(out.lower[t]!),
  }));
  const events: EventReport[] = out.events.map((t) => {
    const d = days[t]!;
    return { date: d.date, zone: d.zone, mvrv: d.mvrv, upper: d.upper, lower: d.lower };
  });
  const ext = (c: number): ExtremumReport => ({ date: series[c]!.date, mvrv: series[c]!.mvrv, confirmedOn: series[c + H]!.date });
  return { days, events, spikes: out.spikes.map(ext), dips: out.dips.map(ext) };
}
