// sanx:backtest (off-chain replay of METHODOLOGY.md section 5 over daily MVRV and market-cap data).
import { writeFileSync } from "node:fs";
import { task } from "hardhat/config";
import Table from "cli-table3";
import { renderSvg, type VegaLiteSpec } from "../src/lib/chart";
import { parseDay } from "../src/lib/csv";
import { runBacktest, type BacktestResult, type Metrics } from "../src/sanx/backtest";
import { loadSanxData } from "../src/sanx/data";
import { fail, userErrors } from "./lib/args";

function dayArg(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  try {
    return parseDay(value, `--${name}`);
  } catch (e) {
    fail((e as Error).message);
  }
}

const pct = (x: number): string => `${(x * 100).toFixed(2)}%`;

export function metricsTable(r: BacktestResult): string {
  const t = new Table({ head: ["basket", "total return", "volatility (ann., daily simple)", "max drawdown", "turnover"] });
  const row = (name: string, m: Metrics) => [name, pct(m.totalReturn), pct(m.annualisedVolatility), pct(m.maxDrawdown), pct(m.turnover)];
  t.push(row("SANX", r.metrics.sanx), row("buy-and-hold (mcap)", r.metrics.buyHold));
  return t.toString();
}

function navChartSpec(r: BacktestResult): VegaLiteSpec {
  const lines = r.nav.flatMap((n) => [
    { date: n.date, basket: "SANX", nav: n.sanx },
    { date: n.date, basket: "buy-and-hold", nav: n.buyHold },
  ]);
  const navOn = new Map(r.nav.map((n) => [n.date, n.sanx]));
  const marks = r.actions.map((a) => ({ ...a, nav: navOn.get(a.date), label: `${a.action} ${a.asset}` }));
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v5.json",
    title: `SANX backtest ${r.from}..${r.to} (delay ${r.delay} days) vs market-cap buy-and-hold`,
    width: 900,
    height: 360,
    layer: [
      {
        data: { values: lines },
        mark: { type: "line", strokeWidth: 1.3 },
        encoding: {
          x: { field: "date", type: "temporal", title: "date (UTC)" },
          y: { field: "nav", type: "quantitative", title: "NAV (start = 1)" },
          color: { field: "basket", type: "nominal" },
        },
      },
      {
        data: { values: marks },
        mark: { type: "point", filled: true, size: 60 },
        encoding: {
          x: { field: "date", type: "temporal" },
          y: { field: "nav", type: "quantitative" },
          shape: { field: "action", type: "nominal", scale: { domain: ["ADD", "REMOVE"], range: ["triangle-up", "triangle-down"] } },
          fill: { value: "#000000" },
          tooltip: [{ field: "label" }, { field: "signalDate" }],
        },
      },
    ],
  };
}

interface BacktestArgs {
  data?: string;
  from?: string;
  to?: string;
  delay: string;
  json: boolean;
  plot?: string;
}

task("sanx:backtest", "Replays SANX membership (METHODOLOGY.md section 5) over DIR/mvrv and DIR/marketcap against buy-and-hold")
  .addOptionalParam("data", "Folder with mvrv/<symbol>.csv and marketcap/<symbol>.csv (e.g. ../shared/data, or sample for SAMPLE data)")
  .addOptionalParam("from", "First day of the window, YYYY-MM-DD (default: first day every universe asset is tradable)")
  .addOptionalParam("to", "Last day of the window, YYYY-MM-DD (default: last day every universe asset has a row)")
  .addOptionalParam("delay", "Days from a signal to its execution (integer >= 1)", "3")
  .addOptionalParam("plot", "Write an SVG chart of both NAVs with the actions marked")
  .addFlag("json", "Print only JSON on stdout")
  .setAction(async (args: BacktestArgs) =>
    userErrors(async () => {
      if (!args.data) fail("--data DIR is required (a folder with mvrv/ and marketcap/, e.g. ../shared/data or sample)");
      if (!/^\d+$/.test(args.delay.trim()) || Number(args.delay) < 1) fail(`--delay "${args.delay}" is not an integer >= 1 (days)`);
      const from = dayArg(args.from, "from");
      const to = dayArg(args.to, "to");
      if (from !== undefined && to !== undefined && from > to) fail(`--from ${args.from} is after --to ${args.to}`);
      const data = loadSanxData(args.data);
      const r = runBacktest(data.assets, { from, to, delay: Number(args.delay) });
      if (args.plot) writeFileSync(args.plot, await renderSvg(navChartSpec(r)));
      if (args.json) {
        process.stdout.write(JSON.stringify({ ...r, skipped: data.skipped }) + "\n");
        return;
      }
      console.log(`SANX backtest ${r.from}..${r.to}, delay ${r.delay} days; universe (tokens.json "defi" with MVRV and market cap): ${r.universe.join(", ")}`);
      if (data.skipped.length > 0) console.log(`left out: ${data.skipped.map((s) => `${s.symbol} (${s.reason})`).join(", ")}`);
      console.log(`signals in the window: ${r.signals.length}; actions executed: ${r.actions.length}; cancelled: ${r.cancelled.length}; pending at the end: ${r.pendingAtEnd.length}`);
      const a = new Table({ head: ["executed (start of day)", "asset", "action", "signal date"] });
      for (const x of r.actions) a.push([x.date, x.asset, x.action, x.signalDate]);
      console.log(a.toString());
      const m = new Table({ head: ["from", "members"] });
      for (const x of r.membership) m.push([x.date, x.members.length > 0 ? x.members.join(", ") : "(reserve: USD stablecoin)"]);
      console.log(m.toString());
      console.log(metricsTable(r));
      console.log("Trades at the previous day's close (Coin Metrics price of day d-1 = 00:00 UTC of d); turnover = sum of one-way traded value / NAV.");
      if (args.plot) console.log(`chart written to ${args.plot}`);
    }),
  );
