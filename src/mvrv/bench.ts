/**
 * Throughput measurement of the engine (and of the quadratic reference) for `bench:signals`.
 * The engine runs in its typed-array mode with preallocated output (the same code as always; only
 * the dated JSON report is skipped), so the figure is the engine's, not the allocator's.
 */
import { DEFAULT_PARAMS, runEngine, type SignalParams } from "./engine";
import { referenceSignals } from "./reference";

/** A positive MVRV-like series: a multiplicative random walk near 1 with a seeded LCG (deterministic). */
export function syntheticSeries(n: number, seed = 1): Float64Array {
  const x = new Float64Array(n);
  let s = seed >>> 0;
  let v = 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    v *= 1 + 0.04 * (s / 4294967296 - 0.5);
    v = v < 0.2 ? 0.2 : v > 8 ? 8 : v;
    x[i] = v;
  }
  return x;
}

export interface Throughput {
  readonly name: string;
  readonly points: number; // data points per run
  readonly runs: number;
  readonly bestSeconds: number;
  readonly medianSeconds: number;
  readonly pointsPerSecond: number; // points / bestSeconds (wall clock)
  /** Best CPU time of a run (user + system of this process), seconds: robust on a shared machine. */
  readonly bestCpuSeconds: number;
  readonly pointsPerCpuSecond: number;
}

function summarise(name: string, points: number, times: number[], cpuTimes: number[]): Throughput {
  const sorted = [...times].sort((a, b) => a - b);
  const best = sorted[0]!;
  const bestCpu = Math.min(...cpuTimes);
  return {
    name,
    points,
    runs: times.length,
    bestSeconds: best,
    medianSeconds: sorted[Math.floor(sorted.length / 2)]!,
    pointsPerSecond: points / best,
    bestCpuSeconds: bestCpu,
    pointsPerCpuSecond: points / bestCpu,
  };
}

const now = (): number => Number(process.hrtime.bigint()) / 1e9;
const cpuNow = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** Times `body` `runs` times: wall-clock and CPU seconds per run. */
function time(runs: number, body: () => void): { wall: number[]; cpu: number[] } {
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let r = 0; r < runs; r++) {
    const t0 = now();
    const c0 = cpuNow();
    body();
    cpu.push(cpuNow() - c0);
    wall.push(now() - t0);
  }
  return { wall, cpu };
}

/** Runs the engine `runs` times over each series (one run = all series once). */
export function measureEngine(name: string, series: readonly Float64Array[], runs: number, params: SignalParams = DEFAULT_PARAMS): Throughput {
  const n = Math.max(...series.map((s) => s.length));
  const buffers = { zones: new Uint8Array(n), upper: new Float64Array(n), lower: new Float64Array(n) };
  const points = series.reduce((s, x) => s + x.length, 0);
  const t = time(runs, () => {
    for (const x of series) runEngine(x, params, { buffers, trackExtrema: true });
  });
  return summarise(name, points, t.wall, t.cpu);
}

export function measureReference(name: string, x: Float64Array, runs: number, params: SignalParams = DEFAULT_PARAMS): Throughput {
  const t = time(runs, () => referenceSignals(x, params));
  return summarise(name, x.length, t.wall, t.cpu);
}
