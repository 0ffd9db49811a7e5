/**
 * The data-file parts of the report page (issue 12): per SANX asset the MVRV signal engine's output, the
 * SANX membership backtest and the USSI funding backtest, over `DIR/mvrv`, `DIR/marketcap` and
 * `DIR/funding` (the repository's `sample/` when no --data is given: SAMPLE). Each part carries its source
 * (folder and last date); a part the data cannot support carries the reason instead.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { computeSignals, type SignalReport } from "../mvrv/engine";
import { runBacktest as runSanxBacktest, type BacktestResult as SanxBacktest } from "../sanx/backtest";
import { loadSanxData } from "../sanx/data";
import { backtestByYear, runBacktest as runUssiBacktest, type BacktestResult as UssiBacktest, type YearResult } from "../ussi/backtest";
import { formatIsoSecond, loadFundingDir } from "../ussi/funding";
import { SAMPLE_WEIGHTS } from "../ussi/weights";
import { PRODUCTS } from "../methodology";
import { loadMarketFolder, runSsiBacktest, type SsiBacktest } from "./ssi-backtest";
import type { Source } from "./types";

export type Part<T> = { ok: true; value: T; source: Source } | { ok: false; reason: string };

export interface MvrvAsset {
  symbol: string;
  report: SignalReport;
  source: Source;
}

export interface OffChainData {
  dataDir: string;
  sample: boolean;
  mvrv: Part<MvrvAsset[]>;
  sanxBacktest: Part<{ result: SanxBacktest; skipped: { symbol: string; reason: string }[] }>;
  ussiBacktest: Part<{ result: UssiBacktest; years: YearResult[] }>;
  /** The SSI methodology over the folder's market-cap files, per product (src/report/ssi-backtest.ts). */
  ssiBacktest: Record<string, Part<SsiBacktest>>;
}

const fail = (e: unknown): { ok: false; reason: string } => ({ ok: false, reason: (e as Error).message });

/** Every computation over the data files in `dataDir`; `sample` labels the sources SAMPLE. `step` reports progress. */
export function readOffChain(dataDir: string, sample: boolean, step: (label: string) => void = () => undefined): OffChainData {
  const rel = (p: string) => path.relative(process.cwd(), p) || p;
  let mvrv: OffChainData["mvrv"];
  let sanxBacktest: OffChainData["sanxBacktest"];
  try {
    const data = loadSanxData(dataDir);
    step("MVRV signals");
    const assets = data.assets.map((a) => ({
      symbol: a.symbol,
      report: computeSignals(a.mvrv, undefined, `${a.symbol} mvrv`),
      source: { kind: "data", file: rel(path.join(dataDir, "mvrv", `${a.symbol.toLowerCase()}.csv`)), asOf: a.mvrv[a.mvrv.length - 1]?.date ?? "-", sample } as Source,
    }));
    mvrv = assets.length > 0 ? { ok: true, value: assets, source: { kind: "data", file: rel(path.join(dataDir, "mvrv")), asOf: maxDate(assets.map((a) => a.source)), sample } } : { ok: false, reason: `${rel(dataDir)}/mvrv has no DeFi asset with both an MVRV and a market-cap file` };
    step("SANX backtest");
    const result = runSanxBacktest(data.assets);
    sanxBacktest = { ok: true, value: { result, skipped: data.skipped }, source: { kind: "data", file: `${rel(path.join(dataDir, "mvrv"))}, ${rel(path.join(dataDir, "marketcap"))}`, asOf: result.to, sample } };
  } catch (e) {
    mvrv = fail(e);
    sanxBacktest = fail(e);
  }
  step("USSI backtest");
  let ussiBacktest: OffChainData["ussiBacktest"];
  const fundingDir = path.join(dataDir, "funding");
  try {
    if (!existsSync(fundingDir)) throw new Error(`${rel(fundingDir)} does not exist`);
    const options = { funding: loadFundingDir(fundingDir, Object.keys(SAMPLE_WEIGHTS)), weights: SAMPLE_WEIGHTS };
    const result = runUssiBacktest(options);
    ussiBacktest = { ok: true, value: { result, years: backtestByYear(options) }, source: { kind: "data", file: rel(fundingDir), asOf: formatIsoSecond(result.end).slice(0, 10), sample } };
  } catch (e) {
    ussiBacktest = fail(e);
  }
  return {
    dataDir,
    sample,
    mvrv,
    sanxBacktest,
    ussiBacktest,
    ssiBacktest: ssiBacktests(dataDir, sample, rel, step),
  };
}

function ssiBacktests(dataDir: string, sample: boolean, rel: (p: string) => string, step: (label: string) => void): Record<string, Part<SsiBacktest>> {
  step("SSI backtests");
  const dir = path.join(dataDir, "marketcap");
  let market: ReturnType<typeof loadMarketFolder>;
  try {
    market = loadMarketFolder(dir);
  } catch (e) {
    return Object.fromEntries(["MAG7", "MEME", "DEFI"].map((p) => [p, fail(e)]));
  }
  const out: Record<string, Part<SsiBacktest>> = {};
  for (const product of ["MAG7", "MEME", "DEFI"] as const) {
    const r = runSsiBacktest(PRODUCTS[product], market);
    out[product] = r.ok ? { ok: true, value: r.value, source: { kind: "data", file: rel(dir), asOf: r.value.to, sample } } : { ok: false, reason: `${rel(dir)}: ${r.reason}` };
  }
  return out;
}

function maxDate(sources: readonly Source[]): string {
  return sources.map((s) => (s.kind === "data" ? s.asOf : "")).sort().pop() ?? "-";
}
