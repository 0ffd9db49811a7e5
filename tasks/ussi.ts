import { writeFileSync } from "node:fs";
import { task } from "hardhat/config";
import Table from "cli-table3";
import { parseDay } from "../src/lib/csv";
import { renderSvg } from "../src/lib/chart";
import {
  SAMPLE_WEIGHTS,
  backtestByYear,
  backtestJson,
  yearJson,
  dailyPriceFn,
  loadDailyPrices,
  dailySeries,
  formatIsoSecond,
  liquidBuffer,
  loadFundingDir,
  navBreakdown,
  navReport,
  netDeltas,
  numberToWad,
  parsePositions,
  parseWeights,
  runBacktest,
  wadToNumber,
  detectDrift,
} from "../src/ussi";
import { fail, readJsonArg, userErrors } from "./lib/args";

const DAY = 86_400;

/** A non-negative decimal number argument ("0", "25", "0.5"). */
function nonNegative(value: string | undefined, name: string): number {
  const text = (value ?? "").trim();
  if (!/^\d+(\.\d+)?$/.test(text)) fail(`--${name} "${value ?? ""}" is not a non-negative decimal number`);
  return Number(text);
}

/** A fraction in [0, 1) ("0.02"), as WAD. */
function fraction(value: string | undefined, name: string): bigint {
  const x = nonNegative(value, name);
  if (x >= 1) fail(`--${name} ${value} must be below 1 (a fraction: 0.02 = 2%)`);
  return numberToWad(x, `--${name}`);
}

