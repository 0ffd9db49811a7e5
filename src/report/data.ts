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
  /** Why the SSI methodology's NAV backtest is not drawn (the data this project reads has no monthly universes). */
  ssiBacktest: { ok: false; reason: string };
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
    ssiBacktest: {
      ok: false,
      reason:
        "not drawn: the methodology selects each month from the whole market's ranking (every candidate's market cap at each month-end, sections 1-3), " +
        `and ${rel(dataDir)} holds daily files for a handful of assets only, not month-end universes; a backtest over them would not be the methodology's.`,
    },
  };
}

function maxDate(sources: readonly Source[]): string {
  return sources.map((s) => (s.kind === "data" ? s.asOf : "")).sort().pop() ?? "-";
}
