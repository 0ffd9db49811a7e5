// mvrv:signals (the section 4 engine over one CSV) and bench:signals (engine throughput).
import { existsSync, readdirSync } from "node:fs";
import { checkOutputPath, parsePlotPath, writeOutputFile, writePlotFile } from "./lib/output";
import path from "node:path";
import { task } from "hardhat/config";
import Table from "cli-table3";
import { renderSvg } from "../src/lib/chart";
import { useEnv } from "../src/env";
import { computeSignals, DEFAULT_PARAMS, validateParams, validateSeries, type SignalParams, type SignalReport } from "../src/mvrv/engine";
import { readMvrvCsv } from "../src/mvrv/csv";
import { signalsChartSpec } from "../src/mvrv/plot";
import { measureEngine, measureReference, syntheticSeries, type Throughput } from "../src/mvrv/bench";
import { fail, userErrors } from "./lib/args";

/** An integer argument >= min. */
export function intArg(value: string, name: string, min: number): number {
  const text = value.trim();
  if (!/^-?\d+$/.test(text) || Number(text) < min) fail(`--${name} "${value}" is not an integer >= ${min}`);
  return Number(text);
}

/** A finite decimal argument >= 0. */
export function nonNegativeArg(value: string, name: string): number {
  const text = value.trim();
  if (!/^\d+(\.\d+)?$/.test(text)) fail(`--${name} "${value}" is not a non-negative decimal number`);
  return Number(text);
}

interface SignalsArgs {
  csv?: string;
  window: string;
  halfNeighborhood: string;
  kUp: string;
  kDown: string;
  minExtrema: string;
  json: boolean;
  plot?: string;
}

export function parseSignalParams(args: Pick<SignalsArgs, "window" | "halfNeighborhood" | "kUp" | "kDown" | "minExtrema">): SignalParams {
  const params: SignalParams = {
    window: intArg(args.window, "window", 2),
    halfNeighborhood: intArg(args.halfNeighborhood, "half-neighborhood", 0),
    kUp: nonNegativeArg(args.kUp, "k-up"),
    kDown: nonNegativeArg(args.kDown, "k-down"),
    minExtrema: intArg(args.minExtrema, "min-extrema", 1),
  };
  if (params.halfNeighborhood > params.window) fail(`--half-neighborhood ${params.halfNeighborhood} must not exceed --window ${params.window}`);
  validateParams(params);
  return params;
}

const fmt = (v: number | null): string => (v === null ? "-" : v.toFixed(4));

function summary(file: string, p: SignalParams, r: SignalReport): string {
  const first = r.days[0]?.date ?? "-";
  const last = r.days[r.days.length - 1];
  const out = [
    `${file}: ${r.days.length} days ${first}..${last?.date ?? "-"}  (W=${p.window}, H=${p.halfNeighborhood}, k_up=${p.kUp}, k_down=${p.kDown}, m=${p.minExtrema})`,
    `spikes ${r.spikes.length}, dips ${r.dips.length}, signals ${r.events.length}`,
  ];
  if (last) out.push(`last day ${last.date}: mvrv ${fmt(last.mvrv)}  zone ${last.zone}  upper ${fmt(last.upper)}  lower ${fmt(last.lower)}`);
  const t = new Table({ head: ["signal date", "zone", "mvrv", "upper U", "lower L"] });
  for (const e of r.events) t.push([e.date, e.zone, fmt(e.mvrv), fmt(e.upper), fmt(e.lower)]);
  if (r.events.length > 0) out.push(t.toString());
  return out.join("\n");
}