function day(value: string, name: string): number {
  try {
    return parseDay(value, `--${name}`) * DAY;
  } catch (e) {
    fail((e as Error).message);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;
const usd = (x: bigint): string => wadToNumber(x).toLocaleString("en-US", { maximumFractionDigits: 2 });

interface BacktestArgs {
  funding?: string;
  from?: string;
  to?: string;
  feeBpsPerYear: string;
  perpCostBps: string;
  driftTolerance: string;
  buffer: string;
  weights?: string;
  prices?: string;
  json: boolean;
  byYear: boolean;
  plot?: string;
}

task("ussi:backtest", "Backtests the USSI hedged book over funding-rate history (binance_<SYM>USDT.csv files)")
  .addOptionalParam("funding", "Directory of binance_<SYM>USDT.csv funding files (required; sample/funding has a synthetic one)")
  .addOptionalParam("from", "First day, YYYY-MM-DD (UTC, inclusive); default: the first settlement")
  .addOptionalParam("to", "Last day, YYYY-MM-DD (UTC, inclusive); default: the last settlement")
  .addOptionalParam("feeBpsPerYear", "Management fee, basis points of NAV per year", "0")
  .addOptionalParam("perpCostBps", "Cost of each perp trade, basis points of its notional", "0")
  .addOptionalParam("driftTolerance", "Hedge rebalance when |net delta| of any asset exceeds this fraction of NAV", "0.02")
  .addOptionalParam("buffer", "Liquid buffer held in cash, fraction of NAV", "0.05")
  .addOptionalParam("weights", "JSON file symbol -> weight (fraction numbers or WAD strings); default: the SAMPLE MAG7 vector")
  .addOptionalParam(
    "prices",
    "Directory of <sym>.csv daily prices (date,price_usd, e.g. ../shared/data/marketcap); default: constant prices"
  )
  .addOptionalParam("plot", "Write an SVG chart of NAV to this file")
  .addFlag("json", "Print only JSON on stdout")
  .addFlag("byYear", "Also run one independent backtest per calendar year and report them")
  .setAction(async (args: BacktestArgs) =>
    userErrors(async () => {
      if (!args.funding) fail("--funding DIR is required (for a synthetic sample: --funding sample/funding)");
      const feeBpsPerYear = nonNegative(args.feeBpsPerYear, "fee-bps-per-year");
      const perpCostBps = nonNegative(args.perpCostBps, "perp-cost-bps");
      const driftToleranceWad = fraction(args.driftTolerance, "drift-tolerance");
      const bufferWad = fraction(args.buffer, "buffer");
      const from = args.from === undefined ? undefined : day(args.from, "from");
      const to = args.to === undefined ? undefined : day(args.to, "to") + DAY; // inclusive day -> exclusive end
      if (from !== undefined && to !== undefined && to <= from) fail(`--to ${args.to} is before --from ${args.from}`);
      if (args.plot !== undefined && !args.plot.endsWith(".svg")) fail(`--plot ${args.plot}: the file name must end in .svg`);
      const weights = args.weights === undefined ? SAMPLE_WEIGHTS : parseWeights(readJsonArg(args.weights, "weights"), args.weights);

      const funding = loadFundingDir(args.funding, Object.keys(weights));
      const options = {
        funding,
        weights,
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
        feeBpsPerYear,
        perpCostBps,
        driftToleranceWad,
        bufferWad,
        ...(args.prices !== undefined ? { price: dailyPriceFn(loadDailyPrices(args.prices, Object.keys(weights))) } : {}),
      };
      const result = runBacktest(options);
      const years = args.byYear ? backtestByYear(options) : undefined;

      if (args.plot !== undefined) {
        const values = dailySeries(result.series).map((p) => ({ time: formatIsoSecond(p.time), nav: wadToNumber(p.nav) }));
        const svg = await renderSvg({
          $schema: "https://vega.github.io/schema/vega-lite/v5.json",
          title: `USSI backtest NAV (${args.funding})`,
          width: 720,
          height: 320,
          data: { values },
          mark: "line",
          encoding: {
            x: { field: "time", type: "temporal", title: "date (UTC)" },
            y: { field: "nav", type: "quantitative", title: "NAV (USD)", scale: { zero: false } },
          },
        });
        writeFileSync(args.plot, svg);
      }

      if (args.json) {
        const json = backtestJson(result);
        if (years !== undefined) json["byYear"] = years.map(yearJson);
        process.stdout.write(JSON.stringify(json) + "\n");
        return;
      }
      const table = new Table({ head: ["USSI backtest", "value"] });
      table.push(
        ["funding data", args.funding],
        ["period (UTC)", `${formatIsoSecond(result.start)} .. ${formatIsoSecond(result.end)} (${result.years.toFixed(3)} y)`],
        ["weights", args.weights ?? "SAMPLE MAG7 vector (src/ussi/weights.ts)"],
        ["prices", args.prices ?? "constant (no price path)"],
        ["initial NAV (USD)", usd(result.initialNav)],
        ["final NAV (USD)", usd(result.finalNav)],
        ["annualised yield (ln, /yr)", pct(result.annualisedYield)],
        ["CAGR", pct(result.cagr)],
        ["annualised volatility", pct(result.annualisedVolatility)],
        ["maximum drawdown", pct(result.maxDrawdown)],
        ["hedge rebalances on drift", String(result.driftRebalances)],
        ["monthly reconstitutions", String(result.reconstitutions)],
        ["perp trades / notional (USD)", `${result.perpTrades} / ${usd(result.perpTradedNotional)}`],
        ["funding received (USD)", usd(result.totalFunding)],
        ["fees (USD)", `${usd(result.totalFees)} (${feeBpsPerYear} bps/yr)`],
        ["perp trading costs (USD)", `${usd(result.totalPerpCosts)} (${perpCostBps} bps/trade)`],
        ["drift tolerance / buffer", `${pct(wadToNumber(driftToleranceWad))} / ${pct(wadToNumber(bufferWad))} of NAV`]
      );
      const bySymbol = new Table({ head: ["symbol", "funding received (USD)"] });
      for (const [s, v] of Object.entries(result.fundingBySymbol)) bySymbol.push([s, usd(v)]);
      console.log(table.toString());
      console.log(bySymbol.toString());
      if (years !== undefined) {
        const head = [
          "year",
          "days",
          "yield (ln)",
          "CAGR",
          "volatility",
          "max DD",
          "drift rebal.",
          "fees (USD)",
          "perp costs (USD)",
          "funding (USD)",
        ];
        const perYear = new Table({ head });
        for (const { year, result: r } of years) {
          perYear.push([
            String(year),
            ((r.end - r.start) / 86_400).toFixed(1),
            pct(r.annualisedYield),
            pct(r.cagr),
            pct(r.annualisedVolatility),
            pct(r.maxDrawdown),
            String(r.driftRebalances),
            usd(r.totalFees),
            usd(r.totalPerpCosts),
            usd(r.totalFunding),
          ]);
        }
        console.log(perYear.toString());
      }
      if (args.plot !== undefined) console.log(`NAV chart written to ${args.plot}`);
    })
  );

interface NavArgs {
  positions?: string;
  driftTolerance: string;
  buffer: string;
  json: boolean;
}

task("ussi:nav", "Computes the (unsigned) USSI NAV report from a positions JSON (see src/ussi/positions.ts)")
  .addOptionalParam("positions", "Positions JSON file (required)")
  .addOptionalParam("driftTolerance", "Drift tolerance, fraction of NAV", "0.02")
  .addOptionalParam("buffer", "Liquid buffer, fraction of NAV", "0.05")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: NavArgs) =>
    userErrors(async () => {
      if (!args.positions) fail("--positions FILE.json is required");
      const tolerance = fraction(args.driftTolerance, "drift-tolerance");
      const bufferWad = fraction(args.buffer, "buffer");
      const input = parsePositions(readJsonArg(args.positions, "positions"), args.positions);
      const report = navReport(input);
      const breakdown = navBreakdown(input.book, input.prices);
      const drift = detectDrift(input.book, input.prices, report.nav, tolerance);
      const buffer = liquidBuffer(report.nav, input.book.cash, bufferWad);
      const deltas = netDeltas(input.book, input.prices, report.nav);
      const str = (o: object): Record<string, string> => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)]));
      const out = {
        report: str(report),
        cash: breakdown.cash.toString(),
        drift: { rebalance: drift.rebalance, breaches: drift.breaches, maxDeltaBps: drift.maxDeltaBps.toString() },
        buffer: str(buffer),
        deltas: deltas.map((d) => str(d)),
        signed: false,
      };
      if (args.json) {
        process.stdout.write(JSON.stringify(out) + "\n");
        return;
      }
      const table = new Table({ head: ["NAV report (unsigned)", "value"] });
      table.push(
        ["round", report.round.toString()],
        ["timestamp", `${report.timestamp} (${formatIsoSecond(Number(report.timestamp))})`],
        ["NAV (USD)", usd(report.nav)],
        ["NAV per token (USD)", wadToNumber(report.navPerToken).toFixed(6)],
        ["spot value (USD)", usd(report.spotValue)],
        ["perp unrealised PnL (USD)", usd(report.perpPnl)],
        ["funding accrued (USD)", usd(report.fundingAccrued)],
        ["cash (USD)", usd(breakdown.cash)],
        ["max |net delta| (bps of NAV)", report.netDeltaBps.toString()],
        ["hedge rebalance due", drift.rebalance ? `yes (${drift.breaches.join(", ")})` : "no"],
        ["buffer target / available (USD)", `${usd(buffer.target)} / ${usd(buffer.available)}`]
      );
      console.log(table.toString());
    })
  );