task("mvrv:signals", "Runs the MVRV signal engine (METHODOLOGY.md section 4) over a daily CSV with columns date,mvrv")
  .addOptionalParam("csv", "CSV file with columns date and mvrv (others ignored), e.g. ../shared/data/mvrv/uni.csv")
  .addOptionalParam("window", "W: days in the mean/sd window", String(DEFAULT_PARAMS.window))
  .addOptionalParam("halfNeighborhood", "H: half-neighbourhood in days (confirmation delay)", String(DEFAULT_PARAMS.halfNeighborhood))
  .addOptionalParam("kUp", "k_up: spike threshold in sample sd above the mean", String(DEFAULT_PARAMS.kUp))
  .addOptionalParam("kDown", "k_down: dip threshold in sample sd below the mean", String(DEFAULT_PARAMS.kDown))
  .addOptionalParam("minExtrema", "m: extrema needed before a threshold is defined", String(DEFAULT_PARAMS.minExtrema))
  .addOptionalParam("plot", "Write an SVG chart (series, thresholds, shaded zones, signals) to this file")
  .addFlag("json", "Print only the JSON report on stdout")
  .setAction(async (args: SignalsArgs) =>
    userErrors(async () => {
      if (!args.csv) fail("--csv FILE is required (a CSV with columns date and mvrv, e.g. sample/mvrv/uni.csv)");
      const params = parseSignalParams(args);
      parsePlotPath(args.plot);
      const points = readMvrvCsv(args.csv);
      const report = computeSignals(points, params, args.csv);
      if (args.plot) {
        writePlotFile(args.plot, await renderSvg(signalsChartSpec(report, `MVRV signals: ${path.basename(args.csv)}`)));
      }
      if (args.json) {
        process.stdout.write(JSON.stringify(report) + "\n");
        return;
      }
      console.log(summary(args.csv, params, report));
      if (args.plot) console.log(`chart written to ${args.plot}`);
    }),
  );

interface BenchArgs {
  out?: string;
  points: string;
  referencePoints: string;
  runs: string;
}

task("bench:signals", "Measures the MVRV engine's throughput (points/s) beside the quadratic reference")
  .addOptionalParam("out", "Write the JSON results to this file (required)")
  .addOptionalParam("points", "Length of the synthetic series (at least 10 million for the headline figure)", "10000000")
  .addOptionalParam("referencePoints", "Length of the series for the quadratic reference", "2000")
  .addOptionalParam("runs", "Timed runs of each measurement (the best is reported)", "5")
  .setAction(async (args: BenchArgs) =>
    userErrors(async () => {
      if (!args.out) fail("--out FILE is required (the JSON results are written there)");
      checkOutputPath(args.out);
      const n = intArg(args.points, "points", 1000);
      const refN = intArg(args.referencePoints, "reference-points", 100);
      const runs = intArg(args.runs, "runs", 1);
      const rows: Throughput[] = [];
      const synthetic = syntheticSeries(n);
      measureEngine("warm-up", [synthetic.subarray(0, Math.min(n, 200_000))], 3);
      rows.push(measureEngine(`engine, synthetic series`, [synthetic], runs));
      const dataDir = path.join(useEnv("SSI_DATA_DIR") ?? path.resolve(__dirname, "../../shared/data"), "mvrv");
      let realFiles: string[] = [];
      if (existsSync(dataDir)) {
        realFiles = readdirSync(dataDir).filter((f) => f.endsWith(".csv")).sort();
        const series = realFiles.map((f) => {
          const pts = readMvrvCsv(path.join(dataDir, f));
          validateSeries(pts, f);
          return Float64Array.from(pts, (p) => p.mvrv);
        });
        // Small files: repeat each run so it lasts long enough to time.
        const total = series.reduce((s, x) => s + x.length, 0);
        const repeat = Math.max(1, Math.ceil(2_000_000 / total));
        const repeated = Array.from({ length: repeat }, () => series).flat();
        rows.push(measureEngine(`engine, ${realFiles.length} real files x${repeat}`, repeated, runs));
      } else {
        console.error(`(${dataDir} is absent: no real-data measurement; set SSI_DATA_DIR to the shared data folder)`);
      }
      const refSeries = synthetic.subarray(0, refN);
      rows.push(measureReference(`quadratic reference`, refSeries, Math.min(runs, 3)));
      rows.push(measureEngine(`engine, same ${refN} points`, Array.from({ length: 1000 }, () => refSeries), runs));
      const result = {
        params: DEFAULT_PARAMS,
        node: process.version,
        targetPointsPerSecond: 10_000_000,
        syntheticPoints: n,
        realFiles,
        results: rows,
      };
      writeOutputFile(args.out, JSON.stringify(result, null, 2) + "\n");
      const t = new Table({ head: ["measurement", "points / run", "runs", "best s", "median s", "points / s (wall)", "points / CPU s"] });
      const n0 = (v: number) => Math.round(v).toLocaleString("en-US");
      for (const r of rows) {
        t.push([r.name, n0(r.points), r.runs, r.bestSeconds.toFixed(4), r.medianSeconds.toFixed(4), n0(r.pointsPerSecond), n0(r.pointsPerCpuSecond)]);
      }
      console.log(t.toString());
      console.log("One core (single-threaded engine). Wall clock counts time other processes take the core; CPU time does not. Target: 10,000,000 points/s.");
      console.log(`results written to ${args.out}`);
    }),
  );
